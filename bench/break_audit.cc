// The break audit (tests/report/break_audit.h) on another engine's lines:
// given the paragraphs an engine set and the text it gives back (pdftotext
// -raw of its PDF), grades each of its line ends as saraban's tests grade
// saraban's own. For the comparison in docs/benchmarks.md with WeasyPrint
// and Chromium (bench/peers/render_peers.py) and saraban before a change.
//
//   break_audit --paragraphs tests/data/official_sentences.txt \
//       --lines /tmp/peers/chromium.txt --width 200 --size 14 --name chromium
//
// A paragraph line "@WIDTH<TAB>text" gives its own width (a table cell's).
//
// Lines are matched to the paragraphs on their letters alone: combining
// marks, spaces and form feeds are ignored and SARA AM is read as SARA AA,
// because WeasyPrint's text layer garbles marks; a line of stray marks
// (Chromium paints a page's first tone marks on the page before) matches
// nothing and is skipped.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "break_audit.h"
#include "saraban/text/font.h"
#include "saraban/text/normalize.h"

namespace saraban {
namespace {

std::vector<std::string> ReadLines(const std::string& path, bool skip_comments) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    line.erase(std::remove(line.begin(), line.end(), '\f'), line.end());
    if (skip_comments && (line.empty() || line[0] == '#')) continue;
    out.push_back(line);
  }
  return out;
}

// The letters of `s` with, for each, the byte offset just past it.
struct Skeleton {
  std::u32string letters;
  std::vector<size_t> end_of;  // byte offset after letters[i]
};

Skeleton SkeletonOf(const std::string& s) {
  Skeleton k;
  if (!text::ValidateUtf8(s).ok()) return k;
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp = text::DecodeUtf8(s, pos);
    if (cp == ' ' || cp == '\t' || cp == '\n' || text::IsThaiCombiningMark(cp) || cp == 0x0E4D) continue;
    if (cp == 0x0E33) cp = 0x0E32;  // SARA AM as SARA AA
    k.letters.push_back(cp);
    k.end_of.push_back(pos);
  }
  return k;
}

}  // namespace
}  // namespace saraban

int main(int argc, char** argv) {
  using namespace saraban;
  CLI::App app("Grades another engine's Thai line ends by saraban's break audit");
  std::string paragraphs_path, lines_path, name = "lines";
  std::string font = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf";
  double width = 0, size = 14;
  app.add_option("--paragraphs", paragraphs_path, "One paragraph per line ('#' comments)")->required();
  app.add_option("--lines", lines_path, "The engine's lines (pdftotext -raw)")->required();
  app.add_option("--width", width, "Width of the lines, pt, where a paragraph gives none");
  app.add_option("--size", size, "Font size, TH Sarabun pt (Laksaman: 0.66 of it is drawn)");
  app.add_option("--font", font, "The font the engine used");
  app.add_option("--name", name, "What to call the engine in the summary");
  CLI11_PARSE(app, argc, argv);

  auto regular = text::Font::Load(font);
  if (!regular.ok()) {
    std::cerr << regular.status().ToString() << "\n";
    return 1;
  }
  // A paragraph line may give its own width: "@WIDTH<TAB>text", with "\n"
  // for a line break inside it (a table cell's).
  std::vector<layout::Paragraph> paragraphs;
  std::vector<double> widths;
  for (std::string line : ReadLines(paragraphs_path, true)) {
    double w = width;
    if (line[0] == '@' && line.find('\t') != std::string::npos) {
      w = std::stod(line.substr(1, line.find('\t') - 1));
      line = line.substr(line.find('\t') + 1);
      for (size_t at = line.find("\\n"); at != std::string::npos; at = line.find("\\n", at)) {
        line.replace(at, 2, "\n");
      }
    }
    auto normalized = text::Normalize(line);
    paragraphs.push_back(layout::Paragraph{normalized.ok() ? *normalized : line,
                                           {layout::FontRole::kRegular, size, layout::Align::kLeft}});
    widths.push_back(w);
  }
  const std::vector<std::string> lines = ReadLines(lines_path, false);

  // Each paragraph's lines, cut from the paragraph's own text at the
  // offsets where the engine's lines end.
  std::vector<page::GlyphRun> runs;
  size_t li = 0, skipped = 0;
  std::vector<test::AuditedParagraph> audited;
  for (size_t pi = 0; pi < paragraphs.size(); ++pi) {
    const layout::Paragraph& p = paragraphs[pi];
    const Skeleton para = SkeletonOf(p.text);
    size_t at = 0;       // letters of the paragraph matched so far
    size_t byte = 0;     // where the next line starts
    while (at < para.letters.size() && li < lines.size()) {
      const Skeleton line = SkeletonOf(lines[li++]);
      if (line.letters.empty() ||
          para.letters.compare(at, line.letters.size(), line.letters) != 0) {
        ++skipped;  // stray marks, or a line that is not this paragraph's
        continue;
      }
      at += line.letters.size();
      size_t end = para.end_of[at - 1];
      // The marks that follow the line's last letter belong to it.
      while (end < p.text.size()) {
        size_t next = end;
        const char32_t cp = text::DecodeUtf8(p.text, next);
        if (!text::IsThaiCombiningMark(cp) && cp != 0x0E4D && cp != 0x0E33) break;
        end = next;
      }
      while (byte < end && p.text[byte] == ' ') ++byte;
      page::GlyphRun run;
      run.text = p.text.substr(byte, end - byte);
      runs.push_back(std::move(run));
      byte = end;
    }
    audited.push_back({&p, widths[pi]});
  }
  std::vector<const page::GlyphRun*> run_ptrs;
  for (const auto& r : runs) run_ptrs.push_back(&r);
  test::BreakAudit audit;
  const bool whole = test::AuditBreaks(audited, run_ptrs, layout::FontSet{*regular, *regular}, &audit);
  std::printf("%s\n", audit.Summary(name + ", " + std::to_string(paragraphs.size()) +
                                    (width > 0 ? " paragraphs at " + std::to_string(static_cast<int>(width)) + " pt" : " paragraphs at their widths"))
                          .c_str());
  std::printf("lines skipped (stray marks, unmatched): %zu; problems: %d\n", skipped, audit.bad());
  for (size_t i = 0; i < audit.problems.size() && i < 15; ++i) {
    std::printf("  %s\n", audit.problems[i].c_str());
  }
  return whole ? 0 : 2;
}
