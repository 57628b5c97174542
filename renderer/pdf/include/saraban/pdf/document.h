// A document to write as PDF: its metadata, its fonts and its pages (the
// display list of saraban/page/page.h). This is the only thing the PDF
// writer knows: no reports, no Thai rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "saraban/page/page.h"
#include "saraban/text/font.h"

namespace saraban::pdf {

// The writer consumes the display list of saraban/page/page.h.
using page::Fill;
using page::Glyph;
using page::GlyphRun;
using page::Page;
using page::Rule;

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
