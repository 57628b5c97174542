#include "saraban/server/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "saraban/files.h"
#include "saraban/observe/metrics.h"

namespace saraban::server {

namespace {

// gRPC binds with SO_REUSEPORT by default, so a second server given a port
// already in use (a health port equal to the API port, two deployments on one
// host) would start "successfully" and the kernel would split connections
// between them. Binding must fail instead.
void RefuseSharedPorts(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace

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

HealthReporter::HealthReporter(std::string name,
                               std::vector<grpc::HealthCheckServiceInterface*> health,
                               redis::Endpoint redis, std::vector<std::string> services)
    : name_(std::move(name)), health_(std::move(health)), services_(std::move(services)) {
  services_.insert(services_.begin(), "");
  SetAll(kLivenessService, true);
  thread_ = std::thread([this, redis] { Run(redis); });
}

HealthReporter::~HealthReporter() {
  NotServing();
  thread_.join();
}

void HealthReporter::NotServing() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (const auto& s : services_) SetAll(s, false);
}

void HealthReporter::SetAll(const std::string& service, bool serving) {
  for (grpc::HealthCheckServiceInterface* h : health_) h->SetServingStatus(service, serving);
}

void HealthReporter::Run(const redis::Endpoint& redis) {
  redis::Connection probe(redis, {std::chrono::milliseconds(500), std::chrono::milliseconds(1000)});
  bool last = false;
  bool first = true;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto r = probe.Run({"PING"});
    const bool up = r.ok();
    lock.lock();
    if (stopping_) break;
    if (up != last || first) {
      if (up) {
        spdlog::info("{}: redis reachable: SERVING", name_);
      } else {
        spdlog::warn("{}: {}: NOT_SERVING", name_, r.status().message());
      }
      for (const auto& s : services_) SetAll(s, up);
      last = up;
      first = false;
    }
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
  }
}

Result<std::unique_ptr<grpc::Server>> StartHealthServer(const std::string& listen) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  RefuseSharedPorts(builder);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return InvalidArgument("cannot listen on " + listen, "--health-listen");
  return server;
}

sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
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
  RefuseSharedPorts(builder);
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
