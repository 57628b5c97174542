// The break audit: how good each line end of laid-out paragraphs is, by the
// grades of text::LineBreaker. Shared by the tests of the examples and of
// the corpus of official sentences (tests/data/official_sentences.txt).
#pragma once

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "saraban/layout/layout.h"
#include "saraban/text/line_breaker.h"
#include "saraban/text/shaper.h"
#include "test_support.h"

namespace saraban::test {

// A paragraph as laid out, with the width its lines had for text (pt).
struct AuditedParagraph {
  const layout::Paragraph* paragraph = nullptr;
  double width = 0;
};

struct BreakAudit {
  int ends = 0;                              // line ends inside paragraphs
  int by_grade[text::kBreakGrades] = {};     // at an opportunity of each grade
  int emergency = 0;                         // at no opportunity: inside a word
  int narrow_compounds = 0;                  // compound splits the column forced
  int narrow_one_dictionary = 0;             // one-dictionary breaks the column forced
  int short_last = 0;                        // last lines of one short syllable
  std::vector<std::string> problems;         // each bad place, named

  // Problems a typesetter would send back: a break inside a word, a
  // compound split where the column holds it, a break only one dictionary
  // sees, a short syllable alone on a last line.
  int bad() const { return static_cast<int>(problems.size()); }

  std::string Summary(const std::string& what) const {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "break audit of %s: %d line ends: space %d, both dictionaries %d, one dictionary "
                  "%d (%d where the good breaks around it are farther apart than the column), link %d, "
                  "hyphen %d, compound %d (%d in a column narrower than it), emergency %d; short "
                  "last lines %d",
                  what.c_str(), ends, by_grade[0], by_grade[1], by_grade[2],
                  narrow_one_dictionary, by_grade[3], by_grade[4], by_grade[5], narrow_compounds,
                  emergency, short_last);
    return buf;
  }
};

// Audits `runs`, the lines of `paragraphs` in reading order (a list
// marker is a run of its own before its paragraph's first line). False
// when the runs do not give the paragraphs back; `*audit` says why.
inline bool AuditBreaks(const std::vector<AuditedParagraph>& paragraphs,
                        const std::vector<const page::GlyphRun*>& runs, const layout::FontSet& fonts,
                        BreakAudit* audit) {
  text::LineBreaker breaker;
  text::Shaper regular(fonts.regular), bold(fonts.bold);
  // The narrowest lexicon compound that holds byte `at` of `p.text`
  // strictly inside, in p's style.
  auto compound_width = [&](const layout::Paragraph& p, size_t at) {
    double narrowest = std::numeric_limits<double>::infinity();
    for (std::string_view w : text::CompoundLexicon()) {
      for (size_t b = p.text.find(w); b != std::string::npos; b = p.text.find(w, b + 1)) {
        if (b < at && at < b + w.size()) {
          text::Shaper& shaper = p.style.font == layout::FontRole::kBold ? bold : regular;
          const double size = p.style.size * shaper.font().th_sarabun_scale();
          narrowest = std::min(narrowest, shaper.ShapeUncached(w).width * size /
                                              shaper.font().units_per_em());
        }
      }
    }
    return narrowest;
  };
  auto width_of = [&](const layout::Paragraph& p, std::string_view piece) {
    text::Shaper& shaper = p.style.font == layout::FontRole::kBold ? bold : regular;
    const double size = p.style.size * shaper.font().th_sarabun_scale();
    return shaper.ShapeUncached(piece).width * size / shaper.font().units_per_em();
  };
  size_t r = 0;
  for (const AuditedParagraph& ap : paragraphs) {
    const layout::Paragraph& p = *ap.paragraph;
    if (StripSpaces(p.text).empty()) continue;
    if (!p.marker.empty()) {
      if (r >= runs.size() || runs[r]->text != p.marker) {
        audit->problems.push_back("the marker of \"" + p.text.substr(0, 60) + "\" is missing");
        return false;
      }
      ++r;
    }
    const std::vector<text::BreakOpportunity> graded = breaker.Graded(p.text);
    size_t pos = 0;
    std::string joined, last_line;
    int lines = 0;
    while (StripSpaces(joined) != StripSpaces(p.text)) {
      if (r >= runs.size()) {
        audit->problems.push_back("ran out of lines for: " + p.text);
        return false;
      }
      const std::string& line = runs[r++]->text;
      const size_t at = p.text.find(line, pos);
      if (at == std::string::npos) {
        audit->problems.push_back("line \"" + line + "\" is not in: " + p.text);
        return false;
      }
      size_t end = at + line.size();
      joined += line;
      last_line = line;
      ++lines;
      while (end < p.text.size() && (p.text[end] == ' ' || p.text[end] == '\t')) ++end;
      if (end >= p.text.size() || p.text[end] == '\n') {
        pos = end;
        continue;
      }
      ++audit->ends;
      const std::string where = "\"" + line + "|" + p.text.substr(end, 30) + "\"";
      const auto it = std::find_if(graded.begin(), graded.end(),
                                   [&](const text::BreakOpportunity& o) { return o.offset == end; });
      if (it == graded.end()) {
        ++audit->emergency;
        audit->problems.push_back("inside a word: " + where);
      } else {
        ++audit->by_grade[static_cast<int>(it->grade)];
        if (it->grade == text::BreakGrade::kCompound) {
          if (compound_width(p, end) > ap.width) {
            ++audit->narrow_compounds;
          } else {
            audit->problems.push_back("a compound split where the column holds it: " + where);
          }
        }
        if (it->grade == text::BreakGrade::kOneDictionary) {
          // Forced when the text between the good breaks around it (spaces,
          // both dictionaries) does not fit the column.
          auto good = [](const text::BreakOpportunity& o) {
            return o.grade <= text::BreakGrade::kWord;
          };
          size_t before = 0, after = p.text.size();
          for (auto b = std::make_reverse_iterator(it); b != graded.rend(); ++b) {
            if (good(*b)) {
              before = b->offset;
              break;
            }
          }
          for (auto a = it + 1; a != graded.end(); ++a) {
            if (good(*a)) {
              after = a->offset;
              break;
            }
          }
          std::string_view piece = std::string_view(p.text).substr(before, after - before);
          while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
          if (width_of(p, piece) > ap.width) {
            ++audit->narrow_one_dictionary;
          } else {
            audit->problems.push_back("only one dictionary sees a word: " + where);
          }
        }
      }
      pos = end;
    }
    if (lines > 1 && LetterCount(last_line) <= 3) {
      ++audit->short_last;
      audit->problems.push_back("a short syllable alone on the last line: \"" + last_line +
                                "\" of " + p.text.substr(0, 60));
    }
  }
  if (r != runs.size()) {
    audit->problems.push_back("runs left over after the last paragraph");
    return false;
  }
  return true;
}

}  // namespace saraban::test
