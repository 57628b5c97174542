// HarfBuzz shaping of words, with a cache: in a bulk run the same words
// recur thousands of times.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "saraban/text/font.h"

namespace saraban::text {

// One glyph as HarfBuzz placed it, in font units.
struct ShapedGlyph {
  uint32_t gid = 0;
  int32_t x_advance = 0;
  int32_t x_offset = 0;
  int32_t y_offset = 0;
  uint32_t cluster = 0;  // byte offset of the glyph's cluster in the word
};

// A shaped run of text (a "word": the text between two break opportunities).
struct ShapedWord {
  std::vector<ShapedGlyph> glyphs;
  int32_t width = 0;  // sum of advances, font units
};

// Shapes text in one font. Not thread-safe: one per thread.
class Shaper {
 public:
  explicit Shaper(std::shared_ptr<const Font> font);
  ~Shaper();
  Shaper(const Shaper&) = delete;
  Shaper& operator=(const Shaper&) = delete;

  // Shapes `text` (valid, normalised UTF-8) with script and language taken
  // from the text (Thai where it is Thai). The reference stays valid until
  // the shaper is destroyed or ClearCache() is called.
  const ShapedWord& Shape(std::string_view text);
  // Shapes without touching the cache (for tests and benchmarks).
  ShapedWord ShapeUncached(std::string_view text) const;

  const Font& font() const { return *font_; }
  const std::shared_ptr<const Font>& font_ptr() const { return font_; }
  size_t cache_size() const { return cache_.size(); }
  size_t cache_hits() const { return hits_; }
  void ClearCache();

 private:
  std::shared_ptr<const Font> font_;
  struct Hb;
  std::unique_ptr<Hb> hb_;  // reusable hb_buffer_t
  std::unordered_map<std::string, std::unique_ptr<ShapedWord>> cache_;
  size_t hits_ = 0;
};

}  // namespace saraban::text
