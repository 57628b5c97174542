// Redis as a process sets it up: the password, the durability check, and
// the error counters on the metrics.
#pragma once

#include "saraban/flags/redis_flags.h"
#include "saraban/redis/client.h"
#include "saraban/status.h"

namespace saraban::server {

// Sets endpoint->password from `file` (its first line), else from the
// environment variable SARABAN_REDIS_PASSWORD, else leaves the URL's; an
// error naming --redis-password-file when the file cannot be read. The
// password is never logged: Endpoint::ToString leaves it out.
Status ResolveRedisPassword(const std::string& file, redis::Endpoint* endpoint);

// Parses the Redis URL, takes the password (ResolveRedisPassword) and checks
// Redis durability (AOF, noeviction) when it is reachable; refuses (returns
// an error) unless allow_unsafe. Unreachable Redis is not an error: a
// server starts NOT_SERVING, the renderer waits for it.
Result<redis::Endpoint> PrepareRedis(const flags::RedisFlags& redis);

// Adds saraban_redis_errors_total{kind} (redis::GetErrorCounts) to the
// metrics. Safe to call more than once.
void RegisterRedisMetrics();

}  // namespace saraban::server
