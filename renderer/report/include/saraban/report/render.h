// The render pipeline, from a report to PDF bytes:
//   validate and normalise -> compose -> layout (break, shape, paginate) -> write PDF.
// No server, no network: the CLI, the worker and the tests all call this.
#pragma once

#include <array>

#include <memory>
#include <string>
#include <vector>

#include "saraban/page/page.h"
#include "saraban/status.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::report {

// Every render allocates and frees the same few megabytes (zlib's buffers,
// the PDF, the layout). By default glibc hands freed memory at the top of a
// thread's heap back to the kernel and maps large blocks afresh, so each
// render pays again for page faults: on a VM where they are dear, that
// doubled the time per report. Call once at start-up in a process that
// renders (even one report: a render frees and allocates again as it goes):
// it keeps the memory, so the process stays at its peak per thread.
void KeepFreedMemory();

struct RenderOptions {
  std::string regular_font = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf";
  std::string bold_font = "/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf";
  double size_factor = 1.0;  // see ComposeOptions
};

// Where one of the sign-off's people signs: the dotted line after
// "ลงชื่อ" on the last page, as a box in PDF points from the lower left
// {x1, y1, x2, y2}. Fields are named by role: "reporter", "reviewer-1",
// "reviewer-2", ..., "executive".
struct SignaturePlace {
  std::string field;
  std::array<double, 4> rect{};
};

struct RenderedPdf {
  std::string bytes;
  int page_count = 0;
  // In the sign-off's order; empty without a sign-off on the last page.
  std::vector<SignaturePlace> signature_places;
};

// `rendered` with an empty signature field for each of its signature
// places (pdf::AddSignatureFields), as one incremental update: the PDF
// that is published, for the sign-off's people to sign in order. The
// render stays its exact prefix; without places, the render as it is.
Result<std::string> WithSignatureFields(const RenderedPdf& rendered);

// Renders reports. Keeps fonts and shaping caches warm between calls: make
// one per thread and reuse it.
class ReportRenderer {
 public:
  static Result<std::unique_ptr<ReportRenderer>> Create(const RenderOptions& options = {});
  ~ReportRenderer();

  // Validates a copy of `report` (errors name each bad field), then renders.
  Result<RenderedPdf> Render(const v1::Report& report, const v1::Template& tmpl);
  // Render's steps up to the layout, with the same errors, and no PDF
  // written: how many pages the render will have.
  Result<int> PageCount(const v1::Report& report, const v1::Template& tmpl);

 private:
  // Validates and normalises `report` in place, composes and lays it out.
  Result<std::vector<page::Page>> LayOutPages(v1::Report& report, const v1::Template& tmpl);

  struct Impl;
  explicit ReportRenderer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace saraban::report
