// The display list: laid-out pages as positioned glyphs, rules and fills.
// The layout produces it and the PDF writer consumes it (as Typst's PDF
// exporter consumes frames), so neither depends on the other. No reports,
// no Thai rules, no PDF. Coordinates are PDF points with the origin at the
// bottom-left of the page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace saraban::page {

// One glyph of a run, in font units relative to the pen position.
struct Glyph {
  uint32_t gid = 0;
  int32_t x_advance = 0;
  int32_t x_offset = 0;
  int32_t y_offset = 0;
  uint32_t cluster = 0;  // byte offset into GlyphRun::text of its cluster
};

// A line (or a piece of a line) of text in one font and size.
struct GlyphRun {
  int font = 0;          // index into the document's fonts (pdf::Document::fonts)
  double size = 0;       // font size in points (already scaled)
  double x = 0, y = 0;   // pen start on the baseline
  std::vector<Glyph> glyphs;
  // The exact text these glyphs show (UTF-8), written as ActualText so that
  // copy and pdftotext give it back. Clusters index into it.
  std::string text;
};

// A straight line, e.g. a table rule or a signature line.
struct Rule {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width = 0.5;
  bool dotted = false;
};

// A filled rectangle, e.g. the table header background.
struct Fill {
  double x = 0, y = 0, w = 0, h = 0;
  double gray = 0.9;  // 0 black .. 1 white
};

struct Page {
  double width = 841.89;   // A4 landscape
  double height = 595.28;
  std::vector<Fill> fills;  // drawn first
  std::vector<Rule> rules;
  std::vector<GlyphRun> runs;
};

}  // namespace saraban::page
