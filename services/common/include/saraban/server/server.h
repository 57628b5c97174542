// What every saraban gRPC server shares: flags, the translation of library
// errors to grpc::Status, health (reporting Redis reachability), reflection,
// and a clean shutdown on SIGTERM/SIGINT.
#pragma once

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "saraban/authz/caller.h"
#include "saraban/flags/redis_flags.h"
#include "saraban/observe/log.h"
#include "saraban/redis/client.h"
#include "saraban/server/credentials.h"
#include "saraban/server/errors.h"
#include "saraban/flags/redis_flags.h"
#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::server {


// Makes a request that does not parse (most often a string field holding
// invalid UTF-8, which protobuf refuses) INVALID_ARGUMENT naming the field,
// instead of gRPC's bare INTERNAL. Serve() does this; a test that builds its
// own server calls it on its builder.
void TranslateParseErrors(grpc::ServerBuilder& builder);
// TranslateParseErrors, and counts every call in the RPC metrics.
void AddInterceptors(grpc::ServerBuilder& builder);
// In a client stream a message that does not parse just ends the stream
// (ServerReader::Read returns false). A streaming method calls this after
// its read loop: OK for a normal end, else the error naming the field by
// its path in the request of `method` ("/saraban.v1.ReportService/ImportReports").
grpc::Status TakeStreamParseError(const std::string& method);

// Settings every server takes, each as a flag and an environment variable.
struct ServerOptions {
  std::string listen;                                  // --listen / SARABAN_LISTEN
  ServerTlsOptions tls;                                // --tls-*, --plaintext
  // --health-listen / SARABAN_HEALTH_LISTEN: grpc.health.v1 alone, in
  // plaintext, for probes that cannot present a client certificate (the
  // kubelet's); empty for none. The main port serves health too.
  std::string health_listen;
  // --policy / SARABAN_POLICY: the access policy (authz/policy.h); empty:
  // every caller may do everything (logged as a warning).
  std::string policy_file;
  flags::RedisFlags redis;  // --redis, --redis-password-file, --key-prefix, --allow-unsafe-redis
  int redis_connections = 16;                          // --redis-connections
  // --rpc-threads / SARABAN_RPC_THREADS: threads of the synchronous gRPC
  // server that stay waiting for the next call. gRPC's default (2) ends
  // every other thread when its call returns, so under concurrent calls
  // nearly every call starts a thread.
  int rpc_threads = 256;
  int max_message_bytes = 16 << 20;                    // --max-message-bytes
  std::string metrics;              // --metrics / SARABAN_METRICS: HOST:PORT, empty for none
  observe::LogOptions log;          // --log-format, --log-level
  // On SIGTERM: NOT_SERVING at once, then wait `drain_delay` (so that load
  // balancers stop sending calls), then finish in-flight calls for up to
  // `grace` and cancel the rest.
  int drain_delay_s = 0;  // --drain-delay-s / SARABAN_DRAIN_DELAY_S
  int grace_s = 10;       // --grace-s / SARABAN_GRACE_S
};

// Adds --listen, the TLS flags (AddServerTlsFlags), --health-listen, --redis, --redis-connections,
// --rpc-threads, --key-prefix,
// --max-message-bytes, --allow-unsafe-redis, --metrics, --log-format,
// --log-level, --drain-delay-s and --grace-s to `app`.
void AddServerFlags(CLI::App& app, ServerOptions* options, const std::string& default_listen);

// The authenticator for --policy: the loaded policy, or none (with a
// warning that every caller is an operator); an error naming --policy when
// the file cannot be read or is not a valid policy.
Result<authz::Authenticator> LoadAuthenticator(const ServerOptions& options,
                                               const std::string& name);

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

// The health service name that reports whether the process is alive (a
// liveness probe): SERVING until shutdown starts, whatever Redis does. The
// overall status ("") and each service's report readiness: SERVING while
// Redis answers PING.
inline constexpr const char* kLivenessService = "liveness";

// Builds a server with `services`, grpc.health.v1 (see kLivenessService;
// Redis is checked every second), reflection, the message size limit, and
// RPC metrics (saraban_rpc_requests_total, saraban_rpc_duration_seconds)
// served with the rest on --metrics; serves until SIGTERM or SIGINT, then
// drains as ServerOptions says. Returns the process exit code.
struct NamedService {
  std::string name;  // its full name, e.g. saraban.v1.ReportService
  grpc::Service* service;
};
int Serve(const std::string& name, const ServerOptions& options, redis::Pool& pool,
          const std::vector<NamedService>& services);

// Keeps a health service's statuses: kLivenessService SERVING from the
// start; "" and `services` SERVING while Redis answers PING (checked every
// second, changes logged) until NotServing(). Used by Serve(), and by the
// renderer, whose health server has no other service.
class HealthReporter {
 public:
  // Keeps every one of `health` (a server's own, and its plaintext health
  // server's) in step.
  HealthReporter(std::string name, std::vector<grpc::HealthCheckServiceInterface*> health,
                 redis::Endpoint redis, std::vector<std::string> services);
  ~HealthReporter();  // NotServing(), then stops checking
  HealthReporter(const HealthReporter&) = delete;
  HealthReporter& operator=(const HealthReporter&) = delete;

  // Readiness goes NOT_SERVING for good (shutdown has begun); liveness
  // stays SERVING while the process drains.
  void NotServing();

 private:
  void Run(const redis::Endpoint& redis);

  void SetAll(const std::string& service, bool serving);

  std::string name_;
  std::vector<grpc::HealthCheckServiceInterface*> health_;
  std::vector<std::string> services_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// A server on `listen` (plaintext) with only grpc.health.v1, for probes;
// an error naming --health-listen when it cannot listen there.
Result<std::unique_ptr<grpc::Server>> StartHealthServer(const std::string& listen);

// Blocks SIGTERM and SIGINT in this thread and every thread it starts
// later, so that one thread can wait for them with sigwait; returns them.
sigset_t BlockStopSignals();

// Adds saraban_redis_errors_total{kind} (redis::GetErrorCounts) to the
// metrics. Safe to call more than once.
void RegisterRedisMetrics();

}  // namespace saraban::server
