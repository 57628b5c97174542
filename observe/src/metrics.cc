#include "saraban/observe/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <CLI/CLI.hpp>
#include <mutex>

namespace saraban::observe {

namespace {

struct Callback {
  std::string name;
  std::string help;
  SampleKind kind;
  std::function<std::vector<Sample>()> read;
};

// The scrape callbacks, as one collectable.
class Callbacks final : public prometheus::Collectable {
 public:
  void Add(Callback c) {
    std::lock_guard lock(mu_);
    callbacks_.push_back(std::move(c));
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<Callback> callbacks;
    {
      std::lock_guard lock(mu_);
      callbacks = callbacks_;
    }
    std::vector<prometheus::MetricFamily> out;
    for (const Callback& c : callbacks) {
      prometheus::MetricFamily family;
      family.name = c.name;
      family.help = c.help;
      family.type = c.kind == SampleKind::kCounter ? prometheus::MetricType::Counter
                                                   : prometheus::MetricType::Gauge;
      for (const Sample& s : c.read()) {
        prometheus::ClientMetric m;
        for (const auto& [k, v] : s.labels) m.label.push_back({k, v});
        (c.kind == SampleKind::kCounter ? m.counter.value : m.gauge.value) = s.value;
        family.metric.push_back(std::move(m));
      }
      out.push_back(std::move(family));
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Callback> callbacks_;
};

std::shared_ptr<prometheus::Registry>& RegistryPtr() {
  static auto r = std::make_shared<prometheus::Registry>();
  return r;
}

std::shared_ptr<Callbacks>& CallbacksPtr() {
  static auto c = std::make_shared<Callbacks>();
  return c;
}

}  // namespace

prometheus::Registry& Metrics() { return *RegistryPtr(); }

void AddMetricsFlag(CLI::App& app, std::string* address) {
  app.add_option("--metrics", *address,
                 "Serve Prometheus metrics on http://HOST:PORT/metrics (empty: none)")
      ->envname("SARABAN_METRICS");
}

struct MetricsServer::Impl {
  prometheus::Exposer exposer;
  explicit Impl(const std::string& address) : exposer(address, 1) {}
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl, int port)
    : impl_(std::move(impl)), port_(port) {}

MetricsServer::~MetricsServer() = default;

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& address) {
  if (address.find(':') == std::string::npos) {
    return InvalidArgument("must look like HOST:PORT, got \"" + address + "\"", "--metrics");
  }
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>(address);
  } catch (const std::exception& e) {
    return InvalidArgument("cannot serve metrics on " + address + ": " + e.what(), "--metrics");
  }
  impl->exposer.RegisterCollectable(RegistryPtr());
  impl->exposer.RegisterCollectable(CallbacksPtr());
  auto ports = impl->exposer.GetListeningPorts();
  const int port = ports.empty() ? 0 : ports.front();
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl), port));
}

void AddScrapeCallback(const std::string& name, const std::string& help, SampleKind kind,
                       std::function<std::vector<Sample>()> read) {
  CallbacksPtr()->Add({name, help, kind, std::move(read)});
}

std::string RenderMetrics() {
  auto families = RegistryPtr()->Collect();
  auto more = CallbacksPtr()->Collect();
  families.insert(families.end(), more.begin(), more.end());
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace saraban::observe
