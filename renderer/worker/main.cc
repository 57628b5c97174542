// renderer: the render worker. Parses flags, checks Redis, runs the worker
// threads until SIGTERM or SIGINT, then drains (finishes the jobs in hand)
// and exits 0.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <thread>

#include "saraban/redis/client.h"
#include "saraban/worker/worker.h"

namespace {

std::string DefaultConsumer() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "renderer");
  }
  return std::string(host) + "-" + std::to_string(::getpid());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saraban renderer: renders queued report jobs from Redis to PDF"};
  saraban::worker::WorkerOptions options;
  std::string url = "redis://127.0.0.1:6379";
  std::string prefix(saraban::store::kDefaultPrefix);
  unsigned cores = std::thread::hardware_concurrency();
  options.threads = cores == 0 ? 1 : static_cast<int>(cores);
  options.consumer = DefaultConsumer();
  int64_t claim_idle_ms = options.queue.claim_idle.count();
  int64_t document_ttl_s = options.queue.document_ttl.count();
  bool allow_unsafe = false;

  app.add_option("--redis", url, "Redis URL: redis://HOST:PORT[/DB]")
      ->envname("SARABAN_REDIS")
      ->capture_default_str();
  app.add_option("--workers", options.threads, "Render threads (default: one per core)")
      ->envname("SARABAN_WORKERS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--key-prefix", prefix, "Prefix of every Redis key")
      ->envname("SARABAN_KEY_PREFIX")
      ->capture_default_str();
  app.add_option("--font", options.render.regular_font, "Regular TrueType font")
      ->envname("SARABAN_FONT")
      ->capture_default_str();
  app.add_option("--bold-font", options.render.bold_font, "Bold TrueType font")
      ->envname("SARABAN_BOLD_FONT")
      ->capture_default_str();
  app.add_option("--size-factor", options.render.size_factor,
                 "Multiply every template size (corrects an unknown font's scale)")
      ->envname("SARABAN_SIZE_FACTOR")
      ->check(CLI::Range(0.2, 5.0))
      ->capture_default_str();
  app.add_option("--max-attempts", options.queue.max_attempts,
                 "Deliveries before a job is failed and dead-lettered")
      ->envname("SARABAN_MAX_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--claim-idle-ms", claim_idle_ms,
                 "Take over a job another worker has held this long (must exceed the slowest "
                 "render)")
      ->envname("SARABAN_CLAIM_IDLE_MS")
      ->check(CLI::Range(int64_t{100}, int64_t{3600} * 1000))
      ->capture_default_str();
  app.add_option("--document-ttl-s", document_ttl_s, "How long finished PDFs are kept, in seconds")
      ->envname("SARABAN_DOCUMENT_TTL_S")
      ->check(CLI::Range(int64_t{1}, int64_t{10} * 365 * 86400))
      ->capture_default_str();
  app.add_option("--consumer", options.consumer,
                 "Consumer name in the group; thread i reads as NAME-i (default: hostname-pid)")
      ->envname("SARABAN_CONSUMER");
  app.add_flag("--allow-unsafe-redis", allow_unsafe,
               "Run even if Redis may lose or evict jobs (AOF off or an evicting policy)")
      ->envname("SARABAN_ALLOW_UNSAFE_REDIS");
  CLI11_PARSE(app, argc, argv);
  saraban::report::KeepFreedMemory();

  auto endpoint = saraban::redis::ParseUrl(url);
  if (!endpoint.ok()) {
    spdlog::error("renderer: --redis: {}", endpoint.status().ToString());
    return 2;
  }
  options.endpoint = *endpoint;
  options.keys = saraban::store::Keys(prefix);
  options.queue.claim_idle = std::chrono::milliseconds(claim_idle_ms);
  options.queue.document_ttl = std::chrono::seconds(document_ttl_s);

  {
    saraban::redis::Connection check(options.endpoint, options.redis);
    saraban::Status s = saraban::redis::CheckDurability(check);
    if (s.code() == saraban::StatusCode::kUnavailable) {
      // Not up yet: the threads wait for it. The check runs when it is.
      spdlog::warn("renderer: {}; waiting for it", s.ToString());
    } else if (!s.ok() && !allow_unsafe) {
      spdlog::error("renderer: {} (--allow-unsafe-redis runs anyway)", s.ToString());
      return 1;
    } else if (!s.ok()) {
      spdlog::warn("renderer: {}; running anyway (--allow-unsafe-redis)", s.ToString());
    }
  }

  // Signals go to this thread only (blocked before any other starts), so
  // the workers are never interrupted mid-write.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto worker = saraban::worker::Worker::Create(options);
  if (!worker.ok()) {
    spdlog::error("renderer: {}", worker.status().ToString());
    return 3;
  }
  spdlog::info("renderer: {} threads as {}-N on {}", options.threads, options.consumer,
               options.endpoint.ToString());
  (*worker)->Start();

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("renderer: signal {}: finishing the jobs in hand", sig);
  (*worker)->Stop();
  auto st = (*worker)->stats();
  spdlog::info("renderer: stopped; {} succeeded, {} retried, {} failed, {} taken over by others",
               st.succeeded, st.retried, st.failed, st.fenced);
  return 0;
}
