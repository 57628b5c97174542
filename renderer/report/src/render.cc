#include "saraban/report/render.h"

#include <malloc.h>

#include "saraban/layout/layout.h"
#include "saraban/model/validate.h"
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
  Result<std::string> bytes = pdf::WritePdf(pdf_doc);
  if (!bytes.ok()) return bytes.status();
  return RenderedPdf{std::move(*bytes), page_count};
}

}  // namespace saraban::report
