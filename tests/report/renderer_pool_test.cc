// RendererPool: renders from many threads, at most max_renderers at once,
// each byte for byte what one renderer makes.
#include "saraban/report/renderer_pool.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "saraban/model/json.h"
#include "saraban/report/default_template.h"

namespace saraban::report {
namespace {

TEST(RendererPoolTest, ManyThreadsGetTheBytesOfOneRenderer) {
  auto report = model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) +
                                      "/examples/000_taluboh.json");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto single = ReportRenderer::Create({});
  ASSERT_TRUE(single.ok());
  auto expected = (*single)->Render(*report, *DefaultTemplate());
  ASSERT_TRUE(expected.ok());

  auto pool = RendererPool::Create({}, 2);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  constexpr int kThreads = 4;
  std::vector<std::string> got(kThreads);
  std::vector<int> pages(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto pdf = (*pool)->Render(*report, nullptr);
      if (pdf.ok()) {
        got[i] = pdf->bytes;
        pages[i] = pdf->page_count;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(got[i] == expected->bytes) << "thread " << i << " got other bytes";
    EXPECT_EQ(pages[i], expected->page_count);
  }
}

TEST(RendererPoolTest, AFontThatDoesNotLoadIsAnErrorAtCreation) {
  RenderOptions options;
  options.regular_font = "/nonexistent/font.ttf";
  EXPECT_FALSE(RendererPool::Create(options).ok());
}

}  // namespace
}  // namespace saraban::report
