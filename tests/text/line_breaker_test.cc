#include "saraban/text/line_breaker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace saraban::text {
namespace {

using ::testing::Contains;
using ::testing::Not;

// Sentences from the two seed reports (/work/shared/seeds), OCR slips kept.
const char* const kSeedSentences[] = {
    "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ ๒๕๖๗",
    "องค์การบริหารส่วนตำบลตะลุโบะ อำเภอเมือง จังหวัดปัตตานี",
    "จากการประเมินผลคุณธรรมและความโปร่งใสในการดำเนินงานขององค์การบริหารส่วนตำบลตะลุโบะ "
    "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ โดยภาพรวมได้คะแนน ๙๑.๖๗ อยู่ในระดับ ผ่าน",
    "กำหนดผู้รับผิดชอบหรือผู้ที่เกี่ยวข้อง ดังนี้",
    "มาตรการเสริมสร้างความซื่อสัตย์สุจริต และปลูกฝังทัศนคติวัฒนธรรมที่ดีในการต่อต้านการทุจริต",
    "จากผลการประเมิน ITA ตัวชี้วัดที่ ๙.๔ การบริหารและพัฒนาทรัพยากรบุคคล ประเด็น "
    "บุคลากรในหน่วยงานบางรายยังมีการปฏิบัติงานอย่างไม่ถูกต้อง",
    "๒. จัดโครงการส่งเสริมคุณธรรมจริยธรรมบุคลากรขององค์การบริหารส่วนตำบลตะลุโบะ"
    "เพื่อเสริมสร้างวัฒนธรรมองค์กรสุจริต\tตลอดปีงบประมาณ\tสำนักปลัด",
    "องค์การบริหารส่วนตำบลบึงคล้า ประจำปีงบประมาณ พ.ศ. ๒๕๖๖",
    "องค์การบริหารส่วนตำบลบึงคล้า อำเภอห้วยลึก จังหวัดเพชรบูรณ์",
    "จากผลการวิเคราะห์การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
    "(Integrity and Transparency Assessment: ITA) ขององค์การบริหารส่วนตำบลบุงคล้า",
    "๖. ปรับปรุงข้อมูลใน เว็บไซต์หน่วยงานให้เป็นปัจจุบัน\t๑. มอบหมายเจ้าหน้าที่รับผิดชอบ"
    "ปรับปรุงข้อมูลการดำเนินงานต่าง ๆ รวมถึงข้อมูลข่าวสารที่เป็นปัจจุบัน",
    "หน่วยงานรับผิดชอบรายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสในการดำเนินงาน "
    ": งานวางแผนสถิติและวิชาการ",
    "เจ้าหน้าที่ผู้รายงาน : นางกัญญารัตน์ สิงห์สา ตำแหน่ง นักวิเคราะห์นโยบายและแผนฯ",
    "เจ้าหน้าที่ผู้ตรวจสอบ : นางสาวศศิธร บัวทอง ตำแหน่ง หัวหน้าสำนักปลัด อบต.",
    "นางสาวพรชนก พลเดช ตำแหน่ง ปลัดองค์การบริหารส่วนตำบล",
    "การรับทราบของผู้บริหาร : นายชัยณฤทธิ์ สิงห์ทอง ตำแหน่ง นายกองค์การบริหารส่วนตำบลบึงคล้า",
    "<p>๒. มีการจัดทำแผนการใช้จ่ายงบประมาณประจำปีงบประมาณ พ.ศ. ๒๕๖๖ ดังนี้</p>",
    "ในด้านต่างๆ ๒. จัดทำคู่มือ",
};

// Words ICU's dictionary knows: no opportunity may fall strictly inside.
const char* const kKnownWords[] = {
    "องค์การ", "บริหาร", "ส่วน",    "ตำบล",    "ปีงบประมาณ", "คุณธรรม",  "ความโปร่งใส",
    "ตะลุโบะ", "บึงคล้า", "ประเมิน", "จริยธรรม", "บุคลากร",    "รับผิดชอบ", "วัฒนธรรม",
    "เว็บไซต์", "ปัจจุบัน", "ข้อมูล",   "ทรัพยากร", "นโยบาย",    "ตำแหน่ง",
};

// "a|b|c": the text cut at the opportunities, for readable failures.
std::string Cut(std::string_view text, const std::vector<size_t>& breaks) {
  std::string out;
  size_t begin = 0;
  for (size_t end : breaks) {
    out.append(text.substr(begin, end - begin));
    out += '|';
    begin = end;
  }
  return out;
}

// Byte offset of the end of `needle` in `text` (its first occurrence).
size_t EndOf(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  return at + needle.size();
}

// Byte offset of the start of `needle` in `text` (its first occurrence).
size_t StartOf(std::string_view text, std::string_view needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  return at;
}

// The Thai code point (U+0E00..U+0E7F) at byte `i`, or 0.
char32_t ThaiAt(std::string_view text, size_t i) {
  if (i + 3 > text.size() || static_cast<uint8_t>(text[i]) != 0xE0) return 0;
  const auto second = static_cast<uint8_t>(text[i + 1]);
  if (second != 0xB8 && second != 0xB9) return 0;
  return 0x0E00 + ((second & 0x01) << 6) + (static_cast<uint8_t>(text[i + 2]) & 0x3F);
}

void ExpectWellFormed(std::string_view text, const std::vector<size_t>& breaks) {
  if (text.empty()) {
    EXPECT_TRUE(breaks.empty());
    return;
  }
  ASSERT_FALSE(breaks.empty());
  EXPECT_GT(breaks.front(), 0u);
  EXPECT_EQ(breaks.back(), text.size());
  EXPECT_TRUE(std::is_sorted(breaks.begin(), breaks.end()));
  EXPECT_EQ(std::adjacent_find(breaks.begin(), breaks.end()), breaks.end());
  for (size_t b : breaks) {
    // Never inside a UTF-8 sequence.
    if (b < text.size()) {
      EXPECT_NE(static_cast<uint8_t>(text[b]) & 0xC0, 0x80) << b;
    }
  }
}

TEST(LineBreaker, OpportunitiesAreWellFormed) {
  LineBreaker breaker;
  EXPECT_TRUE(breaker.Opportunities("").empty());
  EXPECT_TRUE(breaker.IcuOpportunities("").empty());
  for (const char* sentence : kSeedSentences) {
    SCOPED_TRACE(sentence);
    ExpectWellFormed(sentence, breaker.Opportunities(sentence));
    ExpectWellFormed(sentence, breaker.IcuOpportunities(sentence));
  }
}

TEST(LineBreaker, OpportunitiesAreASubsetOfIcus) {
  LineBreaker breaker;
  std::string all;
  for (const char* sentence : kSeedSentences) {
    const std::vector<size_t> ours = breaker.Opportunities(sentence);
    const std::vector<size_t> icu = breaker.IcuOpportunities(sentence);
    EXPECT_TRUE(std::includes(icu.begin(), icu.end(), ours.begin(), ours.end()))
        << "ours: " << Cut(sentence, ours) << "\nicu:  " << Cut(sentence, icu);
    all += sentence;
    all += '\n';
  }
  const std::vector<size_t> ours = breaker.Opportunities(all);
  const std::vector<size_t> icu = breaker.IcuOpportunities(all);
  EXPECT_TRUE(std::includes(icu.begin(), icu.end(), ours.begin(), ours.end()));
  EXPECT_LT(ours.size(), icu.size());
}

TEST(LineBreaker, NeverBreaksInsideKnownWords) {
  LineBreaker breaker;
  int occurrences = 0;
  for (const char* sentence : kSeedSentences) {
    const std::string_view text = sentence;
    const std::vector<size_t> breaks = breaker.Opportunities(text);
    for (const char* word : kKnownWords) {
      const std::string_view w = word;
      for (size_t at = text.find(w); at != std::string_view::npos; at = text.find(w, at + 1)) {
        ++occurrences;
        for (size_t b : breaks) {
          EXPECT_FALSE(b > at && b < at + w.size())
              << "break inside " << w << ": " << Cut(text, breaks);
        }
      }
    }
  }
  EXPECT_GT(occurrences, 50);
}

TEST(LineBreaker, BreaksBetweenWords) {
  LineBreaker breaker;
  const std::string text = "องค์การบริหารส่วนตำบล";
  EXPECT_EQ(Cut(text, breaker.Opportunities(text)), "องค์การ|บริหาร|ส่วน|ตำบล|");
  const std::string mixed = "ผลการประเมิน ITA ตัวชี้วัด";
  const std::vector<size_t> breaks = breaker.Opportunities(mixed);
  EXPECT_THAT(breaks, Contains(StartOf(mixed, "ITA")));
  EXPECT_THAT(breaks, Contains(StartOf(mixed, "ตัว")));
}

TEST(LineBreaker, NoBreakBeforeMaiYamokOrPaiyannoi) {
  LineBreaker breaker;
  for (const std::string text :
       {"ปรับปรุงข้อมูลการดำเนินงานต่าง ๆ รวมถึงข้อมูล", "ในด้านต่างๆ ๒. จัดทำ", "หน่วยงานต่าง  ๆ ในหน้าเว็บไซต์",
        "นักวิเคราะห์นโยบายและแผนฯ ตำแหน่ง", "ปากกา ดินสอ ฯลฯ"}) {
    const std::vector<size_t> breaks = breaker.Opportunities(text);
    SCOPED_TRACE(Cut(text, breaks));
    for (size_t b : breaks) {
      const size_t next = text.find_first_not_of(' ', b);
      if (next == std::string::npos) continue;
      EXPECT_NE(text.compare(next, 3, "ๆ"), 0);
      EXPECT_NE(text.compare(next, 3, "ฯ"), 0);
    }
  }
  // ICU itself breaks after the space in "ต่าง ๆ"; the rule is what removes it.
  const std::string text = "งานต่าง ๆ ในหน่วยงาน";
  EXPECT_THAT(breaker.IcuOpportunities(text), Contains(StartOf(text, "ๆ")));
  EXPECT_THAT(breaker.Opportunities(text), Not(Contains(StartOf(text, "ๆ"))));
  EXPECT_THAT(breaker.Opportunities(text), Contains(StartOf(text, "ใน")));
}

TEST(LineBreaker, TitleStaysWithTheName) {
  LineBreaker breaker;
  struct Case {
    std::string text, title, name;
  };
  const Case kCases[] = {
      {"เจ้าหน้าที่ผู้ตรวจสอบ : นางสาวศศิธร บัวทอง ตำแหน่ง", "นางสาว", "ศศิธร"},
      {"เจ้าหน้าที่ผู้ตรวจสอบ : นางสาวศศิธร บัวทอง ตำแหน่ง", "นาง", "สาว"},
      {"ผู้รายงาน : นางกัญญารัตน์ สิงห์สา", "นาง", "กัญญารัตน์"},
      {"ผู้บริหาร : นายชัยณฤทธิ์ สิงห์ทอง", "นาย", "ชัยณฤทธิ์"},
      {"ลงชื่อ นาย สมชาย ใจดี", "นาย ", "สมชาย"},
      {"ลงชื่อ ดร. สมชาย ใจดี", "ดร. ", "สมชาย"},
      {"ลงชื่อ ว่าที่ร้อยตรีสมชาย ใจดี", "ว่าที่ร้อยตรี", "สมชาย"},
  };
  for (const Case& c : kCases) {
    const std::vector<size_t> breaks = breaker.Opportunities(c.text);
    const size_t between = StartOf(c.text, c.title + c.name) + c.title.size();
    EXPECT_THAT(breaks, Not(Contains(between))) << Cut(c.text, breaks);
    // The surname may still go to the next line.
    if (c.text.find(" ใจดี") != std::string::npos) {
      EXPECT_THAT(breaks, Contains(StartOf(c.text, "ใจดี"))) << Cut(c.text, breaks);
    }
  }
  // ICU would break inside the multi-word title; it stays whole.
  const std::string text = "ลงชื่อ ว่าที่ร้อยตรีสมชาย ใจดี";
  const std::vector<size_t> breaks = breaker.Opportunities(text);
  for (size_t b : breaks) {
    EXPECT_FALSE(b > StartOf(text, "ว่าที่") && b < EndOf(text, "สมชาย")) << Cut(text, breaks);
  }
  // A title before something that is not a name keeps ICU's break.
  const std::string no_name = "นาง ๒ คน";
  EXPECT_THAT(breaker.Opportunities(no_name), Contains(StartOf(no_name, "๒")));
}

TEST(LineBreaker, EraStaysWithTheYear) {
  LineBreaker breaker;
  for (const std::string text :
       {"ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ โดยภาพรวม", "ประจำปีงบประมาณ พ.ศ.๒๕๖๗ โดยภาพรวม",
        "ในปี ค.ศ. 2024 และ", "พ.ศ. 2567 และ"}) {
    const std::vector<size_t> breaks = breaker.Opportunities(text);
    const size_t era_end = text.find("ศ.") + std::string("ศ.").size();
    for (size_t b : breaks) {
      EXPECT_FALSE(b >= era_end && b <= era_end + 1) << Cut(text, breaks);
    }
  }
  const std::string text = "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ โดยภาพรวม";
  EXPECT_THAT(breaker.IcuOpportunities(text), Contains(StartOf(text, "๒๕๖๗")));
  EXPECT_THAT(breaker.Opportunities(text), Contains(StartOf(text, "พ.ศ.")));
  EXPECT_THAT(breaker.Opportunities(text), Contains(StartOf(text, "โดย")));
}

TEST(LineBreaker, NumberStaysWithItsUnit) {
  LineBreaker breaker;
  struct Case {
    std::string text, unit;
  };
  const Case kCases[] = {
      {"ได้คะแนน ๙๑.๖๗ คะแนน อยู่ในระดับ", "คะแนน อยู่"},
      {"จำนวน ๓ คน และ", "คน"},
      {"จำนวน ๑๒ ราย ได้", "ราย"},
      {"ร้อยละ 50 % ของ", "%"},
      {"งบประมาณ 10,000 บาท", "บาท"},
      {"ภายใน ๓๐ วันทำการ", "วัน"},
      {"๑๒ ครั้ง/ปี", "ครั้ง"},
      {"ระยะเวลา ๖ เดือน", "เดือน"},
      {"จำนวน ๔ แห่ง", "แห่ง"},
  };
  for (const Case& c : kCases) {
    const std::vector<size_t> breaks = breaker.Opportunities(c.text);
    EXPECT_THAT(breaks, Not(Contains(StartOf(c.text, c.unit)))) << Cut(c.text, breaks);
  }
  // The unit must be a whole word: "รายงาน" is no "ราย".
  const std::string report = "จำนวน ๕ รายงาน ต่อ";
  EXPECT_THAT(breaker.Opportunities(report), Contains(StartOf(report, "รายงาน")));
  // And "๓๐ วันทำการ" may still break after the unit.
  const std::string days = "ภายใน ๓๐ วันทำการ";
  EXPECT_THAT(breaker.Opportunities(days), Contains(StartOf(days, "ทำการ")));
}

TEST(LineBreaker, UnbreakableWords) {
  LineBreaker breaker;
  // ICU 72 cuts these names into syllables (THAI_TYPESETTING.md section 4).
  const std::string text = "องค์การบริหารส่วนตำบลตะลุโบะ ตำบลบึงคล้า";
  const std::vector<size_t> icu = breaker.IcuOpportunities(text);
  EXPECT_THAT(icu, Contains(StartOf(text, "ลุโบะ")));
  EXPECT_THAT(icu, Contains(StartOf(text, "คล้า")));
  EXPECT_EQ(Cut(text, breaker.Opportunities(text)), "องค์การ|บริหาร|ส่วน|ตำบล|ตะลุโบะ |ตำบล|บึงคล้า|");

  // A word added at run time; only breaks strictly inside it go.
  const std::string name = "นายสมชาย สิงห์สา";
  const size_t sa = StartOf(name, "สา");
  ASSERT_THAT(breaker.Opportunities(name), Contains(sa)) << Cut(name, breaker.Opportunities(name));
  breaker.AddUnbreakableWord("สิงห์สา");
  const std::vector<size_t> breaks = breaker.Opportunities(name);
  EXPECT_THAT(breaks, Not(Contains(sa))) << Cut(name, breaks);
  EXPECT_THAT(breaks, Contains(StartOf(name, "สิงห์")));
  EXPECT_THAT(breaks, Contains(name.size()));
  // Other breakers keep their own lists.
  LineBreaker fresh;
  EXPECT_THAT(fresh.Opportunities(name), Contains(sa));
}

// ICU 72 reads ผลอย่าง as ผลอ|ย่าง and การกอง as การก|อง: a line could end
// in the middle of อย่าง or กอง. The built-in word list removes those.
TEST(LineBreaker, WrongDictionaryCutsAreRemoved) {
  LineBreaker breaker;
  const std::string text = "รายงานผลอย่างสม่ำเสมอ ผู้อำนวยการกองการศึกษา กำหนดขั้นตอน";
  const std::vector<size_t> icu = breaker.IcuOpportunities(text);
  const size_t inside_yang = StartOf(text, "ย่าง");
  const size_t inside_kong = StartOf(text, "องการศึกษา");
  ASSERT_THAT(icu, Contains(inside_yang)) << "ICU no longer makes this mistake";
  ASSERT_THAT(icu, Contains(inside_kong)) << "ICU no longer makes this mistake";
  const std::vector<size_t> breaks = breaker.Opportunities(text);
  EXPECT_THAT(breaks, Not(Contains(inside_yang))) << Cut(text, breaks);
  EXPECT_THAT(breaks, Not(Contains(inside_kong))) << Cut(text, breaks);
  EXPECT_THAT(breaks, Not(Contains(StartOf(text, "ตอน")))) << Cut(text, breaks);
}

TEST(LineBreaker, EmailAndUrlStayWhole) {
  LineBreaker breaker;
  const std::string text = "ติดต่อ saraban@example.go.th ได้ตลอดเวลา";
  const std::vector<size_t> breaks = breaker.Opportunities(text);
  const size_t begin = StartOf(text, "saraban@");
  const size_t end = EndOf(text, "go.th");
  for (size_t b : breaks) {
    EXPECT_FALSE(b > begin && b < end) << Cut(text, breaks);
  }
  EXPECT_THAT(breaks, Contains(begin));
}

TEST(LineBreaker, MandatoryBreaksAreKept) {
  LineBreaker breaker;
  const std::string text = "ต่าง\nๆ นาย\nสมชาย พ.ศ.\n๒๕๖๗";
  const std::vector<size_t> breaks = breaker.Opportunities(text);
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
    EXPECT_THAT(breaks, Contains(at + 1)) << Cut(text, breaks);
  }
}

// ---- graded opportunities ----

// The grade of the opportunity after the byte prefix `before` of `text`, or
// -1 when there is none there.
int GradeAfter(LineBreaker& b, const std::string& text, const std::string& before) {
  for (const BreakOpportunity& o : b.Graded(text)) {
    if (o.offset == before.size()) return static_cast<int>(o.grade);
  }
  return -1;
}
int G(BreakGrade g) { return static_cast<int>(g); }

TEST(LineBreakerGraded, WellFormedOnTheSeedSentences) {
  LineBreaker b;
  for (const char* s : kSeedSentences) {
    const std::string text = s;
    const std::vector<BreakOpportunity> graded = b.Graded(text);
    ASSERT_FALSE(graded.empty());
    EXPECT_EQ(graded.back().offset, text.size());
    for (size_t i = 1; i < graded.size(); ++i) EXPECT_LT(graded[i - 1].offset, graded[i].offset);
  }
}

TEST(LineBreakerGraded, SpacesAreBestAndDictionariesAgreeingNext) {
  LineBreaker b;
  const std::string text = "ทุกคนได้รับ ประจำปี";
  EXPECT_EQ(GradeAfter(b, text, "ทุกคนได้รับ "), G(BreakGrade::kSpace));
  // ICU and libthai both see ทุก|คน|ได้.
  EXPECT_EQ(GradeAfter(b, text, "ทุกคน"), G(BreakGrade::kWord));
}

TEST(LineBreakerGraded, ALexiconCompoundIsTheLastResort) {
  LineBreaker b;
  const std::string text = "ผลลัพธ์ของการดำเนินการตามงบประมาณของเจ้าหน้าที่";
  EXPECT_EQ(GradeAfter(b, text, "ผลลัพธ์ของการดำเนิน"), G(BreakGrade::kCompound));
  EXPECT_EQ(GradeAfter(b, text, "ผลลัพธ์ของการดำเนินการตามงบ"), G(BreakGrade::kCompound));
  EXPECT_EQ(GradeAfter(b, text, "ผลลัพธ์ของการดำเนินการตามงบประมาณของเจ้า"),
            G(BreakGrade::kCompound));
  // Around the compound the line may end as usual.
  EXPECT_LT(GradeAfter(b, text, "ผลลัพธ์ของการดำเนินการ"), G(BreakGrade::kCompound));
  EXPECT_GE(GradeAfter(b, text, "ผลลัพธ์ของการดำเนินการ"), 0);
  EXPECT_GE(CompoundLexicon().size(), 300u);
}

TEST(LineBreakerGraded, WhereOnlyOneDictionarySeesAWordItIsPenalised) {
  LineBreaker b;
  // ICU cuts the unknown name นางสา|วกาญ|จนาภ|รณ์, libthai นางสาว|กาญจนา|ภรณ์:
  // none of those is a break both allow.
  const std::string text = "และนางสาวกาญจนาภรณ์ ปิ่นทอง";
  for (const BreakOpportunity& o : b.Graded(text)) {
    if (o.offset > std::string("และ").size() && o.offset < std::string("และนางสาวกาญจนาภรณ์").size()) {
      EXPECT_GE(static_cast<int>(o.grade), G(BreakGrade::kOneDictionary))
          << text.substr(0, o.offset);
    }
  }
}

TEST(LineBreakerGraded, LinksBreakOnlyAfterTheirSeparators) {
  LineBreaker b;
  const std::string text = "ดูได้ที่ https://www.example.go.th/ita หรือ saraban@example.go.th";
  std::vector<std::string> ends;
  for (const BreakOpportunity& o : b.Graded(text)) {
    const std::string head = text.substr(0, o.offset);
    if (head.find("https") != std::string::npos && head.size() < text.find(" หรือ")) {
      EXPECT_EQ(o.grade, BreakGrade::kUrl) << head;
      ends.push_back(head.substr(head.find("https")));
    }
  }
  EXPECT_THAT(ends, Not(Contains("https://")));
  EXPECT_THAT(ends, Not(Contains("https:")));
  EXPECT_THAT(ends, Contains("https://www."));
  EXPECT_THAT(ends, Contains("https://www.example.go.th/"));
  EXPECT_EQ(GradeAfter(b, text, "ดูได้ที่ https://www.example.go.th/ita หรือ saraban@"),
            G(BreakGrade::kUrl));
  EXPECT_EQ(GradeAfter(b, text, "ดูได้ที่ https://www.example.go.th/ita หรือ sara"), -1);
}

TEST(LineBreakerGraded, AHyphenatedLatinWordBreaksAtItsHyphenOnlyAsALastResort) {
  LineBreaker b;
  EXPECT_EQ(GradeAfter(b, "ระบบ E-Service ของ", "ระบบ E-"), G(BreakGrade::kHyphen));
}

TEST(LineBreakerGraded, KeepsThePracticeRules) {
  LineBreaker b;
  EXPECT_EQ(GradeAfter(b, "นายสมชาย ใจดี", "นาย"), -1);
  EXPECT_EQ(GradeAfter(b, "เรื่องต่าง ๆ ที่", "เรื่องต่าง "), -1);
  EXPECT_EQ(GradeAfter(b, "ปี พ.ศ. ๒๕๖๗", "ปี พ.ศ. "), -1);
  EXPECT_EQ(GradeAfter(b, "ได้ ๙๕ คะแนน", "ได้ ๙๕ "), -1);
  // Dates and amounts stay whole where the line can hold them: inside one
  // a break costs as a compound split does.
  const int kKept = G(BreakGrade::kCompound);
  EXPECT_EQ(GradeAfter(b, "เมื่อวันที่ ๗ กุมภาพันธ์ ๒๕๖๘", "เมื่อวันที่ "), kKept);
  EXPECT_EQ(GradeAfter(b, "เมื่อวันที่ ๗ กุมภาพันธ์ ๒๕๖๘", "เมื่อวันที่ ๗ "), kKept);
  EXPECT_EQ(GradeAfter(b, "เมื่อวันที่ ๗ กุมภาพันธ์ ๒๕๖๘", "เมื่อวันที่ ๗ กุมภาพันธ์ "), kKept);
  EXPECT_EQ(GradeAfter(b, "ถึง ๓๐ ก.ย. ๖๗ แล้ว", "ถึง ๓๐ ก.ย. "), kKept);
  EXPECT_EQ(GradeAfter(b, "คิดเป็นร้อยละ ๙๕.๕๐ ของ", "คิดเป็นร้อยละ "), kKept);
  EXPECT_LT(GradeAfter(b, "คิดเป็นร้อยละ ๙๕.๕๐ ของ", "คิดเป็น"), kKept);
  // A year is no count: the word after it is free to start a line.
  EXPECT_EQ(GradeAfter(b, "ปี พ.ศ. ๒๕๖๘ เรื่อง รายงาน", "ปี พ.ศ. ๒๕๖๘ "), G(BreakGrade::kSpace));
}

TEST(GraphemeBoundaries, KeepsConsonantsWithTheirMarks) {
  EXPECT_TRUE(GraphemeBoundaries("").empty());
  EXPECT_EQ(GraphemeBoundaries("ที่"), std::vector<size_t>({9}));
  EXPECT_EQ(GraphemeBoundaries("น้ำ"), std::vector<size_t>({9}));
  EXPECT_EQ(GraphemeBoundaries("ปั่น"), std::vector<size_t>({9, 12}));
  EXPECT_EQ(GraphemeBoundaries("ญี่ปุ่น"), std::vector<size_t>({9, 18, 21}));
  EXPECT_EQ(GraphemeBoundaries("ง\u0331"), std::vector<size_t>({5}));
  EXPECT_EQ(GraphemeBoundaries("เก"), std::vector<size_t>({3, 6}));
  EXPECT_EQ(GraphemeBoundaries("ab"), std::vector<size_t>({1, 2}));
  EXPECT_EQ(GraphemeBoundaries("a\r\nb"), std::vector<size_t>({1, 3, 4}));

  // Over whole sentences: no boundary just before a mark or SARA AM.
  for (const char* sentence : kSeedSentences) {
    const std::string_view text = sentence;
    const std::vector<size_t> bounds = GraphemeBoundaries(text);
    ExpectWellFormed(text, bounds);
    for (size_t b : bounds) {
      const char32_t cp = ThaiAt(text, b);
      const bool mark = cp == 0x0E31 || cp == 0x0E33 || (cp >= 0x0E34 && cp <= 0x0E3A) ||
                        (cp >= 0x0E47 && cp <= 0x0E4E);
      EXPECT_FALSE(mark) << "boundary before U+" << std::hex << static_cast<uint32_t>(cp)
                         << " at byte " << std::dec << b << " in " << text;
    }
  }
}

}  // namespace
}  // namespace saraban::text
