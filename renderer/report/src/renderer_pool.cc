#include "saraban/report/renderer_pool.h"

#include <algorithm>
#include <utility>

#include "saraban/report/default_template.h"

namespace saraban::report {

RendererPool::RendererPool(RenderOptions options, v1::Template default_template,
                           int max_renderers)
    : options_(std::move(options)),
      default_template_(std::move(default_template)),
      max_renderers_(std::max(1, max_renderers)) {}

Result<std::unique_ptr<RendererPool>> RendererPool::Create(const RenderOptions& options,
                                                           int max_renderers) {
  auto tmpl = DefaultTemplate();
  if (!tmpl.ok()) return tmpl.status();
  auto first = ReportRenderer::Create(options);
  if (!first.ok()) return first.status();
  std::unique_ptr<RendererPool> pool(
      new RendererPool(options, std::move(tmpl).value(), max_renderers));
  pool->idle_.push_back(std::move(first).value());
  pool->made_ = 1;
  return pool;
}

template <typename Use>
auto RendererPool::Borrow(Use use) -> decltype(use(std::declval<ReportRenderer&>())) {
  std::unique_ptr<ReportRenderer> renderer;
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [this] { return !idle_.empty() || made_ < max_renderers_; });
    if (!idle_.empty()) {
      renderer = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++made_;  // made below, outside the lock
    }
  }
  if (renderer == nullptr) {
    auto made = ReportRenderer::Create(options_);
    if (!made.ok()) {
      std::lock_guard lock(mu_);
      --made_;
      returned_.notify_one();
      return made.status();
    }
    renderer = std::move(made).value();
  }
  auto result = use(*renderer);
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(renderer));
  }
  returned_.notify_one();
  return result;
}

Result<RenderedPdf> RendererPool::Render(const v1::Report& report, const v1::Template* tmpl) {
  return Borrow([&](ReportRenderer& r) {
    return r.Render(report, tmpl != nullptr ? *tmpl : default_template_);
  });
}

Result<int> RendererPool::PageCount(const v1::Report& report, const v1::Template* tmpl) {
  return Borrow([&](ReportRenderer& r) {
    return r.PageCount(report, tmpl != nullptr ? *tmpl : default_template_);
  });
}

}  // namespace saraban::report
