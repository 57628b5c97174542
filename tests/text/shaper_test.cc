#include "saraban/text/shaper.h"

#include <gtest/gtest.h>
#include <hb.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace saraban::text {
namespace {

constexpr char kLaksaman[] = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf";
constexpr char kGoldenFile[] = SARABAN_SOURCE_DIR "/tests/golden/thai_clusters.tests";

std::shared_ptr<const Font> LoadFont(const std::string& path) {
  Result<std::shared_ptr<const Font>> font = Font::Load(path);
  EXPECT_TRUE(font.ok()) << font.status().message();
  return font.ok() ? *font : nullptr;
}

std::string GlyphName(const Font& font, uint32_t gid) {
  char name[64];
  if (hb_font_get_glyph_name(font.hb_font(), gid, name, sizeof name)) return name;
  return "gid" + std::to_string(gid);
}

std::vector<std::string> Names(const Font& font, const ShapedWord& word) {
  std::vector<std::string> names;
  for (const ShapedGlyph& g : word.glyphs) names.push_back(GlyphName(font, g.gid));
  return names;
}

std::vector<uint32_t> Clusters(const ShapedWord& word) {
  std::vector<uint32_t> clusters;
  for (const ShapedGlyph& g : word.glyphs) clusters.push_back(g.cluster);
  return clusters;
}

// The glyph whose name starts with `prefix`; fails the test when none does.
const ShapedGlyph* FindGlyph(const Font& font, const ShapedWord& word, const std::string& prefix) {
  for (const ShapedGlyph& g : word.glyphs) {
    if (GlyphName(font, g.gid).rfind(prefix, 0) == 0) return &g;
  }
  ADD_FAILURE() << "no glyph named " << prefix << "*";
  return nullptr;
}

bool SameGlyphs(const ShapedWord& a, const ShapedWord& b) {
  return a.width == b.width &&
         std::equal(a.glyphs.begin(), a.glyphs.end(), b.glyphs.begin(), b.glyphs.end(),
                    [](const ShapedGlyph& x, const ShapedGlyph& y) {
                      return x.gid == y.gid && x.x_advance == y.x_advance &&
                             x.x_offset == y.x_offset && x.y_offset == y.y_offset &&
                             x.cluster == y.cluster;
                    });
}

// One glyph as hb-shape prints it: name=cluster@x,y+advance ("@x,y" only
// when an offset is not zero).
std::string FormatGlyph(const Font& font, const ShapedGlyph& g, bool names) {
  std::string out = names ? GlyphName(font, g.gid) : std::to_string(g.gid);
  out += '=' + std::to_string(g.cluster);
  if (g.x_offset != 0 || g.y_offset != 0) {
    out += '@' + std::to_string(g.x_offset) + ',' + std::to_string(g.y_offset);
  }
  out += '+' + std::to_string(g.x_advance);
  return out;
}

std::string FormatWord(const Font& font, const ShapedWord& word, bool names) {
  std::string out = "[";
  for (size_t i = 0; i < word.glyphs.size(); ++i) {
    if (i > 0) out += '|';
    out += FormatGlyph(font, word.glyphs[i], names);
  }
  return out + "]";
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

// "U+0E17,U+0E35" -> UTF-8.
std::string FromUnicodes(const std::string& list) {
  std::string out;
  for (const std::string& item : Split(list, ',')) {
    const auto cp = static_cast<uint32_t>(std::stoul(item.substr(2), nullptr, 16));
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// Expected and actual glyphs side by side, the differing rows marked.
std::string Diff(const std::string& expected, const std::string& actual) {
  const auto strip = [](const std::string& s) {
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;
  };
  const std::vector<std::string> e = Split(strip(expected), '|');
  const std::vector<std::string> a = Split(strip(actual), '|');
  std::string out = "  #   expected                      actual\n";
  for (size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
    const std::string x = i < e.size() ? e[i] : "-";
    const std::string y = i < a.size() ? a[i] : "-";
    char row[160];
    std::snprintf(row, sizeof row, "  %-3zu %-29s %-29s%s\n", i, x.c_str(), y.c_str(),
                  x == y ? "" : "  <--");
    out += row;
  }
  return out;
}

TEST(ShaperGolden, ThaiClusters) {
  std::ifstream in(kGoldenFile);
  ASSERT_TRUE(in) << "cannot read " << kGoldenFile;
  const char* record_env = std::getenv("SARABAN_RECORD_GOLDEN");
  const bool record = record_env != nullptr && std::string(record_env) == "1";

  std::map<std::string, std::shared_ptr<const Font>> fonts;
  std::string recorded;
  std::string line;
  int line_no = 0;
  int cases = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') {
      recorded += line + '\n';
      continue;
    }
    const std::vector<std::string> fields = Split(line, ';');
    ASSERT_EQ(fields.size(), 4u) << kGoldenFile << ":" << line_no << ": expected 4 fields";
    const std::string& font_file = fields[0];
    bool names = true;
    for (const std::string& option : Split(fields[1], ' ')) {
      if (option == "--no-glyph-names") {
        names = false;
      } else {
        ASSERT_TRUE(option.empty() || option == "--utf8-clusters" || option == "--language=th")
            << kGoldenFile << ":" << line_no << ": unsupported option " << option;
      }
    }
    const std::string path = font_file[0] == '/' ? font_file : SARABAN_SOURCE_DIR "/" + font_file;
    std::shared_ptr<const Font>& font = fonts[path];
    if (!font) font = LoadFont(path);
    ASSERT_NE(font, nullptr);

    const std::string text = FromUnicodes(fields[2]);
    Shaper shaper(font);
    const std::string actual = FormatWord(*font, shaper.ShapeUncached(text), names);
    ++cases;
    if (record) {
      recorded += fields[0] + ';' + fields[1] + ';' + fields[2] + ';' + actual + '\n';
    } else if (actual != fields[3]) {
      ADD_FAILURE() << kGoldenFile << ":" << line_no << ": " << text << " (" << fields[2] << ")\n"
                    << "expected " << fields[3] << "\n"
                    << "actual   " << actual << "\n"
                    << Diff(fields[3], actual);
    }
  }
  EXPECT_GE(cases, 17);
  if (record) {
    in.close();
    std::ofstream out(kGoldenFile, std::ios::trunc);
    out << recorded;
    ASSERT_TRUE(out.good()) << "cannot write " << kGoldenFile;
    std::printf("recorded %d cases into %s\n", cases, kGoldenFile);
  }
}

// --- Font::Load ---

TEST(FontLoad, LoadsATrueTypeFile) {
  Result<std::shared_ptr<const Font>> font = Font::Load(kLaksaman);
  ASSERT_TRUE(font.ok()) << font.status().message();
  EXPECT_EQ((*font)->bytes().size(), std::filesystem::file_size(kLaksaman));
}

TEST(FontLoad, MissingFileIsNotFound) {
  Result<std::shared_ptr<const Font>> font = Font::Load("/nonexistent/Laksaman.ttf");
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.status().code(), StatusCode::kNotFound);
  EXPECT_NE(font.status().message().find("/nonexistent/Laksaman.ttf"), std::string::npos);
}

// /dev/zero never ends: reading it would hang and exhaust memory.
TEST(FontLoad, DeviceAndDirectoryAreRefused) {
  for (const std::string path : {"/dev/zero", "/tmp"}) {
    Result<std::shared_ptr<const Font>> font = Font::Load(path);
    ASSERT_FALSE(font.ok()) << path;
    EXPECT_EQ(font.status().code(), StatusCode::kInvalidArgument) << path;
    EXPECT_EQ(font.status().message(), "font file " + path + " is not a regular file");
  }
}

TEST(FontLoad, FileOverTheLimitIsRefusedUnread) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("saraban_text_test_big_font_" + std::to_string(::getpid()) + ".ttf");
  {
    std::ofstream out(path, std::ios::binary);
  }
  std::filesystem::resize_file(path, kMaxFontFileBytes + 1);  // sparse: costs no disk
  Result<std::shared_ptr<const Font>> font = Font::Load(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(font.status().message().find("64 MiB"), std::string::npos) << font.status().message();
  EXPECT_NE(font.status().message().find(path.string()), std::string::npos);
}

class ShaperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    font_ = LoadFont(kLaksaman);
    ASSERT_NE(font_, nullptr);
    shaper_ = std::make_unique<Shaper>(font_);
  }
  std::vector<std::string> NamesOf(std::string_view text) {
    return Names(*font_, shaper_->ShapeUncached(text));
  }

  std::shared_ptr<const Font> font_;
  std::unique_ptr<Shaper> shaper_;
};

TEST_F(ShaperTest, DescenderlessBaseUnderABelowVowel) {
  // ฐ and ญ drop their descender (the PUA-only .descless glyphs) so that
  // SARA U/UU does not collide with it.
  EXPECT_EQ(NamesOf("ฐู"), std::vector<std::string>({"uni0E10.descless", "uni0E39"}));
  EXPECT_EQ(NamesOf("ญุ"), std::vector<std::string>({"uni0E0D.descless", "uni0E38"}));
  EXPECT_EQ(NamesOf("ฐาน"), std::vector<std::string>({"uni0E10", "uni0E32", "uni0E19"}));
}

TEST_F(ShaperTest, BelowVowelMovesUnderDescender) {
  // ฎ and ฏ keep their descender; the vowel goes further down instead.
  for (const char* text : {"ฎุ", "ฏุ"}) {
    const ShapedWord word = shaper_->ShapeUncached(text);
    const ShapedGlyph* u = FindGlyph(*font_, word, "uni0E38");
    ASSERT_NE(u, nullptr);
    EXPECT_LT(u->y_offset, 0) << text;
  }
}

TEST_F(ShaperTest, MarksAvoidTheTallStrokeOfPoPla) {
  // ป, ฝ, ฟ have a stroke up to the mark zone: the marks above move left.
  for (const char* text : {"ปั่น", "ปิ่น", "ฝั่ง"}) {
    const ShapedWord word = shaper_->ShapeUncached(text);
    const ShapedGlyph* tone = FindGlyph(*font_, word, "uni0E48");
    ASSERT_NE(tone, nullptr);
    const std::string name = GlyphName(*font_, tone->gid);
    EXPECT_TRUE(tone->x_offset < 0 || name.find(".left") != std::string::npos) << text;
    EXPECT_LT(word.glyphs[1].x_offset, 0) << text << ": the vowel above moves left too";
  }
  // With nothing else above, the tone mark takes the low form, moved left.
  for (const char* text : {"ป่", "ปุ่"}) {
    const ShapedWord word = shaper_->ShapeUncached(text);
    const ShapedGlyph* tone = FindGlyph(*font_, word, "uni0E48.low");
    ASSERT_NE(tone, nullptr) << text;
    EXPECT_LT(tone->x_offset, 0) << text;
  }
  const ShapedWord fa = shaper_->ShapeUncached("ฟ้า");
  const ShapedGlyph* tho = FindGlyph(*font_, fa, "uni0E49.low");
  ASSERT_NE(tho, nullptr);
  EXPECT_LT(tho->x_offset, 0);
}

TEST_F(ShaperTest, ToneMarkStaysHighAboveAVowel) {
  const ShapedWord word = shaper_->ShapeUncached("ที่");
  EXPECT_EQ(Names(*font_, word), std::vector<std::string>({"uni0E17", "uni0E35", "uni0E48"}));
  EXPECT_EQ(Clusters(word), std::vector<uint32_t>({0, 0, 0}));
  // ผู้: low tone form above a consonant with a vowel below.
  EXPECT_EQ(NamesOf("ผู้"), std::vector<std::string>({"uni0E1C", "uni0E49.low", "uni0E39"}));
}

TEST_F(ShaperTest, SaraAmIsDecomposedAroundTheTone) {
  // น้ำ: NIKHAHIT, then the tone above it, then SARA AA; one cluster.
  const ShapedWord nam = shaper_->ShapeUncached("น้ำ");
  EXPECT_EQ(Names(*font_, nam),
            std::vector<std::string>({"uni0E19", "uni0E4D", "uni0E49", "uni0E32"}));
  EXPECT_EQ(Clusters(nam), std::vector<uint32_t>({0, 0, 0, 0}));
  EXPECT_EQ(NamesOf("กำ"), std::vector<std::string>({"uni0E01", "uni0E4D", "uni0E32"}));
}

TEST_F(ShaperTest, MacronBelowFusesWithNgoNgu) {
  const ShapedWord word = shaper_->ShapeUncached("ง\u0331");
  EXPECT_EQ(Names(*font_, word), std::vector<std::string>({"uni0E07.uline"}));
  EXPECT_EQ(Clusters(word), std::vector<uint32_t>({0}));
}

TEST_F(ShaperTest, ClustersAreByteOffsets) {
  const ShapedWord word = shaper_->ShapeUncached("ญี่ปุ่น");
  EXPECT_EQ(Clusters(word), std::vector<uint32_t>({0, 0, 0, 9, 9, 9, 18}));
  const ShapedWord latin = shaper_->ShapeUncached("Saraban");
  EXPECT_EQ(Clusters(latin), std::vector<uint32_t>({0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Names(*font_, latin), std::vector<std::string>({"S", "a", "r", "a", "b", "a", "n"}));
}

TEST_F(ShaperTest, WidthIsTheSumOfAdvances) {
  for (const char* text : {"ญี่ปุ่น", "Saraban", "องค์การบริหารส่วนตำบล ๒๕๖๗", ""}) {
    const ShapedWord word = shaper_->ShapeUncached(text);
    int32_t sum = 0;
    for (const ShapedGlyph& g : word.glyphs) sum += g.x_advance;
    EXPECT_EQ(word.width, sum) << text;
    EXPECT_EQ(word.glyphs.empty(), std::string_view(text).empty()) << text;
  }
  // Default features: the pair T A is kerned (GPOS kern), so the word is
  // narrower than its glyphs' nominal advances.
  const ShapedWord ita = shaper_->ShapeUncached("ITA");
  int32_t nominal = 0;
  for (const ShapedGlyph& g : ita.glyphs) nominal += font_->glyph_advance(g.gid);
  EXPECT_LT(ita.width, nominal);
}

TEST_F(ShaperTest, MixedScriptsAreShapedRunByRun) {
  // Shaped as one Latin buffer, the tone of ที่ would miss Thai positioning.
  const ShapedWord mixed = shaper_->ShapeUncached("ITAที่");
  const ShapedWord latin = shaper_->ShapeUncached("ITA");
  const ShapedWord thai = shaper_->ShapeUncached("ที่");
  ASSERT_EQ(mixed.glyphs.size(), latin.glyphs.size() + thai.glyphs.size());
  for (size_t i = 0; i < thai.glyphs.size(); ++i) {
    const ShapedGlyph& m = mixed.glyphs[latin.glyphs.size() + i];
    EXPECT_EQ(m.gid, thai.glyphs[i].gid);
    EXPECT_EQ(m.x_offset, thai.glyphs[i].x_offset);
    EXPECT_EQ(m.y_offset, thai.glyphs[i].y_offset);
    EXPECT_EQ(m.cluster, thai.glyphs[i].cluster + 3);
  }
  EXPECT_EQ(mixed.width, latin.width + thai.width);
  // Digits and punctuation stay in the run they are in.
  EXPECT_EQ(Clusters(shaper_->ShapeUncached("(๒๕๖๗)")),
            std::vector<uint32_t>({0, 1, 4, 7, 10, 13}));
}

TEST_F(ShaperTest, CacheReturnsTheSameGlyphs) {
  const ShapedWord& first = shaper_->Shape("ที่");
  EXPECT_EQ(shaper_->cache_size(), 1u);
  EXPECT_EQ(shaper_->cache_hits(), 0u);
  const std::string again = "ที่";  // other storage, same text
  const ShapedWord& second = shaper_->Shape(again);
  EXPECT_EQ(shaper_->cache_hits(), 1u);
  EXPECT_EQ(&first, &second);
  EXPECT_TRUE(SameGlyphs(second, shaper_->ShapeUncached("ที่")));

  const ShapedWord& other = shaper_->Shape("น้ำ");
  EXPECT_EQ(shaper_->cache_size(), 2u);
  EXPECT_EQ(shaper_->cache_hits(), 1u);
  EXPECT_TRUE(SameGlyphs(other, shaper_->ShapeUncached("น้ำ")));
  // The first reference is still valid after the cache grew.
  EXPECT_TRUE(SameGlyphs(first, shaper_->ShapeUncached("ที่")));

  shaper_->ClearCache();
  EXPECT_EQ(shaper_->cache_size(), 0u);
  EXPECT_TRUE(SameGlyphs(shaper_->Shape("ที่"), shaper_->ShapeUncached("ที่")));
  EXPECT_EQ(shaper_->cache_size(), 1u);
  EXPECT_EQ(shaper_->cache_hits(), 1u);
}

TEST_F(ShaperTest, ManyWordsKeepTheirReferences) {
  std::vector<std::pair<std::string, const ShapedWord*>> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string word = "คำ" + std::to_string(i);
    seen.emplace_back(word, &shaper_->Shape(word));
  }
  for (const auto& [word, shaped] : seen) {
    EXPECT_EQ(&shaper_->Shape(word), shaped);
    EXPECT_TRUE(SameGlyphs(*shaped, shaper_->ShapeUncached(word))) << word;
  }
  EXPECT_EQ(shaper_->cache_hits(), 2000u);
}

}  // namespace
}  // namespace saraban::text
