// Tests of the PDF writer. Pages are built by shaping with HarfBuzz directly,
// as the layout engine does. Tests that need pdftotext, qpdf or java carry
// "Tool" in their name; without the tool they are skipped, or fail under
// CI=true.
#include <hb.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "saraban/pdf/writer.h"
#include "saraban/text/font.h"

namespace saraban::pdf {
namespace {

namespace fs = std::filesystem;

constexpr char kFontPath[] = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf";
constexpr char kThai1[] = "ที่ปั่นญี่ปุ่นน้ำฐูกำ";
constexpr char kThai2[] = "ผู้ใหญ่ ฝั่ง ฟ้า ฎุ ฏุ";
constexpr char kLatin[] = "ITA 2567 saraban";

std::shared_ptr<const text::Font> Laksaman() {
  static const std::shared_ptr<const text::Font> font = [] {
    auto f = text::Font::Load(kFontPath);
    return f.ok() ? f.value() : nullptr;
  }();
  return font;
}

// Shapes `text` as the layout does: HarfBuzz positions in font units.
GlyphRun Shape(const text::Font& font, int font_index, const std::string& text, double size,
               double x, double y) {
  hb_buffer_t* buf = hb_buffer_create();
  hb_buffer_add_utf8(buf, text.data(), static_cast<int>(text.size()), 0,
                     static_cast<int>(text.size()));
  hb_buffer_guess_segment_properties(buf);
  hb_shape(font.hb_font(), buf, nullptr, 0);
  unsigned n = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &n);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &n);
  GlyphRun run;
  run.font = font_index;
  run.size = size;
  run.x = x;
  run.y = y;
  run.text = text;
  for (unsigned i = 0; i < n; ++i) {
    run.glyphs.push_back(Glyph{info[i].codepoint, pos[i].x_advance, pos[i].x_offset,
                               pos[i].y_offset, info[i].cluster});
  }
  hb_buffer_destroy(buf);
  return run;
}

Document OneLine(const std::string& text) {
  Document doc;
  doc.metadata.title = "ทดสอบ";
  doc.fonts.push_back(Laksaman());
  Page page;
  page.runs.push_back(Shape(*Laksaman(), 0, text, 16, 72, 500));
  doc.pages.push_back(page);
  return doc;
}

// The three test lines, a header fill and table rules, Thai metadata.
Document Sample() {
  Document doc;
  doc.metadata.title = "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรม & ความโปร่งใส";
  doc.metadata.author = "องค์การบริหารส่วนตำบลบึงคล้า";
  doc.metadata.subject = "ITA 2567";
  doc.metadata.keywords = "ITA, คุณธรรม";
  doc.fonts.push_back(Laksaman());
  Page page;
  page.fills.push_back(Fill{60, 395, 400, 150, 0.9});
  page.rules.push_back(Rule{60, 545, 460, 545, 0.5, false});
  page.rules.push_back(Rule{60, 395, 460, 395, 1, true});
  page.runs.push_back(Shape(*Laksaman(), 0, kThai1, 24, 72, 500));
  page.runs.push_back(Shape(*Laksaman(), 0, kThai2, 24, 72, 455));
  page.runs.push_back(Shape(*Laksaman(), 0, kLatin, 24, 72, 410));
  doc.pages.push_back(page);
  return doc;
}

fs::path OutputDir() {
  fs::path dir = fs::path(SARABAN_BINARY_DIR) / "pdf_test_output";
  fs::create_directories(dir);
  return dir;
}

fs::path Save(const std::string& bytes, const std::string& name) {
  fs::path path = OutputDir() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string WriteOrDie(const Document& doc, const WriteOptions& options = {}) {
  Result<std::string> pdf = WritePdf(doc, options);
  EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
  return pdf.ok() ? pdf.value() : std::string();
}

struct Command {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Command RunCommand(const std::string& command) {
  Command result;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) result.output.append(buf, n);
  const int status = pclose(p);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool HaveProgram(const std::string& name) {
  return RunCommand("command -v " + name + " >/dev/null").exit_code == 0;
}

bool UnderCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Skips the test when `program` is missing, except under CI=true, where a
// missing tool is a failure.
#define REQUIRE_PROGRAM(program)                                             \
  do {                                                                       \
    if (!HaveProgram(program)) {                                             \
      if (UnderCi()) FAIL() << program << " is required under CI=true";      \
      GTEST_SKIP() << program << " is not installed";                        \
    }                                                                        \
  } while (0)

#define REQUIRE_FILE(path)                                                   \
  do {                                                                       \
    if (!fs::exists(path)) {                                                 \
      if (UnderCi()) FAIL() << path << " is required under CI=true";         \
      GTEST_SKIP() << path << " is not installed";                           \
    }                                                                        \
  } while (0)

std::vector<std::string> NonEmptyLines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t\f\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\f\r");
    lines.push_back(line.substr(first, last - first + 1));
  }
  return lines;
}

std::vector<uint32_t> CodePoints(const std::string& s) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    cps.push_back(cp);
    i += len;
  }
  return cps;
}

std::string FileId(const std::string& pdf) {
  std::smatch m;
  static const std::regex id(R"(/ID \[ ?<([0-9A-Fa-f]+)>)");
  return std::regex_search(pdf, m, id) ? m[1].str() : std::string();
}

// The byte range of every stream of an uncompressed PDF whose data holds
// `marker`.
std::vector<std::string> StreamsContaining(const std::string& pdf, const std::string& marker) {
  std::vector<std::string> streams;
  for (size_t pos = 0; (pos = pdf.find("stream\r\n", pos)) != std::string::npos;) {
    const size_t begin = pos + 8;
    const size_t end = pdf.find("\nendstream", begin);
    if (end == std::string::npos) break;
    std::string data = pdf.substr(begin, end - begin);
    if (data.find(marker) != std::string::npos) streams.push_back(std::move(data));
    pos = end;
  }
  return streams;
}

// The FontFile2 programs of an uncompressed PDF (the writer gives /Length1
// as a direct number, so the data length is known).
std::vector<std::string> FontPrograms(const std::string& pdf) {
  std::vector<std::string> fonts;
  static const std::regex length1(R"(/Length1 (\d+)\n>>\nstream\r\n)");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), length1);
       it != std::sregex_iterator(); ++it) {
    const size_t begin = it->position(0) + it->length(0);
    fonts.push_back(pdf.substr(begin, std::stoul((*it)[1].str())));
  }
  return fonts;
}

// ToUnicode entries: glyph ID to UTF-16 code units.
std::map<uint32_t, std::vector<uint32_t>> ToUnicode(const std::string& pdf) {
  std::map<uint32_t, std::vector<uint32_t>> map;
  static const std::regex entry(R"(<([0-9A-F]{4})> <([0-9A-F]+)>)");
  for (const std::string& cmap : StreamsContaining(pdf, "begincmap")) {
    for (auto it = std::sregex_iterator(cmap.begin(), cmap.end(), entry);
         it != std::sregex_iterator(); ++it) {
      const std::string hex = (*it)[2].str();
      std::vector<uint32_t> units;
      for (size_t i = 0; i + 4 <= hex.size(); i += 4) units.push_back(std::stoul(hex.substr(i, 4), nullptr, 16));
      map[std::stoul((*it)[1].str(), nullptr, 16)] = units;
    }
  }
  return map;
}

struct PlacedGlyph {
  uint32_t gid;
  double x, y;
};

// Interprets the text operators of a content stream the way a viewer does:
// after each glyph the position advances by its /W width (round(advance *
// 1000 / upem)); a TJ number moves it back by n/1000 em; Ts raises.
// Reads a literal string "(...)" starting at content[i] == '(' with its
// escapes; returns its bytes and moves i past the closing parenthesis.
std::string ReadLiteral(const std::string& content, size_t& i) {
  std::string bytes;
  for (++i; i < content.size() && content[i] != ')'; ++i) {
    if (content[i] != '\\') {
      bytes.push_back(content[i]);
      continue;
    }
    const char e = content[++i];
    bytes.push_back(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
  }
  ++i;
  return bytes;
}

std::vector<PlacedGlyph> Interpret(const std::string& content, const text::Font& font) {
  std::vector<PlacedGlyph> placed;
  std::vector<std::string> operands;
  double size = 0, line_x = 0, line_y = 0, tx = 0, rise = 0;
  const double upem = font.units_per_em();
  auto width = [&](uint32_t gid) {
    return std::lround(font.glyph_advance(gid) * 1000 / upem) / 1000.0;
  };
  size_t i = 0;
  while (i < content.size()) {
    const char c = content[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '/' && content.compare(i, 5, "/Span") == 0) {
      // The marked-content property list: << /ActualText (...) >>.
      i = content.find('(', i);
      ReadLiteral(content, i);
      i = content.find(">>", i) + 2;
      operands.clear();
    } else if (c == '[') {
      // A TJ array: two-byte glyph codes in literal strings, and numbers.
      for (++i; i < content.size() && content[i] != ']';) {
        if (content[i] == '(') {
          const std::string codes = ReadLiteral(content, i);
          for (size_t h = 0; h + 2 <= codes.size(); h += 2) {
            const auto gid = static_cast<uint32_t>(static_cast<unsigned char>(codes[h]) << 8 |
                                                   static_cast<unsigned char>(codes[h + 1]));
            placed.push_back({gid, line_x + tx, line_y + rise});
            tx += width(gid) * size;
          }
        } else if (std::isspace(static_cast<unsigned char>(content[i]))) {
          ++i;
        } else {
          size_t used = 0;
          const double n = std::stod(content.substr(i, 32), &used);
          tx -= n / 1000 * size;
          i += used;
        }
      }
      ++i;
    } else {
      size_t end = i;
      while (end < content.size() && !std::isspace(static_cast<unsigned char>(content[end]))) ++end;
      const std::string token = content.substr(i, end - i);
      i = end;
      if (std::isdigit(static_cast<unsigned char>(token[0])) || token[0] == '-' || token[0] == '.' ||
          token[0] == '/') {
        operands.push_back(token);
        continue;
      }
      if (token == "Tf") size = std::stod(operands.at(1));
      if (token == "Td") line_x = std::stod(operands.at(0)), line_y = std::stod(operands.at(1)), tx = 0;
      if (token == "Ts") rise = std::stod(operands.at(0));
      operands.clear();
    }
  }
  return placed;
}

// Where HarfBuzz put each glyph of `run`, in points.
std::vector<PlacedGlyph> Expected(const GlyphRun& run, const text::Font& font) {
  std::vector<PlacedGlyph> placed;
  const double k = run.size / font.units_per_em();
  int64_t pen = 0;
  for (const Glyph& g : run.glyphs) {
    placed.push_back({g.gid, run.x + (pen + g.x_offset) * k, run.y + g.y_offset * k});
    pen += g.x_advance;
  }
  return placed;
}

// Glyphs with an outline in a font program.
int GlyphsWithOutlines(const std::string& program, std::vector<uint32_t>* gids = nullptr) {
  hb_blob_t* blob = hb_blob_create(program.data(), static_cast<unsigned>(program.size()),
                                   HB_MEMORY_MODE_READONLY, nullptr, nullptr);
  hb_face_t* face = hb_face_create(blob, 0);
  hb_font_t* font = hb_font_create(face);
  int count = 0;
  const unsigned n = hb_face_get_glyph_count(face);
  for (unsigned g = 0; g < n; ++g) {
    hb_glyph_extents_t e{};
    if (hb_font_get_glyph_extents(font, g, &e) && e.width != 0 && e.height != 0) {
      ++count;
      if (gids) gids->push_back(g);
    }
  }
  hb_font_destroy(font);
  hb_face_destroy(face);
  hb_blob_destroy(blob);
  return count;
}

WriteOptions Uncompressed() {
  WriteOptions o;
  o.compress = false;
  return o;
}

TEST(WritePdfTest, FontLoads) { ASSERT_NE(Laksaman(), nullptr) << "install fonts-tlwg-laksaman-ttf"; }

TEST(WritePdfTest, ExtractsExactTextTool) {
  ASSERT_NE(Laksaman(), nullptr);
  REQUIRE_PROGRAM("pdftotext");
  const fs::path path = Save(WriteOrDie(Sample()), "extract.pdf");
  const std::vector<std::string> expected = {kThai1, kThai2, kLatin};
  for (const std::string mode : {"", "-layout "}) {
    SCOPED_TRACE("pdftotext " + mode);
    const Command cmd = RunCommand("pdftotext -enc UTF-8 " + mode + path.string() + " -");
    ASSERT_EQ(cmd.exit_code, 0) << cmd.output;
    EXPECT_EQ(NonEmptyLines(cmd.output), expected) << cmd.output;
    for (uint32_t cp : CodePoints(cmd.output)) {
      EXPECT_FALSE(cp >= 0xE000 && cp <= 0xF8FF) << "private-use code point U+" << std::hex << cp;
    }
    EXPECT_NE(cmd.output.find("ำ"), std::string::npos) << "SARA AM lost";
    EXPECT_NE(cmd.output.find("ู"), std::string::npos) << "SARA UU lost";
  }
}

TEST(WritePdfTest, ToUnicodeGivesEachGlyphItsOwnText) {
  ASSERT_NE(Laksaman(), nullptr);
  const std::string pdf = WriteOrDie(Sample(), Uncompressed());
  const auto map = ToUnicode(pdf);
  const text::Font& font = *Laksaman();
  auto glyph = [&](const char* name) {
    hb_codepoint_t g = 0;
    EXPECT_TRUE(hb_font_get_glyph_from_name(font.hb_font(), name, -1, &g)) << name;
    return static_cast<uint32_t>(g);
  };
  using Units = std::vector<uint32_t>;
  EXPECT_EQ(map.at(glyph("uni0E17")), Units{0x0E17});          // ท, not its whole cluster ที่
  EXPECT_EQ(map.at(glyph("uni0E48")), Units{0x0E48});          // MAI EK
  EXPECT_EQ(map.at(glyph("uni0E48.low")), Units{0x0E48});      // no code point but PUA
  EXPECT_EQ(map.at(glyph("uni0E10.descless")), Units{0x0E10});  // ฐ without its descender
  EXPECT_EQ(map.at(glyph("uni0E4D")), Units{0x0E33});          // SARA AM drawn as NIKHAHIT + AA
  EXPECT_EQ(map.at(glyph("uni0E32")), Units{0x0E32});
  EXPECT_EQ(map.at(glyph("uni0E39")), Units{0x0E39});          // SARA UU
  for (const auto& [gid, units] : map) {
    for (uint32_t u : units) EXPECT_FALSE(u >= 0xE000 && u <= 0xF8FF) << "glyph " << gid;
  }
}

TEST(WritePdfTest, GlyphsLandWhereHarfBuzzPutThem) {
  ASSERT_NE(Laksaman(), nullptr);
  std::vector<std::shared_ptr<const text::Font>> fonts = {Laksaman()};
  // A font with 2048 units per em makes /W widths round; positions must not.
  if (auto dejavu = text::Font::Load("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"); dejavu.ok()) {
    fonts.push_back(dejavu.value());
  }
  for (const auto& font : fonts) {
    SCOPED_TRACE(font->path());
    Document doc;
    doc.fonts.push_back(font);
    Page page;
    page.runs.push_back(Shape(*font, 0, std::string(kThai1) + " " + kThai2 + " AVAWAY Te", 13.37, 40.5, 300.25));
    doc.pages.push_back(page);
    const std::vector<std::string> contents = StreamsContaining(WriteOrDie(doc, Uncompressed()), " TJ");
    ASSERT_EQ(contents.size(), 1u);
    const std::vector<PlacedGlyph> got = Interpret(contents[0], *font);
    const std::vector<PlacedGlyph> want = Expected(page.runs[0], *font);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].gid, want[i].gid) << "glyph " << i;
      EXPECT_NEAR(got[i].x, want[i].x, 1e-3) << "glyph " << i;
      EXPECT_NEAR(got[i].y, want[i].y, 1e-3) << "glyph " << i;
    }
  }
}

// Glyph codes are written as bytes of literal strings: IDs whose bytes are
// '(' ')' '\\' CR or LF must be escaped, or a viewer reads other glyphs.
TEST(WritePdfTest, GlyphCodesThatNeedEscapingSurvive) {
  ASSERT_NE(Laksaman(), nullptr);
  Document doc;
  doc.fonts.push_back(Laksaman());
  Page page;
  GlyphRun run;
  run.size = 12;
  run.x = 50;
  run.y = 500;
  run.text = "x";
  const std::vector<uint32_t> gids = {0x0A, 0x0D, 0x28, 0x29, 0x5C, 0x10A, 0x128, 0x15C, 0x0D0D};
  for (uint32_t gid : gids) {
    if (gid < static_cast<uint32_t>(Laksaman()->glyph_count())) run.glyphs.push_back({gid, 500, 0, 0, 0});
  }
  page.runs.push_back(run);
  doc.pages.push_back(page);
  const std::vector<std::string> contents = StreamsContaining(WriteOrDie(doc, Uncompressed()), " TJ");
  ASSERT_EQ(contents.size(), 1u);
  const std::vector<PlacedGlyph> got = Interpret(contents[0], *Laksaman());
  ASSERT_EQ(got.size(), run.glyphs.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].gid, run.glyphs[i].gid);
  EXPECT_GE(run.glyphs.size(), 8u);
  // A raw CR inside a literal string reads back as LF.
  EXPECT_EQ(contents[0].find('\r'), std::string::npos);
}

TEST(WritePdfTest, SameDocumentGivesSameBytes) {
  ASSERT_NE(Laksaman(), nullptr);
  const std::string a = WriteOrDie(Sample());
  const std::string b = WriteOrDie(Sample());
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "two writes of one document differ";
  EXPECT_EQ(FileId(a).size(), 32u);

  Document other = Sample();
  other.pages[0].runs[2] = Shape(*Laksaman(), 0, "ITA 2568 saraban", 24, 72, 410);
  const std::string c = WriteOrDie(other);
  EXPECT_NE(FileId(a), FileId(c));
  Document retitled = Sample();
  retitled.metadata.title += " ฉบับแก้ไข";
  EXPECT_NE(FileId(a), FileId(WriteOrDie(retitled)));
}

// Renderer workers write documents in parallel with shared fonts.
TEST(WritePdfTest, ConcurrentWritesGiveTheSameBytes) {
  ASSERT_NE(Laksaman(), nullptr);
  const Document doc = Sample();
  const std::string expected = WriteOrDie(doc);
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::string& result : results) {
    threads.emplace_back([&doc, &result] {
      for (int i = 0; i < 5; ++i) {
        Result<std::string> pdf = WritePdf(doc);
        result = pdf.ok() ? pdf.value() : std::string();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& result : results) EXPECT_TRUE(result == expected);
}

TEST(WritePdfTest, WritesNoDateUnlessGiven) {
  ASSERT_NE(Laksaman(), nullptr);
  const std::string undated = WriteOrDie(Sample(), Uncompressed());
  EXPECT_EQ(undated.find("CreationDate"), std::string::npos);
  EXPECT_EQ(undated.find("ModDate"), std::string::npos);
  EXPECT_EQ(undated.find("xmp:CreateDate"), std::string::npos);

  Document doc = Sample();
  doc.metadata.creation_date = "2024-09-30T14:05:09+07:00";
  const std::string dated = WriteOrDie(doc, Uncompressed());
  EXPECT_NE(dated.find("/CreationDate (D:20240930140509+07'00')"), std::string::npos);
  EXPECT_NE(dated.find("/ModDate (D:20240930140509+07'00')"), std::string::npos);
  EXPECT_NE(dated.find("<xmp:CreateDate>2024-09-30T14:05:09+07:00</xmp:CreateDate>"),
            std::string::npos);
  EXPECT_NE(dated.find("<xmp:ModifyDate>2024-09-30T14:05:09+07:00</xmp:ModifyDate>"),
            std::string::npos);
  EXPECT_NE(FileId(undated), FileId(dated));
}

TEST(WritePdfTest, ThaiMetadataIsUtf16InInfoAndUtf8InXmp) {
  ASSERT_NE(Laksaman(), nullptr);
  const std::string pdf = WriteOrDie(Sample(), Uncompressed());
  // รายงาน as UTF-16BE with a byte order mark.
  EXPECT_NE(pdf.find("/Title <FEFF0E230E320E220E070E320E19"), std::string::npos);
  EXPECT_NE(pdf.find("/Lang (th-TH)"), std::string::npos);
  EXPECT_NE(pdf.find("/Subtype /XML"), std::string::npos);
  EXPECT_EQ(pdf.find("/SubType"), std::string::npos);
  EXPECT_NE(pdf.find("xml:lang=\"x-default\">รายงานผลการดำเนินการ"), std::string::npos);
  EXPECT_NE(pdf.find("คุณธรรม &amp; ความโปร่งใส"), std::string::npos);
  EXPECT_NE(pdf.find("/S /GTS_PDFA1"), std::string::npos);
  EXPECT_NE(pdf.find("/DestOutputProfile "), std::string::npos);
  EXPECT_EQ(pdf.find("/DestOutputProfile  "), std::string::npos);
}

TEST(WritePdfTest, QpdfCheckIsCleanTool) {
  ASSERT_NE(Laksaman(), nullptr);
  REQUIRE_PROGRAM("qpdf");
  Document dated = Sample();
  dated.metadata.creation_date = "2024-09-30T14:05:09+07:00";
  for (const auto& [name, bytes] :
       {std::pair{"qpdf.pdf", WriteOrDie(Sample())}, {"qpdf_dated.pdf", WriteOrDie(dated)},
        {"qpdf_plain.pdf", WriteOrDie(Sample(), Uncompressed())}}) {
    const Command cmd = RunCommand("qpdf --check " + Save(bytes, name).string());
    EXPECT_EQ(cmd.exit_code, 0) << cmd.output;
    EXPECT_EQ(cmd.output.find("WARNING"), std::string::npos) << cmd.output;
    EXPECT_NE(cmd.output.find("No syntax or stream encoding errors"), std::string::npos) << cmd.output;
  }
}

TEST(WritePdfTest, PreflightSaysPdfA1bTool) {
  ASSERT_NE(Laksaman(), nullptr);
  REQUIRE_PROGRAM("java");
  REQUIRE_FILE("/usr/share/java/preflight.jar");  // libpdfbox2-java
  Document doc = Sample();
  doc.metadata.creation_date = "2024-09-30T14:05:09+07:00";
  // A second page in another font, and a font that no page uses.
  if (auto bold = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf"); bold.ok()) {
    doc.fonts.push_back(Laksaman());
    doc.fonts.push_back(bold.value());
    Page page;
    page.runs.push_back(Shape(*bold.value(), 2, kThai2, 16, 72, 500));
    page.runs.push_back(Shape(*Laksaman(), 0, kLatin, 16, 72, 480));
    doc.pages.push_back(page);
  }
  doc.pages.push_back(Page{});  // an empty page
  const fs::path path = Save(WriteOrDie(doc), "preflight.pdf");
  const Command cmd = RunCommand("scripts/preflight.sh " + path.string());
  EXPECT_EQ(cmd.exit_code, 0) << cmd.output;
  EXPECT_NE(cmd.output.find("valid PDF/A-1b"), std::string::npos) << cmd.output;
}

TEST(WritePdfTest, EmbedsOnlyUsedGlyphs) {
  ASSERT_NE(Laksaman(), nullptr);
  const Document doc = OneLine(kThai1);
  const std::string pdf = WriteOrDie(doc);
  Save(pdf, "one_line.pdf");
  EXPECT_LT(pdf.size(), 20u * 1024) << "a one-line PDF should be far below 40 KB";

  const std::vector<std::string> programs = FontPrograms(WriteOrDie(doc, Uncompressed()));
  ASSERT_EQ(programs.size(), 1u);
  std::vector<uint32_t> outlined;
  GlyphsWithOutlines(programs[0], &outlined);
  std::vector<uint32_t> used = {0};  // .notdef keeps its outline
  for (const Glyph& g : doc.pages[0].runs[0].glyphs) used.push_back(g.gid);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  EXPECT_EQ(outlined, used);
  EXPECT_GT(GlyphsWithOutlines(Laksaman()->bytes()), 400);
}

TEST(WritePdfTest, LeavesOutUnusedFonts) {
  ASSERT_NE(Laksaman(), nullptr);
  Document doc = OneLine(kLatin);
  doc.fonts.insert(doc.fonts.begin(), Laksaman());  // index 0 is now unused
  doc.pages[0].runs[0].font = 1;
  const std::string pdf = WriteOrDie(doc, Uncompressed());
  EXPECT_EQ(FontPrograms(pdf).size(), 1u);
  EXPECT_NE(pdf.find("/F2 "), std::string::npos);
  EXPECT_EQ(pdf.find("/F1 "), std::string::npos);
}

TEST(WritePdfTest, RejectsInvalidDocuments) {
  ASSERT_NE(Laksaman(), nullptr);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* name;
    std::function<void(Document&)> mutate;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"font index out of range", [](Document& d) { d.pages[0].runs[0].font = 3; },
       "pages[0].runs[0].font"},
      {"negative font index", [](Document& d) { d.pages[0].runs[1].font = -1; },
       "pages[0].runs[1].font"},
      {"null font", [](Document& d) { d.fonts[0] = nullptr; }, "fonts[0]"},
      {"NaN run x", [nan](Document& d) { d.pages[0].runs[0].x = nan; }, "pages[0].runs[0].x"},
      {"infinite run y",
       [](Document& d) { d.pages[0].runs[2].y = std::numeric_limits<double>::infinity(); },
       "pages[0].runs[2].y"},
      {"NaN size", [nan](Document& d) { d.pages[0].runs[0].size = nan; }, "pages[0].runs[0].size"},
      {"zero size", [](Document& d) { d.pages[0].runs[0].size = 0; }, "pages[0].runs[0].size"},
      {"NaN rule", [nan](Document& d) { d.pages[0].rules[0].x2 = nan; }, "pages[0].rules[0]"},
      {"NaN rule width", [nan](Document& d) { d.pages[0].rules[1].width = nan; },
       "pages[0].rules[1].width"},
      {"NaN fill", [nan](Document& d) { d.pages[0].fills[0].h = nan; }, "pages[0].fills[0]"},
      {"gray out of range", [](Document& d) { d.pages[0].fills[0].gray = 2; },
       "pages[0].fills[0].gray"},
      {"NaN page width", [nan](Document& d) { d.pages[0].width = nan; }, "pages[0]"},
      {"tiny page", [](Document& d) { d.pages[0].height = 1; }, "pages[0]"},
      {"gid beyond glyph count",
       [](Document& d) { d.pages[0].runs[1].glyphs[4].gid = static_cast<uint32_t>(d.fonts[0]->glyph_count()); },
       "pages[0].runs[1].glyphs[4].gid"},
      {"huge gid", [](Document& d) { d.pages[0].runs[0].glyphs[0].gid = 0xFFFFFFFF; },
       "pages[0].runs[0].glyphs[0].gid"},
      {"cluster beyond text", [](Document& d) { d.pages[0].runs[2].glyphs[0].cluster = 999; },
       "pages[0].runs[2].glyphs[0].cluster"},
      {"cluster inside a character", [](Document& d) { d.pages[0].runs[0].glyphs[1].cluster = 1; },
       "pages[0].runs[0].glyphs[1].cluster"},
      {"invalid UTF-8 text", [](Document& d) { d.pages[0].runs[2].text[3] = '\xFF'; },
       "pages[0].runs[2].text"},
      {"absurd offset", [](Document& d) { d.pages[0].runs[0].glyphs[2].y_offset = 1 << 30; },
       "pages[0].runs[0].glyphs[2]"},
      {"most negative advance",
       [](Document& d) { d.pages[0].runs[0].glyphs[1].x_advance = std::numeric_limits<int32_t>::min(); },
       "pages[0].runs[0].glyphs[1]"},
      {"no pages", [](Document& d) { d.pages.clear(); }, "pages"},
      {"bad date", [](Document& d) { d.metadata.creation_date = "30/09/2567"; },
       "metadata.creation_date"},
      {"bad month", [](Document& d) { d.metadata.creation_date = "2024-13-30T14:05:09+07:00"; },
       "metadata.creation_date"},
      {"invalid UTF-8 title", [](Document& d) { d.metadata.title = "\xE0\xB8"; }, "metadata.title"},
      {"control character", [](Document& d) { d.metadata.author = "a\x01"; }, "metadata.author"},
      {"bad language", [](Document& d) { d.metadata.language = "th TH"; }, "metadata.language"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Document doc = Sample();
    c.mutate(doc);
    Result<std::string> pdf = WritePdf(doc);
    ASSERT_FALSE(pdf.ok());
    EXPECT_EQ(pdf.status().code(), StatusCode::kInvalidArgument) << pdf.status().ToString();
    EXPECT_EQ(pdf.status().field(), c.field) << pdf.status().ToString();
  }
}

TEST(WritePdfTest, MissingIccProfileIsNotFound) {
  ASSERT_NE(Laksaman(), nullptr);
  WriteOptions options;
  options.icc_profile_path = "/nonexistent/sRGB.icc";
  Result<std::string> pdf = WritePdf(Sample(), options);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().code(), StatusCode::kNotFound);
}

// Eight pages of about 400 glyphs each, as a short report would have.
TEST(WritePdfTest, WritesAShortReportQuickly) {
  ASSERT_NE(Laksaman(), nullptr);
  Document doc = Sample();
  doc.pages.clear();
  const char* lines[] = {kThai1, kThai2, kLatin, "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส"};
  std::vector<GlyphRun> shaped;
  for (const char* line : lines) shaped.push_back(Shape(*Laksaman(), 0, line, 10.56, 0, 0));
  size_t glyphs = 0;
  for (int p = 0; p < 8; ++p) {
    Page page;
    for (int l = 0; l < 20; ++l) {
      GlyphRun run = shaped[(p + l) % 4];
      run.x = 60;
      run.y = 540 - 24 * l;
      glyphs += run.glyphs.size();
      page.runs.push_back(std::move(run));
      page.rules.push_back(Rule{60, 536.0 - 24 * l, 780, 536.0 - 24 * l, 0.5, l % 2 == 0});
    }
    doc.pages.push_back(std::move(page));
  }
  ASSERT_GT(glyphs, 2500u);
  WriteOrDie(doc);  // warm up the font's lazily loaded tables
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRounds = 20;
  size_t size = 0;
  for (int i = 0; i < kRounds; ++i) size = WriteOrDie(doc).size();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      kRounds;
  std::printf("8 pages, %zu glyphs: %zu bytes in %.2f ms\n", glyphs, size, ms);
  EXPECT_LT(ms, 100.0);

  const Document sample = Sample();
  const auto sample_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) size = WriteOrDie(sample).size();
  const double sample_ms = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - sample_start).count() / kRounds;
  std::printf("1 page, 3 lines: %zu bytes in %.2f ms\n", size, sample_ms);
}

}  // namespace
}  // namespace saraban::pdf
