#include "saraban/server/serve.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ports.h"
#include "saraban/observe/metrics.h"
#include "saraban/server/health.h"
#include "saraban/server/redis_setup.h"

namespace saraban::server {

void AddServerFlags(CLI::App& app, ServerOptions* o, const std::string& default_listen) {
  o->listen = default_listen;
  app.add_option("--listen", o->listen, "Address to serve gRPC on, HOST:PORT")
      ->envname("SARABAN_LISTEN")
      ->capture_default_str();
  AddServerTlsFlags(app, &o->tls);
  app.add_option("--health-listen", o->health_listen,
                 "Also serve grpc.health.v1 alone, in plaintext, on HOST:PORT (for probes "
                 "that cannot present a client certificate)")
      ->envname("SARABAN_HEALTH_LISTEN");
  app.add_option("--policy", o->policy_file,
                 "Access policy, JSON: who may read, write and render which agencies "
                 "(default: none, every caller may do everything)")
      ->envname("SARABAN_POLICY");
  flags::AddRedisFlags(app, &o->redis);
  app.add_option("--redis-connections", o->redis_connections,
                 "Redis connections shared by the RPC threads")
      ->envname("SARABAN_REDIS_CONNECTIONS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--rpc-threads", o->rpc_threads,
                 "Server threads kept waiting for calls (more concurrent calls start threads "
                 "that end with their call)")
      ->envname("SARABAN_RPC_THREADS")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--max-message-bytes", o->max_message_bytes,
                 "Largest request message accepted, in bytes")
      ->envname("SARABAN_MAX_MESSAGE_BYTES")
      ->check(CLI::Range(1 << 16, 1 << 30))
      ->capture_default_str();
  app.add_option("--drain-delay-s", o->drain_delay_s,
                 "On SIGTERM, report NOT_SERVING this long before refusing new calls")
      ->envname("SARABAN_DRAIN_DELAY_S")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  app.add_option("--grace-s", o->grace_s,
                 "On SIGTERM, give in-flight calls this long to finish, then cancel them")
      ->envname("SARABAN_GRACE_S")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  observe::AddMetricsFlag(app, &o->metrics);
  observe::AddLogFlags(app, &o->log);
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

Result<authz::Authenticator> LoadAuthenticator(const ServerOptions& options,
                                               const std::string& name) {
  if (options.policy_file.empty()) {
    spdlog::warn("{}: no --policy: every caller may read, write and render everything", name);
    return authz::Authenticator(nullptr);
  }
  auto policy = authz::Policy::Load(options.policy_file);
  if (!policy.ok()) return policy.status();
  spdlog::info("{}: access policy {} with {} principals", name, options.policy_file,
               (*policy)->size());
  return authz::Authenticator(std::move(policy).value());
}

int Serve(const std::string& name, const ServerOptions& options, redis::Pool& pool,
          const std::vector<NamedService>& services) {
  sigset_t stop_signals = BlockStopSignals();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<observe::MetricsServer> metrics;
  if (!options.metrics.empty()) {
    auto started = observe::MetricsServer::Start(options.metrics);
    if (!started.ok()) {
      spdlog::error("{}: {}", name, started.status().ToString());
      return 1;
    }
    metrics = std::move(started).value();
    RegisterRedisMetrics();
  }

  if (options.tls.client_auth == "optional" && options.policy_file.empty()) {
    spdlog::error("{}: --tls-client-auth optional needs --policy: without one, a caller "
                  "without a certificate could do anything", name);
    return 2;
  }
  auto credentials = MakeServerCredentials(options.tls);
  if (!credentials.ok()) {
    spdlog::error("{}: {}", name, credentials.status().ToString());
    return 2;
  }
  if (options.tls.plaintext) {
    spdlog::warn("{}: serving in PLAINTEXT (--plaintext): calls and identities travel "
                 "unencrypted; use it for local development only", name);
  }
  std::unique_ptr<grpc::Server> health_server;
  if (!options.health_listen.empty()) {
    auto started = StartHealthServer(options.health_listen);
    if (!started.ok()) {
      spdlog::error("{}: {}", name, started.status().ToString());
      return 1;
    }
    health_server = std::move(started).value();
  }

  grpc::ServerBuilder builder;
  int port = 0;
  internal::RefuseSharedPorts(builder);
  builder.AddListeningPort(options.listen, *credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Threads that finish a call go back to waiting instead of exiting, up to
  // this many: creating and ending a thread per call (mmap, clone, munmap,
  // TLB shootdowns) cost more CPU than the calls themselves under load.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options.rpc_threads);
  AddInterceptors(builder);
  for (const NamedService& s : services) builder.RegisterService(s.service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    spdlog::error("{}: cannot listen on {}", name, options.listen);
    return 1;
  }
  spdlog::info("{}: serving on {} with {} (redis {}{}{})", name, options.listen,
               DescribeTransport(options.tls), pool.endpoint().ToString(),
               metrics ? ", metrics on " + options.metrics : std::string(),
               health_server ? ", health on " + options.health_listen : std::string());

  // The services' own names, so that a probe asking for one gets an answer.
  std::vector<std::string> service_names;
  for (const NamedService& s : services) service_names.push_back(s.name);
  std::vector<grpc::HealthCheckServiceInterface*> health_services = {
      server->GetHealthCheckService()};
  if (health_server) health_services.push_back(health_server->GetHealthCheckService());
  HealthReporter health(name, health_services, pool.endpoint(), service_names);

  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);  // the server only stops on a signal
    spdlog::info("{}: {} received: NOT_SERVING; refusing new calls in {} s, then draining for up "
                 "to {} s",
                 name, sig == SIGTERM ? "SIGTERM" : "SIGINT", options.drain_delay_s,
                 options.grace_s);
    health.NotServing();
    // Load balancers and Kubernetes endpoints see NOT_SERVING and stop
    // routing here; calls arriving meanwhile are still served.
    std::this_thread::sleep_for(std::chrono::seconds(options.drain_delay_s));
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(options.grace_s));
  });

  server->Wait();
  signal_thread.join();
  if (health_server) health_server->Shutdown(std::chrono::system_clock::now());
  spdlog::info("{}: stopped", name);
  return 0;
}

}  // namespace saraban::server
