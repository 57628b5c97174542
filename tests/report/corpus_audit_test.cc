// The break audit on a corpus of official sentences written for it
// (tests/data/official_sentences.txt, not from the seeds), set as Thai
// documents set them: body paragraphs in Thai distributed justification
// across an A4 landscape page, and table cells of two widths, left aligned.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "break_audit.h"
#include "saraban/layout/layout.h"
#include "saraban/text/font.h"
#include "saraban/text/normalize.h"

namespace saraban {
namespace {

std::vector<std::string> Corpus() {
  std::ifstream in(std::string(SARABAN_SOURCE_DIR) + "/tests/data/official_sentences.txt");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto normalized = text::Normalize(line);
    EXPECT_TRUE(normalized.ok()) << line;
    if (normalized.ok()) out.push_back(*normalized);
  }
  return out;
}

layout::FontSet Laksaman() {
  auto regular = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  auto bold = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
  EXPECT_TRUE(regular.ok() && bold.ok());
  return {*regular, *bold};
}

struct Setting {
  const char* name;
  double width;  // pt
  double size;   // TH Sarabun pt
  layout::Align align;
};

const Setting kSettings[] = {
    {"body (450 pt, Thai distributed)", 450, 16, layout::Align::kThaiDistributed},
    {"cell (200 pt, left)", 200, 14, layout::Align::kLeft},
    {"narrow cell (110 pt, left)", 110, 14, layout::Align::kLeft},
};

TEST(CorpusAudit, OfficialSentencesBreakWhereATypesetterWould) {
  const std::vector<std::string> corpus = Corpus();
  ASSERT_GE(corpus.size(), 200u);
  const layout::FontSet fonts = Laksaman();
  layout::Typesetter ts(fonts);
  for (const Setting& setting : kSettings) {
    layout::DocumentLayout doc;
    doc.setup.height = 14400;  // one endless page: nothing is split by paging
    doc.setup.page_number_format.clear();
    doc.setup.margin_right = doc.setup.width - doc.setup.margin_left - setting.width;
    for (const std::string& sentence : corpus) {
      doc.blocks.push_back(
          layout::Paragraph{sentence, {layout::FontRole::kRegular, setting.size, setting.align}});
    }
    // In pieces that fit the endless page.
    std::vector<const page::GlyphRun*> runs;
    std::vector<test::AuditedParagraph> paragraphs;
    std::vector<std::vector<page::Page>> pieces;
    constexpr size_t kPerPiece = 40;
    for (size_t begin = 0; begin < doc.blocks.size(); begin += kPerPiece) {
      layout::DocumentLayout piece = doc;
      piece.blocks.assign(doc.blocks.begin() + begin,
                          doc.blocks.begin() + std::min(doc.blocks.size(), begin + kPerPiece));
      auto pages = ts.Layout(piece);
      ASSERT_TRUE(pages.ok()) << pages.status().ToString();
      ASSERT_EQ(pages->size(), 1u);
      pieces.push_back(std::move(pages).value());
    }
    for (const auto& pages : pieces) {
      for (const auto& run : pages.front().runs) runs.push_back(&run);
    }
    for (const auto& block : doc.blocks) {
      paragraphs.push_back({&std::get<layout::Paragraph>(block), setting.width});
    }
    test::BreakAudit audit;
    EXPECT_TRUE(test::AuditBreaks(paragraphs, runs, fonts, &audit));
    std::printf("%s\n", audit.Summary(std::to_string(corpus.size()) + " official sentences, " +
                                      setting.name)
                            .c_str());
    for (const std::string& problem : audit.problems) ADD_FAILURE() << setting.name << ": " << problem;
    EXPECT_GT(audit.ends, 100);
  }
}

}  // namespace
}  // namespace saraban
