// Private to the layout module: the typesetter's state and the stage
// functions shared by paragraph.cc, table.cc and paginate.cc.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "saraban/layout/layout.h"
#include "saraban/text/line_breaker.h"
#include "saraban/text/shaper.h"

namespace saraban::layout {

// One laid-out line, positioned relative to the top-left of its box: runs'
// x are from the box's left edge and y is 0 on the baseline.
struct LineBox {
  double height = 0;   // advance to the next line
  double ascent = 0;   // from the top of the line to its baseline
  double width = 0;    // ink advance of the widest run end, pt
  std::vector<page::GlyphRun> runs;
};

// A laid-out table cell or paragraph sequence.
struct LinesBlock {
  std::vector<LineBox> lines;
  double Height() const {
    double h = 0;
    for (const auto& l : lines) h += l.height;
    return h;
  }
};

struct Typesetter::Impl {
  explicit Impl(FontSet fonts);

  const text::Font& FontFor(FontRole role) const;
  text::Shaper& ShaperFor(FontRole role);
  double Scaled(const TextStyle& style) const;
  double LineHeight(const TextStyle& style) const;  // with line spacing
  double Ascent(const TextStyle& style) const;

  // Stage: break one paragraph into lines no wider than `width` (pt).
  std::vector<LineBox> BreakParagraph(const Paragraph& p, double width);
  // Lines of several paragraphs stacked (a cell).
  LinesBlock BreakParagraphs(const std::vector<Paragraph>& ps, double width);
  // One line of text, unbroken (footers, markers).
  page::GlyphRun ShapeLine(std::string_view text, const TextStyle& style, double* width);

  // Records the first problem found while breaking lines (a missing glyph,
  // no room for text); Layout() returns it.
  void Fail(Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

  FontSet fonts_;
  text::Shaper regular_;
  text::Shaper bold_;
  text::LineBreaker breaker_;
  double line_spacing_ = 1.0;
  Status error_;
};

// Moves every run of `line` to absolute page coordinates: `left` and `top`
// are measured from the page's left and top edges.
void PlaceLine(const LineBox& line, double left, double top, page::Page* page);

// Stage: blocks onto pages. Tracks the page being filled and the vertical
// position, measured downwards from the top edge of the page.
class Flow {
 public:
  Flow(Typesetter::Impl& ts, const PageSetup& setup);

  double left() const { return setup_.margin_left; }
  double content_width() const {
    return setup_.width - setup_.margin_left - setup_.margin_right;
  }
  double y() const { return y_; }
  void Advance(double dy) { y_ += dy; }
  double Remaining() const { return setup_.height - setup_.margin_bottom - y_; }
  bool PageEmpty() const { return y_ <= setup_.margin_top + 1e-6; }
  double PrintableHeight() const {
    return setup_.height - setup_.margin_top - setup_.margin_bottom;
  }
  page::Page& page() { return pages_.back(); }
  // Starts a page; past setup.max_pages it records ResourceExhausted in the
  // typesetter and keeps drawing on the last page, so callers need no checks.
  void NewPage();
  Typesetter::Impl& ts() { return ts_; }
  std::vector<page::Page> TakePages() { return std::move(pages_); }

  // Places `line` at the current position (left + x) and advances past it.
  void PutLine(const LineBox& line, double x = 0);
  void Rule(double x1, double y1_top, double x2, double y2_top, double width, bool dotted = false);

 private:
  Typesetter::Impl& ts_;
  const PageSetup& setup_;
  std::vector<page::Page> pages_;
  double y_ = 0;
};

// Stage: one table, header repeated on every page it spans, rows split
// between pages where they must. `keep_after` is the height of what keeps
// with the table's end (a sign-off): when it must go to the next page, the
// last row's tail goes there with it.
Status LayOutTable(const Table& table, double keep_after, Flow* flow);

}  // namespace saraban::layout
