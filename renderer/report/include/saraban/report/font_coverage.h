// Whether the fonts can print every character of a report: the check
// `saraban validate` and the render pipeline share, so that an emoji or an
// Arabic letter is reported with its JSON path before anything is laid out.
#pragma once

#include <vector>

#include "saraban/status.h"
#include "saraban/text/font.h"
#include "saraban/v1/report.pb.h"

namespace saraban::report {

// One InvalidArgument per string field of `report` that holds a character
// `regular` or `bold` has no glyph for (it would print as a box), naming the
// field by its JSON path ("measures[2].title") and the character
// ("U+1F600"). Line feeds need no glyph. Call on a validated, normalised
// report (well-formed UTF-8).
std::vector<Status> CheckFontCoverage(const v1::Report& report, const text::Font& regular,
                                      const text::Font& bold);

}  // namespace saraban::report
