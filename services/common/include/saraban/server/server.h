// What every saraban gRPC server shares: flags, the translation of library
// errors to grpc::Status, health (reporting Redis reachability), reflection,
// and a clean shutdown on SIGTERM/SIGINT.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>
#include <vector>

#include "saraban/redis/client.h"
#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::server {

// grpc::Status for a library Status. INVALID_ARGUMENT carries a
// google.rpc.BadRequest detail naming the field.
grpc::Status ToGrpc(const Status& status);
// INVALID_ARGUMENT for many field errors at once: the message lists them
// ("a: reason; b: reason"), the BadRequest detail holds one violation each.
// `prefix` is put in front of every field path (e.g. "report").
grpc::Status InvalidFields(const std::vector<Status>& errors, const std::string& prefix = {});

// Makes a request that does not parse (most often a string field holding
// invalid UTF-8, which protobuf refuses) INVALID_ARGUMENT naming the field,
// instead of gRPC's bare INTERNAL. Serve() does this; a test that builds its
// own server calls it on its builder.
void TranslateParseErrors(grpc::ServerBuilder& builder);
// In a client stream a message that does not parse just ends the stream
// (ServerReader::Read returns false). A streaming method calls this after
// its read loop: OK for a normal end, else the error naming the field.
grpc::Status TakeStreamParseError();

// Settings every server takes, each as a flag and an environment variable.
struct ServerOptions {
  std::string listen;                                  // --listen / SARABAN_LISTEN
  std::string redis_url = "redis://127.0.0.1:6379";    // --redis / SARABAN_REDIS
  int redis_connections = 16;                          // --redis-connections
  std::string key_prefix = "saraban:";                 // --key-prefix / SARABAN_KEY_PREFIX
  int max_message_bytes = 16 << 20;                    // --max-message-bytes
  bool allow_unsafe_redis = false;  // --allow-unsafe-redis: warn instead of refusing
};

// Adds --listen, --redis, --redis-connections, --key-prefix,
// --max-message-bytes and --allow-unsafe-redis to `app`.
void AddServerFlags(CLI::App& app, ServerOptions* options, const std::string& default_listen);

// Parses the Redis URL and checks Redis durability (AOF, noeviction) when it
// is reachable; refuses (returns an error) unless allow_unsafe_redis.
// Unreachable Redis is not an error: the server starts NOT_SERVING.
Result<redis::Endpoint> PrepareRedis(const ServerOptions& options);

// Builds a server with `services`, grpc.health.v1 (SERVING while Redis
// answers PING, checked every second), reflection, and the message size
// limit; serves until SIGTERM or SIGINT, then turns health NOT_SERVING and
// drains in-flight calls for up to `grace`. Returns the process exit code.
int Serve(const std::string& name, const ServerOptions& options, redis::Pool& pool,
          const std::vector<grpc::Service*>& services,
          std::chrono::seconds grace = std::chrono::seconds(10));

}  // namespace saraban::server
