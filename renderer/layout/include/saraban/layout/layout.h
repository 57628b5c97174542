// Layout: blocks of text and tables in, positioned pages out.
//
// Pure: strings, fonts and sizes in, page::Page values out; no report types,
// no libharu. The stages are visible in Typesetter::Layout():
// break paragraphs into lines (text::LineBreaker + text::Shaper), lay out
// table rows, flow blocks onto pages, then number the pages.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <cstddef>
#include <vector>

#include "saraban/page/page.h"
#include "saraban/status.h"
#include "saraban/text/font.h"

namespace saraban::layout {

enum class FontRole { kRegular = 0, kBold = 1 };
// How a paragraph's lines sit between its margins. The justified kinds
// leave the last line of a paragraph (and a line ended by '\n') ragged.
enum class Align {
  kLeft,
  kCenter,
  kRight,
  kJustify,          // slack spread over the spaces of the line
  kThaiDistributed,  // slack spread over every grapheme-cluster boundary (Word's "Thai Distributed")
};

struct TextStyle {
  FontRole font = FontRole::kRegular;
  double size = 16;  // TH Sarabun points; scaled by the font's th_sarabun_scale()
  Align align = Align::kLeft;
};

// A stretch of a paragraph that a line should not end inside: a name the
// dictionaries do not know (they cut it into syllables), a place.
struct KeepSpan {
  size_t begin = 0, end = 0;  // byte offsets into Paragraph::text
  // Never broken but between grapheme clusters of a word wider than the
  // line (a person's given name or surname); otherwise broken only as a
  // lexicon compound is, where no line can hold it (an agency, a unit).
  bool strict = false;
};

// A paragraph: one style, wrapped at Thai word boundaries. '\n' forces a
// line break.
struct Paragraph {
  std::string text;  // valid, normalised UTF-8
  TextStyle style;
  std::string marker;              // list marker ("๑." or "-") hung left of the text
  double indent = 0;               // left indent of every line, pt
  double first_line_indent = 0;    // extra indent of the first line, pt
  double space_before = 0;         // pt
  bool keep_with_next = false;     // never the last thing on a page
  std::vector<KeepSpan> keeps;     // what the text says is one name
};

// A table cell: paragraphs stacked top to bottom.
struct Cell {
  std::vector<Paragraph> paragraphs;
};

// A table whose header row repeats on every page it spans.
struct Table {
  std::vector<double> column_widths;  // pt; their sum is the table width
  std::vector<Cell> header;
  std::vector<std::vector<Cell>> rows;
  double padding = 4;                  // inside each cell, pt
  double header_gray = 0.88;           // header fill, 0 black .. 1 white
  std::string continuation_mark;       // shown above the table on later pages
  TextStyle continuation_style;
  double space_before = 0;
};

// A text with a dotted signature line to its right, kept on one page.
struct SignatureLine {
  Paragraph text;
  double line_width = 150;  // pt
  // On the page of the next signature line: a chain of them (a sign-off)
  // moves to a new page whole rather than split.
  bool keep_with_next = false;
};

// Vertical space.
struct Spacer {
  double height = 0;
};

using Block = std::variant<Paragraph, Table, SignatureLine, Spacer>;

struct PageSetup {
  double width = 841.89;  // A4 landscape, pt
  double height = 595.28;
  double margin_top = 42.5;
  double margin_bottom = 42.5;
  double margin_left = 42.5;
  double margin_right = 42.5;
  double line_spacing = 1.0;  // multiple of the font's line height
  // Footer text with {page} and {pages}, digits written in Thai; empty for none.
  std::string page_number_format;
  TextStyle footer_style;
  // A document that needs more pages than this fails (ResourceExhausted)
  // instead of filling memory and disk.
  int max_pages = 1000;
};

struct DocumentLayout {
  PageSetup setup;
  std::vector<Block> blocks;
};

// The fonts a document uses, by role.
struct FontSet {
  std::shared_ptr<const text::Font> regular;
  std::shared_ptr<const text::Font> bold;
};

// Lays out documents. Holds the shaping caches and the ICU break iterator,
// so keep one per thread and reuse it: a bulk run lays out thousands of
// reports with the same words.
class Typesetter {
 public:
  explicit Typesetter(FontSet fonts);
  ~Typesetter();
  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  // Lays out `doc`. The returned pages reference fonts by index: 0 regular,
  // 1 bold (see fonts()). Fails with InvalidArgument when the page leaves no
  // room, a table's columns or header do not fit the page, an indent leaves
  // no room for text, or a character is not in the font (it would print as
  // a box); with ResourceExhausted past setup.max_pages.
  Result<std::vector<page::Page>> Layout(const DocumentLayout& doc);

  // The fonts in the order page::GlyphRun::font refers to them.
  std::vector<std::shared_ptr<const text::Font>> fonts() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace saraban::layout
