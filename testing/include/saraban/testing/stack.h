// The whole service stack on loopback for tests and benchmarks: a real
// redis-server, report-service, document-service and renderer workers, each
// a child process on free ports, stopped on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "saraban/testing/redis_server.h"

namespace saraban::testing {

struct StackOptions {
  std::string bin_dir;        // the build tree: <bin>/services/report_service/report-service ...
  // Redis's settings. With a password, every process reads it from a file
  // (--redis-password-file).
  RedisServer::Options redis;
  int workers = 1;            // renderer processes
  int threads_per_worker = 2;
  std::vector<std::string> worker_args;   // extra flags for every renderer
  std::vector<std::string> service_args;  // extra flags for both services
  // How both services secure their port: plaintext unless a test gives the
  // TLS flags instead.
  std::vector<std::string> transport_args = {"--plaintext"};
  // Every process serves metrics (--metrics) on a free port of its own, and
  // every renderer its health (--health-listen).
  // Both services also serve health alone on a plaintext port
  // (--health-listen).
  bool metrics = false;
  bool worker_health = false;
  bool service_health = false;
};

class Stack {
 public:
  explicit Stack(StackOptions options);
  ~Stack();

  // Starts Redis, both services and the workers; waits until both services
  // accept connections.
  void Start();

  RedisServer& redis() { return redis_; }
  const std::string& reports_address() const { return reports_address_; }
  const std::string& documents_address() const { return documents_address_; }
  const std::string& log_dir() const { return redis_.dir(); }

  // Worker processes: started with Start(), or one more now.
  pid_t StartWorker();
  const std::vector<pid_t>& workers() const { return workers_; }
  // report-service, then document-service.
  const std::vector<pid_t>& services() const { return services_; }
  // Sends `signal` to worker `index` and reaps it; returns its exit status.
  int SignalWorker(size_t index, int signal, int timeout_ms = 30000);
  // The same for service `index` (0: report-service, 1: document-service).
  int SignalService(size_t index, int signal, int timeout_ms = 30000);

  // Where a process serves its metrics (with StackOptions::metrics):
  // "report-service", "document-service" or "renderer-N" (N from 0, in
  // start order); empty if none.
  std::string metrics_address(const std::string& process) const;
  // Where renderer N serves grpc.health.v1 (with worker_health).
  std::string worker_health_address(size_t index) const;
  // Where service `index` serves its plaintext health port (with
  // service_health).
  std::string service_health_address(size_t index) const;

 private:
  StackOptions options_;
  RedisServer redis_;
  std::string reports_address_;
  std::string documents_address_;
  std::vector<pid_t> services_;
  std::vector<pid_t> workers_;
  std::vector<std::pair<std::string, std::string>> metrics_;  // process, address
  std::vector<std::string> worker_health_;
  std::vector<std::string> service_health_;
};

// Waits until something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

}  // namespace saraban::testing
