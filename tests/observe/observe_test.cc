// Log lines and metrics exposition, in process.
#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include "saraban/observe/log.h"
#include "saraban/observe/metrics.h"

namespace saraban::observe {
namespace {

TEST(JsonLineTest, EscapesAndKeepsThai) {
  EXPECT_EQ(JsonLine("2026-11-28T10:00:00.000Z", "info", "renderer", "a \"q\" \\ ที่\n\t\x01", {}),
            "{\"time\":\"2026-11-28T10:00:00.000Z\",\"level\":\"info\",\"component\":\"renderer\","
            "\"msg\":\"a \\\"q\\\" \\\\ ที่\\n\\t\\u0001\"}");
}

TEST(JsonLineTest, InvalidUtf8BecomesReplacementCharacters) {
  // A cut-off Thai character, a lone continuation byte, an overlong '/',
  // a surrogate: each bad byte is one U+FFFD, the good text stays.
  const std::string bad = std::string("ก\xE0\xB8") + "x\x80" + "\xC0\xAF" + "\xED\xA0\x80";
  const std::string line = JsonLine("t", "warn", "c", bad, {});
  EXPECT_NE(line.find("\"msg\":\"ก\\ufffd\\ufffdx\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""),
            std::string::npos)
      << line;
}

TEST(JsonLineTest, InnerFieldsHideOuterOnes) {
  const std::string line =
      JsonLine("t", "info", "c", "m", {{"job", "outer"}, {"agency", "a"}, {"job", "inner"}});
  EXPECT_EQ(line,
            "{\"time\":\"t\",\"level\":\"info\",\"component\":\"c\",\"msg\":\"m\","
            "\"agency\":\"a\",\"job\":\"inner\"}");
}

TEST(MetricsTest, ScrapeCallbacksAndFamiliesAreRendered) {
  auto& c = prometheus::BuildCounter().Name("saraban_test_total").Help("h").Register(Metrics());
  c.Add({{"kind", "x"}}).Increment(3);
  AddScrapeCallback("saraban_test_depth", "depth", SampleKind::kGauge,
                    [] { return std::vector<Sample>{{{{"queue", "render"}}, 7}}; });
  AddScrapeCallback("saraban_test_gone", "none when unknown", SampleKind::kGauge,
                    [] { return std::vector<Sample>{}; });
  const std::string text = RenderMetrics();
  EXPECT_NE(text.find("saraban_test_total{kind=\"x\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("saraban_test_depth{queue=\"render\"} 7"), std::string::npos) << text;
  EXPECT_EQ(text.find("\nsaraban_test_gone "), std::string::npos) << text;  // no sample
}

TEST(MetricsTest, ABadAddressIsAClearError) {
  auto s = MetricsServer::Start("nonsense");
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().field(), "--metrics");
  auto first = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_GT((*first)->port(), 0);
  auto taken = MetricsServer::Start("127.0.0.1:" + std::to_string((*first)->port()));
  EXPECT_EQ(taken.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace saraban::observe
