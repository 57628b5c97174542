// The PDF writer: pdf::WritePdf, to bytes in memory. Half the inputs are
// laid out first (layout::Typesetter, as a render does) with the metadata
// taken from the text; the other half are pdf::Document values made
// directly from the input with any glyph, coordinate, size and string,
// which WritePdf must either refuse (its checks in pdf/src/validate.cc) or
// write. Every PDF written is complete, and the same document gives the
// same bytes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_check.h"
#include "fuzz_document.h"
#include "fuzz_fonts.h"
#include "saraban/pdf/writer.h"

namespace {

using namespace saraban;

// A double that is usually ordinary and now and then extreme.
double Number(FuzzedDataProvider& in, double typical) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return in.ConsumeFloatingPoint<double>();
    case 1: return std::numeric_limits<double>::quiet_NaN();
    case 2: return -typical;
    default: return in.ConsumeFloatingPointInRange<double>(0, typical);
  }
}

int32_t Units(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegral<int32_t>() : in.ConsumeIntegralInRange(-2000, 2000);
}

// A document made field by field from the input.
pdf::Document RawDocument(FuzzedDataProvider& in) {
  pdf::Document doc;
  doc.fonts = {fuzz::Fonts().regular, fuzz::Fonts().bold};
  doc.metadata.title = in.ConsumeRandomLengthString(200);
  doc.metadata.author = in.ConsumeRandomLengthString(40);
  if (in.ConsumeBool()) doc.metadata.language = in.ConsumeRandomLengthString(40);
  if (in.ConsumeBool()) doc.metadata.creation_date = "2026-11-29T08:00:00+07:00";
  const int glyphs = fuzz::Fonts().regular->glyph_count();
  for (int p = in.ConsumeIntegralInRange(0, 3); p > 0 && in.remaining_bytes() > 0; --p) {
    pdf::Page page;
    if (in.ConsumeBool()) {
      page.width = Number(in, 2000);
      page.height = Number(in, 2000);
    }
    for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
      page.fills.push_back({Number(in, 800), Number(in, 800), Number(in, 800), Number(in, 800),
                            Number(in, 1)});
    }
    for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
      page.rules.push_back({Number(in, 800), Number(in, 800), Number(in, 800), Number(in, 800),
                            Number(in, 3), in.ConsumeBool()});
    }
    for (int r = in.ConsumeIntegralInRange(0, 6); r > 0 && in.remaining_bytes() > 0; --r) {
      pdf::GlyphRun run;
      run.font = in.ConsumeIntegralInRange(-1, 2);
      run.size = Number(in, 40);
      run.x = Number(in, 800);
      run.y = Number(in, 800);
      run.text = in.ConsumeRandomLengthString(100);
      for (int g = in.ConsumeIntegralInRange(0, 40); g > 0; --g) {
        pdf::Glyph glyph;
        glyph.gid = in.ConsumeBool() ? in.ConsumeIntegralInRange(0, glyphs - 1)
                                     : in.ConsumeIntegral<uint32_t>();
        glyph.x_advance = Units(in);
        glyph.x_offset = Units(in);
        glyph.y_offset = Units(in);
        glyph.cluster = in.ConsumeIntegralInRange<uint32_t>(0, run.text.size() + 1);
        run.glyphs.push_back(glyph);
      }
      page.runs.push_back(std::move(run));
    }
    doc.pages.push_back(std::move(page));
  }
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16 * 1024) return -1;
  static layout::Typesetter* typesetter = new layout::Typesetter(fuzz::Fonts());
  pdf::WriteOptions options;
  options.compress = (data[0] & 2) != 0;

  pdf::Document doc;
  if ((data[0] & 1) == 0) {
    layout::DocumentLayout layout;
    if (!fuzz::BuildDocument(data + 1, size - 1, &layout)) return 0;
    Result<std::vector<pdf::Page>> pages = typesetter->Layout(layout);
    if (!pages.ok()) return 0;
    doc.pages = std::move(pages).value();
    doc.fonts = typesetter->fonts();
    const auto& first = layout.blocks.front();
    if (const auto* p = std::get_if<layout::Paragraph>(&first)) doc.metadata.title = p->text;
  } else {
    FuzzedDataProvider in(data + 1, size - 1);
    doc = RawDocument(in);
  }

  Result<std::string> pdf = pdf::WritePdf(doc, options);
  if (!pdf.ok()) {
    SARABAN_FUZZ_CHECK(pdf.status().code() == StatusCode::kInvalidArgument,
                       pdf.status().ToString().c_str());
    return 0;
  }
  const std::string& bytes = *pdf;
  SARABAN_FUZZ_CHECK(bytes.rfind("%PDF-1.", 0) == 0, "a PDF starts with its header");
  SARABAN_FUZZ_CHECK(bytes.find("%%EOF", bytes.size() - 8) != std::string::npos, "a PDF ends with %%EOF");
  Result<std::string> again = pdf::WritePdf(doc, options);
  SARABAN_FUZZ_CHECK(again.ok() && *again == bytes, "the same document gives the same bytes");
  return 0;
}
