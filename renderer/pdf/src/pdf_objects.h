// The finished pieces of a PDF file, prepared without libharu: content
// streams, embedded fonts, metadata. hpdf_backend turns them into objects and
// bytes; nothing here depends on libharu.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace saraban::pdf {

// A run of consecutive CIDs and their widths, one /W entry: first [w...].
struct WidthRange {
  uint32_t first = 0;
  std::vector<int32_t> widths;  // 1/1000 em
};

// One embedded font: a Type0 font over a CIDFontType2 with Identity CIDs.
struct FontObjects {
  std::string resource_name;  // "F1": the name content streams use
  std::string base_font;      // "ABCDEF+Laksaman": subset tag + PostScript name
  std::string font_file;      // the subset TrueType program (FontFile2)
  std::string cid_set;        // one bit per CID present, high bit first
  std::string to_unicode;     // the ToUnicode CMap program
  std::vector<WidthRange> widths;
  // FontDescriptor values, in 1/1000 em.
  int32_t flags = 4;  // symbolic: glyphs outside the standard Latin set
  std::array<int32_t, 4> bbox = {0, 0, 0, 0};
  int32_t italic_angle = 0;
  int32_t ascent = 0;
  int32_t descent = 0;
  int32_t cap_height = 0;
  int32_t stem_v = 80;
};

struct PageObjects {
  double width = 0;
  double height = 0;
  std::string content;             // the page's content stream
  std::vector<int> fonts;          // indexes into DocumentObjects::fonts it uses
};

// Document information, the same values in /Info and in the XMP packet.
struct InfoObjects {
  std::string title, author, subject, keywords, creator, producer;  // UTF-8
  std::string pdf_date;  // "D:20240930120000+07'00'" or empty
};

struct DocumentObjects {
  std::vector<FontObjects> fonts;
  std::vector<PageObjects> pages;
  InfoObjects info;
  std::string xmp;          // the XMP metadata packet (UTF-8)
  std::string language;     // catalog /Lang, e.g. "th-TH"; empty: none
  std::string icc_profile;  // sRGB ICC profile bytes for the output intent
  std::array<uint8_t, 16> file_id = {};  // trailer /ID, both elements
};

}  // namespace saraban::pdf
