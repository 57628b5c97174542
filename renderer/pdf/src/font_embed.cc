#include "font_embed.h"

#include <hb-subset.h>
#include <hb.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "pdf_format.h"
#include "saraban/digest.h"

namespace saraban::pdf {
namespace {

// Tables a PDF viewer or a PDF/A validator reads from a FontFile2. Layout
// tables (GSUB, GPOS, GDEF, kern) are not needed: the glyphs are already
// shaped. cmap is kept, reduced to the used glyphs, for tools that inspect
// embedded fonts. Hinting (cvt, fpgm, prep, glyph instructions) is dropped:
// PDF viewers scale outlines without it.
constexpr hb_tag_t kKeptTables[] = {
    HB_TAG('g', 'l', 'y', 'f'), HB_TAG('l', 'o', 'c', 'a'), HB_TAG('h', 'e', 'a', 'd'),
    HB_TAG('h', 'h', 'e', 'a'), HB_TAG('h', 'm', 't', 'x'), HB_TAG('m', 'a', 'x', 'p'),
    HB_TAG('c', 'm', 'a', 'p'), HB_TAG('p', 'o', 's', 't'), HB_TAG('n', 'a', 'm', 'e'),
    HB_TAG('O', 'S', '/', '2'),
};

// Entries per beginbfchar block (the CMap specification's limit).
constexpr size_t kBfCharBlock = 100;
// PDF/A-1 limits arrays to 8191 elements.
constexpr size_t kMaxWidthsPerRange = 8000;

int32_t Round(double v) { return static_cast<int32_t>(std::lround(v)); }

struct HbDeleter {
  void operator()(hb_subset_input_t* p) const { hb_subset_input_destroy(p); }
  void operator()(hb_face_t* p) const { hb_face_destroy(p); }
  void operator()(hb_blob_t* p) const { hb_blob_destroy(p); }
  void operator()(hb_set_t* p) const { hb_set_destroy(p); }
};
template <typename T>
using HbPtr = std::unique_ptr<T, HbDeleter>;

// Six uppercase letters from a hash of the font and its used glyphs, so the
// same glyph set always gets the same tag.
std::string SubsetTag(const std::string& postscript_name, const std::vector<uint32_t>& gids) {
  Sha256 hash;
  hash.Update(postscript_name);
  std::string bytes;
  bytes.reserve(gids.size() * 2 + 1);
  bytes.push_back('\0');
  for (uint32_t g : gids) {
    bytes.push_back(static_cast<char>(g >> 8));
    bytes.push_back(static_cast<char>(g & 0xFF));
  }
  hash.Update(bytes);
  const auto digest = hash.Final();
  std::string tag(6, 'A');
  for (int i = 0; i < 6; ++i) tag[i] = static_cast<char>('A' + digest[i] % 26);
  return tag;
}

// A PostScript name safe to use in a PDF name (printable ASCII without
// delimiters, at most 100 characters), or a stand-in.
std::string CleanPostScriptName(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (out.size() >= 100) break;
    if (c > 0x20 && c < 0x7F && std::string_view("()<>[]{}/%#").find(c) == std::string::npos) {
      out.push_back(static_cast<char>(c));
    }
  }
  return out.empty() ? "Font" : out;
}

// The subset program: the used glyphs keep their IDs (so CID == GID stays
// true); all other glyphs are empty.
Result<std::string> SubsetProgram(const FontUsage& usage, const std::vector<uint32_t>& gids) {
  hb_face_t* face = usage.font().hb_face();
  HbPtr<hb_subset_input_t> input(hb_subset_input_create_or_fail());
  if (!input) return Internal("out of memory creating a font subset");
  hb_set_t* glyphs = hb_subset_input_glyph_set(input.get());
  hb_set_add(glyphs, 0);  // .notdef
  for (uint32_t g : gids) hb_set_add(glyphs, g);

  // Keep the cmap entries of the used glyphs.
  HbPtr<hb_set_t> unicodes_in_face(hb_set_create());
  hb_face_collect_unicodes(face, unicodes_in_face.get());
  hb_set_t* unicodes = hb_subset_input_unicode_set(input.get());
  for (hb_codepoint_t cp = HB_SET_VALUE_INVALID; hb_set_next(unicodes_in_face.get(), &cp);) {
    const uint32_t g = usage.NominalGlyph(cp);
    if (g != 0 && std::binary_search(gids.begin(), gids.end(), g)) hb_set_add(unicodes, cp);
  }

  hb_set_t* drop = hb_subset_input_set(input.get(), HB_SUBSET_SETS_DROP_TABLE_TAG);
  hb_set_clear(drop);
  hb_tag_t tags[64];
  for (unsigned offset = 0;;) {
    unsigned count = 64;
    hb_face_get_table_tags(face, offset, &count, tags);
    for (unsigned i = 0; i < count; ++i) {
      if (std::find(std::begin(kKeptTables), std::end(kKeptTables), tags[i]) ==
          std::end(kKeptTables)) {
        hb_set_add(drop, tags[i]);
      }
    }
    if (count < 64) break;
    offset += count;
  }
  hb_subset_input_set_flags(input.get(), HB_SUBSET_FLAGS_RETAIN_GIDS |
                                             HB_SUBSET_FLAGS_NO_HINTING |
                                             HB_SUBSET_FLAGS_NOTDEF_OUTLINE);

  HbPtr<hb_face_t> subset(hb_subset_or_fail(face, input.get()));
  if (!subset) return Internal("hb-subset failed for font " + usage.font().path());
  HbPtr<hb_blob_t> blob(hb_face_reference_blob(subset.get()));
  unsigned int len = 0;
  const char* data = hb_blob_get_data(blob.get(), &len);
  if (len == 0) return Internal("hb-subset produced an empty font for " + usage.font().path());
  return std::string(data, len);
}

// The glyph IDs whose outlines are in `program` (non-empty loca entries),
// together with the used ones (an empty glyph such as the space is present
// too): the CIDs /CIDSet lists.
std::vector<uint32_t> PresentGlyphs(const std::string& program, std::vector<uint32_t> used) {
  HbPtr<hb_blob_t> blob(hb_blob_create(program.data(), static_cast<unsigned>(program.size()),
                                       HB_MEMORY_MODE_READONLY, nullptr, nullptr));
  HbPtr<hb_face_t> face(hb_face_create(blob.get(), 0));
  HbPtr<hb_blob_t> head(hb_face_reference_table(face.get(), HB_TAG('h', 'e', 'a', 'd')));
  HbPtr<hb_blob_t> loca(hb_face_reference_table(face.get(), HB_TAG('l', 'o', 'c', 'a')));
  unsigned head_len = 0, loca_len = 0;
  const auto* h = reinterpret_cast<const uint8_t*>(hb_blob_get_data(head.get(), &head_len));
  const auto* l = reinterpret_cast<const uint8_t*>(hb_blob_get_data(loca.get(), &loca_len));
  used.push_back(0);
  if (head_len >= 54) {
    const bool long_offsets = ((h[50] << 8) | h[51]) != 0;  // indexToLocFormat
    const unsigned entry = long_offsets ? 4 : 2;
    const unsigned count = loca_len / entry;
    auto offset = [&](unsigned i) -> uint32_t {
      const uint8_t* p = l + i * entry;
      return long_offsets ? (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | p[2] << 8 | p[3])
                          : static_cast<uint32_t>((p[0] << 8 | p[1]) * 2);
    };
    for (unsigned g = 0; g + 1 < count; ++g) {
      if (offset(g + 1) > offset(g)) used.push_back(g);
    }
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

std::string CidSetBits(const std::vector<uint32_t>& present) {
  std::string bits(present.empty() ? 1 : present.back() / 8 + 1, '\0');
  for (uint32_t g : present) bits[g / 8] = static_cast<char>(bits[g / 8] | (0x80 >> (g % 8)));
  return bits;
}

std::vector<WidthRange> Widths(const FontUsage& usage, const std::vector<uint32_t>& gids) {
  std::vector<WidthRange> ranges;
  for (uint32_t g : gids) {
    if (ranges.empty() || ranges.back().first + ranges.back().widths.size() != g ||
        ranges.back().widths.size() >= kMaxWidthsPerRange) {
      ranges.push_back(WidthRange{g, {}});
    }
    ranges.back().widths.push_back(usage.width(g));
  }
  return ranges;
}

std::string ToUnicodeCMap(const FontUsage& usage, const std::vector<uint32_t>& gids) {
  std::vector<uint32_t> mapped;
  mapped.reserve(gids.size());
  for (uint32_t g : gids) {
    if (usage.HasText(g)) mapped.push_back(g);
  }
  std::string out =
      "/CIDInit /ProcSet findresource begin\n"
      "12 dict begin\n"
      "begincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n"
      "/CMapType 2 def\n"
      "1 begincodespacerange\n"
      "<0000> <FFFF>\n"
      "endcodespacerange\n";
  for (size_t i = 0; i < mapped.size(); i += kBfCharBlock) {
    const size_t n = std::min(kBfCharBlock, mapped.size() - i);
    AppendInt(out, static_cast<int64_t>(n));
    out += " beginbfchar\n";
    for (size_t k = i; k < i + n; ++k) {
      out.push_back('<');
      AppendHex4(out, mapped[k]);
      out += "> <";
      AppendUtf16BeHex(out, usage.text(mapped[k]));
      out += ">\n";
    }
    out += "endbfchar\n";
  }
  out +=
      "endcmap\n"
      "CMapName currentdict /CMap defineresource pop\n"
      "end\n"
      "end\n";
  return out;
}

// A StemV estimate from the weight class, as PDF writers commonly do: the
// font file has no such value.
int32_t StemV(hb_font_t* font) {
  const double weight = hb_style_get_value(font, HB_STYLE_TAG_WEIGHT);
  return Round(50 + (weight / 65) * (weight / 65));
}

}  // namespace

FontUsage::FontUsage(const text::Font& font)
    : font_(&font),
      scale_(1000.0 / font.units_per_em()),
      width_(static_cast<size_t>(font.glyph_count()), kUnused),
      text_(static_cast<size_t>(font.glyph_count()), {0, 0}) {}

int32_t FontUsage::MeasureWidth(uint32_t gid) {
  ++used_count_;
  return Round(font_->glyph_advance(gid) * scale_);
}

void FontUsage::SetText(uint32_t gid, std::string_view utf8) {
  if (utf8.empty() || HasText(gid)) return;
  text_[gid] = {static_cast<uint32_t>(text_pool_.size()), static_cast<uint32_t>(utf8.size())};
  text_pool_.append(utf8);
}

uint32_t FontUsage::NominalGlyph(uint32_t cp) const {
  hb_codepoint_t g = 0;
  return hb_font_get_nominal_glyph(font_->hb_font(), cp, &g) ? g : 0;
}

std::vector<uint32_t> FontUsage::UsedGlyphs() const {
  std::vector<uint32_t> gids;
  gids.reserve(used_count_);
  for (uint32_t g = 0; g < width_.size(); ++g) {
    if (width_[g] != kUnused) gids.push_back(g);
  }
  return gids;
}

Result<FontObjects> EmbedFont(const FontUsage& usage, std::string resource_name) {
  const text::Font& font = usage.font();
  const std::vector<uint32_t> gids = usage.UsedGlyphs();
  Result<std::string> program = SubsetProgram(usage, gids);
  if (!program.ok()) return program.status();

  FontObjects f;
  f.resource_name = std::move(resource_name);
  const std::string name = CleanPostScriptName(font.postscript_name());
  f.base_font = SubsetTag(name, gids) + "+" + name;
  f.cid_set = CidSetBits(PresentGlyphs(*program, gids));
  f.font_file = std::move(program).value();
  f.widths = Widths(usage, gids);
  f.to_unicode = ToUnicodeCMap(usage, gids);

  const double k = usage.scale();
  const int* bbox = font.bbox();
  f.bbox = {Round(bbox[0] * k), Round(bbox[1] * k), Round(bbox[2] * k), Round(bbox[3] * k)};
  f.italic_angle = Round(hb_style_get_value(font.hb_font(), HB_STYLE_TAG_SLANT_ANGLE));
  f.flags = 4 | (f.italic_angle != 0 ? 64 : 0);  // symbolic, italic
  f.ascent = Round(font.ascender() * k);
  f.descent = Round(font.descender() * k);
  f.cap_height = Round(font.cap_height() * k);
  f.stem_v = StemV(font.hb_font());
  return f;
}

}  // namespace saraban::pdf
