#include "validate.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "pdf_format.h"
#include "saraban/text/normalize.h"

namespace saraban::pdf {
namespace {

// PDF/A-1 (ISO 19005-1, 6.1.12) limits real numbers to +-32767.
constexpr double kMaxCoordinate = 32767;
// Page sizes libharu accepts (and PDF 1.4 implementations support).
constexpr double kMinPageSide = 3;
constexpr double kMaxPageSide = 14400;
// Glyph positions beyond this many font units are nonsense.
constexpr int32_t kMaxGlyphUnits = 1 << 22;
// PDF/A-1 limits strings to 65535 bytes; text is written as UTF-16, at most
// two bytes per UTF-8 byte.
constexpr size_t kMaxTextBytes = 32000;

std::string Index(const char* name, size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

bool InRange(double v, double limit) { return std::isfinite(v) && std::fabs(v) <= limit; }

Status CheckCoordinate(double v, const std::string& field) {
  if (InRange(v, kMaxCoordinate)) return Status::Ok();
  return InvalidArgument("coordinate must be finite and within +-32767 pt", field);
}

Status CheckMetadataText(const std::string& s, const std::string& field) {
  if (s.size() > kMaxTextBytes) return InvalidArgument("text is too long", field);
  if (!text::ValidateUtf8(s).ok()) return InvalidArgument("text is not valid UTF-8", field);
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
      return InvalidArgument("text contains a control character", field);
    }
  }
  return Status::Ok();
}

Status CheckMetadata(const Metadata& m) {
  const std::pair<const std::string*, const char*> fields[] = {
      {&m.title, "metadata.title"},       {&m.author, "metadata.author"},
      {&m.subject, "metadata.subject"},   {&m.keywords, "metadata.keywords"},
      {&m.creator, "metadata.creator"},
  };
  for (const auto& [value, name] : fields) {
    if (Status s = CheckMetadataText(*value, name); !s.ok()) return s;
  }
  if (m.language.size() > 35) return InvalidArgument("language tag is too long", "metadata.language");
  for (char c : m.language) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return InvalidArgument("language must be a BCP 47 tag such as th-TH", "metadata.language");
    }
  }
  return Status::Ok();
}

Status CheckRun(const GlyphRun& run, const Document& doc, const std::string& field) {
  if (run.font < 0 || static_cast<size_t>(run.font) >= doc.fonts.size()) {
    return InvalidArgument("font index " + std::to_string(run.font) + " is out of range (" +
                               std::to_string(doc.fonts.size()) + " fonts)",
                           field + ".font");
  }
  const text::Font& font = *doc.fonts[run.font];
  if (!std::isfinite(run.size) || run.size <= 0 || run.size > kMaxCoordinate) {
    return InvalidArgument("font size must be positive and finite", field + ".size");
  }
  if (Status s = CheckCoordinate(run.x, field + ".x"); !s.ok()) return s;
  if (Status s = CheckCoordinate(run.y, field + ".y"); !s.ok()) return s;
  if (run.text.size() > kMaxTextBytes) return InvalidArgument("text is too long", field + ".text");
  if (!text::ValidateUtf8(run.text).ok()) return InvalidArgument("text is not valid UTF-8", field + ".text");

  const auto glyph_count = static_cast<uint32_t>(font.glyph_count());
  const double rise_scale = run.size / font.units_per_em();
  for (size_t i = 0; i < run.glyphs.size(); ++i) {
    const Glyph& g = run.glyphs[i];
    if (g.gid >= glyph_count) {
      return InvalidArgument("glyph " + std::to_string(g.gid) + " is beyond the font's " +
                                 std::to_string(glyph_count) + " glyphs",
                             field + "." + Index("glyphs", i) + ".gid");
    }
    // In 64 bits: std::abs of the most negative int32_t is undefined.
    const auto too_far = [](int32_t v) { return std::abs(int64_t{v}) > kMaxGlyphUnits; };
    if (too_far(g.x_advance) || too_far(g.x_offset) || too_far(g.y_offset) ||
        std::fabs(g.y_offset * rise_scale) > kMaxCoordinate) {
      return InvalidArgument("glyph position is out of range", field + "." + Index("glyphs", i));
    }
    const bool boundary =
        g.cluster == run.text.size() ||
        (g.cluster < run.text.size() && (static_cast<unsigned char>(run.text[g.cluster]) & 0xC0) != 0x80);
    if (!boundary) {
      return InvalidArgument("cluster " + std::to_string(g.cluster) +
                                 " is not a character boundary of the run's text",
                             field + "." + Index("glyphs", i) + ".cluster");
    }
  }
  return Status::Ok();
}

Status CheckPage(const Page& page, const Document& doc, const std::string& field) {
  for (double side : {page.width, page.height}) {
    if (!std::isfinite(side) || side < kMinPageSide || side > kMaxPageSide + 1e-6) {
      return InvalidArgument("page size must be between 3 and 14400 pt", field);
    }
  }
  for (size_t i = 0; i < page.fills.size(); ++i) {
    const Fill& f = page.fills[i];
    const std::string at = field + "." + Index("fills", i);
    for (double v : {f.x, f.y, f.w, f.h}) {
      if (Status s = CheckCoordinate(v, at); !s.ok()) return s;
    }
    if (!std::isfinite(f.gray) || f.gray < 0 || f.gray > 1) {
      return InvalidArgument("gray must be between 0 and 1", at + ".gray");
    }
  }
  for (size_t i = 0; i < page.rules.size(); ++i) {
    const Rule& r = page.rules[i];
    const std::string at = field + "." + Index("rules", i);
    for (double v : {r.x1, r.y1, r.x2, r.y2}) {
      if (Status s = CheckCoordinate(v, at); !s.ok()) return s;
    }
    if (!std::isfinite(r.width) || r.width < 0 || r.width > 1000) {
      return InvalidArgument("rule width must be between 0 and 1000 pt", at + ".width");
    }
  }
  for (size_t i = 0; i < page.runs.size(); ++i) {
    if (Status s = CheckRun(page.runs[i], doc, field + "." + Index("runs", i)); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateDocument(const Document& doc) {
  if (doc.pages.empty()) return InvalidArgument("a PDF needs at least one page", "pages");
  for (size_t i = 0; i < doc.fonts.size(); ++i) {
    const text::Font* font = doc.fonts[i].get();
    if (font == nullptr) return InvalidArgument("font is null", Index("fonts", i));
    if (font->units_per_em() <= 0 || font->glyph_count() <= 0 || font->glyph_count() > 65536) {
      return InvalidArgument("font has no usable glyphs for a PDF CID font", Index("fonts", i));
    }
  }
  if (Status s = CheckMetadata(doc.metadata); !s.ok()) return s;
  for (size_t i = 0; i < doc.pages.size(); ++i) {
    if (Status s = CheckPage(doc.pages[i], doc, Index("pages", i)); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace saraban::pdf
