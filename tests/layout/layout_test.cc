// Layout: line filling, the last-resort break of over-wide words, tables
// that span pages, and bad page setups.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "saraban/layout/layout.h"
#include "saraban/text/font.h"
#include "saraban/text/line_breaker.h"

namespace saraban::layout {
namespace {

FontSet Laksaman() {
  auto regular = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  auto bold = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
  EXPECT_TRUE(regular.ok() && bold.ok());
  return {*regular, *bold};
}

double RunWidth(const page::GlyphRun& run) {
  double w = 0;
  for (const auto& g : run.glyphs) w += g.x_advance;
  return w * run.size / 1000.0;  // Laksaman: 1000 units per em
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

DocumentLayout OneParagraph(const std::string& text, double width) {
  DocumentLayout doc;
  doc.setup.margin_right = doc.setup.width - doc.setup.margin_left - width;
  doc.blocks.push_back(Paragraph{text, {FontRole::kRegular, 16, Align::kLeft}});
  return doc;
}

TEST(LayoutTest, FillsLinesGreedilyWithinWidth) {
  Typesetter ts(Laksaman());
  const std::string text = Repeat("องค์การบริหารส่วนตำบล ", 20);
  auto pages = ts.Layout(OneParagraph(text, 200));
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  ASSERT_EQ(pages->size(), 1u);
  const auto& runs = pages->front().runs;
  ASSERT_GT(runs.size(), 3u);
  for (const auto& run : runs) EXPECT_LE(RunWidth(run), 200.01) << run.text;
  // The lines give back the text; only spaces at line ends are dropped.
  std::string joined, expected;
  for (const auto& run : runs) joined += run.text;
  for (char c : text) if (c != ' ') expected += c;
  joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
  EXPECT_EQ(joined, expected);
}

// A word with no break opportunity wider than the column is split between
// grapheme clusters, never between a consonant and its marks.
TEST(LayoutTest, OverWideWordBreaksBetweenGraphemeClusters) {
  Typesetter ts(Laksaman());
  const std::string word = Repeat("ญี่ปุ่นน้ำผู้", 12);  // no spaces
  auto pages = ts.Layout(OneParagraph(word, 80));
  ASSERT_TRUE(pages.ok());
  const auto& runs = pages->front().runs;
  ASSERT_GT(runs.size(), 2u);
  const std::vector<size_t> clusters = text::GraphemeBoundaries(word);
  size_t offset = 0;
  std::string joined;
  for (const auto& run : runs) {
    EXPECT_LE(RunWidth(run), 80.01) << run.text;
    joined += run.text;
    offset += run.text.size();
    if (offset < word.size()) {
      EXPECT_TRUE(std::binary_search(clusters.begin(), clusters.end(), offset))
          << "broken inside a cluster at byte " << offset;
    }
  }
  EXPECT_EQ(joined, word);
}

TEST(LayoutTest, ForcedLineBreakAndMarker) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  Paragraph p{"บรรทัดแรก\nบรรทัดที่สอง", {FontRole::kRegular, 16, Align::kLeft}};
  p.marker = "๑.";
  p.indent = 20;
  doc.blocks.push_back(p);
  auto pages = ts.Layout(doc);
  ASSERT_TRUE(pages.ok());
  const auto& runs = pages->front().runs;
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].text, "๑.");
  EXPECT_EQ(runs[1].text, "บรรทัดแรก");
  EXPECT_EQ(runs[2].text, "บรรทัดที่สอง");
  EXPECT_LT(runs[0].x, runs[1].x);           // hanging marker
  EXPECT_DOUBLE_EQ(runs[1].x, runs[2].x);    // both lines at the indent
  EXPECT_GT(runs[1].y, runs[2].y);           // second line below
}

TEST(LayoutTest, CenteredLineIsCentered) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  doc.blocks.push_back(Paragraph{"รายงาน", {FontRole::kBold, 18, Align::kCenter}});
  auto pages = ts.Layout(doc);
  ASSERT_TRUE(pages.ok());
  const auto& run = pages->front().runs.front();
  const double mid = doc.setup.margin_left +
                     (doc.setup.width - doc.setup.margin_left - doc.setup.margin_right) / 2;
  EXPECT_NEAR(run.x + RunWidth(run) / 2, mid, 0.5);
  EXPECT_EQ(run.font, 1);
}

Table TallTable(int rows, int lines_per_cell) {
  Table t;
  t.column_widths = {200, 300};
  const TextStyle style{FontRole::kRegular, 14, Align::kLeft};
  t.header = {Cell{{Paragraph{"หัวตาราง", style}}}, Cell{{Paragraph{"ผลการดำเนินงาน", style}}}};
  t.continuation_mark = "(ต่อ)";
  t.continuation_style = style;
  for (int r = 0; r < rows; ++r) {
    Paragraph long_text{Repeat("บรรทัด\n", lines_per_cell - 1) + "จบ", style};
    t.rows.push_back({Cell{{Paragraph{"แถว " + std::to_string(r), style}}}, Cell{{long_text}}});
  }
  return t;
}

TEST(LayoutTest, TallRowSplitsAcrossPagesWithHeaderOnEach) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  doc.setup.page_number_format = "หน้า {page}/{pages}";
  doc.blocks.push_back(TallTable(3, 60));  // each row taller than a page
  auto pages = ts.Layout(doc);
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  ASSERT_GE(pages->size(), 6u);
  int lines = 0;
  for (size_t i = 0; i < pages->size(); ++i) {
    const auto& page = (*pages)[i];
    int headers = 0, marks = 0;
    for (const auto& run : page.runs) {
      headers += run.text == "หัวตาราง";
      marks += run.text == "(ต่อ)";
      lines += run.text == "บรรทัด" || run.text == "จบ";
      EXPECT_GT(run.y, 0) << "text below the page on page " << i + 1;
    }
    EXPECT_EQ(headers, 1) << "page " << i + 1;
    EXPECT_EQ(marks, i == 0 ? 0 : 1) << "page " << i + 1;
  }
  EXPECT_EQ(lines, 3 * 60);  // every line placed exactly once
}

TEST(LayoutTest, TableWiderThanPageIsAnError) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  Table t = TallTable(1, 1);
  t.column_widths = {500, 500};
  doc.blocks.push_back(t);
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.status().field(), "blocks[0]");
  EXPECT_NE(pages.status().message().find("wide"), std::string::npos);
}

TEST(LayoutTest, PageWithNoRoomIsAnError) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  doc.setup.margin_top = doc.setup.height;  // nothing left
  doc.blocks.push_back(Paragraph{"ข้อความ", {}});
  EXPECT_FALSE(ts.Layout(doc).ok());
}

TEST(LayoutTest, CharacterMissingFromTheFontIsAnError) {
  Typesetter ts(Laksaman());
  auto pages = ts.Layout(OneParagraph("รายงาน 漢字", 300));
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pages.status().message().find("U+6F22"), std::string::npos) << pages.status().message();
  // Zero-width space, joiner and NBSP are in the font (as spaces).
  EXPECT_TRUE(ts.Layout(OneParagraph("ก\u200Bข\u200Dค\u00A0ง", 300)).ok());
}

TEST(LayoutTest, MissingMarkIsNamedNotItsBase) {
  Typesetter ts(Laksaman());
  // U+20DD COMBINING ENCLOSING CIRCLE shares the cluster of the ก it follows.
  auto pages = ts.Layout(OneParagraph("ทดสอบ กิ\u20DD", 300));
  ASSERT_FALSE(pages.ok());
  EXPECT_NE(pages.status().message().find("U+20DD"), std::string::npos) << pages.status().message();
}

TEST(LayoutTest, PageNumberTextIsCheckedToo) {
  Typesetter ts(Laksaman());
  DocumentLayout doc = OneParagraph("ข้อความ", 300);
  doc.setup.page_number_format = "頁 {page}";
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_NE(pages.status().message().find("U+9801"), std::string::npos) << pages.status().message();
}

// One grapheme cluster longer than the line limit (a letter and thousands
// of joiners) is cut between code points rather than overflow the limit.
TEST(LayoutTest, HugeClusterIsCutBetweenCodePoints) {
  Typesetter ts(Laksaman());
  std::string text = "ก";
  for (int i = 0; i < 3000; ++i) text += "\u200D";
  auto pages = ts.Layout(OneParagraph(text, 300));
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  size_t total = 0;
  for (const auto& run : pages->front().runs) {
    EXPECT_LE(run.text.size(), 4096u);
    total += run.text.size();
  }
  EXPECT_EQ(total, text.size());
}

TEST(LayoutTest, TooManyPagesIsResourceExhausted) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  doc.setup.max_pages = 3;
  doc.blocks.push_back(Paragraph{Repeat("บรรทัด\n", 500), {}});
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.status().code(), StatusCode::kResourceExhausted);
  doc.setup.max_pages = 1000;
  EXPECT_TRUE(ts.Layout(doc).ok());
}

TEST(LayoutTest, HeaderTallerThanAThirdOfThePageIsAnError) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  Table t = TallTable(2, 2);
  t.header[1].paragraphs[0].text = Repeat("หัว\n", 30);
  doc.blocks.push_back(t);
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_NE(pages.status().message().find("header"), std::string::npos);
}

TEST(LayoutTest, IndentWiderThanTheBoxIsAnError) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  Table t = TallTable(1, 1);
  t.rows[0][0].paragraphs[0].indent = 250;  // the column is 200 pt
  doc.blocks.push_back(t);
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_NE(pages.status().message().find("indent"), std::string::npos);
}

// The indent check leaves at least one em, but a glyph may be wider ("%"
// in Laksaman Bold is 1.034 em): one that cannot fit is an error, never a
// line that leaves its box (found by fuzz_layout).
TEST(LayoutTest, CharacterWiderThanItsLineIsAnError) {
  Typesetter ts(Laksaman());
  DocumentLayout doc = OneParagraph("%", 81);
  Paragraph& p = std::get<Paragraph>(doc.blocks[0]);
  p.style = {FontRole::kBold, 68, Align::kLeft};  // 44.88 pt in Laksaman
  p.indent = 36;                                  // leaves 45 pt: one em, not one "%"
  auto pages = ts.Layout(doc);
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pages.status().message().find("wider than"), std::string::npos)
      << pages.status().message();
  p.indent = 30;  // 51 pt: it fits
  EXPECT_TRUE(ts.Layout(doc).ok());
}

// A chunk of an over-wide word is measured with the glyphs of the whole
// word but drawn with glyphs shaped on their own, which lose the kerning
// with the letter after the cut ("W" before "A" is narrower than "W" at a
// line's end): the drawn chunk must still fit (found by fuzz_layout).
TEST(LayoutTest, ChunksOfAKernedWordStayInsideTheirLine) {
  Typesetter ts(Laksaman());
  int lines = 0;
  for (const std::string pair : {"WA", "AW", "AV", "VA", "TA", "Yo", "To", "LT", "P."}) {
    const std::string word = Repeat(pair, 40);
    for (double width = 72; width <= 240; width += 3.7) {
      auto pages = ts.Layout(OneParagraph(word, width));
      ASSERT_TRUE(pages.ok()) << pages.status().ToString();
      std::string joined;
      for (const auto& page : *pages) {
        for (const auto& run : page.runs) {
          EXPECT_LE(RunWidth(run), width + 0.01) << pair << " in " << width << " pt: " << run.text;
          joined += run.text;
          ++lines;
        }
      }
      EXPECT_EQ(joined, word);
    }
  }
  EXPECT_GT(lines, 1000);
}

// Zero-width text never ends a line by width; lines still end by length,
// so no PDF string grows past PDF/A's limits.
TEST(LayoutTest, LongZeroWidthTextIsSplitByLength) {
  Typesetter ts(Laksaman());
  auto pages = ts.Layout(OneParagraph(Repeat("\u200B", 20000), 300));
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  size_t total = 0;
  for (const auto& page : *pages) {
    for (const auto& run : page.runs) {
      EXPECT_LE(run.text.size(), 4096u);
      total += run.text.size();
    }
  }
  EXPECT_EQ(total, 20000u * 3);
}

TEST(LayoutTest, SameInputSamePages) {
  Typesetter a(Laksaman());
  Typesetter b(Laksaman());
  DocumentLayout doc;
  doc.blocks.push_back(TallTable(4, 20));
  auto pa = a.Layout(doc);
  auto pb = b.Layout(doc);
  auto pa2 = a.Layout(doc);  // warm cache
  ASSERT_TRUE(pa.ok() && pb.ok() && pa2.ok());
  ASSERT_EQ(pa->size(), pb->size());
  for (size_t i = 0; i < pa->size(); ++i) {
    ASSERT_EQ((*pa)[i].runs.size(), (*pb)[i].runs.size());
    ASSERT_EQ((*pa)[i].runs.size(), (*pa2)[i].runs.size());
    for (size_t r = 0; r < (*pa)[i].runs.size(); ++r) {
      EXPECT_EQ((*pa)[i].runs[r].text, (*pb)[i].runs[r].text);
      EXPECT_EQ((*pa)[i].runs[r].x, (*pa2)[i].runs[r].x);
      EXPECT_EQ((*pa)[i].runs[r].y, (*pb)[i].runs[r].y);
    }
  }
}

// ---- justification and keeps ----

const std::string kLongThai =
    "จากผลการวิเคราะห์การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
    "องค์การบริหารส่วนตำบลได้นำผลการประเมินมากำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใส "
    "เพื่อพัฒนาการบริหารงานของหน่วยงานให้เกิดความเป็นธรรมและความโปร่งใสในการดำเนินงานมากยิ่งขึ้น "
    "โดยมอบหมายให้เจ้าหน้าที่ผู้รับผิดชอบติดตามผลการปฏิบัติงานและรายงานผู้บังคับบัญชาทุกไตรมาส";

std::vector<page::GlyphRun> LayOutAligned(Typesetter& ts, Align align, double width,
                                         const std::string& text = kLongThai) {
  DocumentLayout doc = OneParagraph(text, width);
  std::get<Paragraph>(doc.blocks[0]).style.align = align;
  auto pages = ts.Layout(doc);
  EXPECT_TRUE(pages.ok()) << pages.status().ToString();
  return pages.ok() ? pages->front().runs : std::vector<page::GlyphRun>();
}

// Every justified line but the last ends at the right margin (within one
// font unit); the last stays ragged. Space justification needs spaces.
TEST(LayoutTest, JustifiedLinesEndAtTheRightMargin) {
  Typesetter ts(Laksaman());
  const std::string spaced = Repeat("องค์การบริหารส่วนตำบล จัดทำ ", 12) + "แผน";
  for (Align align : {Align::kThaiDistributed, Align::kJustify}) {
    const double width = 300;
    const std::vector<page::GlyphRun> runs =
        LayOutAligned(ts, align, width, align == Align::kJustify ? spaced : kLongThai);
    ASSERT_GT(runs.size(), 3u);
    const double margin = DocumentLayout().setup.margin_left + width;
    for (size_t i = 0; i + 1 < runs.size(); ++i) {
      const double unit = runs[i].size / 1000.0;
      EXPECT_NEAR(runs[i].x + RunWidth(runs[i]), margin, unit) << runs[i].text;
    }
    EXPECT_LT(runs.back().x + RunWidth(runs.back()), margin - 1) << "the last line stays ragged";
  }
}

// Thai distributed spreads the slack over grapheme-cluster boundaries: a
// glyph inside a cluster (a base before its marks) keeps its advance, so a
// mark never leaves its base; space justification widens spaces only.
TEST(LayoutTest, ThaiDistributedMovesClustersNotMarks) {
  Typesetter ts(Laksaman());
  const auto distributed = LayOutAligned(ts, Align::kThaiDistributed, 300);
  const auto spaced = LayOutAligned(ts, Align::kJustify, 300);
  const auto left = LayOutAligned(ts, Align::kLeft, 300);
  ASSERT_EQ(distributed.size(), spaced.size());
  int widened = 0;
  for (size_t r = 0; r < distributed.size(); ++r) {
    ASSERT_EQ(distributed[r].text, spaced[r].text) << "both justified: the same line ends";
    const auto& d = distributed[r].glyphs;
    const auto& s = spaced[r].glyphs;
    ASSERT_EQ(d.size(), s.size());
    for (size_t i = 0; i + 1 < d.size(); ++i) {
      const bool space = distributed[r].text[d[i].cluster] == ' ';
      if (d[i + 1].cluster == d[i].cluster && !space) {
        EXPECT_EQ(d[i].x_advance, s[i].x_advance) << "inside a cluster of " << distributed[r].text;
      }
      if (d[i].x_advance != s[i].x_advance) ++widened;
    }
  }
  EXPECT_GT(widened, 100);
  // Justification changes positions, never the text: the lines give the
  // paragraph back as the ragged layout does.
  std::string a, b;
  for (const auto& run : distributed) a += run.text;
  for (const auto& run : left) b += run.text;
  a.erase(std::remove(a.begin(), a.end(), ' '), a.end());
  b.erase(std::remove(b.begin(), b.end(), ' '), b.end());
  EXPECT_EQ(a, b);
}

// No paragraph leaves its first line alone at a page's foot, nor its last
// alone at the next page's head, where moving a line avoids it.
TEST(LayoutTest, NoOrphanOrWidowLines) {
  Typesetter ts(Laksaman());
  const double line = [&] {
    auto runs = LayOutAligned(ts, Align::kLeft, 300);
    return runs.size() > 1 ? runs[0].y - runs[1].y : 0.0;
  }();
  ASSERT_GT(line, 0);
  const int lines = static_cast<int>(LayOutAligned(ts, Align::kLeft, 300).size());
  ASSERT_GE(lines, 4);
  for (int room = 1; room < lines; ++room) {
    DocumentLayout doc = OneParagraph(kLongThai, 300);
    const double printable = doc.setup.height - doc.setup.margin_top - doc.setup.margin_bottom;
    doc.blocks.insert(doc.blocks.begin(), Spacer{printable - room * line - line / 4});
    auto pages = ts.Layout(doc);
    ASSERT_TRUE(pages.ok()) << pages.status().ToString();
    ASSERT_EQ(pages->size(), 2u) << room;
    const size_t first = (*pages)[0].runs.size(), second = (*pages)[1].runs.size();
    EXPECT_EQ(first + second, static_cast<size_t>(lines));
    EXPECT_NE(first, 1u) << "an orphan with room for " << room;
    EXPECT_NE(second, 1u) << "a widow with room for " << room;
  }
}

// A chain of signature lines that keep together (a sign-off) moves to the
// next page whole instead of leaving its last line alone there.
TEST(LayoutTest, ASignOffMovesToTheNextPageWhole) {
  Typesetter ts(Laksaman());
  DocumentLayout doc;
  const double printable = doc.setup.height - doc.setup.margin_top - doc.setup.margin_bottom;
  doc.blocks.push_back(Spacer{printable - 90});
  for (int i = 0; i < 4; ++i) {
    SignatureLine s;
    s.text = Paragraph{"ลงชื่อ ผู้ลงนามคนที่ " + std::to_string(i + 1),
                       {FontRole::kRegular, 16, Align::kLeft}};
    s.text.space_before = 10;
    s.keep_with_next = i < 3;
    doc.blocks.push_back(std::move(s));
  }
  auto pages = ts.Layout(doc);
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_TRUE((*pages)[0].runs.empty());
  EXPECT_EQ((*pages)[1].runs.size(), 4u);
}

}  // namespace
}  // namespace saraban::layout
