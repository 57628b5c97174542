#include "saraban/server/redis_setup.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "saraban/files.h"
#include "saraban/observe/metrics.h"

namespace saraban::server {

void RegisterRedisMetrics() {
  static std::once_flag once;
  std::call_once(once, [] {
    observe::AddScrapeCallback(
        "saraban_redis_errors_total",
        "Redis connections lost, timed out or refused (kind=connection), and commands Redis "
        "refused for its state: out of memory, loading, read-only (kind=refused)",
        observe::SampleKind::kCounter, [] {
          const redis::ErrorCounts c = redis::GetErrorCounts();
          return std::vector<observe::Sample>{
              {{{"kind", "connection"}}, static_cast<double>(c.connection)},
              {{{"kind", "refused"}}, static_cast<double>(c.refused)}};
        });
  });
}

Status ResolveRedisPassword(const std::string& file, redis::Endpoint* endpoint) {
  if (!file.empty()) {
    auto text = ReadFileAtMost(file, 64 << 10);
    if (!text.ok()) return InvalidArgument(text.status().message(), "--redis-password-file");
    std::string password = text->substr(0, text->find_first_of("\r\n"));
    if (password.empty()) {
      return InvalidArgument(file + " holds no password on its first line",
                             "--redis-password-file");
    }
    endpoint->password = std::move(password);
  } else if (const char* env = std::getenv("SARABAN_REDIS_PASSWORD"); env && *env) {
    endpoint->password = env;
  }
  return Status::Ok();
}

Result<redis::Endpoint> PrepareRedis(const flags::RedisFlags& redis) {
  auto endpoint = redis::ParseUrl(redis.url);
  if (!endpoint.ok()) return endpoint.status().WithFieldPrefix("--redis");
  if (Status s = ResolveRedisPassword(redis.password_file, &*endpoint); !s.ok()) return s;
  redis::Connection c(*endpoint, {});
  Status durable = redis::CheckDurability(c);
  if (durable.code() == StatusCode::kUnavailable) {
    spdlog::warn("{}; starting anyway, not ready until it answers", durable.message());
  } else if (!durable.ok()) {
    if (!redis.allow_unsafe) return durable;
    spdlog::warn("{} (continuing: --allow-unsafe-redis)", durable.message());
  }
  return endpoint;
}

}  // namespace saraban::server
