#include "saraban/model/json.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "saraban/model/validate.h"

namespace saraban::model {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

const std::string kExample000 = std::string(SARABAN_SOURCE_DIR) + "/examples/000_taluboh.json";
const std::string kExample004 = std::string(SARABAN_SOURCE_DIR) + "/examples/004_bueng_khla.json";
const std::string kTemplate = std::string(SARABAN_SOURCE_DIR) + "/templates/ita_landscape.json";

v1::Report Load(const std::string& path) {
  Result<v1::Report> r = LoadReportFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : v1::Report();
}

// Every string field of `m`, depth first, in field order.
void CollectStrings(const Message& m, std::vector<std::string>* out) {
  const auto* refl = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  for (const auto* f : fields) {
    using FD = google::protobuf::FieldDescriptor;
    if (f->cpp_type() == FD::CPPTYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) out->push_back(refl->GetRepeatedString(m, f, i));
      } else {
        out->push_back(refl->GetString(m, f));
      }
    } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < refl->FieldSize(m, f); ++i) CollectStrings(refl->GetRepeatedMessage(m, f, i), out);
      } else {
        CollectStrings(refl->GetMessage(m, f), out);
      }
    }
  }
}

std::string AllText(const Message& m) {
  std::vector<std::string> strings;
  CollectStrings(m, &strings);
  std::string all;
  for (const auto& s : strings) all += s + "\n";
  return all;
}

TEST(ExamplesTest, BothParseAndValidateClean) {
  for (const auto& path : {kExample000, kExample004}) {
    v1::Report report = Load(path);
    std::vector<Status> errors = ValidateReport(&report);
    EXPECT_TRUE(errors.empty()) << path << "\n" << FormatErrors(errors);
  }
}

TEST(ExamplesTest, ValidationLeavesExamplesUnchanged) {
  // The examples are stored already normalised.
  for (const auto& path : {kExample000, kExample004}) {
    const v1::Report original = Load(path);
    v1::Report validated = original;
    ASSERT_TRUE(ValidateReport(&validated).empty());
    EXPECT_TRUE(MessageDifferencer::Equals(original, validated)) << path;
  }
}

TEST(ExamplesTest, RoundTripJsonProtoJsonProto) {
  for (const auto& path : {kExample000, kExample004}) {
    const v1::Report first = Load(path);
    const std::string json = ReportToJson(first);
    ASSERT_FALSE(json.empty());
    Result<v1::Report> second = ParseReportJson(json);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_TRUE(MessageDifferencer::Equals(first, *second)) << path;
    const std::string json2 = ReportToJson(*second);
    EXPECT_EQ(json, json2) << "printing is not deterministic";
    Result<v1::Report> third = ParseReportJson(json2);
    ASSERT_TRUE(third.ok());
    EXPECT_TRUE(MessageDifferencer::Equals(first, *third));
  }
}

TEST(ExamplesTest, ReportToJsonIsPrettyCamelCaseAndEnumsByName) {
  const std::string json = ReportToJson(Load(kExample004));
  EXPECT_NE(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"fiscalYear\""), std::string::npos);
  EXPECT_NE(json.find("\"AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION\""), std::string::npos);
  EXPECT_EQ(json.find("fiscal_year\""), std::string::npos);
  EXPECT_NE(json.find("บึงคล้า"), std::string::npos) << "Thai should be printed as UTF-8";
}

TEST(ExamplesTest, MeasureCounts) {
  EXPECT_EQ(Load(kExample000).measures_size(), 12);
  EXPECT_EQ(Load(kExample004).measures_size(), 6);
}

TEST(ExamplesTest, MeasuresAreNumberedInOrder) {
  for (const auto& path : {kExample000, kExample004}) {
    const v1::Report r = Load(path);
    for (int i = 0; i < r.measures_size(); ++i) EXPECT_EQ(r.measures(i).number(), i + 1) << path;
  }
}

TEST(ExamplesTest, AgencyAndIntroduction000) {
  const v1::Report r = Load(kExample000);
  EXPECT_EQ(r.agency().name(), "องค์การบริหารส่วนตำบลตะลุโบะ");
  EXPECT_EQ(r.agency().type(), v1::AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION);
  EXPECT_EQ(r.agency().district(), "เมือง");
  EXPECT_EQ(r.agency().province(), "ปัตตานี");
  EXPECT_FALSE(r.agency().code().empty());
  EXPECT_EQ(r.fiscal_year(), 2567);
  EXPECT_EQ(r.title(), "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน");
  EXPECT_TRUE(r.heading().empty());
  EXPECT_EQ(r.introduction().assessed_fiscal_year(), 2567);
  EXPECT_DOUBLE_EQ(r.introduction().ita_score(), 91.67);
  EXPECT_EQ(r.introduction().ita_level(), "ผ่าน");
  ASSERT_EQ(r.introduction().paragraphs_size(), 1);
  const std::string& p = r.introduction().paragraphs(0);
  for (const char* ph : {"{agency}", "{assessed_fiscal_year}", "{ita_score}", "{ita_level}", "{fiscal_year}"}) {
    EXPECT_NE(p.find(ph), std::string::npos) << ph;
  }
  EXPECT_EQ(p.find("ตะลุโบะ"), std::string::npos) << "the agency name is a placeholder";
  EXPECT_EQ(p.find("๙๑.๖๗"), std::string::npos) << "the score is a placeholder";
  EXPECT_FALSE(r.has_sign_off());
}

TEST(ExamplesTest, AgencyHeadingAndSignOff004) {
  const v1::Report r = Load(kExample004);
  EXPECT_EQ(r.agency().name(), "องค์การบริหารส่วนตำบลบึงคล้า");
  EXPECT_EQ(r.agency().district(), "ห้วยลึก");
  EXPECT_EQ(r.agency().province(), "เพชรบูรณ์");
  EXPECT_EQ(r.fiscal_year(), 2566);
  EXPECT_EQ(r.introduction().assessed_fiscal_year(), 2565);
  EXPECT_EQ(r.introduction().ita_score(), 0);
  EXPECT_NE(r.heading().find("{agency}"), std::string::npos);
  EXPECT_NE(r.heading().find("{fiscal_year}"), std::string::npos);
  ASSERT_TRUE(r.has_sign_off());
  const v1::SignOff& s = r.sign_off();
  EXPECT_EQ(s.reporting_unit(), "งานวางแผนสถิติและวิชาการ");
  EXPECT_EQ(s.reporter().name(), "นางกัญญารัตน์ สิงห์สา");
  ASSERT_EQ(s.reviewers_size(), 2);
  EXPECT_EQ(s.reviewers(0).position(), "หัวหน้าสำนักปลัด อบต.");
  EXPECT_EQ(s.reviewers(1).name(), "นางสาวพรชนก พลเดช");
  EXPECT_EQ(s.acknowledged_by().name(), "นายชัยณฤทธิ์ สิงห์ทอง");
  EXPECT_EQ(s.acknowledged_by().position(), "นายกองค์การบริหารส่วนตำบลบึงคล้า");
}

std::vector<v1::ColumnKind> Kinds(const v1::Report& r) {
  std::vector<v1::ColumnKind> kinds;
  for (const auto& c : r.layout().columns()) kinds.push_back(c.kind());
  return kinds;
}

TEST(ExamplesTest, Layouts) {
  const v1::Report r000 = Load(kExample000);
  EXPECT_EQ(Kinds(r000), (std::vector<v1::ColumnKind>{v1::COLUMN_KIND_SEQUENCE, v1::COLUMN_KIND_MEASURE, v1::COLUMN_KIND_METHOD, v1::COLUMN_KIND_PERIOD,
                                                       v1::COLUMN_KIND_RESPONSIBLE, v1::COLUMN_KIND_RESULTS, v1::COLUMN_KIND_OUTCOMES}));
  EXPECT_EQ(r000.layout().columns(0).heading(), "ลำดับ");
  EXPECT_EQ(r000.layout().columns(3).heading(), "ระยะเวลาในการดำเนินการ");
  const v1::Report r004 = Load(kExample004);
  EXPECT_EQ(Kinds(r004), (std::vector<v1::ColumnKind>{v1::COLUMN_KIND_MEASURE, v1::COLUMN_KIND_METHOD, v1::COLUMN_KIND_RESPONSIBLE, v1::COLUMN_KIND_PERIOD,
                                                       v1::COLUMN_KIND_RESULTS, v1::COLUMN_KIND_OUTCOMES}));
  EXPECT_EQ(r004.layout().columns(0).heading(), "มาตรการ/แนวทาง");
  EXPECT_EQ(r004.layout().columns(4).heading(), "สรุปผลการดำเนินงาน");
}

TEST(ExamplesTest, FindingOfMeasure1In000) {
  const v1::Report r = Load(kExample000);
  const v1::Measure& m = r.measures(0);
  ASSERT_TRUE(m.has_finding());
  EXPECT_EQ(m.finding().indicator(), "9.4");
  EXPECT_EQ(m.finding().indicator_name(), "การบริหารและพัฒนาทรัพยากรบุคคล");
  EXPECT_EQ(m.finding().issue(), "บุคลากรในหน่วยงานบางรายยังมีการปฏิบัติงานอย่างไม่ถูกต้อง");
  // The steps are the method, without the finding and without typed numbers.
  ASSERT_EQ(m.method().blocks_size(), 1);
  const v1::TextList& steps = m.method().blocks(0).list();
  EXPECT_EQ(steps.style(), v1::LIST_STYLE_NUMBERED);
  ASSERT_EQ(steps.items_size(), 2);
  EXPECT_EQ(steps.items(1).text().rfind("จัดโครงการส่งเสริมคุณธรรมจริยธรรมบุคลากร", 0), 0u);
  EXPECT_TRUE(m.period().throughout_fiscal_year());
  ASSERT_EQ(m.responsible_size(), 1);
  EXPECT_EQ(m.responsible(0).unit(), "สำนักปลัด");
}

TEST(ExamplesTest, Findings000) {
  const v1::Report r = Load(kExample000);
  EXPECT_EQ(r.measures(1).finding().indicator(), "8");
  EXPECT_EQ(r.measures(2).finding().indicator(), "4");
  for (int i = 3; i < r.measures_size(); ++i) EXPECT_FALSE(r.measures(i).has_finding()) << i;
}

void ExpectDate(const v1::Date& d, int y, int m, int day) {
  EXPECT_EQ(d.year(), y);
  EXPECT_EQ(d.month(), m);
  EXPECT_EQ(d.day(), day);
}

TEST(ExamplesTest, Periods) {
  const v1::Report r000 = Load(kExample000);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r000.measures(i).period().throughout_fiscal_year()) << i;
  for (int i = 3; i < 12; ++i) {
    const v1::Period& p = r000.measures(i).period();
    ASSERT_TRUE(p.has_range()) << i;
    ExpectDate(p.range().start(), 2023, 10, 1);
    ExpectDate(p.range().end(), 2024, 9, 30);
  }
  const v1::Report r004 = Load(kExample004);
  for (const auto& m : r004.measures()) {
    ASSERT_TRUE(m.period().has_range());
    ExpectDate(m.period().range().start(), 2022, 10, 0);
    ExpectDate(m.period().range().end(), 2023, 9, 0);
  }
}

TEST(ExamplesTest, ResponsibleUnits) {
  const v1::Report r004 = Load(kExample004);
  ASSERT_EQ(r004.measures(0).responsible_size(), 1);
  EXPECT_EQ(r004.measures(0).responsible(0).unit(), "กองคลัง");
  EXPECT_EQ(r004.measures(0).responsible(0).sub_unit(), "งานบริหารงานคลัง");
  EXPECT_EQ(r004.measures(4).responsible(0).unit(), "สำนักปลัด อบต.");
  EXPECT_EQ(r004.measures(4).responsible(0).sub_unit(), "งานบริหารทั่วไป");
  const v1::Report r000 = Load(kExample000);
  EXPECT_EQ(r000.measures(3).responsible(0).unit(), "สำนักปลัด");
  EXPECT_EQ(r000.measures(3).responsible(0).sub_unit(), "งานการเจ้าหน้าที่");
  EXPECT_EQ(r000.measures(2).responsible_size(), 2);
  EXPECT_EQ(r000.measures(2).responsible(1).unit(), "กองคลัง");
}

double Rounded(double v) { return std::round(v * 100) / 100; }

TEST(ExamplesTest, ScoreComparisons004) {
  const v1::Report r = Load(kExample004);
  struct Expected {
    int measure;
    const char* code;
    double previous, current, seed_diff;
  };
  const Expected expected[] = {
      {1, "13", 84.25, 82.94, -1.31},
      {2, "14", 81.78, 83.94, 2.16},
      {3, "", 87.72, 82.39, -5.33},
  };
  for (const auto& e : expected) {
    const v1::Content& outcomes = r.measures(e.measure).outcomes();
    ASSERT_EQ(outcomes.blocks_size(), 2) << e.measure;
    ASSERT_TRUE(outcomes.blocks(0).has_paragraph());
    ASSERT_TRUE(outcomes.blocks(1).has_score());
    const v1::ScoreComparison& s = outcomes.blocks(1).score();
    EXPECT_EQ(s.question_code(), e.code);
    EXPECT_FALSE(s.question().empty());
    EXPECT_EQ(s.previous_fiscal_year(), 2565);
    EXPECT_EQ(s.current_fiscal_year(), 2566);
    EXPECT_DOUBLE_EQ(s.previous_score(), e.previous);
    EXPECT_DOUBLE_EQ(s.current_score(), e.current);
    EXPECT_TRUE(s.continues_paragraph());
    // The change the renderer computes is the one the seed printed.
    EXPECT_DOUBLE_EQ(Rounded(s.current_score() - s.previous_score()), e.seed_diff);
    // The paragraph stops where the computed sentence begins.
    const std::string& p = outcomes.blocks(0).paragraph();
    EXPECT_EQ(p.find("ผลคะแนน"), std::string::npos);
    EXPECT_EQ(p.find("คะแนน"), std::string::npos);
  }
  EXPECT_EQ(r.measures(1).outcomes().blocks(1).score().question(),
            "ท่านได้รับมอบหมายงานตามตำแหน่งหน้าที่จากผู้บังคับบัญชาของท่านอย่างเป็นธรรมมากน้อยเพียงใด");
  EXPECT_EQ(r.measures(3).outcomes().blocks(1).score().question(), "การใช้ทรัพย์สินของราชการ");
  const std::string& p2 = r.measures(1).outcomes().blocks(0).paragraph();
  EXPECT_TRUE(p2.ends_with("ไม่เป็นธรรม เนื่องจาก")) << p2;
  const std::string& p4 = r.measures(3).outcomes().blocks(0).paragraph();
  EXPECT_TRUE(p4.ends_with("เท่าที่ควร ส่งผลให้")) << p4;
}

TEST(ExamplesTest, NestedDashListIn004Measure1) {
  const v1::Report r = Load(kExample004);
  const v1::Content& results = r.measures(0).results();
  ASSERT_EQ(results.blocks_size(), 1);
  const v1::TextList& list = results.blocks(0).list();
  EXPECT_EQ(list.style(), v1::LIST_STYLE_NUMBERED);
  ASSERT_EQ(list.items_size(), 2);
  EXPECT_FALSE(list.items(0).has_sublist());
  const v1::TextList& quarters = list.items(1).sublist();
  EXPECT_EQ(quarters.style(), v1::LIST_STYLE_DASH);
  ASSERT_EQ(quarters.items_size(), 4);
  EXPECT_EQ(quarters.items(0).text(), "ประจำปีไตรมาส ๑ (เดือนตุลาคม - ธันวาคม ๒๕๖๕)");
  EXPECT_EQ(quarters.items(3).text(), "ประจำปีไตรมาส ๔ (เดือนกรกฎาคม - กันยายน ๒๕๖๖)");
}

// Walks every list item of a report.
template <typename F>
void ForEachItem(const v1::Report& r, F f) {
  for (const auto& m : r.measures()) {
    for (const v1::Content* c : {&m.method(), &m.results(), &m.outcomes()}) {
      for (const auto& b : c->blocks()) {
        if (!b.has_list()) continue;
        for (const auto& item : b.list().items()) {
          f(item);
          for (const auto& sub : item.sublist().items()) f(sub);
        }
      }
    }
  }
}

TEST(ExamplesTest, ListItemsCarryNoTypedNumbersOrDashes) {
  const std::vector<std::string> thai_digits = {"๐", "๑", "๒", "๓", "๔", "๕", "๖", "๗", "๘", "๙"};
  for (const auto& path : {kExample000, kExample004}) {
    int items = 0;
    ForEachItem(Load(path), [&](const v1::ListItem& item) {
      ++items;
      const std::string& t = item.text();
      ASSERT_FALSE(t.empty());
      EXPECT_NE(t.front(), '-') << t;
      EXPECT_NE(t.front(), ' ') << t;
      for (const auto& d : thai_digits) EXPECT_NE(t.rfind(d, 0), 0u) << path << ": " << t;
    });
    EXPECT_GT(items, 10) << path;
  }
}

TEST(ExamplesTest, NoMarkupOrOcrSlipsInAnyString) {
  for (const auto& path : {kExample000, kExample004}) {
    std::vector<std::string> strings;
    CollectStrings(Load(path), &strings);
    EXPECT_GT(strings.size(), 50u);
    for (const auto& s : strings) {
      for (const char* bad : {"<p>", "</p>", "<ul", "<li", "**", "บุงคล้า", "ปุงคล้า", "ปุงเกล้า", "ตะลุมโบะ",
                              "  ", "\t"}) {
        EXPECT_EQ(s.find(bad), std::string::npos) << path << ": \"" << bad << "\" in " << s;
      }
      EXPECT_FALSE(s.empty()) << path;
      EXPECT_NE(s.front(), ' ') << path << ": " << s;
      EXPECT_NE(s.back(), ' ') << path << ": " << s;
    }
  }
}

void ExpectPhrases(const std::string& path, const std::vector<std::string>& phrases) {
  const std::string all = AllText(Load(path));
  for (const auto& p : phrases) EXPECT_NE(all.find(p), std::string::npos) << path << " lacks: " << p;
}

TEST(ExamplesTest, DistinctivePhrasesOfSeed000) {
  ExpectPhrases(kExample000, {
      "ตะลุโบะ",
      "มาตรการเสริมสร้างความซื่อสัตย์สุจริต",
      "บุคลากรในหน่วยงานบางรายยังมีการปฏิบัติงานอย่างไม่ถูกต้อง",
      "เมื่อวันที่ ๑๗ กุมภาพันธ์ ๒๕๖๗",
      "รวมไปถึงการนำเทคโนโลยีมาใช้ในการดำเนินงาน",
      "จัดช่องทางสื่อประชาสัมพันธ์",
      "ประชาสัมพันธ์เสียงตามสาย บอร์ดประชาสัมพันธ์",
      "กองการศึกษาฯ",
      "แบบฟอร์มการให้บริการยืมทรัพย์สินของทางราชการ",
      "ไว้อย่างชัดเจนในคู่มือมาตรฐานการปฏิบัติงาน",
      "ยกตัวอย่าง เช่น เว็บไซต์ บอร์ดประชาสัมพันธ์ เป็นต้น",
      "นำปัญหาข้อเสนอแนะที่ได้แจ้งเวียนให้บุคลากรภายในได้รับทราบ",
      "เพื่อนร่วมกันทบทวนปัญหาและอุปสรรค",
      "มาตรฐานการให้บริการ",
      "ระบบ E-Service",
      "(สะดวก/ รวดเร็ว/ ตอบสนองในการแก้ไข)",
      "พร้อมรับการตรวจสอบทุกภาคส่วน",
      "รายงานผลการจัดซื้อจัดจ้างให้เป็นปัจจุบัน",
      "(job description)",
      "Dos & Don'ts",
      "สอดแทรกสาระด้านจริยธรรมของเจ้าหน้าที่ของรัฐ",
      "ได้รายงานผลการดำเนินงานตามมาตรการเพื่อส่งเสริมคุณธรรมและความโปร่งใสในหน่วยงานภาครัฐ",
      "ทุกส่วนราชการ",
  });
}

TEST(ExamplesTest, DistinctivePhrasesOfSeed004) {
  ExpectPhrases(kExample004, {
      "บึงคล้า",
      "(Integrity and Transparency Assessment: ITA)",
      "ให้แก่บุคลากรทุกระดับได้รับทราบเพิ่มมากขึ้น",
      "งานบริหารงานคลัง",
      "เมื่อวันที่ ๙ กันยายน ๒๕๖๕",
      "ประจำปีไตรมาส ๓ (เดือนเมษายน - มิถุนายน ๒๕๖๖)",
      "เพื่อให้เกิดการมีส่วนร่วมในการติดตามตรวจสอบการดำเนินงานมากยิ่งขึ้น",
      "ผู้บังคับบัญชาพิจารณาทบทวนการมอบหมายงานให้แก่บุคลากร",
      "หมายเลขทะเบียน นข ๓๗๓๖ เพชรบูรณ์",
      "แต่งตั้งผู้รักษาราชการแทนผู้อำนวยการกองการศึกษา ศาสนาและวัฒนธรรม",
      "ส่งผลให้บุคลากรยังรู้สึกว่าการมอบหมายงานที่ไม่เป็นธรรม",
      "ที่ ๔๓๙/๒๕๖๖",
      "แบบประเมินผลการปฏิบัติราชการของ",
      "จัดทำคู่มือการขออนุญาตยืม",
      "ไปใช้ทางวาจา",
      "เพิ่มช่องทาง Messenger Live Chat ในเว็บไซต์หน่วยงาน",
      "ซึ่งไอคอนจะปรากฏบนหน้าเว็บไซต์ด้านล่างด้านขวาของหน้าเว็บไซต์",
      "Face Book",
      "งานวางแผนสถิติและวิชาการ",
      "นางกัญญารัตน์ สิงห์สา",
      "นางสาวพรชนก พลเดช",
  });
}

// --- parsing errors ---

TEST(ParseReportJsonTest, MinimalReport) {
  Result<v1::Report> r = ParseReportJson(R"({"fiscalYear": 2567, "agency": {"type": "AGENCY_TYPE_TOWN_MUNICIPALITY"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fiscal_year(), 2567);
  EXPECT_EQ(r->agency().type(), v1::AGENCY_TYPE_TOWN_MUNICIPALITY);
}

TEST(ParseReportJsonTest, AcceptsProtoFieldNamesAsTheMappingAllows) {
  Result<v1::Report> r = ParseReportJson(R"({"fiscal_year": 2566})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fiscal_year(), 2566);
}

TEST(ParseReportJsonTest, UnknownFieldIsRejected) {
  Result<v1::Report> r = ParseReportJson(R"({"title": "x", "colour": "red"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("colour"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("INVALID_ARGUMENT:"), std::string::npos) << r.status().message();
}

TEST(ParseReportJsonTest, UnknownEnumNameIsRejected) {
  Result<v1::Report> r = ParseReportJson(R"({"agency": {"type": "VILLAGE"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("VILLAGE"), std::string::npos) << r.status().message();
}

TEST(ParseReportJsonTest, SyntaxErrorIsInvalidArgument) {
  for (const char* json : {"", "{", "{\"title\": }", "[]", "{\"fiscalYear\": \"soon\"}", "{\"fiscalYear\": 2567.5}", "{\"measures\": 3}"}) {
    Result<v1::Report> r = ParseReportJson(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_EQ(r.status().message().find("INVALID_ARGUMENT:"), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one line: " << r.status().message();
  }
}

TEST(ParseReportJsonTest, BrokenUtf8InsideAString) {
  // {"title":"ab<C3 28>"} : a two-byte lead followed by an ASCII byte.
  std::string json = "{\"title\":\"ab";
  const size_t bad = json.size();
  json += '\xC3';
  json += "(\"}";
  Result<v1::Report> r = ParseReportJson(json);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // The same words as saraban::text::Normalize, plus the line.
  EXPECT_EQ(r.status().message(), "the report JSON has invalid UTF-8 at byte " + std::to_string(bad) +
                                      ": truncated sequence (line 1, column " + std::to_string(bad + 1) +
                                      "); "
                                      "save the file as UTF-8");
}

TEST(ParseReportJsonTest, BrokenUtf8Variants) {
  const std::vector<std::string> bad_strings = {
      std::string("\xE0\xB8", 2),          // Thai letter cut short
      std::string("\xC0\xAF", 2),          // overlong '/'
      std::string("\xED\xA0\x80", 3),      // UTF-16 surrogate
      std::string("\xF4\x90\x80\x80", 4),  // past U+10FFFF
      std::string("\xFF", 1),
      std::string("\x80", 1),
  };
  for (const auto& b : bad_strings) {
    const std::string json = "{\"measures\":[{\"title\":\"ก" + b + "\"}]}";
    Result<v1::Report> r = ParseReportJson(json);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("line 1"), std::string::npos) << r.status().message();
  }
}

TEST(ParseReportJsonTest, ReportsTheLineOfBrokenUtf8) {
  std::string json = "{\n  \"title\": \"x\",\n  \"heading\": \"";
  json += '\xE0';
  json += "\"\n}";
  Result<v1::Report> r = ParseReportJson(json);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(ParseReportJsonTest, EscapedLoneSurrogateNeverYieldsAValidReport) {
  // Well-formed UTF-8 JSON whose escape decodes to no character at all.
  Result<v1::Report> r = ParseReportJson(R"({"title": "ab\ud800cd", "fiscalYear": 2567})");
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return;
  }
  // If protobuf lets it through, validation must stop it.
  std::vector<Status> errors = ValidateReport(&r.value());
  bool title_error = false;
  for (const auto& e : errors) title_error |= e.field() == "title";
  EXPECT_TRUE(title_error) << FormatErrors(errors);
}

TEST(ParseReportJsonTest, ThaiEscapesDecode) {
  Result<v1::Report> r = ParseReportJson(R"({"title": "\u0e23\u0e32\u0e22\u0e07\u0e32\u0e19"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->title(), "รายงาน");
}

// --- files ---

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("saraban_model_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::filesystem::path dir_;
};

using LoadFileTest = TempDir;

TEST_F(LoadFileTest, MissingFileIsNotFound) {
  Result<v1::Report> r = LoadReportFile((dir_ / "nope.json").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope.json"), std::string::npos);
  EXPECT_EQ(LoadTemplateFile((dir_ / "nope.json").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(LoadFileTest, FileOverEightMibIsResourceExhausted) {
  std::string big = "{\"title\": \"";
  big += std::string(kMaxJsonFileBytes, 'a');
  big += "\"}";
  const std::string path = Write("big.json", big);
  Result<v1::Report> r = LoadReportFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("8 MiB"), std::string::npos) << r.status().message();
}

TEST_F(LoadFileTest, FileJustUnderTheLimitLoads) {
  std::string json = "{\"title\": \"";
  json += std::string(kMaxJsonFileBytes - 20, 'a');
  json += "\"}";
  ASSERT_LE(json.size(), kMaxJsonFileBytes);
  Result<v1::Report> r = LoadReportFile(Write("ok.json", json));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->title().size(), kMaxJsonFileBytes - 20);
}

TEST_F(LoadFileTest, ParseErrorNamesTheFile) {
  const std::string path = Write("bad.json", "{\"bogus\": 1}");
  Result<v1::Report> r = LoadReportFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bad.json"), std::string::npos);
  EXPECT_NE(r.status().message().find("bogus"), std::string::npos);
}

// A file that exists but cannot be opened is an I/O error (the CLI exits 3),
// not a fault in the JSON. A socket cannot be opened even by root.
TEST_F(LoadFileTest, SocketCannotBeOpenedIsNotFound) {
  const std::string path = (dir_ / "report.sock").string();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  Result<v1::Report> r = LoadReportFile(path);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message().rfind("cannot open " + path + ": ", 0), 0u) << r.status().message();
  EXPECT_EQ(LoadTemplateFile(path).status().code(), StatusCode::kNotFound);
}

TEST_F(LoadFileTest, UnreadableFileIsNotFound) {
  const std::string path = Write("secret.json", "{}");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  if (::geteuid() == 0) GTEST_SKIP() << "root reads a file of mode 000";
  Result<v1::Report> r = LoadReportFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("cannot open " + path), std::string::npos) << r.status().message();
}

TEST_F(LoadFileTest, DirectoryIsNotAFile) {
  Result<v1::Report> r = LoadReportFile(dir_.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

// --- templates ---

TEST(TemplateTest, ItaLandscapeLoadsAndValidates) {
  Result<v1::Template> t = LoadTemplateFile(kTemplate);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(ValidateTemplate(*t).empty()) << FormatErrors(ValidateTemplate(*t));
  EXPECT_EQ(t->page_width_mm(), 297);
  EXPECT_EQ(t->page_height_mm(), 210);
  EXPECT_EQ(t->margin_left_mm(), 15);
  EXPECT_EQ(t->title_size(), 18);
  EXPECT_EQ(t->body_size(), 16);
  EXPECT_EQ(t->table_size(), 14);
  EXPECT_EQ(t->footer_size(), 14);
  EXPECT_DOUBLE_EQ(t->cell_padding_mm(), 1.5);
  EXPECT_DOUBLE_EQ(t->paragraph_indent_mm(), 12.5);
  EXPECT_DOUBLE_EQ(t->min_column_em(), 2.0);
  EXPECT_DOUBLE_EQ(t->header_gray(), 0.88);
  EXPECT_EQ(t->continuation_mark(), "(ต่อ)");
  EXPECT_EQ(t->page_number_format(), "หน้า {page}/{pages}");
  ASSERT_EQ(t->columns_size(), 7);
  std::set<int> kinds;
  for (const auto& c : t->columns()) {
    kinds.insert(c.kind());
    EXPECT_GT(c.weight(), 0);
  }
  EXPECT_EQ(kinds.size(), 7u);
  EXPECT_DOUBLE_EQ(t->columns(2).weight(), 2.6);
}

TEST(TemplateTest, RoundTrip) {
  Result<v1::Template> t = LoadTemplateFile(kTemplate);
  ASSERT_TRUE(t.ok());
  Result<v1::Template> again = ParseTemplateJson(TemplateToJson(*t));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(MessageDifferencer::Equals(*t, *again));
}

TEST(TemplateTest, UnknownFieldIsRejected) {
  Result<v1::Template> t = ParseTemplateJson(R"({"pageWidthMm": 297, "paper": "A4"})");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("paper"), std::string::npos) << t.status().message();
}

}  // namespace
}  // namespace saraban::model
