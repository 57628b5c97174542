// Embedding of the glyphs a document uses: the record kept while content
// streams are written (FontUsage) and the font objects made from it at the
// end (EmbedFont): hb-subset program, /W, ToUnicode, /CIDSet, subset tag.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pdf_objects.h"
#include "saraban/status.h"
#include "saraban/text/font.h"

namespace saraban::pdf {

// What the pages use of one font. Glyph IDs are CIDs (Identity mapping).
class FontUsage {
 public:
  explicit FontUsage(const text::Font& font);

  const text::Font& font() const { return *font_; }
  bool empty() const { return used_count_ == 0; }
  // Multiplier from font units to 1/1000 em.
  double scale() const { return scale_; }

  // Marks `gid` used and returns its /W width in 1/1000 em. The caller has
  // checked gid < glyph_count.
  int32_t Use(uint32_t gid) {
    int32_t& w = width_[gid];
    if (w == kUnused) w = MeasureWidth(gid);
    return w;
  }
  bool HasText(uint32_t gid) const { return text_[gid].second != 0; }
  // Records the text `gid` stands for, unless it already has one: the first
  // mapping seen wins.
  void SetText(uint32_t gid, std::string_view utf8);
  // The font's own glyph for code point `cp` (cmap), or 0.
  uint32_t NominalGlyph(uint32_t cp) const;

  // The used glyph IDs in ascending order.
  std::vector<uint32_t> UsedGlyphs() const;
  int32_t width(uint32_t gid) const { return width_[gid]; }
  std::string_view text(uint32_t gid) const {
    return std::string_view(text_pool_).substr(text_[gid].first, text_[gid].second);
  }

 private:
  static constexpr int32_t kUnused = std::numeric_limits<int32_t>::min();
  int32_t MeasureWidth(uint32_t gid);

  const text::Font* font_;
  double scale_;
  std::vector<int32_t> width_;                      // per gid; kUnused if unused
  std::vector<std::pair<uint32_t, uint32_t>> text_;  // per gid: offset, length
  std::string text_pool_;
  size_t used_count_ = 0;
};

// Builds the Type0 font objects for the glyphs `usage` recorded.
Result<FontObjects> EmbedFont(const FontUsage& usage, std::string resource_name);

}  // namespace saraban::pdf
