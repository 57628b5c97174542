#include "content_stream.h"

#include <algorithm>
#include <cmath>

#include "pdf_format.h"
#include "saraban/text/normalize.h"

namespace saraban::pdf {
namespace {

// Keep each TJ number well inside PDF/A-1's real-number range (±32767).
constexpr double kMaxTjNumber = 30000;

bool ClustersAscending(const std::vector<Glyph>& glyphs) {
  for (size_t i = 1; i < glyphs.size(); ++i) {
    if (glyphs[i].cluster < glyphs[i - 1].cluster) return false;
  }
  return true;
}

}  // namespace

std::string ContentWriter::WritePage(const Page& page, std::vector<int>& fonts_used) {
  out_.clear();
  size_t glyphs = 0;
  for (const GlyphRun& run : page.runs) glyphs += run.glyphs.size() + run.text.size();
  out_.reserve(64 + page.fills.size() * 48 + page.rules.size() * 64 + page.runs.size() * 96 +
               glyphs * 6);
  current_font_ = -1;
  current_size_ = 0;

  WriteFills(page.fills);
  WriteRules(page.rules);
  for (const GlyphRun& run : page.runs) {
    if (run.glyphs.empty()) continue;
    WriteRun(run);
    fonts_used.push_back(run.font);
  }
  std::sort(fonts_used.begin(), fonts_used.end());
  fonts_used.erase(std::unique(fonts_used.begin(), fonts_used.end()), fonts_used.end());
  std::string content = std::move(out_);
  out_.clear();
  return content;
}

void ContentWriter::WriteFills(const std::vector<Fill>& fills) {
  if (fills.empty()) return;
  out_ += "q\n";
  double gray = -1;
  for (const Fill& f : fills) {
    if (f.gray != gray) {
      gray = f.gray;
      AppendNumber(out_, gray);
      out_ += " g\n";
    }
    AppendPoint(f.x, f.y);
    out_.push_back(' ');
    AppendPoint(f.w, f.h);
    out_ += " re f\n";
  }
  out_ += "Q\n";
}

void ContentWriter::WriteRules(const std::vector<Rule>& rules) {
  if (rules.empty()) return;
  out_ += "q\n";
  double width = -1;
  int dotted = -1;  // unknown
  for (const Rule& r : rules) {
    if (r.width != width || (r.dotted ? 1 : 0) != dotted) {
      width = r.width;
      dotted = r.dotted ? 1 : 0;
      AppendNumber(out_, width);
      out_ += " w\n";
      if (r.dotted) {
        // Round dots of the line's width, one width apart: zero-length dashes
        // with round caps.
        out_ += "1 J [0 ";
        AppendNumber(out_, std::max(2 * width, 0.5));
        out_ += "] 0 d\n";
      } else {
        out_ += "0 J [] 0 d\n";
      }
    }
    AppendPoint(r.x1, r.y1);
    out_ += " m ";
    AppendPoint(r.x2, r.y2);
    out_ += " l S\n";
  }
  out_ += "Q\n";
}

void ContentWriter::AppendPoint(double x, double y) {
  AppendNumber(out_, x);
  out_.push_back(' ');
  AppendNumber(out_, y);
}

// Glyph i is drawn at pen_i + x_offset_i, pen_{i+1} = pen_i + x_advance_i,
// y + y_offset_i. After showing a glyph the viewer's text position moves by
// its /W width; the TJ number before each glyph moves it (subtracting, in
// 1/1000 em) from where the viewer is to where HarfBuzz put the glyph. The
// position is tracked as written (rounded), so rounding never accumulates.
void ContentWriter::WriteRun(const GlyphRun& run) {
  FontUsage& usage = usage_[run.font];
  const double k = usage.scale();
  const double rise_scale = run.size / usage.font().units_per_em();
  const bool span = !run.text.empty();

  if (span) {
    out_ += "/Span <</ActualText (\xFE\xFF";
    AppendUtf16BeLiteral(out_, run.text);
    out_ += ")>> BDC\n";
  }
  out_ += "BT\n";
  if (run.font != current_font_ || run.size != current_size_) {
    current_font_ = run.font;
    current_size_ = run.size;
    out_ += "/F";
    AppendInt(out_, run.font + 1);
    out_.push_back(' ');
    AppendNumber(out_, run.size);
    out_ += " Tf\n";
  }
  AppendPoint(run.x, run.y);
  out_ += " Td\n";

  double viewer = 0;  // the viewer's text position, 1/1000 em from the run start
  int64_t pen = 0;    // HarfBuzz's pen, font units
  int32_t rise = 0;   // current text rise, font units
  bool in_array = false;
  bool in_string = false;
  auto close_string = [&] {
    if (in_string) out_.push_back(')');
    in_string = false;
  };
  for (const Glyph& g : run.glyphs) {
    if (g.y_offset != rise) {
      if (in_array) {
        close_string();
        out_ += "] TJ\n";
        in_array = false;
      }
      rise = g.y_offset;
      AppendNumber(out_, rise * rise_scale);
      out_ += " Ts\n";
    }
    if (!in_array) {
      out_.push_back('[');
      in_array = true;
    }
    const double target = static_cast<double>(pen + g.x_offset) * k;
    double adjust = std::round((viewer - target) * 1000) / 1000;
    while (adjust != 0) {
      const double part = std::clamp(adjust, -kMaxTjNumber, kMaxTjNumber);
      close_string();
      AppendNumber(out_, part);
      viewer -= part;
      adjust -= part;
    }
    if (!in_string) {
      out_.push_back('(');
      in_string = true;
    }
    AppendLiteralCode(out_, g.gid);
    viewer += usage.Use(g.gid);
    pen += g.x_advance;
  }
  close_string();
  out_ += "] TJ\n";
  if (rise != 0) out_ += "0 Ts\n";
  out_ += "ET\n";
  if (span) out_ += "EMC\n";

  // ToUnicode text for glyphs that have none yet, cluster by cluster.
  bool all_mapped = true;
  for (const Glyph& g : run.glyphs) {
    if (!usage.HasText(g.gid)) {
      all_mapped = false;
      break;
    }
  }
  if (all_mapped || run.text.empty()) return;
  const bool ascending = ClustersAscending(run.glyphs);
  if (!ascending) {
    sorted_clusters_.clear();
    for (const Glyph& g : run.glyphs) sorted_clusters_.push_back(g.cluster);
    std::sort(sorted_clusters_.begin(), sorted_clusters_.end());
    sorted_clusters_.erase(std::unique(sorted_clusters_.begin(), sorted_clusters_.end()),
                           sorted_clusters_.end());
  }
  const size_t n = run.glyphs.size();
  for (size_t i = 0; i < n;) {
    const uint32_t cluster = run.glyphs[i].cluster;
    size_t j = i + 1;
    while (j < n && run.glyphs[j].cluster == cluster) ++j;
    size_t text_end = run.text.size();
    if (ascending) {
      if (j < n) text_end = run.glyphs[j].cluster;
    } else {
      auto next = std::upper_bound(sorted_clusters_.begin(), sorted_clusters_.end(), cluster);
      if (next != sorted_clusters_.end()) text_end = *next;
    }
    MapCluster(run, usage, i, j, cluster, text_end);
    i = j;
  }
}

// Each glyph gets the code point of the cluster that the font's cmap maps to
// it (bases and marks); what the cluster's text has left over (a ligature,
// SARA AM drawn as NIKHAHIT + SARA AA, a PUA or unencoded variant such as
// uni0E48.low or uni0E10.descless) goes to the first glyph left without one.
void ContentWriter::MapCluster(const GlyphRun& run, FontUsage& usage, size_t begin, size_t end,
                               size_t text_begin, size_t text_end) {
  bool needed = false;
  for (size_t i = begin; i < end && !needed; ++i) needed = !usage.HasText(run.glyphs[i].gid);
  if (!needed || text_begin >= text_end) return;

  const std::string_view text = std::string_view(run.text).substr(0, text_end);
  code_points_.clear();  // byte offsets of the cluster's code points
  code_point_glyphs_.clear();
  for (size_t pos = text_begin; pos < text_end;) {
    code_points_.push_back(static_cast<uint32_t>(pos));
    code_point_glyphs_.push_back(usage.NominalGlyph(text::DecodeUtf8(text, pos)));
  }
  code_points_.push_back(static_cast<uint32_t>(text_end));
  claimed_.assign(code_point_glyphs_.size(), 0);

  size_t unmatched = end;
  for (size_t i = begin; i < end; ++i) {
    const uint32_t gid = run.glyphs[i].gid;
    size_t m = 0;
    while (m < code_point_glyphs_.size() && (claimed_[m] || code_point_glyphs_[m] != gid)) ++m;
    if (m < code_point_glyphs_.size()) {
      claimed_[m] = 1;
      usage.SetText(gid, text.substr(code_points_[m], code_points_[m + 1] - code_points_[m]));
    } else if (unmatched == end) {
      unmatched = i;
    }
  }
  if (unmatched == end) return;
  std::string& rest = leftover_;
  rest.clear();
  for (size_t m = 0; m < claimed_.size(); ++m) {
    if (!claimed_[m]) rest.append(text.substr(code_points_[m], code_points_[m + 1] - code_points_[m]));
  }
  usage.SetText(run.glyphs[unmatched].gid, rest);
}

}  // namespace saraban::pdf
