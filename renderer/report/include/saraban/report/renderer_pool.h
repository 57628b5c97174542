// ReportRenderers shared by the threads of a server: a render borrows one
// (made when none is free) and gives it back, so fonts and shaping caches
// stay warm without one renderer per thread that never renders.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "saraban/report/render.h"

namespace saraban::report {

class RendererPool {
 public:
  // Loads the fonts and the default template once, so a bad font is an
  // error at start-up rather than at the first render.
  static Result<std::unique_ptr<RendererPool>> Create(const RenderOptions& options);

  // As ReportRenderer::Render; `tmpl` null means the default template.
  // Safe to call from many threads.
  Result<RenderedPdf> Render(const v1::Report& report, const v1::Template* tmpl);

 private:
  RendererPool(RenderOptions options, v1::Template default_template);

  const RenderOptions options_;
  const v1::Template default_template_;
  std::mutex mu_;
  std::vector<std::unique_ptr<ReportRenderer>> idle_;  // guarded by mu_
};

}  // namespace saraban::report
