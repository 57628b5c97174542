// The layout pipeline: blocks flow onto pages, then pages get numbers.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <type_traits>

#include "saraban/text/digits.h"
#include "saraban/strings.h"
#include "typesetter_impl.h"

namespace saraban::layout {
namespace {

// Shaping caches are cleared between documents once they grow past this, so
// a long-running worker's memory stays bounded.
constexpr size_t kMaxCachedWords = 200000;

Status CheckSetup(const PageSetup& s) {
  const double w = s.width - s.margin_left - s.margin_right;
  const double h = s.height - s.margin_top - s.margin_bottom;
  if (!(w >= 72 - 1e-6 && h >= 72 - 1e-6)) {
    return InvalidArgument("the page leaves less than one inch for text between its margins");
  }
  if (s.max_pages < 1) return InvalidArgument("max_pages must be at least 1");
  if (!(s.line_spacing > 0.5 && s.line_spacing < 4)) {
    return InvalidArgument("line spacing must be between 0.5 and 4");
  }
  return Status::Ok();
}

double Height(const std::vector<LineBox>& lines) {
  double h = 0;
  for (const auto& l : lines) h += l.height;
  return h;
}

// Places a paragraph's lines, moving to a new page when a line does not
// fit. `keep` extra height must fit with the paragraph (keep-with-next). No
// line of a paragraph stands alone at a page's foot (its first, an orphan)
// or head (its last, a widow): the first moves with the second, and the
// next-to-last with the last.
void FlowParagraph(const Paragraph& p, double keep, std::vector<LineBox> lines, Flow* flow) {
  const double total = keep + Height(lines);
  if (p.keep_with_next && total > flow->Remaining() && !flow->PageEmpty() &&
      total <= flow->PrintableHeight()) {
    flow->NewPage();
  }
  const size_t n = lines.size();
  if (!flow->PageEmpty()) {
    size_t fit = 0;
    for (double h = 0; fit < n && h + lines[fit].height <= flow->Remaining(); ++fit) {
      h += lines[fit].height;
    }
    // One line here, or two and a widow to fix (which would leave one):
    // the paragraph starts on the next page.
    if (fit < n && (fit == 1 || (fit + 1 == n && fit < 3))) flow->NewPage();
  }
  for (size_t i = 0; i < n; ++i) {
    const double here = flow->Remaining();
    const bool widow = i + 2 == n && n >= 4 && lines[i].height <= here &&
                       lines[i].height + lines[i + 1].height > here;
    if ((lines[i].height > here || widow) && !flow->PageEmpty()) flow->NewPage();
    flow->PutLine(lines[i]);
  }
}

// The text's lines of a signature line: left of its dotted line.
std::vector<LineBox> SignatureText(const SignatureLine& s, Flow* flow) {
  const double gap = 12;
  const double text_width = std::max(72.0, flow->content_width() - s.line_width - gap);
  return flow->ts().BreakParagraph(s.text, text_width);
}

void FlowSignature(const SignatureLine& s, double keep, Flow* flow) {
  const std::vector<LineBox> lines = SignatureText(s, flow);
  double total = s.keep_with_next ? keep : 0;
  for (const auto& l : lines) total += l.height;
  if (total > flow->Remaining() && !flow->PageEmpty() && total <= flow->PrintableHeight()) {
    flow->NewPage();
  } else if (total > flow->Remaining() && !flow->PageEmpty()) {
    // A chain taller than a page: at least this line stays whole.
    double own = 0;
    for (const auto& l : lines) own += l.height;
    if (own > flow->Remaining()) flow->NewPage();
  }
  double baseline = flow->y();
  for (const auto& line : lines) {
    baseline = flow->y() + line.ascent;
    flow->PutLine(line);
  }
  const double right = flow->left() + flow->content_width();
  flow->Rule(right - s.line_width, baseline, right, baseline, 0.8, /*dotted=*/true);
}

// What must fit with a block on its page, computed once per block of a
// document: the recursion through a sign-off's chain would otherwise break
// the chain into lines again for every block in it.
class KeepHeights {
 public:
  KeepHeights(const std::vector<Block>& blocks, Flow* flow)
      : blocks_(blocks), flow_(flow), memo_(blocks.size() + 1, -1), lines_(blocks.size()) {}

  // The height the start of block `next` needs on the same page as the
  // block before it: a table's header and first row, a paragraph's first
  // two lines (its widow rule moves no fewer), a signature line whole; and
  // all of a block that keeps with the next, plus what that one needs (a
  // heading with its text, a sign-off's lines together).
  double Of(size_t next) {
    if (next >= blocks_.size()) return 0;
    if (memo_[next] >= 0) return memo_[next];
    double h = 0;
    if (const auto* p = std::get_if<Paragraph>(&blocks_[next])) {
      const std::vector<LineBox>& lines = LinesOf(next);
      if (p->keep_with_next) {
        h = Height(lines) + Of(next + 1);
      } else {
        for (size_t i = 0; i < std::min<size_t>(2, lines.size()); ++i) h += lines[i].height;
      }
    } else if (const auto* s = std::get_if<SignatureLine>(&blocks_[next])) {
      h = Height(SignatureText(*s, flow_));
      if (s->keep_with_next) h += Of(next + 1);
    } else if (const auto* t = std::get_if<Table>(&blocks_[next])) {
      h = 5 * flow_->ts().LineHeight(t->continuation_style);  // the header and a first row
    }
    memo_[next] = h;
    return h;
  }

  // The lines of paragraph block `i`, broken once.
  const std::vector<LineBox>& LinesOf(size_t i) {
    if (!lines_[i]) {
      lines_[i] = flow_->ts().BreakParagraph(std::get<Paragraph>(blocks_[i]), flow_->content_width());
    }
    return *lines_[i];
  }
  // Hands them over for placing (each is placed once).
  std::vector<LineBox> TakeLinesOf(size_t i) {
    LinesOf(i);
    std::vector<LineBox> lines = std::move(*lines_[i]);
    lines_[i].reset();
    return lines;
  }

  // The height of what keeps with the end of a table just before `next`:
  // spacers and then a chain of blocks that keep together (a sign-off), or 0.
  double AfterTable(size_t next) {
    double spacers = 0;
    while (next < blocks_.size() && std::holds_alternative<Spacer>(blocks_[next])) {
      spacers += std::get<Spacer>(blocks_[next]).height;
      ++next;
    }
    if (next >= blocks_.size()) return 0;
    const auto* p = std::get_if<Paragraph>(&blocks_[next]);
    const auto* s = std::get_if<SignatureLine>(&blocks_[next]);
    if (!(p && p->keep_with_next) && !(s && s->keep_with_next)) return 0;
    return spacers + Of(next);
  }

 private:
  const std::vector<Block>& blocks_;
  Flow* flow_;
  std::vector<double> memo_;  // -1: not computed yet
  std::vector<std::optional<std::vector<LineBox>>> lines_;
};

void NumberPages(const PageSetup& setup, Typesetter::Impl& ts, std::vector<page::Page>* pages) {
  if (setup.page_number_format.empty()) return;
  const std::string total = text::ThaiDigits(std::to_string(pages->size()));
  for (size_t i = 0; i < pages->size(); ++i) {
    std::string label = ReplaceAll(setup.page_number_format, "{page}",
                                   text::ThaiDigits(std::to_string(i + 1)));
    label = ReplaceAll(label, "{pages}", total);
    double width = 0;
    page::GlyphRun run = ts.ShapeLine(label, setup.footer_style, &width);
    run.x = setup.width - setup.margin_right - width;
    run.y = setup.margin_bottom / 2;
    (*pages)[i].runs.push_back(std::move(run));
  }
}

}  // namespace

// ---- Typesetter::Impl -------------------------------------------------------

Typesetter::Impl::Impl(FontSet fonts)
    : fonts_(std::move(fonts)), regular_(fonts_.regular), bold_(fonts_.bold) {}

const text::Font& Typesetter::Impl::FontFor(FontRole role) const {
  return role == FontRole::kBold ? *fonts_.bold : *fonts_.regular;
}

text::Shaper& Typesetter::Impl::ShaperFor(FontRole role) {
  return role == FontRole::kBold ? bold_ : regular_;
}

double Typesetter::Impl::Scaled(const TextStyle& style) const {
  return style.size * FontFor(style.font).th_sarabun_scale();
}

double Typesetter::Impl::LineHeight(const TextStyle& style) const {
  const text::Font& f = FontFor(style.font);
  const double natural = f.ascender() - f.descender() + f.line_gap();
  return natural * Scaled(style) / f.units_per_em() * line_spacing_;
}

double Typesetter::Impl::Ascent(const TextStyle& style) const {
  const text::Font& f = FontFor(style.font);
  const double k = Scaled(style) / f.units_per_em();
  const double natural = (f.ascender() - f.descender() + f.line_gap()) * k;
  // Extra leading is shared above and below the line.
  return f.ascender() * k + (LineHeight(style) - natural) / 2;
}

// ---- Flow --------------------------------------------------------------------

Flow::Flow(Typesetter::Impl& ts, const PageSetup& setup) : ts_(ts), setup_(setup) { NewPage(); }

void Flow::NewPage() {
  if (static_cast<int>(pages_.size()) >= setup_.max_pages) {
    ts_.Fail(Status(StatusCode::kResourceExhausted,
                    "the document needs more than " + std::to_string(setup_.max_pages) + " pages"));
    pages_.back() = page::Page{};  // keep memory bounded; the result is discarded
    pages_.back().width = setup_.width;
    pages_.back().height = setup_.height;
    y_ = setup_.margin_top;
    return;
  }
  page::Page page;
  page.width = setup_.width;
  page.height = setup_.height;
  pages_.push_back(std::move(page));
  y_ = setup_.margin_top;
}

void Flow::PutLine(const LineBox& line, double x) {
  PlaceLine(line, left() + x, y_, &page());
  y_ += line.height;
}

void Flow::Rule(double x1, double y1_top, double x2, double y2_top, double width, bool dotted) {
  page::Rule r;
  r.x1 = x1;
  r.x2 = x2;
  r.y1 = page().height - y1_top;
  r.y2 = page().height - y2_top;
  r.width = width;
  r.dotted = dotted;
  page().rules.push_back(r);
}

void PlaceLine(const LineBox& line, double left, double top, page::Page* page) {
  const double baseline = page->height - (top + line.ascent);
  for (const page::GlyphRun& run : line.runs) {
    page::GlyphRun placed = run;
    placed.x += left;
    placed.y = baseline;
    page->runs.push_back(std::move(placed));
  }
}

// ---- Typesetter ----------------------------------------------------------------

Typesetter::Typesetter(FontSet fonts) : impl_(std::make_unique<Impl>(std::move(fonts))) {}
Typesetter::~Typesetter() = default;

std::vector<std::shared_ptr<const text::Font>> Typesetter::fonts() const {
  return {impl_->fonts_.regular, impl_->fonts_.bold};
}

Result<std::vector<page::Page>> Typesetter::Layout(const DocumentLayout& doc) {
  if (Status s = CheckSetup(doc.setup); !s.ok()) return s;
  if (impl_->regular_.cache_size() + impl_->bold_.cache_size() > kMaxCachedWords) {
    impl_->regular_.ClearCache();
    impl_->bold_.ClearCache();
  }
  impl_->line_spacing_ = doc.setup.line_spacing;
  impl_->error_ = Status::Ok();

  Flow flow(*impl_, doc.setup);
  KeepHeights keeps(doc.blocks, &flow);
  for (size_t i = 0; i < doc.blocks.size(); ++i) {
    const Block& block = doc.blocks[i];
    Status status;
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, Paragraph>) {
            const double keep = b.keep_with_next ? keeps.Of(i + 1) : 0;
            FlowParagraph(b, keep, keeps.TakeLinesOf(i), &flow);
          } else if constexpr (std::is_same_v<T, Table>) {
            status = LayOutTable(b, keeps.AfterTable(i + 1), &flow);
          } else if constexpr (std::is_same_v<T, SignatureLine>) {
            FlowSignature(b, b.keep_with_next ? keeps.Of(i + 1) : 0, &flow);
          } else {
            flow.Advance(std::min(b.height, flow.Remaining()));
          }
        },
        block);
    if (status.ok()) status = impl_->error_;
    if (!status.ok()) return status.WithFieldPrefix("blocks[" + std::to_string(i) + "]");
  }
  std::vector<page::Page> pages = flow.TakePages();
  NumberPages(doc.setup, *impl_, &pages);
  if (!impl_->error_.ok()) return impl_->error_;  // e.g. a glyph missing in the footer
  return pages;
}


}  // namespace saraban::layout
