// The fonts the renderer uses by default (report::RenderOptions), loaded
// once per fuzz process.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "saraban/layout/layout.h"
#include "saraban/text/font.h"

namespace saraban::fuzz {

inline const layout::FontSet& Fonts() {
  static const layout::FontSet fonts = [] {
    auto regular = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
    auto bold = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
    if (!regular.ok() || !bold.ok()) {
      std::fprintf(stderr, "fuzz: Laksaman is missing (apt-get install fonts-tlwg-laksaman-ttf)\n");
      std::abort();
    }
    return layout::FontSet{*regular, *bold};
  }();
  return fonts;
}

}  // namespace saraban::fuzz
