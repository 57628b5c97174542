// The Redis flag group of every program that uses Redis (the two services
// and the renderer): one definition of each name, environment variable and
// default.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace saraban::flags {

struct RedisFlags {
  std::string url = "redis://127.0.0.1:6379";  // --redis / SARABAN_REDIS
  // --redis-password-file (else SARABAN_REDIS_PASSWORD, else the URL's).
  std::string password_file;
  std::string key_prefix = "saraban:";  // --key-prefix / SARABAN_KEY_PREFIX
  bool allow_unsafe = false;            // --allow-unsafe-redis: warn instead of refusing
};

inline void AddRedisFlags(CLI::App& app, RedisFlags* flags) {
  app.add_option("--redis", flags->url, "Redis, redis://[USER@]HOST:PORT[/DB]")
      ->envname("SARABAN_REDIS")
      ->capture_default_str();
  app.add_option("--redis-password-file", flags->password_file,
                 "File whose first line is the Redis password (AUTH; the URL's user, if any, "
                 "is the ACL user); default: $SARABAN_REDIS_PASSWORD")
      ->envname("SARABAN_REDIS_PASSWORD_FILE");
  app.add_option("--key-prefix", flags->key_prefix, "Prefix of every Redis key")
      ->envname("SARABAN_KEY_PREFIX")
      ->capture_default_str();
  app.add_flag("--allow-unsafe-redis", flags->allow_unsafe,
               "Run even if Redis may lose or evict data (AOF off or an evicting "
               "maxmemory-policy); warns instead")
      ->envname("SARABAN_ALLOW_UNSAFE_REDIS");
}

}  // namespace saraban::flags
