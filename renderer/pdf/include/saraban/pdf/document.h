// Laid-out pages, ready to be written as PDF. This is the only thing the PDF
// writer knows: positioned glyphs and rules, no reports, no Thai rules.
// Coordinates are PDF points with the origin at the bottom-left of the page.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "saraban/text/font.h"

namespace saraban::pdf {

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
  int font = 0;          // index into Document::fonts
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

// Document metadata; every string is UTF-8 and may be Thai.
struct Metadata {
  std::string title;
  std::string author;
  std::string subject;
  std::string keywords;
  std::string creator = "saraban";
  std::string language = "th-TH";
  // Creation date as "YYYY-MM-DDTHH:MM:SS+07:00", supplied by the caller so
  // that output is deterministic. Empty: no date is written.
  std::string creation_date;
};

struct Document {
  Metadata metadata;
  std::vector<std::shared_ptr<const text::Font>> fonts;
  std::vector<Page> pages;
};

}  // namespace saraban::pdf
