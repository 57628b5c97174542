// document-service: the saraban.v1.DocumentService and
// saraban.v1.PublicationService gRPC server. Parses flags, connects to
// Redis, serves until SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include "saraban/document_service/document_service.h"
#include "saraban/flags/queue_flags.h"
#include "saraban/flags/render_flags.h"
#include "saraban/observe/metrics.h"
#include "saraban/observe/log.h"
#include "saraban/publication/publication_store.h"
#include "saraban/publication_service/publication_service.h"
#include "saraban/server/redis_setup.h"
#include "saraban/server/serve.h"

namespace {

// The depth of the render queue, read from Redis at most once a second
// (one round trip for every family) when metrics are scraped.
void RegisterQueueMetrics(saraban::queue::JobQueue& jobs) {
  struct Cache {
    std::mutex mu;
    std::chrono::steady_clock::time_point read_at;
    std::optional<saraban::queue::QueueStats> stats;
  };
  auto cache = std::make_shared<Cache>();
  auto read = [cache, &jobs]() -> std::optional<saraban::queue::QueueStats> {
    std::lock_guard lock(cache->mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - cache->read_at >= std::chrono::seconds(1)) {
      auto s = jobs.Stats();
      cache->stats = s.ok() ? std::optional(*s) : std::nullopt;
      cache->read_at = now;
    }
    return cache->stats;
  };
  using Field = int64_t saraban::queue::QueueStats::*;
  const std::tuple<const char*, const char*, Field> gauges[] = {
      {"saraban_queue_entries", "Render stream entries not yet acknowledged",
       &saraban::queue::QueueStats::entries},
      {"saraban_queue_lag", "Render stream entries not yet delivered to any renderer",
       &saraban::queue::QueueStats::lag},
      {"saraban_queue_pending", "Render stream entries delivered to a renderer, not yet done",
       &saraban::queue::QueueStats::pending},
      {"saraban_queue_retries_scheduled", "Jobs waiting for the time of their next attempt",
       &saraban::queue::QueueStats::retries},
      {"saraban_dead_letters", "Entries of the dead-letter stream (jobs failed for good)",
       &saraban::queue::QueueStats::dead_letters},
  };
  for (const auto& [name, help, field] : gauges) {
    saraban::observe::AddScrapeCallback(
        name, help, saraban::observe::SampleKind::kGauge,
        [read, field = field]() -> std::vector<saraban::observe::Sample> {
          auto s = read();
          if (!s || (*s).*field < 0) return {};  // Redis away: no sample, not a false zero
          return {{{}, static_cast<double>((*s).*field)}};
        });
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saraban document-service: queues render jobs on Redis and serves the PDFs"};
  saraban::server::ServerOptions options;
  saraban::server::AddServerFlags(app, &options, "127.0.0.1:50052");
  saraban::document_service::DocumentServiceOptions doc;
  saraban::queue::QueueOptions queue;
  saraban::report::RenderOptions render;
  saraban::flags::AddRenderFlags(app, &render);
  app.add_option("--max-jobs-in-flight-per-caller", doc.submission.max_jobs_in_flight_per_caller,
                 "Most jobs one caller may have queued or running at once")
      ->envname("SARABAN_MAX_JOBS_IN_FLIGHT_PER_CALLER")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}))
      ->capture_default_str();
  app.add_option("--max-batch-jobs", doc.submission.max_batch_jobs, "Most jobs one bulk render may create")
      ->envname("SARABAN_MAX_BATCH_JOBS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  saraban::flags::AddQueueFlags(app, &queue);
  std::string seal_p12, seal_password_file;
  app.add_option("--seal-p12", seal_p12,
                 "PKCS#12 file with the seal's key, certificate and chain (SealPublication)")
      ->envname("SARABAN_SEAL_P12");
  app.add_option("--seal-password-file", seal_password_file, "File holding its password")
      ->envname("SARABAN_SEAL_PASSWORD_FILE");
  std::string trust_anchors;
  app.add_option("--trust-anchors", trust_anchors,
                 "PEM file of the CA certificates VerifyDocument trusts")
      ->envname("SARABAN_TRUST_ANCHORS")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  if (auto s = saraban::observe::SetUpLogging("document-service", options.log); !s.ok()) {
    spdlog::error("document-service: {}", s.ToString());
    return 2;
  }

  auto endpoint = saraban::server::PrepareRedis(options.redis);
  if (!endpoint.ok()) {
    spdlog::error("document-service: {}", endpoint.status().ToString());
    return 1;
  }
  saraban::redis::Pool pool(*endpoint, {}, options.redis_connections);
  saraban::store::ReportStore reports(pool, saraban::keyspace::Keys(options.redis.key_prefix));
  saraban::queue::JobQueue jobs(pool, saraban::keyspace::Keys(options.redis.key_prefix), queue);
  if (auto s = jobs.EnsureStream(); !s.ok()) {
    spdlog::warn("document-service: cannot create the render stream yet: {}", s.message());
  }
  RegisterQueueMetrics(jobs);
  auto auth = saraban::server::LoadAuthenticator(options, "document-service");
  if (!auth.ok()) {
    spdlog::error("document-service: {}", auth.status().ToString());
    return 2;
  }
  // The fonts of the workers, for the layouts made at submission.
  auto layouts = saraban::report::RendererPool::Create(render);
  if (!layouts.ok()) {
    spdlog::error("document-service: {}", layouts.status().ToString());
    return 2;
  }
  auto fonts = saraban::publication_service::FontIdentities(render);
  if (!fonts.ok()) {
    spdlog::error("document-service: {}", fonts.status().ToString());
    return 2;
  }
  // The seal, when one is configured; a file that does not open is an
  // error at start-up, not at the first seal.
  std::optional<saraban::sign::Identity> seal;
  if (!seal_p12.empty()) {
    auto read = [](const std::string& path) -> std::optional<std::string> {
      std::ifstream in(path, std::ios::binary);
      if (!in) return std::nullopt;
      std::ostringstream bytes;
      bytes << in.rdbuf();
      return bytes.str();
    };
    auto p12 = read(seal_p12);
    std::optional<std::string> password =
        seal_password_file.empty() ? std::optional<std::string>("") : read(seal_password_file);
    if (!p12 || !password) {
      spdlog::error("document-service: cannot read the seal's files");
      return 2;
    }
    while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) {
      password->pop_back();
    }
    auto identity = saraban::sign::Identity::FromPkcs12(*p12, *password);
    if (!identity.ok()) {
      spdlog::error("document-service: --seal-p12: {}", identity.status().ToString());
      return 2;
    }
    spdlog::info("document-service: sealing as {}", identity->subject());
    seal.emplace(std::move(identity).value());
  }
  std::string anchors_pem;
  if (!trust_anchors.empty()) {
    std::ifstream in(trust_anchors);
    std::ostringstream pem;
    pem << in.rdbuf();
    anchors_pem = pem.str();
  }
  saraban::publication::PublicationStore publications(
      pool, saraban::keyspace::Keys(options.redis.key_prefix));
  saraban::publication_service::PublicationServiceImpl publishing(
      reports, publications, **layouts, std::move(fonts).value(), *auth,
      seal ? &*seal : nullptr, std::move(anchors_pem));
  saraban::document_service::DocumentServiceImpl service(reports, jobs, **layouts,
                                                 std::move(auth).value(), doc);
  return saraban::server::Serve(
      "document-service", options, pool,
      {{saraban::v1::DocumentService::service_full_name(), &service},
       {saraban::v1::PublicationService::service_full_name(), &publishing}});
}
