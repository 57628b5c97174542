// Stage: tables. Each page the table reaches gets the header row again
// (after a continuation mark on later pages); a row taller than what is left
// of the page is split between lines of its cells, never inside a line.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>

#include "typesetter_impl.h"

namespace saraban::layout {
namespace {

// A row slice shorter than this many lines is moved to the next page
// instead, unless the row starts the page.
constexpr size_t kMinSliceLines = 3;
// A split cell carries at least this many lines over to the next page.
constexpr size_t kMinOrphanLines = 2;

class TableWriter {
 public:
  // `keep_after`: the height of what follows that keeps with the table's
  // end (a sign-off), 0 for none.
  TableWriter(const Table& t, Flow* flow, double keep_after)
      : t_(t), flow_(flow), keep_after_(keep_after) {
    x_.push_back(flow->left());
    for (double w : t.column_widths) x_.push_back(x_.back() + w);
  }

  double width() const { return x_.back() - x_.front(); }
  double header_height() const { return header_height_; }

  void LayOutHeader() {
    header_ = LayOutRow(t_.header);
    header_height_ = RowHeight(header_);
    if (!t_.continuation_mark.empty()) {
      Paragraph mark{t_.continuation_mark, t_.continuation_style};
      mark.style.align = Align::kRight;
      auto lines = flow_->ts().BreakParagraph(mark, width());
      if (!lines.empty()) mark_ = lines.front();
    }
  }

  std::vector<LinesBlock> LayOutRow(const std::vector<Cell>& cells) {
    std::vector<LinesBlock> out;
    for (size_t c = 0; c < cells.size() && c < t_.column_widths.size(); ++c) {
      out.push_back(flow_->ts().BreakParagraphs(cells[c].paragraphs,
                                                t_.column_widths[c] - 2 * t_.padding));
    }
    out.resize(t_.column_widths.size());
    return out;
  }

  double RowHeight(const std::vector<LinesBlock>& row) const {
    double h = 0;
    for (const auto& cell : row) h = std::max(h, cell.Height());
    return h + 2 * t_.padding;
  }

  // Starts the table's part on the current page: mark, then header.
  void BeginSegment(bool continued) {
    if (continued && !t_.continuation_mark.empty()) flow_->PutLine(mark_);
    segment_top_ = flow_->y();
    page::Fill fill;
    fill.x = x_.front();
    fill.w = width();
    fill.h = header_height_;
    fill.y = flow_->page().height - segment_top_ - header_height_;
    fill.gray = t_.header_gray;
    flow_->page().fills.push_back(fill);
    DrawSlice(header_, std::vector<size_t>(header_.size(), 0), AllLines(header_));
    flow_->Rule(x_.front(), segment_top_, x_.back(), segment_top_, 0.75);
    rows_on_page_ = 0;
  }

  // Closes the table's part on the current page: the vertical rules.
  void EndSegment() {
    for (double x : x_) flow_->Rule(x, segment_top_, x, flow_->y(), 0.75);
  }

  void LayOutBody() {
    bool continued = false;
    for (size_t r = 0; r < t_.rows.size(); ++r) {
      const std::vector<LinesBlock> row = LayOutRow(t_.rows[r]);
      const bool last_row = r + 1 == t_.rows.size();
      std::vector<size_t> cursor(row.size(), 0);
      while (true) {
        const double avail = flow_->Remaining() - 2 * t_.padding;
        std::vector<size_t> take(row.size(), 0);
        bool done = true;
        size_t most = 0;
        for (size_t c = 0; c < row.size(); ++c) {
          double h = 0;
          size_t i = cursor[c];
          while (i < row[c].lines.size() && h + row[c].lines[i].height <= avail) {
            h += row[c].lines[i].height;
            ++i;
          }
          take[c] = i - cursor[c];
          most = std::max(most, take[c]);
          if (i < row[c].lines.size()) done = false;
        }
        if (!done) {
          // No cell leaves fewer than kMinOrphanLines for the next page.
          for (size_t c = 0; c < row.size(); ++c) {
            const size_t left = row[c].lines.size() - cursor[c] - take[c];
            if (left > 0 && left < kMinOrphanLines && take[c] > kMinOrphanLines) {
              take[c] -= kMinOrphanLines - left;
            }
          }
        }
        const bool too_little = !done && most < kMinSliceLines;
        if (too_little && rows_on_page_ > 0) {
          BreakPage(&continued);
          continue;
        }
        if (done && last_row && !KeepFitsAfter(row, cursor, take) && KeepFitsAPage()) {
          // What follows (a sign-off) must go to the next page: the last
          // row's tail goes with it, so that page does not start with the
          // sign-off alone; a row too short to split goes whole.
          if (!SplitForTheKeep(row, cursor, &take)) {
            if (rows_on_page_ > 0) {
              BreakPage(&continued);
              continue;
            }
          } else {
            done = false;
          }
        }
        if (most == 0 && !done) {
          // Not even one line fits on an empty page: place one line per cell
          // anyway rather than loop forever (the page setup is too small).
          for (size_t c = 0; c < row.size(); ++c) {
            if (cursor[c] < row[c].lines.size()) take[c] = 1;
          }
        }
        DrawSlice(row, cursor, take);
        for (size_t c = 0; c < row.size(); ++c) cursor[c] += take[c];
        ++rows_on_page_;
        done = true;
        for (size_t c = 0; c < row.size(); ++c) {
          if (cursor[c] < row[c].lines.size()) done = false;
        }
        if (done) break;
        BreakPage(&continued);
      }
    }
  }

  // Leaves room for the header and a few lines of the first row.
  bool FitsStart() const {
    double line = 0;
    for (const auto& cell : header_) {
      if (!cell.lines.empty()) line = std::max(line, cell.lines.front().height);
    }
    return flow_->Remaining() >= header_height_ + 2 * t_.padding + kMinSliceLines * line;
  }

 private:
  // The height a slice of `take` lines from `from` adds to the page.
  double SliceHeight(const std::vector<LinesBlock>& row, const std::vector<size_t>& from,
                     const std::vector<size_t>& take) const {
    double h = 0;
    for (size_t c = 0; c < row.size(); ++c) {
      double cell = 0;
      for (size_t i = from[c]; i < from[c] + take[c]; ++i) cell += row[c].lines[i].height;
      h = std::max(h, cell);
    }
    return h + 2 * t_.padding;
  }

  // Whether what keeps with the table's end fits below this slice.
  bool KeepFitsAfter(const std::vector<LinesBlock>& row, const std::vector<size_t>& from,
                     const std::vector<size_t>& take) const {
    return keep_after_ <= 0 || flow_->Remaining() - SliceHeight(row, from, take) >= keep_after_;
  }

  // Whether it fits on a page below the header and a slice of a row.
  bool KeepFitsAPage() const {
    double line = 0;
    for (const auto& cell : header_) {
      if (!cell.lines.empty()) line = std::max(line, cell.lines.front().height);
    }
    return keep_after_ > 0 && keep_after_ + header_height_ + mark_.height + 2 * t_.padding +
                                      kMinOrphanLines * line <=
                                  flow_->PrintableHeight();
  }

  // Leaves kMinOrphanLines of each cell that has more than that for the
  // next page; false when no cell keeps kMinSliceLines here.
  bool SplitForTheKeep(const std::vector<LinesBlock>& row, const std::vector<size_t>& from,
                       std::vector<size_t>* take) const {
    size_t most = 0;
    std::vector<size_t> split(*take);
    bool carried = false;
    for (size_t c = 0; c < row.size(); ++c) {
      const size_t n = row[c].lines.size() - from[c];
      if (n > kMinOrphanLines) {
        split[c] = n - kMinOrphanLines;
        carried = true;
      }
      most = std::max(most, split[c]);
    }
    if (!carried || most < kMinSliceLines) return false;
    *take = std::move(split);
    return true;
  }

  static std::vector<size_t> AllLines(const std::vector<LinesBlock>& row) {
    std::vector<size_t> n;
    for (const auto& cell : row) n.push_back(cell.lines.size());
    return n;
  }

  void BreakPage(bool* continued) {
    EndSegment();
    flow_->NewPage();
    *continued = true;
    BeginSegment(true);
  }

  // Draws lines [from, from + take) of each cell as one row on the page,
  // then the rule under it, and advances the flow.
  void DrawSlice(const std::vector<LinesBlock>& row, const std::vector<size_t>& from,
                 const std::vector<size_t>& take) {
    const double top = flow_->y();
    double height = 0;
    for (size_t c = 0; c < row.size(); ++c) {
      double y = top + t_.padding;
      for (size_t i = from[c]; i < from[c] + take[c]; ++i) {
        PlaceLine(row[c].lines[i], x_[c] + t_.padding, y, &flow_->page());
        y += row[c].lines[i].height;
      }
      height = std::max(height, y - top);
    }
    height += t_.padding;
    flow_->Advance(height);
    flow_->Rule(x_.front(), flow_->y(), x_.back(), flow_->y(), 0.75);
  }

  const Table& t_;
  Flow* flow_;
  std::vector<double> x_;  // column edges, pt from the page's left
  std::vector<LinesBlock> header_;
  double header_height_ = 0;
  LineBox mark_;
  double segment_top_ = 0;
  int rows_on_page_ = 0;
  double keep_after_ = 0;
};

}  // namespace

Status LayOutTable(const Table& table, double keep_after, Flow* flow) {
  if (table.column_widths.empty()) return InvalidArgument("table has no columns");
  const double total = std::accumulate(table.column_widths.begin(), table.column_widths.end(), 0.0);
  if (total > flow->content_width() + 0.01) {
    return InvalidArgument("table is " + std::to_string(total) + " pt wide but the page has " +
                           std::to_string(flow->content_width()) + " pt between its margins");
  }
  for (double w : table.column_widths) {
    if (!(w > 2 * table.padding)) return InvalidArgument("a table column is narrower than its padding");
  }
  for (const auto& row : table.rows) {
    if (row.size() != table.column_widths.size()) {
      return InvalidArgument("a table row has " + std::to_string(row.size()) + " cells for " +
                             std::to_string(table.column_widths.size()) + " columns");
    }
  }
  TableWriter writer(table, flow, keep_after);
  writer.LayOutHeader();
  // The header repeats on every page: if it took most of a page, a table
  // would never end.
  if (writer.header_height() > flow->PrintableHeight() / 3) {
    char message[160];
    std::snprintf(message, sizeof message,
                  "the table header is %.1f pt tall, more than a third of the page's printable "
                  "height (%.1f pt)",
                  writer.header_height(), flow->PrintableHeight());
    return InvalidArgument(message);
  }
  flow->Advance(table.space_before);
  if (!writer.FitsStart() && !flow->PageEmpty()) flow->NewPage();
  writer.BeginSegment(false);
  writer.LayOutBody();
  writer.EndSegment();
  return Status::Ok();
}

}  // namespace saraban::layout
