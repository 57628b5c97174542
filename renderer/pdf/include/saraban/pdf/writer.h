// Writes laid-out pages as a PDF/A-1b file with libharu. All libharu
// internals live in this module's src/ and nowhere else.
#pragma once

#include <string>

#include "saraban/pdf/document.h"
#include "saraban/status.h"

namespace saraban::pdf {

struct WriteOptions {
  bool compress = true;  // Flate-compress content streams and fonts
  // sRGB ICC profile for the PDF/A output intent.
  std::string icc_profile_path = "/usr/share/color/icc/sRGB.icc";
};

// Returns the bytes of the PDF. The same Document gives the same bytes:
// the file ID is derived from the content, no clock or random value is used.
// Fonts are embedded as subsets (only the glyphs the pages use) as Type0 /
// Identity-H CIDFontType2, with /W, a ToUnicode CMap, /CIDSet and
// /CapHeight; each run is wrapped in an ActualText span.
Result<std::string> WritePdf(const Document& doc, const WriteOptions& options = {});

}  // namespace saraban::pdf
