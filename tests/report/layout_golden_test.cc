// Golden page layouts of the example reports: every fill, rule and run the
// typesetter places, dumped as text and compared with tests/golden/layout_*.txt.
// A change anywhere in compose, line breaking, table layout or paging shows
// up here as a diff of the lines that moved.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "saraban/layout/layout.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/report/compose.h"
#include "saraban/report/default_template.h"
#include "saraban/text/font.h"
#include "test_support.h"

namespace saraban {
namespace {

const char* const kExamples[] = {"examples/000_taluboh.json", "examples/004_bueng_khla.json"};
constexpr char kFontDir[] = "/usr/share/fonts/truetype/tlwg";
// How many changed lines a failure shows; the rest are only counted.
constexpr size_t kMaxShownChanges = 20;
// Beyond this many cells the diff compares line by line instead of aligning.
constexpr size_t kMaxAlignCells = 16'000'000;

std::string ExampleStem(const std::string& example) {
  return std::filesystem::path(example).stem().string();
}

std::string GoldenPath(const std::string& example) {
  return std::string(SARABAN_SOURCE_DIR) + "/tests/golden/layout_" + ExampleStem(example) + ".txt";
}

// Two decimals, always '.', whatever the locale; never "-0.00".
std::string Fixed2(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
  std::string s = ec == std::errc() ? std::string(buf, end) : "nan";
  if (s == "-0.00") s = "0.00";
  return s;
}

// Run text on one line: control characters and backslashes escaped.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Header(const std::string& example) {
  return "# Golden page layout of " + example +
         ": the default template (report::DefaultTemplate),\n"
         "# Laksaman.ttf and Laksaman-Bold.ttf from " + kFontDir +
         ", laid out by\n"
         "# layout::Typesetter. Written by tests/report/layout_golden_test.cc.\n"
         "# PDF points, origin at the bottom-left of the page, two decimals.\n"
         "# Glyph IDs are left out (tests/golden/thai_clusters.tests covers shaping);\n"
         "# each run gives its number of glyphs. One line per item:\n"
         "#   page N WxH\n"
         "#   fill x y w h gray\n"
         "#   rule x1 y1 x2 y2 width [dotted]\n"
         "#   run font size x y glyphs=N | text\n"
         "# Record after a deliberate change, then review every changed line with\n"
         "# `git diff` before committing:\n"
         "#   SARABAN_RECORD_GOLDEN=1 <build-dir>/tests/layout_golden_test\n";
}

// The stable text form of laid-out pages.
std::string Dump(const std::string& example, const std::vector<page::Page>& pages) {
  static const char* const kFontNames[] = {"regular", "bold"};
  std::ostringstream out;
  out << Header(example);
  for (size_t i = 0; i < pages.size(); ++i) {
    const page::Page& page = pages[i];
    out << "page " << i + 1 << ' ' << Fixed2(page.width) << 'x' << Fixed2(page.height) << '\n';
    for (const page::Fill& f : page.fills) {
      out << "fill " << Fixed2(f.x) << ' ' << Fixed2(f.y) << ' ' << Fixed2(f.w) << ' ' << Fixed2(f.h)
          << ' ' << Fixed2(f.gray) << '\n';
    }
    for (const page::Rule& r : page.rules) {
      out << "rule " << Fixed2(r.x1) << ' ' << Fixed2(r.y1) << ' ' << Fixed2(r.x2) << ' '
          << Fixed2(r.y2) << ' ' << Fixed2(r.width) << (r.dotted ? " dotted" : "") << '\n';
    }
    for (const page::GlyphRun& run : page.runs) {
      const bool known = run.font >= 0 && run.font < 2;
      out << "run " << (known ? kFontNames[run.font] : "font" + std::to_string(run.font)) << ' '
          << Fixed2(run.size) << ' ' << Fixed2(run.x) << ' ' << Fixed2(run.y)
          << " glyphs=" << run.glyphs.size() << " | " << Escape(run.text) << '\n';
    }
  }
  return out.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// One line of an edit script: ' ' kept, '-' only expected, '+' only actual.
struct Edit {
  char op;
  size_t expected_line;  // 1-based; 0 when the line is not in that file
  size_t actual_line;
};

// The edit script turning `e` into `a`: a longest common subsequence of the
// lines between the common prefix and suffix, or a line-by-line comparison
// when that middle is too large to align.
std::vector<Edit> EditScript(const std::vector<std::string>& e, const std::vector<std::string>& a) {
  size_t prefix = 0;
  while (prefix < e.size() && prefix < a.size() && e[prefix] == a[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < e.size() - prefix && suffix < a.size() - prefix &&
         e[e.size() - 1 - suffix] == a[a.size() - 1 - suffix]) {
    ++suffix;
  }
  const size_t n = e.size() - prefix - suffix;
  const size_t m = a.size() - prefix - suffix;

  std::vector<Edit> script;
  for (size_t i = 0; i < prefix; ++i) script.push_back({' ', i + 1, i + 1});
  if ((n + 1) * (m + 1) <= kMaxAlignCells) {
    // lcs[i][j]: common lines of e[prefix+i..] and a[prefix+j..] in the middle.
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        lcs[i][j] = e[prefix + i] == a[prefix + j] ? lcs[i + 1][j + 1] + 1
                                                   : std::max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && e[prefix + i] == a[prefix + j]) {
        script.push_back({' ', prefix + i + 1, prefix + j + 1});
        ++i, ++j;
      } else if (j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
        script.push_back({'-', prefix + i + 1, 0});
        ++i;
      } else {
        script.push_back({'+', 0, prefix + j + 1});
        ++j;
      }
    }
  } else {
    for (size_t k = 0; k < std::max(n, m); ++k) {
      if (k < n && k < m && e[prefix + k] == a[prefix + k]) {
        script.push_back({' ', prefix + k + 1, prefix + k + 1});
        continue;
      }
      if (k < n) script.push_back({'-', prefix + k + 1, 0});
      if (k < m) script.push_back({'+', 0, prefix + k + 1});
    }
  }
  for (size_t k = suffix; k > 0; --k) script.push_back({' ', e.size() - k + 1, a.size() - k + 1});
  return script;
}

// Within each block of changes, each expected line right above the actual
// line that replaced it: a moved number reads as a pair, not as two lists.
std::vector<Edit> PairChanges(const std::vector<Edit>& script) {
  std::vector<Edit> out;
  for (size_t k = 0; k < script.size();) {
    if (script[k].op == ' ') {
      out.push_back(script[k++]);
      continue;
    }
    std::vector<Edit> removed, added;
    for (; k < script.size() && script[k].op != ' '; ++k) {
      (script[k].op == '-' ? removed : added).push_back(script[k]);
    }
    for (size_t i = 0; i < std::max(removed.size(), added.size()); ++i) {
      if (i < removed.size()) out.push_back(removed[i]);
      if (i < added.size()) out.push_back(added[i]);
    }
  }
  return out;
}

// A unified-style diff of the first kMaxShownChanges changed lines, two lines
// of context, each line with its number in the expected and actual dump.
std::string UnifiedDiff(const std::string& expected_name, const std::string& expected,
                        const std::string& actual) {
  constexpr size_t kContext = 2;
  const std::vector<std::string> e = Lines(expected);
  const std::vector<std::string> a = Lines(actual);
  const std::vector<Edit> script = PairChanges(EditScript(e, a));
  const size_t total =
      std::count_if(script.begin(), script.end(), [](const Edit& x) { return x.op != ' '; });

  // Which script lines to show: changes up to the limit, with context.
  std::vector<bool> shown(script.size(), false);
  size_t changes = 0;
  size_t last = script.size();  // the last change shown
  for (size_t k = 0; k < script.size() && changes < kMaxShownChanges; ++k) {
    if (script[k].op == ' ') continue;
    ++changes;
    last = k;
    const size_t from = k >= kContext ? k - kContext : 0;
    const size_t to = std::min(script.size(), k + kContext + 1);
    for (size_t c = from; c < to; ++c) shown[c] = true;
  }
  // After the last change shown, only unchanged lines, up to the next change.
  for (size_t c = last + 1; c < script.size() && shown[c]; ++c) {
    if (script[c].op == ' ') continue;
    std::fill(shown.begin() + static_cast<std::ptrdiff_t>(c), shown.end(), false);
  }

  std::string out = "--- " + expected_name + " (expected)\n+++ layout of the example (actual)\n";
  for (size_t k = 0; k < script.size();) {
    if (!shown[k]) {
      ++k;
      continue;
    }
    size_t end = k;
    while (end < script.size() && shown[end]) ++end;
    // Hunk header: first line and count in each file.
    size_t e_first = 0, e_count = 0, a_first = 0, a_count = 0;
    for (size_t c = k; c < end; ++c) {
      if (script[c].expected_line) {
        if (!e_count++) e_first = script[c].expected_line;
      }
      if (script[c].actual_line) {
        if (!a_count++) a_first = script[c].actual_line;
      }
    }
    out += "@@ -" + std::to_string(e_first) + "," + std::to_string(e_count) + " +" +
           std::to_string(a_first) + "," + std::to_string(a_count) + " @@\n";
    for (size_t c = k; c < end; ++c) {
      const Edit& x = script[c];
      char numbers[32];
      std::snprintf(numbers, sizeof numbers, "%c%5s %5s  ", x.op,
                    x.expected_line ? std::to_string(x.expected_line).c_str() : "",
                    x.actual_line ? std::to_string(x.actual_line).c_str() : "");
      out += numbers;
      out += x.expected_line ? e[x.expected_line - 1] : a[x.actual_line - 1];
      out += '\n';
    }
    k = end;
  }
  if (total > kMaxShownChanges) {
    out += "... " + std::to_string(total - kMaxShownChanges) + " more changed lines not shown\n";
  }
  return out;
}

class LayoutGoldenTest : public ::testing::TestWithParam<const char*> {
 protected:
  // The example laid out on its real pages with the default template.
  std::vector<page::Page> LayOut() {
    Result<v1::Report> report = model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) + "/" + GetParam());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return {};
    EXPECT_TRUE(model::ValidateReport(&*report).empty());
    Result<v1::Template> tmpl = report::DefaultTemplate();
    EXPECT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    if (!tmpl.ok()) return {};
    Result<layout::DocumentLayout> doc = report::Compose(*report, *tmpl);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    if (!doc.ok()) return {};

    auto regular = text::Font::Load(std::string(kFontDir) + "/Laksaman.ttf");
    auto bold = text::Font::Load(std::string(kFontDir) + "/Laksaman-Bold.ttf");
    EXPECT_TRUE(regular.ok() && bold.ok());
    if (!regular.ok() || !bold.ok()) return {};
    layout::Typesetter typesetter({*regular, *bold});
    Result<std::vector<page::Page>> pages = typesetter.Layout(*doc);
    EXPECT_TRUE(pages.ok()) << pages.status().ToString();
    return pages.ok() ? *pages : std::vector<page::Page>();
  }
};

TEST_P(LayoutGoldenTest, MatchesGoldenFile) {
  const std::vector<page::Page> pages = LayOut();
  ASSERT_FALSE(pages.empty());
  const std::string actual = Dump(GetParam(), pages);
  const std::string path = GoldenPath(GetParam());
  const std::string name = "tests/golden/" + std::filesystem::path(path).filename().string();

  const char* record_env = std::getenv("SARABAN_RECORD_GOLDEN");
  if (record_env != nullptr && std::string(record_env) == "1") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
    std::printf("recorded %zu pages into %s\n", pages.size(), path.c_str());
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; record it with SARABAN_RECORD_GOLDEN=1";
  const std::string expected = test::ReadFile(path);
  EXPECT_TRUE(expected == actual)
      << "the layout of " << GetParam() << " differs from " << name << ":\n"
      << UnifiedDiff(name, expected, actual)
      << "If the change is intended, re-record with SARABAN_RECORD_GOLDEN=1 and review `git diff`.";
}

INSTANTIATE_TEST_SUITE_P(Examples, LayoutGoldenTest, ::testing::ValuesIn(kExamples),
                         [](const auto& info) { return ExampleStem(info.param); });

}  // namespace
}  // namespace saraban
