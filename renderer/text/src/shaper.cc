#include "saraban/text/shaper.h"

#include <hb.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace saraban::text {
namespace {

bool IsNeutral(hb_script_t script) {
  return script == HB_SCRIPT_COMMON || script == HB_SCRIPT_INHERITED || script == HB_SCRIPT_UNKNOWN;
}

// The script of the next run in `text` starting at `begin`, and where the run
// ends. Spaces, digits, punctuation and combining marks of no script (such as
// U+0331 under ง) join the run they are in, so a run changes only where a
// letter of another script begins.
hb_script_t NextRun(hb_unicode_funcs_t* unicode, std::string_view text, size_t begin, size_t& end) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  hb_script_t run = HB_SCRIPT_COMMON;
  int32_t i = static_cast<int32_t>(begin);
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT_OR_FFFD(s, i, n, c);
    hb_script_t script = HB_SCRIPT_LATIN;
    // ASCII letters are by far the most common non-Thai characters.
    if (c >= 0x80 || !((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
      script = c >= 0x0E00 && c <= 0x0E7F
                   ? HB_SCRIPT_THAI
                   : hb_unicode_script(unicode, static_cast<hb_codepoint_t>(c));
    }
    if (IsNeutral(script)) continue;
    if (IsNeutral(run)) {
      run = script;
    } else if (script != run) {
      end = static_cast<size_t>(start);
      return run;
    }
  }
  end = text.size();
  return run;
}

}  // namespace

struct Shaper::Hb {
  Hb() : buffer(hb_buffer_create()), unicode(hb_unicode_funcs_get_default()) {}
  ~Hb() { hb_buffer_destroy(buffer); }
  hb_buffer_t* buffer;
  hb_unicode_funcs_t* unicode;
  // The document language: fixed rather than taken from the process locale,
  // so that the output (and the PDF) does not depend on the environment.
  hb_language_t thai = hb_language_from_string("th", -1);
  std::string key;  // scratch for cache look-ups, keeps its capacity
};

Shaper::Shaper(std::shared_ptr<const Font> font)
    : font_(std::move(font)), hb_(std::make_unique<Hb>()) {}

Shaper::~Shaper() = default;

const ShapedWord& Shaper::Shape(std::string_view text) {
  hb_->key.assign(text);
  if (auto it = cache_.find(hb_->key); it != cache_.end()) {
    ++hits_;
    return *it->second;
  }
  auto word = std::make_unique<ShapedWord>(ShapeUncached(text));
  return *cache_.emplace(hb_->key, std::move(word)).first->second;
}

ShapedWord Shaper::ShapeUncached(std::string_view text) const {
  ShapedWord word;
  hb_buffer_t* buffer = hb_->buffer;
  const auto length = static_cast<int>(text.size());
  for (size_t begin = 0; begin < text.size();) {
    size_t end = begin;
    hb_script_t script = NextRun(hb_->unicode, text, begin, end);
    if (IsNeutral(script)) script = HB_SCRIPT_THAI;  // digits and punctuation in a Thai report
    hb_buffer_clear_contents(buffer);
    // The whole text goes in as context; the clusters are then byte offsets
    // into the whole text, not into the run.
    hb_buffer_add_utf8(buffer, text.data(), length, static_cast<unsigned>(begin),
                       static_cast<int>(end - begin));
    hb_buffer_set_script(buffer, script);
    hb_buffer_set_language(buffer, hb_->thai);
    hb_buffer_guess_segment_properties(buffer);
    hb_shape(font_->hb_font(), buffer, nullptr, 0);

    unsigned count = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &count);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &count);
    word.glyphs.reserve(word.glyphs.size() + count);
    for (unsigned g = 0; g < count; ++g) {
      word.glyphs.push_back(
          {info[g].codepoint, pos[g].x_advance, pos[g].x_offset, pos[g].y_offset, info[g].cluster});
      word.width += pos[g].x_advance;
    }
    begin = end;
  }
  return word;
}

// The hit count covers the shaper's lifetime; only the words go.
void Shaper::ClearCache() { cache_.clear(); }

}  // namespace saraban::text
