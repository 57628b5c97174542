// End-to-end tests of the render pipeline on the two example reports:
// what a reader of the PDF meets (text that extracts exactly, lines that end
// at word boundaries, headers on every page, nothing outside its cell).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <variant>

#include "saraban/text/digits.h"
#include "saraban/layout/layout.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/pdf/writer.h"
#include "saraban/report/compose.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/text/font.h"
#include "saraban/text/line_breaker.h"
#include "saraban/text/shaper.h"
#include "break_audit.h"
#include "test_support.h"

namespace saraban {
namespace {

using test::RunCommand;
using test::StripSpaces;

const char* const kExamples[] = {"examples/000_taluboh.json", "examples/004_bueng_khla.json"};

// The default font, and another Thai font standing in for a user-supplied
// one such as THSarabunNew.ttf: other metrics, other glyph IDs, and a size
// factor as a user would give for a font whose scale saraban does not know.
struct FontChoice {
  const char* name;
  const char* regular;
  const char* bold;
  double size_factor;
};
const FontChoice kFonts[] = {
    {"Laksaman", "/usr/share/fonts/truetype/tlwg/Laksaman.ttf",
     "/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf", 1.0},
    {"Garuda", "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
     "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf", 0.6},
};

v1::Report LoadExample(const std::string& path) {
  Result<v1::Report> r = model::LoadReportFile(path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  v1::Report report = r.ok() ? *r : v1::Report();
  EXPECT_TRUE(model::ValidateReport(&report).empty());
  return report;
}

layout::FontSet LoadFonts(const FontChoice& choice) {
  auto regular = text::Font::Load(choice.regular);
  auto bold = text::Font::Load(choice.bold);
  EXPECT_TRUE(regular.ok() && bold.ok()) << choice.regular;
  if (!regular.ok() || !bold.ok()) return {};
  return {*regular, *bold};
}

// Each paragraph with the width its lines have for text, pt (the page's or
// the cell's, less padding and indents).
std::vector<std::pair<const layout::Paragraph*, double>> ParagraphBoxes(
    const layout::DocumentLayout& doc) {
  const double page = doc.setup.width - doc.setup.margin_left - doc.setup.margin_right;
  std::vector<std::pair<const layout::Paragraph*, double>> out;
  auto add = [&](const layout::Paragraph& p, double width) {
    out.emplace_back(&p, width - p.indent - std::max(0.0, p.first_line_indent));
  };
  for (const auto& block : doc.blocks) {
    if (const auto* p = std::get_if<layout::Paragraph>(&block)) add(*p, page);
    if (const auto* s = std::get_if<layout::SignatureLine>(&block)) add(s->text, page);
    if (const auto* t = std::get_if<layout::Table>(&block)) {
      for (size_t c = 0; c < t->header.size(); ++c) {
        for (const auto& p : t->header[c].paragraphs) add(p, t->column_widths[c] - 2 * t->padding);
      }
      for (const auto& row : t->rows) {
        for (size_t c = 0; c < row.size(); ++c) {
          for (const auto& p : row[c].paragraphs) add(p, t->column_widths[c] - 2 * t->padding);
        }
      }
    }
  }
  return out;
}

std::vector<const page::GlyphRun*> Runs(const std::vector<page::Page>& pages) {
  std::vector<const page::GlyphRun*> out;
  for (const auto& page : pages) {
    for (const auto& run : page.runs) out.push_back(&run);
  }
  return out;
}

class ExampleTest : public ::testing::TestWithParam<std::tuple<const char*, FontChoice>> {
 protected:
  void SetUp() override {
    const FontChoice& choice = std::get<1>(GetParam());
    fonts_ = LoadFonts(choice);
    ASSERT_TRUE(fonts_.regular && fonts_.bold);
    options_.regular_font = choice.regular;
    options_.bold_font = choice.bold;
    options_.size_factor = choice.size_factor;
    report_ = LoadExample(std::get<0>(GetParam()));
    auto t = report::DefaultTemplate();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    template_ = *t;
    auto doc = report::Compose(report_, template_, report::ComposeOptions{choice.size_factor});
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    doc_ = *doc;
  }

  // Lays out the document on its real pages, or on one endless page (PDF/A's
  // largest, 200 in), where nothing is split and the content stream follows
  // the reading order.
  std::vector<page::Page> LayOut(bool endless) {
    layout::DocumentLayout doc = doc_;
    if (endless) {
      doc.setup.height = 14400;
      doc.setup.page_number_format.clear();
    }
    layout::Typesetter ts(fonts_);
    auto pages = ts.Layout(doc);
    EXPECT_TRUE(pages.ok()) << pages.status().ToString();
    return pages.ok() ? *pages : std::vector<page::Page>();
  }

  // Renders the report to a file of its own; returns the path.
  std::string RenderToFile(const std::string& name) const {
    auto renderer = Renderer();
    if (!renderer) return {};
    auto pdf = renderer->Render(report_, template_);
    EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
    if (!pdf.ok()) return {};
    const std::string path = test::TempPath(name);
    test::WriteFile(path, pdf->bytes);
    return path;
  }

  std::unique_ptr<report::ReportRenderer> Renderer() const {
    auto renderer = report::ReportRenderer::Create(options_);
    EXPECT_TRUE(renderer.ok()) << renderer.status().ToString();
    return renderer.ok() ? std::move(renderer).value() : nullptr;
  }

  layout::FontSet fonts_;
  report::RenderOptions options_;
  v1::Report report_;
  v1::Template template_;
  layout::DocumentLayout doc_;
};

// The break audit (break_audit.h): each line of each paragraph ends at one
// of the graded opportunities of text::LineBreaker (never inside a Thai
// word), and at a good one: a space, a punctuation break or a word boundary
// both ICU and libthai see; never inside a lexicon compound that the
// column could hold, never where only one dictionary sees a word. No
// paragraph ends with one short syllable alone on its last line. The lines
// give back the paragraphs exactly. The counts go to the log.
TEST_P(ExampleTest, LineEndsPassTheBreakAudit) {
  const std::vector<page::Page> pages = LayOut(/*endless=*/true);
  ASSERT_EQ(pages.size(), 1u);
  std::vector<test::AuditedParagraph> paragraphs;
  for (const auto& [p, width] : ParagraphBoxes(doc_)) paragraphs.push_back({p, width});
  test::BreakAudit audit;
  EXPECT_TRUE(test::AuditBreaks(paragraphs, Runs(pages), fonts_, &audit));
  std::printf("%s\n", audit.Summary(std::get<0>(GetParam())).c_str());
  for (const std::string& problem : audit.problems) ADD_FAILURE() << problem;
  EXPECT_GT(audit.ends, 50);
}

// Splitting rows between pages loses and duplicates nothing: the real pages
// hold the lines of the endless page plus only headers, marks and numbers.
TEST_P(ExampleTest, PagingLosesNothing) {
  const std::vector<page::Page> pages = LayOut(false);
  ASSERT_GT(pages.size(), 1u);
  std::map<std::string, int> extra;
  for (const auto* run : Runs(pages)) ++extra[run->text];
  const std::vector<page::Page> endless = LayOut(true);
  for (const auto* run : Runs(endless)) {
    ASSERT_GT(extra[run->text], 0) << "line lost in paging: " << run->text;
    --extra[run->text];
  }
  const v1::TableLayout& columns = report_.layout();
  for (const auto& [text, count] : extra) {
    if (count == 0) continue;
    bool allowed = text == template_.continuation_mark() || text.rfind("หน้า ", 0) == 0;
    for (const auto& c : columns.columns()) allowed = allowed || c.heading().find(text) != std::string::npos;
    EXPECT_TRUE(allowed) << "unexpected extra line (x" << count << "): " << text;
  }
}

// The header row is on every page the table reaches, after the mark on
// later pages, and every page is numbered in Thai digits.
TEST_P(ExampleTest, HeaderRepeatsAndPagesAreNumbered) {
  const std::vector<page::Page> pages = LayOut(false);
  const std::string first_heading = report_.layout().columns(0).heading();
  const std::string total = text::ThaiDigits(std::to_string(pages.size()));
  for (size_t i = 0; i < pages.size(); ++i) {
    std::string all;
    for (const auto& run : pages[i].runs) all += run.text + "\n";
    EXPECT_NE(all.find(first_heading), std::string::npos) << "no header on page " << i + 1;
    if (i > 0) {
      EXPECT_NE(all.find(template_.continuation_mark()), std::string::npos);
    }
    const std::string label =
        "หน้า " + text::ThaiDigits(std::to_string(i + 1)) + "/" + total;
    EXPECT_NE(all.find(label), std::string::npos) << label;
    EXPECT_FALSE(pages[i].fills.empty()) << "no header fill on page " << i + 1;
  }
}

// No text leaves its cell: every run of the table (header and body, told
// apart by the table's font size) lies inside one column's padding; all
// other text lies between the margins.
TEST_P(ExampleTest, NoTextOutsideItsColumn) {
  auto widths = report::ColumnWidths(report_, template_);
  ASSERT_TRUE(widths.ok());
  const std::vector<page::Page> pages = LayOut(false);
  const double left = doc_.setup.margin_left;
  const double right = doc_.setup.width - doc_.setup.margin_right;
  std::vector<double> edges{left};
  for (double w : *widths) edges.push_back(edges.back() + w);
  const double padding = template_.cell_padding_mm() * 72 / 25.4;
  const double table_size = template_.table_size() * options_.size_factor *
                            fonts_.regular->th_sarabun_scale();
  const auto fonts = std::vector<std::shared_ptr<const text::Font>>{fonts_.regular, fonts_.bold};
  int table_runs = 0;
  for (const auto& page : pages) {
    for (const auto& run : page.runs) {
      double advance = 0;
      for (const auto& g : run.glyphs) advance += g.x_advance;
      const double end = run.x + advance * run.size / fonts[run.font]->units_per_em();
      EXPECT_GE(run.x, left - 0.01) << run.text;
      EXPECT_LE(end, right + 0.01) << run.text;
      const bool in_table = std::abs(run.size - table_size) < 1e-6 &&
                            run.y > doc_.setup.margin_bottom &&
                            run.text != template_.continuation_mark();
      if (!in_table) continue;
      ++table_runs;
      const size_t c = std::upper_bound(edges.begin(), edges.end(), run.x) - edges.begin() - 1;
      ASSERT_LT(c + 1, edges.size()) << run.text;
      EXPECT_GE(run.x, edges[c] + padding - 0.01) << "column " << c << ": " << run.text;
      EXPECT_LE(end, edges[c + 1] - padding + 0.01) << "overflows column " << c << ": " << run.text;
    }
  }
  EXPECT_GT(table_runs, 100);
}

// Every piece of text in the report reaches the PDF: each string field
// (placeholders filled, codes in Thai digits) is found in pdftotext's
// output of the document laid out on one endless page, where no cell is
// split. Catches a field that composition forgets.
TEST_P(ExampleTest, EveryStringOfTheReportIsInThePdf) {
  pdf::Document pdf;
  pdf.fonts = {fonts_.regular, fonts_.bold};
  pdf.pages = LayOut(/*endless=*/true);
  ASSERT_EQ(pdf.pages.size(), 1u);
  auto bytes = pdf::WritePdf(pdf);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string path = test::TempPath("endless.pdf");
  test::WriteFile(path, *bytes);
  const test::CommandResult raw = RunCommand("pdftotext -raw -enc UTF-8 " + path + " -");
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  const std::string extracted = StripSpaces(raw.output);

  std::vector<std::pair<std::string, std::string>> strings;  // field, text
  std::function<void(const google::protobuf::Message&, const std::string&)> walk =
      [&](const google::protobuf::Message& m, const std::string& path) {
        const auto* refl = m.GetReflection();
        std::vector<const google::protobuf::FieldDescriptor*> fields;
        refl->ListFields(m, &fields);
        for (const auto* f : fields) {
          const std::string name = path + f->name();
          const int n = f->is_repeated() ? refl->FieldSize(m, f) : 1;
          for (int i = 0; i < n; ++i) {
            if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
              walk(f->is_repeated() ? refl->GetRepeatedMessage(m, f, i) : refl->GetMessage(m, f),
                   name + ".");
            } else if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
              strings.emplace_back(name, f->is_repeated() ? refl->GetRepeatedString(m, f, i)
                                                          : refl->GetString(m, f));
            }
          }
        }
      };
  walk(report_, "");
  ASSERT_GT(strings.size(), 50u);
  for (const auto& [field, value] : strings) {
    if (field == "agency.code") continue;  // an identifier, not printed
    std::string text = report::FillPlaceholders(value, report_);
    if (field.ends_with("indicator") || field.ends_with("question_code")) {
      text = text::ThaiDigits(text);
    }
    EXPECT_NE(extracted.find(StripSpaces(text)), std::string::npos)
        << field << " is missing from the PDF: " << text;
  }
}

// pdftotext gives back exactly the Thai that was laid out: no Private Use
// Area characters, SARA AM and SARA UU intact.
TEST_P(ExampleTest, PdfTextExtractsExactly) {
  const std::string path = RenderToFile("extract.pdf");
  ASSERT_FALSE(path.empty());
  const test::CommandResult raw = RunCommand("pdftotext -raw -enc UTF-8 " + path + " -");
  ASSERT_EQ(raw.exit_code, 0) << raw.output;

  std::string expected;
  const std::vector<page::Page> pages = LayOut(false);
  for (const auto* run : Runs(pages)) expected += run->text;
  const std::string got = StripSpaces(raw.output);
  expected = StripSpaces(expected);
  const auto diff = std::mismatch(got.begin(), got.end(), expected.begin(), expected.end());
  EXPECT_TRUE(got == expected) << "extracted text differs at byte " << (diff.first - got.begin())
                               << ": got \"" << std::string(diff.first, std::min(diff.first + 90, got.end()))
                               << "\" expected \""
                               << std::string(diff.second, std::min(diff.second + 90, expected.end())) << "\"";
  EXPECT_FALSE(test::HasPrivateUseCharacter(raw.output));
  EXPECT_NE(raw.output.find("ำ"), std::string::npos);
  EXPECT_NE(raw.output.find("ู"), std::string::npos);
  EXPECT_NE(raw.output.find(report_.agency().name()), std::string::npos);

  // Justification moves glyphs, never adds text: every line of the
  // justified introduction comes back verbatim, no space inserted, in both
  // modes.
  const test::CommandResult plain = RunCommand("pdftotext -enc UTF-8 " + path + " -");
  int justified = 0;
  for (const layout::Block& block : doc_.blocks) {
    const auto* p = std::get_if<layout::Paragraph>(&block);
    if (p == nullptr || p->style.align != layout::Align::kThaiDistributed) continue;
    for (const auto* run : Runs(pages)) {
      if (run->text.size() < 30 || p->text.find(run->text) == std::string::npos) continue;
      ++justified;
      EXPECT_NE(raw.output.find(run->text + "\n"), std::string::npos) << run->text;
      EXPECT_NE(plain.output.find(run->text), std::string::npos) << run->text;
    }
  }
  EXPECT_GT(justified, 1);

  // The reading-order mode keeps every paragraph's words too.
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_FALSE(test::HasPrivateUseCharacter(plain.output));
  const std::string title = std::get<layout::Paragraph>(doc_.blocks.at(0)).text;
  EXPECT_NE(StripSpaces(plain.output).find(StripSpaces(title)), std::string::npos);
}

TEST_P(ExampleTest, SameReportGivesIdenticalBytes) {
  auto a = Renderer();
  auto b = Renderer();
  ASSERT_TRUE(a && b);
  auto first = a->Render(report_, template_);
  auto warm = a->Render(report_, template_);  // warm caches
  auto second = b->Render(report_, template_);
  ASSERT_TRUE(first.ok() && warm.ok() && second.ok());
  EXPECT_EQ(first->bytes, second->bytes);
  EXPECT_EQ(first->bytes, warm->bytes);
}

TEST_P(ExampleTest, QpdfCheckIsClean) {
  const std::string path = RenderToFile("qpdf.pdf");
  ASSERT_FALSE(path.empty());
  const test::CommandResult r = RunCommand("qpdf --check " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("WARNING"), std::string::npos) << r.output;
}

TEST_P(ExampleTest, PdfA1bPassesPreflight) {
  const std::string path = RenderToFile("pdfa.pdf");
  ASSERT_FALSE(path.empty());
  const test::CommandResult r = RunCommand("scripts/preflight.sh " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTest,
                         ::testing::Combine(::testing::ValuesIn(kExamples), ::testing::ValuesIn(kFonts)),
                         [](const auto& info) {
                           return std::filesystem::path(std::get<0>(info.param)).stem().string() +
                                  "_" + std::get<1>(info.param).name;
                         });

// ---- the title block and the sign-off, as template data ----

std::vector<std::string> ParagraphTexts(const layout::DocumentLayout& doc) {
  std::vector<std::string> out;
  for (const auto& [p, width] : ParagraphBoxes(doc)) out.push_back(p->text);
  return out;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The default title block names the agency once: title, agency and year,
// district and province.
TEST(TitleBlock, NamesTheAgencyOnce) {
  for (const char* example : kExamples) {
    const v1::Report report = LoadExample(example);
    auto t = report::DefaultTemplate();
    ASSERT_TRUE(t.ok());
    auto doc = report::Compose(report, *t, {});
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    const auto texts = ParagraphTexts(*doc);
    ASSERT_GE(texts.size(), 3u);
    const std::string block = texts[0] + "\n" + texts[1] + "\n" + texts[2];
    EXPECT_EQ(texts[0], report.title());
    EXPECT_EQ(Count(block, report.agency().name()), 1u) << block;
    EXPECT_EQ(texts[2], "อำเภอ" + report.agency().district() + " จังหวัด" + report.agency().province());
  }
}

// A template writes its own title lines with placeholders; an empty
// placeholder leaves no doubled space, an empty line is dropped.
TEST(TitleBlock, TemplateLinesFillTheirPlaceholders) {
  v1::Report report = LoadExample(kExamples[1]);
  report.mutable_agency()->clear_district();
  auto t = report::DefaultTemplate();
  ASSERT_TRUE(t.ok());
  t->clear_title_lines();
  auto* a = t->add_title_lines();
  a->set_text("{title} {agency}");
  a->set_bold(true);
  t->add_title_lines()->set_text("{district} {province} ปีงบประมาณ {fiscal_year}");
  t->add_title_lines()->set_text("{district}");
  EXPECT_TRUE(model::ValidateTemplate(*t).empty());
  auto doc = report::Compose(report, *t, {});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const auto texts = ParagraphTexts(*doc);
  EXPECT_EQ(texts[0], report.title() + " " + report.agency().name());
  EXPECT_EQ(texts[1], "จังหวัด" + report.agency().province() + " ปีงบประมาณ ๒๕๖๖");
  ASSERT_FALSE(report.heading().empty());
  EXPECT_EQ(texts[2], report::FillPlaceholders(report.heading(), report)) << "the empty line is dropped";

  t->mutable_title_lines(0)->set_text("{agency_name}");
  const auto errors = model::ValidateTemplate(*t);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field(), "titleLines[0].text");
  EXPECT_NE(errors[0].message().find("unknown placeholder {agency_name}"), std::string::npos);
}

// The block form gives every signer a label (every reviewer too), the line
// to sign on, the name in brackets and the position; the one-line form of
// seed 004 stays available.
TEST(SignOff, EverySignerHasTheBlockOfThaiPractice) {
  const v1::Report report = LoadExample(kExamples[1]);
  ASSERT_GE(report.sign_off().reviewers_size(), 2);
  auto t = report::DefaultTemplate();
  ASSERT_TRUE(t.ok());
  auto doc = report::Compose(report, *t, {});
  ASSERT_TRUE(doc.ok());
  std::string all;
  for (const std::string& text : ParagraphTexts(*doc)) all += text + "\n";
  EXPECT_EQ(Count(all, "เจ้าหน้าที่ผู้ตรวจสอบ\n"), static_cast<size_t>(report.sign_off().reviewers_size()));
  EXPECT_EQ(Count(all, "ลงชื่อ ...."), 2u + report.sign_off().reviewers_size());
  EXPECT_EQ(Count(all, "(" + report.sign_off().acknowledged_by().name() + ")\n"), 1u);
  EXPECT_EQ(Count(all, "ตำแหน่ง " + report.sign_off().reporter().position() + "\n"), 1u);

  auto line = model::LoadTemplateFile("templates/ita_landscape_one_line_sign_off.json");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  auto one_line = report::Compose(report, *line, {});
  ASSERT_TRUE(one_line.ok());
  int signature_lines = 0;
  for (const auto& block : one_line->blocks) {
    if (std::holds_alternative<layout::SignatureLine>(block)) ++signature_lines;
  }
  EXPECT_EQ(signature_lines, 2 + report.sign_off().reviewers_size());
}

}  // namespace
}  // namespace saraban
