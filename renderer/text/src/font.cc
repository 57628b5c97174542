#include "saraban/text/font.h"

#include <hb-ot.h>
#include <hb.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "saraban/files.h"

namespace saraban::text {
namespace {

std::string NameEntry(hb_face_t* face, hb_ot_name_id_t id) {
  unsigned int len = 256;
  char buf[256];
  hb_ot_name_get_utf8(face, id, hb_language_from_string("en", -1), &len, buf);
  return std::string(buf, len);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Debian's fontconfig draws "TH Sarabun*" with Laksaman at 0.66
// (89-tlwg-laksaman-synthetic.conf): Laksaman's glyphs are that much larger
// per em than TH Sarabun New's.
double ThSarabunScaleFor(const std::string& family) {
  const std::string f = Lower(family);
  if (f.find("laksaman") != std::string::npos) return 0.66;
  return 1.0;
}

// The whole file, if it is a regular file of at most kMaxFontFileBytes: a
// device such as /dev/zero would otherwise be read forever.
Result<std::string> ReadFontFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    return Status(StatusCode::kNotFound, "no such font file: " + path);
  }
  if (!std::filesystem::is_regular_file(st)) {
    return InvalidArgument("font file " + path + " is not a regular file");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxFontFileBytes) {
    return InvalidArgument("font file " + path + " is " + std::to_string(size) +
                           " bytes; the limit is " + std::to_string(kMaxFontFileBytes) +
                           " bytes (64 MiB)");
  }
  return ReadFileAtMost(path, kMaxFontFileBytes);
}

}  // namespace

Result<std::shared_ptr<const Font>> Font::Load(const std::string& path) {
  Result<std::string> bytes = ReadFontFile(path);
  if (!bytes.ok()) return bytes.status();
  std::shared_ptr<Font> font(new Font());
  font->path_ = path;
  font->bytes_ = std::move(bytes).value();
  if (font->bytes_.size() < 12) return InvalidArgument("not a font file: " + path);

  font->blob_ = hb_blob_create(font->bytes_.data(), static_cast<unsigned>(font->bytes_.size()),
                               HB_MEMORY_MODE_READONLY, nullptr, nullptr);
  font->face_ = hb_face_create(font->blob_, 0);
  font->glyph_count_ = static_cast<int>(hb_face_get_glyph_count(font->face_));
  if (font->glyph_count_ == 0) return InvalidArgument("not a font file: " + path);
  hb_blob_t* glyf = hb_face_reference_table(font->face_, HB_TAG('g', 'l', 'y', 'f'));
  const bool has_glyf = hb_blob_get_length(glyf) > 0;
  hb_blob_destroy(glyf);
  if (!has_glyf) {
    return InvalidArgument("font has no TrueType outlines (glyf table); use the .ttf build: " +
                           path);
  }
  font->upem_ = static_cast<int>(hb_face_get_upem(font->face_));
  font->font_ = hb_font_create(font->face_);
  // Positions come out in font units; the layout scales them.
  hb_font_set_scale(font->font_, font->upem_, font->upem_);

  hb_font_extents_t ext;
  hb_font_get_h_extents(font->font_, &ext);
  font->ascender_ = ext.ascender;
  font->descender_ = ext.descender;
  font->line_gap_ = ext.line_gap;
  hb_position_t cap = 0;
  if (!hb_ot_metrics_get_position(font->font_, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap) || cap <= 0) {
    cap = font->ascender_ * 7 / 10;
  }
  font->cap_height_ = cap;

  // Font bounding box from the 'head' table (xMin yMin xMax yMax at 36..43).
  hb_blob_t* head = hb_face_reference_table(font->face_, HB_TAG('h', 'e', 'a', 'd'));
  unsigned int head_len = 0;
  const auto* h = reinterpret_cast<const unsigned char*>(hb_blob_get_data(head, &head_len));
  if (head_len >= 44) {
    for (int i = 0; i < 4; ++i) {
      font->bbox_[i] = static_cast<int16_t>((h[36 + 2 * i] << 8) | h[37 + 2 * i]);
    }
  }
  hb_blob_destroy(head);

  font->th_sarabun_scale_ = ThSarabunScaleFor(font->family_name());
  for (char32_t cp = 0; cp < font->covered_.size(); ++cp) {
    hb_codepoint_t glyph = 0;
    font->covered_[cp] = hb_font_get_nominal_glyph(font->font_, cp, &glyph) != 0;
  }
  return std::shared_ptr<const Font>(std::move(font));
}

Font::~Font() {
  if (font_) hb_font_destroy(font_);
  if (face_) hb_face_destroy(face_);
  if (blob_) hb_blob_destroy(blob_);
}

std::string Font::family_name() const { return NameEntry(face_, HB_OT_NAME_ID_FONT_FAMILY); }
std::string Font::postscript_name() const {
  return NameEntry(face_, HB_OT_NAME_ID_POSTSCRIPT_NAME);
}

int32_t Font::glyph_advance(uint32_t gid) const {
  return hb_font_get_glyph_h_advance(font_, gid);
}

bool Font::HasGlyph(char32_t cp) const {
  if (cp < covered_.size()) return covered_[cp];
  hb_codepoint_t glyph = 0;
  return hb_font_get_nominal_glyph(font_, cp, &glyph) != 0;
}

}  // namespace saraban::text
