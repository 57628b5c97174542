// document-service: the saraban.v1.DocumentService gRPC server. Parses
// flags, connects to Redis, serves until SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "saraban/document/document_service.h"
#include "saraban/server/server.h"

int main(int argc, char** argv) {
  CLI::App app{"saraban document-service: queues render jobs on Redis and serves the PDFs"};
  saraban::server::ServerOptions options;
  saraban::server::AddServerFlags(app, &options, "127.0.0.1:50052");
  saraban::document::DocumentServiceOptions doc;
  saraban::queue::QueueOptions queue;
  int64_t document_ttl_s = queue.document_ttl.count();
  app.add_option("--max-batch-jobs", doc.max_batch_jobs, "Most jobs one bulk render may create")
      ->envname("SARABAN_MAX_BATCH_JOBS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--document-ttl-s", document_ttl_s,
                 "How long finished PDFs are kept, in seconds")
      ->envname("SARABAN_DOCUMENT_TTL_S")
      ->check(CLI::Range(int64_t{60}, int64_t{10} * 365 * 86400))
      ->capture_default_str();
  app.add_option("--max-attempts", queue.max_attempts,
                 "Deliveries before a job is failed and dead-lettered")
      ->envname("SARABAN_MAX_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  queue.document_ttl = std::chrono::seconds(document_ttl_s);

  auto endpoint = saraban::server::PrepareRedis(options);
  if (!endpoint.ok()) {
    spdlog::error("document-service: {}", endpoint.status().ToString());
    return 1;
  }
  saraban::redis::Pool pool(*endpoint, {}, options.redis_connections);
  saraban::store::ReportStore reports(pool, saraban::store::Keys(options.key_prefix));
  saraban::queue::JobQueue jobs(pool, saraban::store::Keys(options.key_prefix), queue);
  if (auto s = jobs.EnsureStream(); !s.ok()) {
    spdlog::warn("document-service: cannot create the render stream yet: {}", s.message());
  }
  saraban::document::DocumentServiceImpl service(reports, jobs, doc);
  return saraban::server::Serve("document-service", options, pool, {&service});
}
