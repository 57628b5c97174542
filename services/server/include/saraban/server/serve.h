// Serving a gRPC service as every saraban server does: its flags, the
// access policy, interceptors, health, reflection, metrics and a clean
// shutdown on SIGTERM/SIGINT.
#pragma once

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <string>
#include <vector>

#include "saraban/authz/caller.h"
#include "saraban/flags/redis_flags.h"
#include "saraban/observe/log.h"
#include "saraban/redis/client.h"
#include "saraban/server/credentials.h"
#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::server {

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

// TranslateParseErrors, and counts every call in the RPC metrics.
void AddInterceptors(grpc::ServerBuilder& builder);

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

// Blocks SIGTERM and SIGINT in this thread and every thread it starts
// later, so that one thread can wait for them with sigwait; returns them.
sigset_t BlockStopSignals();

}  // namespace saraban::server
