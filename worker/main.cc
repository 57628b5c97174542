// renderer: the render worker. Parses flags, checks Redis, runs the worker
// threads until SIGTERM or SIGINT, then reports NOT_SERVING, drains
// (finishes the jobs in hand) and exits 0. Optionally serves
// grpc.health.v1 (--health-listen) and Prometheus metrics (--metrics).
#include <grpcpp/grpcpp.h>
#include <prometheus/histogram.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <thread>

#include "saraban/flags/queue_flags.h"
#include "saraban/flags/redis_flags.h"
#include "saraban/flags/render_flags.h"
#include "saraban/observe/log.h"
#include "saraban/observe/metrics.h"
#include "saraban/redis/client.h"
#include "saraban/server/health.h"
#include "saraban/server/redis_setup.h"
#include "saraban/server/serve.h"
#include "saraban/worker/worker.h"

namespace {

std::string DefaultConsumer() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "renderer");
  }
  return std::string(host) + "-" + std::to_string(::getpid());
}

// saraban_render_seconds and saraban_render_pages, observed per PDF.
std::function<void(std::chrono::duration<double>, int)> RenderMetrics() {
  auto& seconds = prometheus::BuildHistogram()
                      .Name("saraban_render_seconds")
                      .Help("Time to render one report to PDF (shaping, layout, PDF)")
                      .Register(saraban::observe::Metrics())
                      .Add({}, prometheus::Histogram::BucketBoundaries{
                                   0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                   2.5, 5, 10});
  auto& pages = prometheus::BuildHistogram()
                    .Name("saraban_render_pages")
                    .Help("Pages of each rendered PDF")
                    .Register(saraban::observe::Metrics())
                    .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 3, 5, 10, 20, 50,
                                                                     100, 200, 500, 1000});
  return [&seconds, &pages](std::chrono::duration<double> took, int page_count) {
    seconds.Observe(took.count());
    pages.Observe(page_count);
  };
}

// saraban_jobs_total{outcome}: what this process's threads did with the
// jobs they were handed.
void RegisterJobMetrics(const saraban::worker::Worker* w) {
  saraban::observe::AddScrapeCallback(
      "saraban_jobs_total",
      "Jobs this renderer finished, by outcome: succeeded; retried (an attempt failed, the job "
      "waits for its retry); failed (for good, dead-lettered); fenced (taken over by another "
      "worker, result dropped); skipped (cancelled or already final when read)",
      saraban::observe::SampleKind::kCounter, [w] {
        const auto s = w->stats();
        auto sample = [](const char* outcome, int64_t v) {
          return saraban::observe::Sample{{{"outcome", outcome}}, static_cast<double>(v)};
        };
        return std::vector<saraban::observe::Sample>{
            sample("succeeded", s.succeeded), sample("retried", s.retried),
            sample("failed", s.failed), sample("fenced", s.fenced),
            sample("skipped", s.skipped)};
      });
}

}  // namespace

int main(int argc, char** argv) {
  // First of all, so that a SIGTERM arriving while the renderer starts is
  // waited for (a clean stop), not the default (killed mid-start).
  sigset_t signals = saraban::server::BlockStopSignals();
  CLI::App app{"saraban renderer: renders queued report jobs from Redis to PDF"};
  saraban::worker::WorkerOptions options;
  saraban::flags::RedisFlags redis;
  unsigned cores = std::thread::hardware_concurrency();
  options.threads = cores == 0 ? 1 : static_cast<int>(cores);
  options.consumer = DefaultConsumer();
  int64_t claim_idle_ms = options.queue.claim_idle.count();

  saraban::flags::AddRedisFlags(app, &redis);
  app.add_option("--workers", options.threads, "Render threads (default: one per core)")
      ->envname("SARABAN_WORKERS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  saraban::flags::AddRenderFlags(app, &options.render);
  saraban::flags::AddQueueFlags(app, &options.queue);
  app.add_option("--claim-idle-ms", claim_idle_ms,
                 "Take over a job another worker has held this long (must exceed the slowest "
                 "render)")
      ->envname("SARABAN_CLAIM_IDLE_MS")
      ->check(CLI::Range(int64_t{100}, int64_t{3600} * 1000))
      ->capture_default_str();
  app.add_option("--consumer", options.consumer,
                 "Consumer name in the group; thread i reads as NAME-i (default: hostname-pid)")
      ->envname("SARABAN_CONSUMER");
  std::string health_listen;
  app.add_option("--health-listen", health_listen,
                 "Serve grpc.health.v1 on HOST:PORT for probes (empty: none)")
      ->envname("SARABAN_HEALTH_LISTEN");
  std::string metrics_address;
  saraban::observe::AddMetricsFlag(app, &metrics_address);
  saraban::observe::LogOptions log;
  saraban::observe::AddLogFlags(app, &log);
  CLI11_PARSE(app, argc, argv);
  if (auto s = saraban::observe::SetUpLogging("renderer", log); !s.ok()) {
    spdlog::error("renderer: {}", s.ToString());
    return 2;
  }
  saraban::report::KeepFreedMemory();

  // Unreachable: the threads wait for it, and the durability check runs
  // when it answers.
  auto endpoint = saraban::server::PrepareRedis(redis);
  if (!endpoint.ok()) {
    spdlog::error("renderer: {}", endpoint.status().ToString());
    return endpoint.status().code() == saraban::StatusCode::kInvalidArgument ? 2 : 1;
  }
  options.endpoint = *endpoint;
  options.keys = saraban::keyspace::Keys(redis.key_prefix);
  options.queue.claim_idle = std::chrono::milliseconds(claim_idle_ms);

  // Signals go to this thread only (blocked before any other starts), so
  // the workers are never interrupted mid-write.

  std::unique_ptr<saraban::observe::MetricsServer> metrics;
  if (!metrics_address.empty()) {
    auto started = saraban::observe::MetricsServer::Start(metrics_address);
    if (!started.ok()) {
      spdlog::error("renderer: {}", started.status().ToString());
      return 2;
    }
    metrics = std::move(started).value();
    saraban::server::RegisterRedisMetrics();
  }
  options.on_render = RenderMetrics();

  auto worker = saraban::worker::Worker::Create(options);
  if (!worker.ok()) {
    spdlog::error("renderer: {}", worker.status().ToString());
    return 3;
  }
  spdlog::info("renderer: {} threads as {}-N on {}", options.threads, options.consumer,
               options.endpoint.ToString());
  saraban::worker::Worker* w = worker->get();
  RegisterJobMetrics(w);

  // Probes: readiness follows Redis, liveness the process.
  std::unique_ptr<grpc::Server> health_server;
  std::unique_ptr<saraban::server::HealthReporter> health;
  if (!health_listen.empty()) {
    auto started = saraban::server::StartHealthServer(health_listen);
    if (!started.ok()) {
      spdlog::error("renderer: {}", started.status().ToString());
      return 2;
    }
    health_server = std::move(started).value();
    health = std::make_unique<saraban::server::HealthReporter>(
        "renderer", std::vector<grpc::HealthCheckServiceInterface*>{
                        health_server->GetHealthCheckService()},
        options.endpoint, std::vector<std::string>{});
  }
  w->Start();

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("renderer: {}: NOT_SERVING, finishing the jobs in hand",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  if (health) health->NotServing();
  w->Stop();
  health.reset();
  if (health_server) health_server->Shutdown(std::chrono::system_clock::now());
  auto st = (*worker)->stats();
  spdlog::info("renderer: stopped; {} succeeded, {} retried, {} failed, {} taken over by others",
               st.succeeded, st.retried, st.failed, st.fenced);
  return 0;
}
