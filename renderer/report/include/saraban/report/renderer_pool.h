// ReportRenderers shared by the threads of a server: a render borrows one
// (made when none is free) and gives it back, so fonts and shaping caches
// stay warm without one renderer per thread that never renders.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "saraban/report/render.h"

namespace saraban::report {

class RendererPool {
 public:
  // Loads the fonts and the default template once, so a bad font is an
  // error at start-up rather than at the first render.
  // At most `max_renderers` renders run at once (each renderer holds its
  // fonts, caches and a render's buffers: tens of MB); more wait their turn.
  static Result<std::unique_ptr<RendererPool>> Create(const RenderOptions& options,
                                                      int max_renderers = 2);

  // As ReportRenderer::Render; `tmpl` null means the default template.
  // Safe to call from many threads.
  Result<RenderedPdf> Render(const v1::Report& report, const v1::Template* tmpl);
  // As ReportRenderer::PageCount: the layout without writing the PDF.
  Result<int> PageCount(const v1::Report& report, const v1::Template* tmpl);

 private:
  // Runs `use` on a borrowed renderer (null when none could be made, with
  // the reason in `*made`).
  template <typename Use>
  auto Borrow(Use use) -> decltype(use(std::declval<ReportRenderer&>()));

  RendererPool(RenderOptions options, v1::Template default_template, int max_renderers);

  const RenderOptions options_;
  const v1::Template default_template_;
  const int max_renderers_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<ReportRenderer>> idle_;  // guarded by mu_
  int made_ = 0;                                       // guarded by mu_
};

}  // namespace saraban::report
