#include "saraban/report/render.h"

#include <malloc.h>

#include <algorithm>

#include "saraban/layout/layout.h"
#include "saraban/model/validate.h"
#include "saraban/pdf/incremental.h"
#include "saraban/pdf/writer.h"
#include "saraban/report/compose.h"
#include "saraban/report/font_coverage.h"
#include "saraban/text/font.h"

namespace saraban::report {

void KeepFreedMemory() {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}
namespace {

// An ISO date for the PDF's metadata, derived from the report (never the
// clock) so that output stays byte-identical.
std::string CreationDate(const v1::Report& r) {
  if (!r.has_sign_off() || r.sign_off().date().year() == 0) return {};
  const v1::Date& d = r.sign_off().date();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00+07:00", d.year(), d.month(),
                d.day() > 0 ? d.day() : 1);
  return buf;
}

}  // namespace

struct ReportRenderer::Impl {
  RenderOptions options;
  layout::Typesetter typesetter;
};

ReportRenderer::ReportRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportRenderer::~ReportRenderer() = default;

Result<std::unique_ptr<ReportRenderer>> ReportRenderer::Create(const RenderOptions& options) {
  Result<std::shared_ptr<const text::Font>> regular = text::Font::Load(options.regular_font);
  if (!regular.ok()) return regular.status().WithFieldPrefix("font");
  Result<std::shared_ptr<const text::Font>> bold = text::Font::Load(options.bold_font);
  if (!bold.ok()) return bold.status().WithFieldPrefix("bold-font");
  if (!(options.size_factor >= 0.2 && options.size_factor <= 5)) {
    return InvalidArgument("size factor must be between 0.2 and 5", "size-factor");
  }
  auto impl = std::unique_ptr<Impl>(
      new Impl{options, layout::Typesetter(layout::FontSet{*regular, *bold})});
  return std::unique_ptr<ReportRenderer>(new ReportRenderer(std::move(impl)));
}

Result<std::vector<page::Page>> ReportRenderer::LayOutPages(v1::Report& report,
                                                            const v1::Template& tmpl) {
  // 1. Validate and normalise (the caller's copy).
  if (std::vector<Status> errors = model::ValidateReport(&report); !errors.empty()) {
    if (errors.size() == 1) return errors.front();
    return Status(errors.front().code(), model::FormatErrors(errors));
  }
  if (std::vector<Status> errors = model::ValidateTemplate(tmpl); !errors.empty()) {
    return Status(errors.front().code(), model::FormatErrors(errors), "template");
  }
  // 2. Compose blocks from the report and the template.
  Result<layout::DocumentLayout> doc =
      Compose(report, tmpl, ComposeOptions{impl_->options.size_factor});
  if (!doc.ok()) return doc.status().WithFieldPrefix("template");
  // 3. Lay out: break lines, shape, paginate, number pages.
  Result<std::vector<page::Page>> pages = impl_->typesetter.Layout(*doc);
  // The layout's own path ("blocks[4]") means nothing to a caller; its
  // message names the text or the part of the template at fault. A
  // character missing from the fonts is named by its field instead (the
  // check `saraban validate` makes; run only now, as it would cost every
  // render a pass over every string).
  if (!pages.ok()) {
    if (pages.status().code() == StatusCode::kInvalidArgument) {
      const auto fonts = impl_->typesetter.fonts();
      if (std::vector<Status> errors = CheckFontCoverage(report, *fonts[0], *fonts[1]);
          !errors.empty()) {
        if (errors.size() == 1) return errors.front();
        return Status(errors.front().code(), model::FormatErrors(errors));
      }
    }
    return Status(pages.status().code(), pages.status().message());
  }
  return pages;
}

Result<int> ReportRenderer::PageCount(const v1::Report& input, const v1::Template& tmpl) {
  v1::Report report = input;
  auto pages = LayOutPages(report, tmpl);
  if (!pages.ok()) return pages.status();
  return static_cast<int>(pages->size());
}

namespace {

// The sign-off's people as signature fields, in the order they sign.
std::vector<std::string> SignatureFieldNames(const v1::Report& report) {
  std::vector<std::string> names;
  if (!report.has_sign_off()) return names;
  const v1::SignOff& so = report.sign_off();
  if (so.has_reporter()) names.push_back("reporter");
  for (int i = 0; i < so.reviewers_size(); ++i) names.push_back("reviewer-" + std::to_string(i + 1));
  if (so.has_acknowledged_by()) names.push_back("executive");
  return names;
}

// The lines to sign on, found on the last page: the dots of each kSignHere
// line (a sign-off of blocks) or each dotted rule (the line form), top to
// bottom. Named in order when there is one per signer; else none.
std::vector<SignaturePlace> FindSignaturePlaces(
    const v1::Report& report, const page::Page& last,
    const std::vector<std::shared_ptr<const text::Font>>& fonts) {
  const std::vector<std::string> names = SignatureFieldNames(report);
  std::vector<std::array<double, 4>> boxes;
  for (const page::GlyphRun& run : last.runs) {
    if (run.text != kSignHere || run.font < 0 || static_cast<size_t>(run.font) >= fonts.size()) {
      continue;
    }
    const double scale = run.size / fonts[run.font]->units_per_em();
    const size_t dots = run.text.find('.');
    double x = run.x, start = run.x;
    for (const page::Glyph& g : run.glyphs) {
      if (g.cluster < dots) start = x + g.x_advance * scale;
      x += g.x_advance * scale;
    }
    boxes.push_back({start, run.y - 0.3 * run.size, x, run.y + 0.9 * run.size});
  }
  for (const page::Rule& rule : last.rules) {
    if (!rule.dotted) continue;
    const double size = 16;
    boxes.push_back({rule.x1, rule.y1 - 0.3 * size, rule.x2, rule.y1 + 0.9 * size});
  }
  std::vector<SignaturePlace> places;
  if (boxes.size() != names.size()) return places;
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const auto& a, const auto& b) { return a[1] > b[1]; });
  for (size_t i = 0; i < names.size(); ++i) places.push_back({names[i], boxes[i]});
  return places;
}

}  // namespace

Result<RenderedPdf> ReportRenderer::Render(const v1::Report& input, const v1::Template& tmpl) {
  v1::Report report = input;  // the caller's report is untouched
  auto pages = LayOutPages(report, tmpl);
  if (!pages.ok()) return pages.status();
  // 4. Write the PDF.
  pdf::Document pdf_doc;
  pdf_doc.metadata.title = DocumentTitle(report);
  pdf_doc.metadata.author = report.agency().name();
  pdf_doc.metadata.subject = "ITA " + std::to_string(report.fiscal_year());
  pdf_doc.metadata.creation_date = CreationDate(report);
  pdf_doc.fonts = impl_->typesetter.fonts();
  pdf_doc.pages = std::move(*pages);
  const int page_count = static_cast<int>(pdf_doc.pages.size());
  std::vector<SignaturePlace> places =
      FindSignaturePlaces(report, pdf_doc.pages.back(), pdf_doc.fonts);
  Result<std::string> bytes = pdf::WritePdf(pdf_doc);
  if (!bytes.ok()) return bytes.status();
  return RenderedPdf{std::move(*bytes), page_count, std::move(places)};
}

Result<std::string> WithSignatureFields(const RenderedPdf& rendered) {
  std::vector<pdf::EmptySignatureField> fields;
  for (const SignaturePlace& place : rendered.signature_places) {
    fields.push_back({place.field, place.rect});
  }
  return pdf::AddSignatureFields(rendered.bytes, fields);
}

}  // namespace saraban::report
