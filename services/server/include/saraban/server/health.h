// grpc.health.v1 as saraban's processes report it: liveness for the
// process, readiness while Redis answers.
#pragma once

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "saraban/redis/client.h"
#include "saraban/status.h"

namespace saraban::server {

// The health service name that reports whether the process is alive (a
// liveness probe): SERVING until shutdown starts, whatever Redis does. The
// overall status ("") and each service's report readiness: SERVING while
// Redis answers PING.
inline constexpr const char* kLivenessService = "liveness";

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

}  // namespace saraban::server
