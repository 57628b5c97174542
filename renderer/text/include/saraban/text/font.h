// A loaded font face: the bytes (for embedding) and the HarfBuzz objects
// (for shaping and metrics). Immutable after loading; share it freely.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>

#include "saraban/status.h"

struct hb_blob_t;
struct hb_face_t;
struct hb_font_t;

namespace saraban::text {

// The largest font file Font::Load reads; the Thai fonts in use are well
// under 1 MiB, and the whole file is kept in memory for embedding.
inline constexpr std::uintmax_t kMaxFontFileBytes = 64u * 1024 * 1024;

class Font {
 public:
  // Loads a TrueType font (glyf outlines; CFF .otf is rejected because the
  // PDF writer embeds FontFile2). NotFound when `path` does not exist or
  // cannot be read; InvalidArgument when it is not a regular file (a
  // directory, a device), is larger than kMaxFontFileBytes or is no font.
  static Result<std::shared_ptr<const Font>> Load(const std::string& path);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  const std::string& path() const { return path_; }
  const std::string& bytes() const { return bytes_; }  // the whole file
  std::string family_name() const;                     // name ID 1
  std::string postscript_name() const;                 // name ID 6
  int units_per_em() const { return upem_; }
  int ascender() const { return ascender_; }    // font units, > 0
  int descender() const { return descender_; }  // font units, < 0
  int line_gap() const { return line_gap_; }
  int cap_height() const { return cap_height_; }
  // bbox of the font in font units: xMin, yMin, xMax, yMax.
  const int* bbox() const { return bbox_; }
  int glyph_count() const { return glyph_count_; }
  int32_t glyph_advance(uint32_t gid) const;  // font units
  // Whether the font's cmap maps `cp` to a glyph (else it prints as a box).
  bool HasGlyph(char32_t cp) const;
  // Multiplier from TH Sarabun points to this font's points: TH Sarabun New
  // 1.0, Laksaman 0.66 (as Debian's fontconfig scales it), else 1.0.
  double th_sarabun_scale() const { return th_sarabun_scale_; }

  hb_font_t* hb_font() const { return font_; }  // for shaping; do not modify
  hb_face_t* hb_face() const { return face_; }

 private:
  Font() = default;
  std::string path_;
  std::string bytes_;
  hb_blob_t* blob_ = nullptr;
  hb_face_t* face_ = nullptr;
  hb_font_t* font_ = nullptr;
  int upem_ = 1000;
  int ascender_ = 0;
  int descender_ = 0;
  int line_gap_ = 0;
  int cap_height_ = 0;
  int bbox_[4] = {0, 0, 0, 0};
  int glyph_count_ = 0;
  double th_sarabun_scale_ = 1.0;
  // HasGlyph's answers for U+0000..U+0FFF (Latin, Thai), read once.
  std::bitset<0x1000> covered_;
};

}  // namespace saraban::text
