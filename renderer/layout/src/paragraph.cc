// Stage: paragraphs into lines. The line ends of each paragraph are chosen
// together (total fit, as TeX's Knuth-Plass breaker and Typst do) over the
// graded opportunities of text::LineBreaker: a break inside a compound or
// where only one dictionary sees a word costs more than a looser line, and a
// last line of one short syllable costs extra. Each word is shaped once
// through the shaper's cache. A paragraph with a word wider than its line,
// or too long for the optimiser, is filled greedily instead; a word wider
// than the whole line is the only thing ever broken elsewhere, and then only
// between grapheme clusters.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "saraban/text/line_breaker.h"
#include "saraban/text/normalize.h"
#include "typesetter_impl.h"

namespace saraban::layout {
namespace {

bool IsBreakSpace(char c) { return c == ' ' || c == '\t'; }

// A line is also ended at this many bytes of text, however narrow its
// glyphs: PDF/A-1 strings (ActualText) hold at most 32,767 UTF-16 units.
constexpr size_t kMaxLineBytes = 4096;

// The code point at `at` of valid UTF-8; sets `len` to its bytes.
char32_t CodePointAt(std::string_view s, size_t at, size_t* len) {
  size_t pos = at;
  const char32_t cp = text::DecodeUtf8(s, pos);
  *len = pos - at;
  return cp;
}

// Checks that every glyph of `word` exists in the font: glyph 0 (.notdef)
// would print as a box. Names the missing character: the first code point
// of the glyph's cluster that the font has no glyph for (a missing mark
// shares its base letter's cluster).
Status CheckGlyphs(const text::ShapedWord& word, std::string_view text, const text::Font& font) {
  for (size_t i = 0; i < word.glyphs.size(); ++i) {
    if (word.glyphs[i].gid != 0) continue;
    const size_t begin = std::min<size_t>(word.glyphs[i].cluster, text.size());
    size_t end = text.size();
    for (const auto& g : word.glyphs) {
      if (g.cluster > begin && g.cluster < end) end = g.cluster;
    }
    size_t at = begin, len = 1;
    char32_t cp = 0;
    for (size_t pos = begin; pos < end; pos += len) {
      const char32_t c = CodePointAt(text, pos, &len);
      if (!font.HasGlyph(c)) {
        at = pos;
        cp = c;
        break;
      }
    }
    if (cp == 0) cp = CodePointAt(text, at, &len);
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    return InvalidArgument("character " + std::string(code) + " \"" +
                           std::string(text.substr(at, len)) + "\" in \"" + std::string(text) +
                           "\" is not in the font " + font.family_name() +
                           " and would print as a box");
  }
  return Status::Ok();
}

// A piece of a line: glyphs of a substring starting at `begin` of the
// paragraph's hard line. Either borrowed from the shaper's cache or owned
// (the grapheme chunks of an over-wide word).
struct Piece {
  size_t begin = 0;
  const std::vector<text::ShapedGlyph>* glyphs = nullptr;
  std::vector<text::ShapedGlyph> owned;
  const std::vector<text::ShapedGlyph>& Glyphs() const { return glyphs ? *glyphs : owned; }
};

// The text between two break opportunities: a body and its trailing spaces.
struct Segment {
  size_t begin = 0;
  size_t body_end = 0;
  size_t end = 0;
  const text::ShapedWord* body = nullptr;
  const text::ShapedWord* spaces = nullptr;  // null when there are none
  text::BreakGrade grade = text::BreakGrade::kSpace;  // of the break after it
  int compounds = 0;  // lexicon compounds the break after it is inside
};

// Past this many words in one paragraph line breaking is greedy: the
// optimiser is linear in the words (a line holds a bounded number), but a
// 64 KiB cell gains nothing from it (docs/benchmarks.md).
constexpr size_t kMaxOptimalSegments = 4000;

// The cost of ending a line at an opportunity of each grade (TeX's
// penalties): spaces are free; a Thai word boundary both dictionaries agree
// on nearly so; one only ICU or only libthai sees costs as much as a
// justified line half empty; a compound split more than any line short of
// empty.
constexpr double kPenalty[text::kBreakGrades] = {
    0,     // kSpace
    20,    // kWord
    600,   // kOneDictionary
    150,   // kUrl
    1000,  // kHyphen
    3000,  // kCompound
};
// Every line costs this much (TeX's \linepenalty): fewer lines win ties.
constexpr double kLinePenalty = 10;
// A line this much of its width short of full has badness 100: justified
// lines show their slack as wider gaps, ragged ones only as a shorter line.
constexpr double kLooseRatioJustified = 0.2;
constexpr double kLooseRatioRagged = 0.5;
constexpr double kMaxBadness = 10000;
// Demerits of a last line that holds one short syllable alone ("การ").
constexpr double kShortLastLine = 1e6;
// A syllable of this many letters or fewer is short.
constexpr int kShortSyllableLetters = 3;

// Applies the paragraph's keeps to an opportunity of the hard line that
// starts at byte `base`: false when a strict keep removes it; inside any
// other keep it costs as a compound split does.
bool ApplyKeeps(const std::vector<KeepSpan>& keeps, size_t base, size_t hard_size,
                text::BreakOpportunity* opp) {
  if (opp->offset == hard_size) return true;  // the line's end is no choice
  const size_t at = base + opp->offset;
  for (const KeepSpan& keep : keeps) {
    if (keep.begin < at && at < keep.end) {
      if (keep.strict) return false;
      opp->grade = text::BreakGrade::kCompound;
      ++opp->compounds;
    }
  }
  return true;
}

// Letters of `text` (marks do not count): "การ" has 3, "ธรรม" 4.
int LetterCount(std::string_view text) {
  int n = 0;
  for (size_t pos = 0; pos < text.size();) {
    const char32_t cp = text::DecodeUtf8(text, pos);
    if (!text::IsThaiCombiningMark(cp) && cp != ' ') ++n;
  }
  return n;
}

// The best line ends of one hard line, as indices one past each line's last
// segment (the last is segments.size()): the sequence with the least total
// demerits, (line penalty + badness)^2 + penalty^2 per line, found by
// dynamic programming over the segments. Every segment fits a line alone
// (the caller checks), so a solution always exists.
std::vector<size_t> OptimalBreaks(const std::vector<Segment>& segs, std::string_view hard,
                                  double k, double first_avail, double avail, bool justified) {
  const double loose = justified ? kLooseRatioJustified : kLooseRatioRagged;
  const size_t n = segs.size();
  if (n == 0) return {};
  // Widths as prefix sums of bodies and their spaces, read once: a line
  // [i, j) is at[j] - at[i] less the spaces after its last body.
  thread_local std::vector<double> at, spaces, best;
  thread_local std::vector<size_t> from;
  at.assign(n + 1, 0);
  spaces.assign(n, 0);
  for (size_t m = 0; m < n; ++m) {
    spaces[m] = segs[m].spaces ? segs[m].spaces->width * k : 0;
    at[m + 1] = at[m] + segs[m].body->width * k + spaces[m];
  }
  best.assign(n + 1, std::numeric_limits<double>::infinity());
  from.assign(n + 1, 0);
  best[0] = 0;
  for (size_t j = 1; j <= n; ++j) {
    const bool last = j == n;
    const Segment& end = segs[j - 1];
    // Inside two compounds (ปี|งบประมาณ in ตลอดปีงบประมาณ) is worse than inside one.
    const double penalty =
        last ? 0 : kPenalty[static_cast<int>(end.grade)] * std::max(1, end.compounds);
    const double line_end = at[j] - spaces[j - 1];
    // Grow the line leftwards from segment j-1 while it fits.
    for (size_t i = j; i-- > 0;) {
      const double used = line_end - at[i];
      const double limit = i == 0 ? first_avail : avail;
      if ((used > limit + 1e-9 && i + 1 < j) || end.end - segs[i].begin > kMaxLineBytes) break;
      if (used > limit + 1e-9) continue;  // only when the first line is narrower
      if (!std::isfinite(best[i])) continue;
      double badness = 0;
      if (!last) {
        const double r = (limit - used) / (limit * loose);
        badness = std::min(kMaxBadness, 100 * r * r * r);
      }
      double d = (kLinePenalty + badness) * (kLinePenalty + badness) + penalty * penalty;
      if (last && i + 1 == j && j > 1 &&
          LetterCount(hard.substr(segs[i].begin, segs[i].body_end - segs[i].begin)) <=
              kShortSyllableLetters) {
        d += kShortLastLine;
      }
      d += best[i];
      if (d < best[j]) {
        best[j] = d;
        from[j] = i;
      }
    }
  }
  std::vector<size_t> ends;
  for (size_t j = n; j > 0; j = from[j]) ends.push_back(j);
  std::reverse(ends.begin(), ends.end());
  return ends;
}

// Collects the pieces of one line and emits LineBoxes.
class LineBuilder {
 public:
  LineBuilder(const Paragraph& p, std::string_view hard, double width, double scale,
              int font_index, double size_pt, double height, double ascent)
      : p_(p), hard_(hard), width_(width), k_(scale), font_(font_index), size_(size_pt),
        height_(height), ascent_(ascent) {}

  double Available(bool first_line) const {
    return width_ - p_.indent - (first_line ? p_.first_line_indent : 0);
  }
  bool empty() const { return pieces_.empty(); }
  size_t start() const { return pieces_.empty() ? end_ : pieces_.front().begin; }
  double used() const { return used_; }  // pt, without pending spaces
  double pending_spaces() const { return pending_spaces_; }

  void AddBody(size_t begin, const std::vector<text::ShapedGlyph>& g, double w) {
    if (pending_piece_.glyphs) {
      pieces_.push_back(pending_piece_);
      used_ += pending_spaces_;
    }
    pending_piece_ = {};
    pending_spaces_ = 0;
    pieces_.push_back(Piece{begin, &g, {}});
    used_ += w;
    end_ = begin;  // fixed up by SetEnd
  }
  void AddOwned(size_t begin, std::vector<text::ShapedGlyph> g, double w) {
    pending_piece_ = {};
    pending_spaces_ = 0;
    pieces_.push_back(Piece{begin, nullptr, std::move(g)});
    used_ += w;
  }
  void SetEnd(size_t end) { end_ = end; }
  // Spaces after the last body: drawn only if another word follows.
  void SetPendingSpaces(size_t begin, const text::ShapedWord* spaces) {
    pending_piece_ = {};
    pending_spaces_ = 0;
    if (spaces) {
      pending_piece_ = Piece{begin, &spaces->glyphs, {}};
      pending_spaces_ = spaces->width * k_;
    }
  }

  // Ends the line. `last` (the paragraph's or a hard line's last) stays
  // ragged under the justified alignments.
  void Flush(bool first_line, std::vector<LineBox>* out, bool last = false) {
    LineBox line;
    line.height = height_;
    line.ascent = ascent_;
    page::GlyphRun run;
    run.font = font_;
    run.size = size_;
    const size_t start = pieces_.empty() ? end_ : pieces_.front().begin;
    run.text = std::string(hard_.substr(start, end_ - start));
    for (const Piece& piece : pieces_) {
      const auto delta = static_cast<uint32_t>(piece.begin - start);
      for (const auto& g : piece.Glyphs()) {
        run.glyphs.push_back({g.gid, g.x_advance, g.x_offset, g.y_offset, g.cluster + delta});
      }
    }
    double x = p_.indent + (first_line ? p_.first_line_indent : 0);
    const double slack = Available(first_line) - used_;
    if (p_.style.align == Align::kCenter) x += std::max(0.0, slack / 2);
    if (p_.style.align == Align::kRight) x += std::max(0.0, slack);
    double spread = 0;
    if (!last && slack > 0 &&
        (p_.style.align == Align::kJustify || p_.style.align == Align::kThaiDistributed)) {
      spread = Justify(&run, slack);
    }
    run.x = x;
    run.y = 0;
    line.width = x + used_ + spread;
    if (!run.glyphs.empty()) line.runs.push_back(std::move(run));
    out->push_back(std::move(line));
    pieces_.clear();
    pending_piece_ = {};
    pending_spaces_ = 0;
    used_ = 0;
  }

 private:
  // Widens the gaps of `run` by `slack` pt in all, in whole font units
  // spread evenly (the rounding error is carried, so the line ends within
  // one font unit of the margin): after each space (kJustify) or at each
  // grapheme-cluster boundary (kThaiDistributed). A gap is added to the
  // advance of the glyph before it, so a mark never leaves its base: a
  // cluster's glyphs move together. Returns the pt added.
  double Justify(page::GlyphRun* run, double slack) const {
    std::vector<size_t> gaps;  // glyph indices whose advance grows
    auto& g = run->glyphs;
    if (p_.style.align == Align::kJustify) {
      for (size_t i = 0; i + 1 < g.size(); ++i) {
        if (g[i].cluster < run->text.size() && run->text[g[i].cluster] == ' ' &&
            g[i + 1].cluster != g[i].cluster) {
          gaps.push_back(i);
        }
      }
    } else {
      const std::vector<size_t> bounds = text::GraphemeBoundaries(run->text);
      for (size_t i = 0; i + 1 < g.size(); ++i) {
        if (g[i + 1].cluster != g[i].cluster &&
            std::binary_search(bounds.begin(), bounds.end(), g[i + 1].cluster)) {
          gaps.push_back(i);
        }
      }
    }
    if (gaps.empty()) return 0;
    const double units = slack / k_;
    int64_t given = 0;
    for (size_t m = 0; m < gaps.size(); ++m) {
      const auto upto = static_cast<int64_t>(std::floor(units * static_cast<double>(m + 1) /
                                                         static_cast<double>(gaps.size())));
      g[gaps[m]].x_advance += static_cast<int32_t>(upto - given);
      given = upto;
    }
    return static_cast<double>(given) * k_;
  }

  const Paragraph& p_;
  std::string_view hard_;
  double width_, k_;
  int font_;
  double size_, height_, ascent_;
  std::vector<Piece> pieces_;
  Piece pending_piece_;
  double pending_spaces_ = 0;
  double used_ = 0;
  size_t end_ = 0;
};

// Adds code-point boundaries inside any grapheme cluster longer than
// kMaxLineBytes (a letter followed by thousands of joiners), so that no
// chunk of a word exceeds the line length limit.
std::vector<size_t> SplitLongClusters(std::vector<size_t> bounds, std::string_view text) {
  std::vector<size_t> out;
  size_t prev = 0;
  for (size_t b : bounds) {
    size_t len = 1;
    for (size_t pos = prev, start = prev; pos < b; pos += len) {
      CodePointAt(text, pos, &len);
      if (pos > start && pos + len - start > kMaxLineBytes) {
        out.push_back(pos);
        start = pos;
      }
    }
    out.push_back(b);
    prev = b;
  }
  return out;
}

// Splits an over-wide (or over-long) word at grapheme boundaries into chunks
// that each fit `avail` (pt) and kMaxLineBytes; at least one grapheme each. Shapes the word once and
// measures prefixes by cluster, so it is linear in the word's length. The
// last chunk stays in `builder`; returns whether any line was completed.
// A single grapheme wider than its line cannot be broken and would leave
// the box (the indent check only guarantees one em, and some glyphs are
// wider): InvalidArgument.
Result<bool> BreakWideWord(text::Shaper& shaper, std::string_view hard, const Segment& seg,
                           double k, double first_avail, double avail, bool first_line,
                           LineBuilder* builder, std::vector<LineBox>* out) {
  const std::string_view body = hard.substr(seg.begin, seg.body_end - seg.begin);
  const text::ShapedWord word = shaper.ShapeUncached(body);
  const std::vector<size_t> bounds = SplitLongClusters(text::GraphemeBoundaries(body), body);

  auto too_wide = [&](size_t begin, size_t end, double width, double limit) {
    char message[200];
    std::snprintf(message, sizeof message,
                  "\"%.*s\" is %.1f pt wide, wider than the %.1f pt its line leaves for text",
                  static_cast<int>(std::min<size_t>(end - begin, 64)), body.data() + begin, width,
                  limit);
    return Status(InvalidArgument(message));
  };

  bool flushed = false;
  size_t chunk_begin = 0;  // byte offset in body
  size_t gi = 0;           // next glyph of word
  double limit = first_avail;
  for (size_t b = 0; b < bounds.size();) {
    // Grow the chunk grapheme by grapheme while it fits, measuring with the
    // glyphs of the whole word.
    const size_t first_b = b;
    double w = 0;
    size_t end = chunk_begin;
    while (b < bounds.size()) {
      double add = 0;
      size_t gk = gi;
      while (gk < word.glyphs.size() && word.glyphs[gk].cluster < bounds[b]) {
        add += word.glyphs[gk].x_advance * k;
        ++gk;
      }
      if (end > chunk_begin && (w + add > limit || bounds[b] - chunk_begin > kMaxLineBytes)) break;
      if (end == chunk_begin && add > limit + 1e-9) {
        return too_wide(chunk_begin, bounds[b], add, limit);
      }
      w += add;
      gi = gk;
      end = bounds[b];
      ++b;
    }
    // Draw the chunk with glyphs of its own: a cut inside one of HarfBuzz's
    // clusters (a cluster longer than a line) leaves no glyphs to slice.
    // Shaped alone it can be wider than its share of the word (the kerning
    // with the letter after the cut belonged to the word): give back
    // graphemes until it fits.
    text::ShapedWord chunk = shaper.ShapeUncached(body.substr(chunk_begin, end - chunk_begin));
    while (chunk.width * k > limit + 1e-9 && b > first_b + 1) {
      --b;
      end = bounds[b - 1];
      chunk = shaper.ShapeUncached(body.substr(chunk_begin, end - chunk_begin));
    }
    if (chunk.width * k > limit + 1e-9) return too_wide(chunk_begin, end, chunk.width * k, limit);
    while (gi > 0 && word.glyphs[gi - 1].cluster >= end) --gi;
    builder->AddOwned(seg.begin + chunk_begin, std::move(chunk.glyphs), chunk.width * k);
    builder->SetEnd(seg.begin + end);
    chunk_begin = end;
    if (b < bounds.size()) {
      builder->Flush(first_line, out);
      first_line = false;
      flushed = true;
      limit = avail;
    }
  }
  return flushed;
}

}  // namespace

std::vector<LineBox> Typesetter::Impl::BreakParagraph(const Paragraph& p, double width) {
  std::vector<LineBox> out;
  text::Shaper& shaper = ShaperFor(p.style.font);
  const double size = Scaled(p.style);
  const double k = size / shaper.font().units_per_em();
  const double height = LineHeight(p.style);
  const double ascent = Ascent(p.style);
  const int font_index = p.style.font == FontRole::kBold ? 1 : 0;
  if (width - p.indent - std::max(0.0, p.first_line_indent) < size) {
    char message[160];
    std::snprintf(message, sizeof message,
                  "an indent of %.1f pt leaves less than one em for text in a %.1f pt wide box",
                  p.indent + p.first_line_indent, width);
    Fail(InvalidArgument(message));
    return {};
  }

  bool first_line = true;
  std::string_view rest = p.text;
  std::vector<Segment> segments;
  while (true) {
    const size_t nl = rest.find('\n');
    const std::string_view hard = rest.substr(0, nl);
    LineBuilder builder(p, hard, width, k, font_index, size, height, ascent);

    // The text between opportunities, shaped: bodies and their spaces.
    segments.clear();
    bool leading = true;  // spaces at the start of a line are not drawn
    bool optimal = true;  // no word too wide, no stray run of spaces
    size_t prev = 0;
    const size_t base = static_cast<size_t>(hard.data() - p.text.data());
    for (const text::BreakOpportunity& graded : breaker_.Graded(hard)) {
      text::BreakOpportunity opp = graded;
      if (!ApplyKeeps(p.keeps, base, hard.size(), &opp)) continue;
      Segment seg;
      seg.begin = prev;
      seg.end = opp.offset;
      seg.body_end = opp.offset;
      seg.grade = opp.grade;
      seg.compounds = opp.compounds;
      while (seg.body_end > seg.begin && IsBreakSpace(hard[seg.body_end - 1])) --seg.body_end;
      prev = opp.offset;
      if (seg.body_end > seg.begin) {
        const std::string_view body = hard.substr(seg.begin, seg.body_end - seg.begin);
        seg.body = &shaper.Shape(body);
        if (Status s = CheckGlyphs(*seg.body, body, shaper.font()); !s.ok()) Fail(std::move(s));
        const double w = seg.body->width * k;
        if (w > builder.Available(segments.empty() && first_line) ||
            w > builder.Available(false) || seg.body_end - seg.begin > kMaxLineBytes) {
          optimal = false;
        }
      }
      if (seg.end > seg.body_end) {
        seg.spaces = &shaper.Shape(hard.substr(seg.body_end, seg.end - seg.body_end));
      }
      if (!seg.body) {
        if (leading) continue;
        optimal = false;
      }
      leading = false;
      segments.push_back(seg);
    }
    if (segments.size() > kMaxOptimalSegments) optimal = false;

    if (optimal) {
      const std::vector<size_t> ends =
          OptimalBreaks(segments, hard, k, builder.Available(first_line), builder.Available(false),
                        p.style.align == Align::kJustify ||
                            p.style.align == Align::kThaiDistributed);
      size_t from = 0;
      for (size_t line = 0; line < ends.size(); ++line) {
        for (size_t i = from; i < ends[line]; ++i) {
          const Segment& seg = segments[i];
          builder.AddBody(seg.begin, seg.body->glyphs, seg.body->width * k);
          builder.SetEnd(seg.body_end);
          builder.SetPendingSpaces(seg.body_end, seg.spaces);
        }
        from = ends[line];
        builder.Flush(first_line, &out, /*last=*/line + 1 == ends.size());
        first_line = false;
      }
      if (ends.empty()) {
        builder.Flush(first_line, &out, /*last=*/true);
        first_line = false;
      }
    } else {
      // Greedy: each line takes words while they fit.
      for (const Segment& seg : segments) {
        if (!seg.body) {  // only spaces: they pad the line if a word follows
          if (!builder.empty()) builder.SetPendingSpaces(seg.body_end, seg.spaces);
          continue;
        }
        const double w = seg.body->width * k;
        if (!builder.empty() &&
            (builder.used() + builder.pending_spaces() + w > builder.Available(first_line) ||
             seg.end - builder.start() > kMaxLineBytes)) {
          builder.Flush(first_line, &out);
          first_line = false;
        }
        if (builder.empty() &&
            (w > builder.Available(first_line) || seg.body_end - seg.begin > kMaxLineBytes)) {
          Result<bool> broke = BreakWideWord(shaper, hard, seg, k, builder.Available(first_line),
                                             builder.Available(false), first_line, &builder, &out);
          if (!broke.ok()) {
            Fail(broke.status());
            return {};
          }
          if (*broke) first_line = false;
        } else {
          builder.AddBody(seg.begin, seg.body->glyphs, w);
          builder.SetEnd(seg.body_end);
        }
        builder.SetPendingSpaces(seg.body_end, seg.spaces);
      }
      builder.Flush(first_line, &out, /*last=*/true);
      first_line = false;
    }
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }

  if (!p.marker.empty() && !out.empty()) {
    double marker_width = 0;
    page::GlyphRun marker = ShapeLine(p.marker, p.style, &marker_width);
    marker.x = std::max(0.0, p.indent - marker_width - 0.3 * size);
    out.front().runs.insert(out.front().runs.begin(), std::move(marker));
  }
  if (!out.empty()) {
    out.front().height += p.space_before;
    out.front().ascent += p.space_before;
  }
  return out;
}

LinesBlock Typesetter::Impl::BreakParagraphs(const std::vector<Paragraph>& ps, double width) {
  LinesBlock block;
  for (const Paragraph& p : ps) {
    std::vector<LineBox> lines = BreakParagraph(p, width);
    block.lines.insert(block.lines.end(), std::make_move_iterator(lines.begin()),
                       std::make_move_iterator(lines.end()));
  }
  return block;
}

page::GlyphRun Typesetter::Impl::ShapeLine(std::string_view s, const TextStyle& style,
                                          double* width) {
  text::Shaper& shaper = ShaperFor(style.font);
  const double size = Scaled(style);
  const double k = size / shaper.font().units_per_em();
  const text::ShapedWord& word = shaper.Shape(s);
  if (Status status = CheckGlyphs(word, s, shaper.font()); !status.ok()) Fail(std::move(status));
  page::GlyphRun run;
  run.font = style.font == FontRole::kBold ? 1 : 0;
  run.size = size;
  run.text = std::string(s);
  run.glyphs.reserve(word.glyphs.size());
  for (const auto& g : word.glyphs) {
    run.glyphs.push_back({g.gid, g.x_advance, g.x_offset, g.y_offset, g.cluster});
  }
  *width = word.width * k;
  return run;
}

}  // namespace saraban::layout
