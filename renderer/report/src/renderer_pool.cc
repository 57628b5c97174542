#include "saraban/report/renderer_pool.h"

#include "saraban/report/default_template.h"

namespace saraban::report {

RendererPool::RendererPool(RenderOptions options, v1::Template default_template)
    : options_(std::move(options)), default_template_(std::move(default_template)) {}

Result<std::unique_ptr<RendererPool>> RendererPool::Create(const RenderOptions& options) {
  auto tmpl = DefaultTemplate();
  if (!tmpl.ok()) return tmpl.status();
  auto first = ReportRenderer::Create(options);
  if (!first.ok()) return first.status();
  std::unique_ptr<RendererPool> pool(new RendererPool(options, std::move(tmpl).value()));
  pool->idle_.push_back(std::move(first).value());
  return pool;
}

Result<RenderedPdf> RendererPool::Render(const v1::Report& report, const v1::Template* tmpl) {
  std::unique_ptr<ReportRenderer> renderer;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      renderer = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (renderer == nullptr) {
    auto made = ReportRenderer::Create(options_);
    if (!made.ok()) return made.status();
    renderer = std::move(made).value();
  }
  auto pdf = renderer->Render(report, tmpl != nullptr ? *tmpl : default_template_);
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(renderer));
  return pdf;
}

}  // namespace saraban::report
