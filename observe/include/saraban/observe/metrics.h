// Prometheus metrics. Each process has one registry; its families are made
// where they are counted (the RPC layer, the worker) and served on /metrics
// at --metrics HOST:PORT. Values that live elsewhere (the depth of the
// queue in Redis, counters of the Redis client) are read at scrape time by
// AddScrapeCallback.
#pragma once

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::observe {

// The process's registry.
prometheus::Registry& Metrics();

// Adds --metrics HOST:PORT (SARABAN_METRICS); empty (the default) serves none.
void AddMetricsFlag(CLI::App& app, std::string* address);

// Serves the registry and the scrape callbacks on http://address/metrics
// until destroyed.
class MetricsServer {
 public:
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& address);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

// A sample a scrape callback reports.
struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};
enum class SampleKind { kCounter, kGauge };
// Adds a family whose samples `read` returns at every scrape (it runs on
// the scrape thread; a failure should return no samples).
void AddScrapeCallback(const std::string& name, const std::string& help, SampleKind kind,
                       std::function<std::vector<Sample>()> read);

// The exposition text of everything registered, as /metrics serves it.
std::string RenderMetrics();

}  // namespace saraban::observe
