#include "saraban/text/digits.h"
#include "saraban/text/normalize.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>

namespace saraban::text {
namespace {

// Normalize's value, or the error message prefixed with "error: ".
std::string Normalized(std::string_view in) {
  Result<std::string> out = Normalize(in);
  if (!out.ok()) return "error: " + out.status().message();
  return *out;
}

void ExpectError(std::string_view in, const std::string& message) {
  Result<std::string> out = Normalize(in);
  ASSERT_FALSE(out.ok()) << "accepted: " << in;
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), message);
}

TEST(Normalize, ValidThaiIsUnchanged) {
  const char* kTexts[] = {
      "",
      "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ ๒๕๖๗",
      "องค์การบริหารส่วนตำบลตะลุโบะ อำเภอเมือง จังหวัดปัตตานี",
      "ที่ ปั่น ปิ่น ฝั่ง ฟ้า น้ำ ผู้ ญี่ปุ่น ฐู ฎุ ฏุ กำ ค่ำ ซ้ำ สม่ำเสมอ",
      "สิทธิ์ พันธุ์ เก็บ ก็ ศักดิ์สิทธิ์ กรุงเทพฯ ต่าง ๆ ต่างๆ ฯลฯ",
      "ได้คะแนน ๙๑.๖๗ คะแนน พ.ศ. ๒๕๖๗\nITA 2567 (Integrity and Transparency Assessment)",
      "ง\u0331 (U+0331 under ง is not a Thai mark)",
      "\u00a0non-breaking\u2003em space\u2060word joiner",
      "😀 emoji and 中文",
  };
  for (const char* text : kTexts) {
    EXPECT_EQ(Normalized(text), text);
  }
}

TEST(Normalize, AsciiIsUnchanged) {
  std::string ascii;
  for (char c = 0x20; c < 0x7F; ++c) ascii += c;
  ascii += "\n";
  EXPECT_EQ(Normalized(ascii), ascii);
}

// Laksaman has no glyph for TAB: shaped, it would be drawn as a box.
TEST(Normalize, TabBecomesASpace) {
  EXPECT_EQ(Normalized("\t"), " ");
  EXPECT_EQ(Normalized("คะแนน\tพ.ศ.\t\t๒๕๖๗\n\tก"), "คะแนน พ.ศ.  ๒๕๖๗\n ก");
  // The same length, so offsets in later errors still point at the input.
  ExpectError("\tก\u0E48\u0E48", "Thai mark U+0E48 at byte 7 repeats a mark already on the same consonant");
}

TEST(Normalize, MarkWithoutConsonantIsAnError) {
  ExpectError("\u0E48ก", "Thai mark U+0E48 at byte 0 has no consonant before it");
  ExpectError("ก \u0E48", "Thai mark U+0E48 at byte 4 has no consonant before it");
  ExpectError("a\u0E34", "Thai mark U+0E34 at byte 1 has no consonant before it");
  ExpectError("12\u0E38", "Thai mark U+0E38 at byte 2 has no consonant before it");
  ExpectError("๑\u0E49", "Thai mark U+0E49 at byte 3 has no consonant before it");
  // A leading vowel or SARA AA is no base: "เ่ก", "กา่" are typing slips.
  ExpectError("เ\u0E48ก", "Thai mark U+0E48 at byte 3 has no consonant before it");
  ExpectError("กา\u0E48", "Thai mark U+0E48 at byte 6 has no consonant before it");
  ExpectError("ๆ\u0E31", "Thai mark U+0E31 at byte 3 has no consonant before it");
  ExpectError("\u0E33", "SARA AM U+0E33 at byte 0 has no consonant before it");
  ExpectError("ก \u0E33", "SARA AM U+0E33 at byte 4 has no consonant before it");
}

TEST(Normalize, RepeatedAndConflictingMarksAreErrors) {
  ExpectError("ก\u0E48\u0E48",
              "Thai mark U+0E48 at byte 6 repeats a mark already on the same consonant");
  ExpectError("ก\u0E34\u0E48\u0E34",
              "Thai mark U+0E34 at byte 9 repeats a mark already on the same consonant");
  ExpectError("ก\u0E48\u0E49",
              "Thai mark U+0E49 at byte 6 is a second tone mark on the same consonant");
  ExpectError("ปิ\u0E48\u0E4B",
              "Thai mark U+0E4B at byte 9 is a second tone mark on the same consonant");
  ExpectError("ก\u0E34\u0E35",
              "Thai mark U+0E35 at byte 6 is a second vowel above the same consonant");
  ExpectError("ก\u0E38\u0E39",
              "Thai mark U+0E39 at byte 6 is a second vowel below the same consonant");
  // The error names the first bad mark, after the valid text before it.
  ExpectError("น้ำดี ก\u0E49\u0E49",
              "Thai mark U+0E49 at byte 22 repeats a mark already on the same consonant");
}

TEST(Normalize, SaraAmFollowsThaiOrthography) {
  // SARA AM is NIKHAHIT + SARA AA: the NIKHAHIT takes the place above the
  // consonant, so it shares the consonant with a tone mark only.
  EXPECT_EQ(Normalized("ค\u0E48\u0E33"), "ค่ำ");
  ExpectError("ก\u0E34\u0E33", "SARA AM U+0E33 at byte 6 cannot share a consonant with U+0E34");
  ExpectError("ก\u0E38\u0E33", "SARA AM U+0E33 at byte 6 cannot share a consonant with U+0E38");
  ExpectError("ก\u0E34\u0E48\u0E33",
              "SARA AM U+0E33 at byte 9 cannot share a consonant with U+0E34");
  ExpectError("น\u0E33\u0E34", "Thai mark U+0E34 at byte 6 cannot follow SARA AM U+0E33");
  ExpectError("น\u0E49\u0E33\u0E48",
              "Thai mark U+0E48 at byte 9 is a second tone mark on the same consonant");
}

TEST(Normalize, DecomposedSaraAmIsComposed) {
  const std::string kNam = "น\u0E49\u0E33";  // น้ำ
  EXPECT_EQ(Normalized("ก\u0E4D\u0E32"), "ก\u0E33");
  EXPECT_EQ(Normalized("น\u0E49\u0E4D\u0E32"), kNam);  // tone, NIKHAHIT, SARA AA
  EXPECT_EQ(Normalized("น\u0E4D\u0E49\u0E32"), kNam);  // NIKHAHIT, tone, SARA AA
  EXPECT_EQ(Normalized("น\u0E4D\u0E32\u0E49"), kNam);  // tone typed last
  EXPECT_EQ(Normalized("น\u0E33\u0E49"), kNam);        // tone after the precomposed SARA AM
  EXPECT_EQ(Normalized("ความชุ่มชื่นของน\u0E4D\u0E49\u0E32ฝน"), "ความชุ่มชื่นของ" + kNam + "ฝน");
  EXPECT_EQ(Normalized("ส\u0E21\u0E48\u0E4D\u0E32เสมอ"), "สม่ำเสมอ");
  // SARA AA without NIKHAHIT stays what it is.
  EXPECT_EQ(Normalized("น\u0E49\u0E32"), "น\u0E49\u0E32");
  ExpectError("น\u0E49\u0E4D\u0E49\u0E32",
              "Thai mark U+0E49 at byte 9 repeats a mark already on the same consonant");
  ExpectError("ก\u0E34\u0E4D\u0E32",
              "SARA AM U+0E33 at byte 6 cannot share a consonant with U+0E34");
  // A vowel typed between NIKHAHIT and SARA AA goes before the NIKHAHIT in
  // canonical order, which makes SARA AM: the same error as typed in order
  // (found by fuzz_thai_text: this was accepted, and its output refused).
  ExpectError("น\u0E4D\u0E47\u0E32",
              "SARA AM U+0E33 at byte 3 cannot share a consonant with U+0E47");
  ExpectError("น\u0E47\u0E4D\u0E32",
              "SARA AM U+0E33 at byte 6 cannot share a consonant with U+0E47");
}

TEST(Normalize, ToneBeforeVowelIsReordered) {
  EXPECT_EQ(Normalized("ก\u0E48\u0E34"), "ก\u0E34\u0E48");
  EXPECT_EQ(Normalized("ป\u0E48\u0E31น"), "ปั่น");
  EXPECT_EQ(Normalized("ป\u0E48\u0E38"), "ปุ่");
  EXPECT_EQ(Normalized("ท\u0E48\u0E35"), "ที่");
  EXPECT_EQ(Normalized("ญ\u0E48\u0E35ป\u0E48\u0E38น"), "ญี่ปุ่น");
  // THANTHAKHAT, too, goes after the vowel: สิทธิ์.
  EXPECT_EQ(Normalized("สิทธ\u0E4C\u0E34"), "สิทธิ์");
  // Text after a reordered cluster is copied unchanged.
  EXPECT_EQ(Normalized("ท\u0E48\u0E35นี่ ABC"), "ที่นี่ ABC");
}

TEST(Normalize, LineEndsBecomeLf) {
  EXPECT_EQ(Normalized("ก\r\nข"), "ก\nข");
  EXPECT_EQ(Normalized("ก\rข"), "ก\nข");
  EXPECT_EQ(Normalized("\r\r\n\n"), "\n\n\n");
  EXPECT_EQ(Normalized("a\r\n"), "a\n");
  EXPECT_EQ(Normalized("\r"), "\n");
}

TEST(Normalize, ControlsAndNoncharactersAreErrors) {
  ExpectError("ab\x07", "control character U+0007 at byte 2 is not allowed");
  ExpectError(std::string_view("ก\0", 4), "control character U+0000 at byte 3 is not allowed");
  ExpectError("\x1b[0m", "control character U+001B at byte 0 is not allowed");
  ExpectError("ก\uFFFE", "noncharacter U+FFFE at byte 3 is not allowed");
  ExpectError("x\uFDD0", "noncharacter U+FDD0 at byte 1 is not allowed");
  ExpectError("x\U0001FFFF", "noncharacter U+1FFFF at byte 1 is not allowed");
}

TEST(Normalize, InvalidUtf8NamesTheByte) {
  ExpectError("ab\xE0\xB8", "invalid UTF-8 at byte 2: truncated sequence");
  ExpectError("ก\xE0\xB8ข", "invalid UTF-8 at byte 3: truncated sequence");
  ExpectError("\xF0\x9F\x98", "invalid UTF-8 at byte 0: truncated sequence");
  ExpectError("x\xC0\xAF", "invalid UTF-8 at byte 1: overlong encoding");
  ExpectError("\xE0\x80\xAF", "invalid UTF-8 at byte 0: overlong encoding");
  ExpectError("\xF0\x80\x80\xAF", "invalid UTF-8 at byte 0: overlong encoding");
  ExpectError("ก\xED\xA0\x80", "invalid UTF-8 at byte 3: surrogate U+D800 is not a character");
  ExpectError("\xED\xBF\xBF", "invalid UTF-8 at byte 0: surrogate U+DFFF is not a character");
  ExpectError("abc\xFF", "invalid UTF-8 at byte 3: byte 0xFF never occurs in UTF-8");
  ExpectError("\xF5\x80\x80\x80", "invalid UTF-8 at byte 0: byte 0xF5 never occurs in UTF-8");
  ExpectError("\xF4\x90\x80\x80", "invalid UTF-8 at byte 0: code point above U+10FFFF");
  ExpectError("ที่\x80", "invalid UTF-8 at byte 9: unexpected continuation byte 0x80");
  // The highest code point is fine.
  EXPECT_EQ(Normalized("\xF4\x8F\xBF\xBD"), "\xF4\x8F\xBF\xBD");
}

TEST(ValidateUtf8, AcceptsEveryWellFormedCodePoint) {
  // Unlike Normalize, it checks the encoding only: controls, noncharacters
  // and stray Thai marks are well-formed UTF-8.
  for (std::string_view s : {std::string_view(""), std::string_view("ab\x07\t\r\n"),
                             std::string_view("ก\0", 4), std::string_view("\u0E48\uFFFE"),
                             std::string_view("\xF4\x8F\xBF\xBF"), std::string_view("ที่ 😀")}) {
    size_t bad = 99;
    EXPECT_TRUE(ValidateUtf8(s, &bad).ok()) << s;
    EXPECT_EQ(bad, 99u) << "unchanged when valid";
  }
}

TEST(ValidateUtf8, GivesNormalizesMessageAndTheOffset) {
  const std::string_view kBad[] = {"ab\xE0\xB8", "x\xC0\xAF", "ก\xED\xA0\x80", "abc\xFF",
                                   "\xF4\x90\x80\x80", "ที่\x80"};
  const size_t kOffsets[] = {2, 1, 3, 3, 0, 9};
  for (size_t k = 0; k < std::size(kBad); ++k) {
    size_t bad = 0;
    const Status st = ValidateUtf8(kBad[k], &bad);
    ASSERT_FALSE(st.ok()) << kBad[k];
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad, kOffsets[k]) << kBad[k];
    EXPECT_EQ(st.message(), Normalize(kBad[k]).status().message());
    EXPECT_EQ(st.message().rfind("invalid UTF-8 at byte " + std::to_string(kOffsets[k]) + ": ", 0), 0u)
        << st.message();
  }
  EXPECT_FALSE(ValidateUtf8("\xFF").ok()) << "the offset is optional";
}

// Bad encoding is reported before what the characters mean.
TEST(Normalize, InvalidUtf8IsReportedFirst) {
  ExpectError("\u0E48 \xFF", "invalid UTF-8 at byte 4: byte 0xFF never occurs in UTF-8");
}

TEST(Normalize, IsIdempotent) {
  const char* kTexts[] = {
      "น\u0E4D\u0E49\u0E32 ป\u0E48\u0E31น\r\nก\u0E4D\u0E32",
      "ท\u0E48\u0E35 สิทธ\u0E4C\u0E34 น\u0E33\u0E49",
  };
  for (const char* text : kTexts) {
    const std::string once = Normalized(text);
    ASSERT_NE(once.rfind("error", 0), 0u) << once;
    EXPECT_EQ(Normalized(once), once);
  }
}

TEST(Normalize, IsThaiCombiningMark) {
  for (char32_t cp :
       {0x0E31, 0x0E34, 0x0E37, 0x0E38, 0x0E3A, 0x0E47, 0x0E48, 0x0E4B, 0x0E4C, 0x0E4D, 0x0E4E}) {
    EXPECT_TRUE(IsThaiCombiningMark(cp)) << std::hex << static_cast<uint32_t>(cp);
  }
  for (char32_t cp : {0x0E01, 0x0E30, 0x0E32, 0x0E33, 0x0E3B, 0x0E3F, 0x0E40, 0x0E46, 0x0E4F,
                      0x0E50, 0x0331, 0x0041}) {
    EXPECT_FALSE(IsThaiCombiningMark(cp)) << std::hex << static_cast<uint32_t>(cp);
  }
}

// Invisible controls, by a documented rule: the bidirectional ones are
// refused (they make text show in another order than it is stored), the
// zero-width spaces removed.
TEST(Normalize, BidiControlsAreRefusedAndZeroWidthSpacesRemoved) {
  for (const char* bidi : {"\xE2\x80\xAE", "\xE2\x80\x8F", "\xE2\x81\xA6", "\xD8\x9C"}) {
    auto r = Normalize(std::string("abc") + bidi + "def");
    ASSERT_FALSE(r.ok()) << bidi;
    EXPECT_NE(r.status().message().find("bidirectional control"), std::string::npos);
    EXPECT_NE(r.status().message().find("at byte 3"), std::string::npos) << r.status().message();
  }
  auto zw = Normalize("งบ\xE2\x80\x8Bประมาณ\xEF\xBB\xBFปี");
  ASSERT_TRUE(zw.ok()) << zw.status().ToString();
  EXPECT_EQ(*zw, "งบประมาณปี");
}

TEST(ThaiDigitsTest, ReplacesAsciiDigitsOnly) {
  EXPECT_EQ(ThaiDigits("หน้า 12/305"), "หน้า ๑๒/๓๐๕");
  EXPECT_EQ(ThaiDigits(""), "");
}

}  // namespace
}  // namespace saraban::text
