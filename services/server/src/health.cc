#include "saraban/server/health.h"

#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include "ports.h"

namespace saraban::server {

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
  internal::RefuseSharedPorts(builder);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return InvalidArgument("cannot listen on " + listen, "--health-listen");
  return server;
}

}  // namespace saraban::server
