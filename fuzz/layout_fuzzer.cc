// Shaping and layout of arbitrary text: layout::Typesetter::Layout (line
// breaking with text::LineBreaker, HarfBuzz shaping with text::Shaper,
// tables, pagination) with Laksaman, the renderer's default font, on a page
// and styles from the input. The result is an error or pages whose lines
// stay inside the page's margins and give back the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "fuzz_document.h"
#include "fuzz_fonts.h"
#include "saraban/testing/shown_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saraban;
  if (size > 16 * 1024) return -1;
  layout::DocumentLayout doc;
  if (!fuzz::BuildDocument(data, size, &doc)) return 0;
  static layout::Typesetter* typesetter = new layout::Typesetter(fuzz::Fonts());

  Result<std::vector<page::Page>> pages = typesetter->Layout(doc);
  if (!pages.ok()) {
    const StatusCode code = pages.status().code();
    SARABAN_FUZZ_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kResourceExhausted,
                       pages.status().ToString().c_str());
    return 0;
  }
  SARABAN_FUZZ_CHECK(!pages->empty() && pages->size() <= fuzz::kMaxPages, "page count in bounds");

  const double right = doc.setup.width - doc.setup.margin_right;
  std::string shown;
  for (const page::Page& page : *pages) {
    for (const page::GlyphRun& run : page.runs) {
      double advance = 0;
      for (const page::Glyph& g : run.glyphs) advance += g.x_advance;
      const double units = typesetter->fonts()[run.font]->units_per_em();
      SARABAN_FUZZ_CHECK(run.x + advance * run.size / units <= right + 0.01,
                         "a line ends inside the right margin");
      shown += run.text;
    }
  }
  // Only plain paragraphs without page numbers show each character once.
  const bool plain = doc.setup.page_number_format.empty() &&
                     std::holds_alternative<layout::Paragraph>(doc.blocks.front());
  if (plain) {
    std::string expected;
    for (const layout::Block& b : doc.blocks) {
      const auto& p = std::get<layout::Paragraph>(b);
      expected += p.marker + p.text;
    }
    SARABAN_FUZZ_CHECK(testing::WithoutSpaces(shown) == testing::WithoutSpaces(expected), "every character is shown once");
  }
  return 0;
}
