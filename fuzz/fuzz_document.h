// A document for the layout from fuzz input: paragraphs of normalised text
// (what model::ValidateReport lets through) in a page setup and styles
// taken from the input, and now and then a table. Shared by the layout and
// the PDF writer targets.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "saraban/layout/layout.h"
#include "saraban/text/normalize.h"

namespace saraban::fuzz {

// The most pages a fuzzed document may take: enough to page tables and
// repeat their headers, few enough to keep each input fast.
inline constexpr int kMaxPages = 8;

inline layout::TextStyle Style(FuzzedDataProvider& in) {
  layout::TextStyle s;
  s.font = in.ConsumeBool() ? layout::FontRole::kBold : layout::FontRole::kRegular;
  s.size = in.ConsumeIntegralInRange(4, 72);  // the template's bounds
  s.align = static_cast<layout::Align>(in.ConsumeIntegralInRange(0, 2));
  return s;
}

// Splits the normalised text into paragraphs at U+001F (not a character
// Normalize accepts, so only fuzz input makes it). Returns false when
// Normalize refuses the text (which is then not laid out).
inline bool Paragraphs(const std::string& raw, std::vector<std::string>* out) {
  size_t start = 0;
  while (true) {
    const size_t end = raw.find('\x1f', start);
    Result<std::string> text = text::Normalize(raw.substr(start, end - start));
    if (!text.ok()) return false;
    out->push_back(std::move(text).value());
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

// Builds the document; false when the text is not valid input for layout.
// Text comes from the front of the input, settings from its end
// (FuzzedDataProvider), so a plain text file is a useful seed.
inline bool BuildDocument(const uint8_t* data, size_t size, layout::DocumentLayout* doc) {
  FuzzedDataProvider in(data, size);
  layout::PageSetup& setup = doc->setup;
  setup.max_pages = kMaxPages;
  setup.width = in.ConsumeIntegralInRange(140, 1200);
  setup.height = in.ConsumeIntegralInRange(140, 1200);
  setup.margin_left = in.ConsumeIntegralInRange(0, 100);
  setup.margin_right = in.ConsumeIntegralInRange(0, 100);
  setup.margin_top = in.ConsumeIntegralInRange(0, 100);
  setup.margin_bottom = in.ConsumeIntegralInRange(0, 100);
  setup.line_spacing = in.ConsumeIntegralInRange(6, 39) / 10.0;
  if (in.ConsumeBool()) setup.page_number_format = "หน้า {page}/{pages}";
  setup.footer_style = Style(in);
  const layout::TextStyle style = Style(in);
  const double indent = in.ConsumeIntegralInRange(0, 60);
  const double first_line_indent = in.ConsumeIntegralInRange(0, 60);
  const bool keep_with_next = in.ConsumeBool();
  const int table_columns = in.ConsumeIntegralInRange(0, 4);  // 0: no table
  const double padding = in.ConsumeIntegralInRange(0, 12);
  const std::string marker = in.ConsumeBool() ? "๑." : "";

  std::vector<std::string> texts;
  if (!Paragraphs(in.ConsumeRemainingBytesAsString(), &texts)) return false;
  if (table_columns == 0) {
    for (std::string& t : texts) {
      layout::Paragraph p{std::move(t), style, marker, indent, first_line_indent};
      p.keep_with_next = keep_with_next;
      doc->blocks.push_back(std::move(p));
    }
    return true;
  }
  // A table: the first paragraphs are the header, the rest fill the rows.
  layout::Table table;
  const double width = setup.width - setup.margin_left - setup.margin_right;
  table.column_widths.assign(table_columns, width / table_columns);
  table.padding = padding;
  table.continuation_mark = "(ต่อ)";
  for (size_t i = 0; i < texts.size(); ++i) {
    layout::Cell cell;
    cell.paragraphs.push_back(layout::Paragraph{std::move(texts[i]), style});
    if (i < static_cast<size_t>(table_columns)) {
      table.header.push_back(std::move(cell));
      continue;
    }
    if (table.rows.empty() || table.rows.back().size() == static_cast<size_t>(table_columns)) {
      table.rows.emplace_back();
    }
    table.rows.back().push_back(std::move(cell));
  }
  table.header.resize(table_columns);
  if (!table.rows.empty()) table.rows.back().resize(table_columns);
  doc->blocks.push_back(std::move(table));
  return true;
}

}  // namespace saraban::fuzz
