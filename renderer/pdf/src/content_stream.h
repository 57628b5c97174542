// Page content streams: fills, then rules, then text. Text is written glyph
// by glyph (Identity-H, CID == GID) with HarfBuzz's positions folded into TJ
// adjustments and text rise, each run inside an ActualText span.
#pragma once

#include <string>
#include <vector>

#include "font_embed.h"
#include "saraban/pdf/document.h"

namespace saraban::pdf {

// Writes the content of validated pages. Reuse one writer for all pages of a
// document: it keeps scratch buffers between runs.
class ContentWriter {
 public:
  // `usage[i]` records the glyphs of Document::fonts[i].
  explicit ContentWriter(std::vector<FontUsage>& usage) : usage_(usage) {}

  // Returns the content stream of `page`; adds the fonts it uses (indexes
  // into Document::fonts) to `fonts_used`, sorted and unique.
  std::string WritePage(const Page& page, std::vector<int>& fonts_used);

 private:
  void WriteFills(const std::vector<Fill>& fills);
  void WriteRules(const std::vector<Rule>& rules);
  void WriteRun(const GlyphRun& run);
  // Appends "x y".
  void AppendPoint(double x, double y);
  // Records ToUnicode text for the glyphs [begin, end) of one cluster whose
  // text is run.text[text_begin, text_end).
  void MapCluster(const GlyphRun& run, FontUsage& usage, size_t begin, size_t end,
                  size_t text_begin, size_t text_end);

  std::vector<FontUsage>& usage_;
  std::string out_;
  // Text state carried between runs of a page (Tf persists after ET).
  int current_font_ = -1;
  double current_size_ = 0;
  // Scratch for MapCluster and cluster boundaries.
  std::vector<uint32_t> code_points_;
  std::vector<uint32_t> code_point_glyphs_;
  std::vector<uint8_t> claimed_;
  std::vector<uint32_t> sorted_clusters_;
  std::string leftover_;
};

}  // namespace saraban::pdf
