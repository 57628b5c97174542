// Counts every call by method and status code, and times it by method:
//   saraban_rpc_requests_total{method="/saraban.v1.ReportService/GetReport",code="OK"}
//   saraban_rpc_duration_seconds{method="..."}   (histogram)
// A streaming call is timed from its start to its status.
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "interceptors.h"
#include "saraban/observe/metrics.h"
#include "saraban/server/serve.h"

namespace saraban::server {

namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

struct RpcFamilies {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& duration;
};

RpcFamilies& Families() {
  static RpcFamilies f{
      prometheus::BuildCounter()
          .Name("saraban_rpc_requests_total")
          .Help("gRPC calls served, by method and status code")
          .Register(observe::Metrics()),
      prometheus::BuildHistogram()
          .Name("saraban_rpc_duration_seconds")
          .Help("Time from a call's start to its status, by method")
          .Register(observe::Metrics()),
  };
  return f;
}

const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return b;
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RpcMetricsInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() != nullptr ? info->method() : "unknown"),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const auto code = methods->GetSendStatus().error_code();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
          code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DATA_LOSS) {
        // The server's fault or Redis's, not the caller's: operators see it.
        spdlog::warn("{} answered {}: {}", method_, CodeName(code),
                     methods->GetSendStatus().error_message());
      }
      RpcFamilies& f = Families();
      f.requests.Add({{"method", method_}, {"code", CodeName(code)}}).Increment();
      f.duration.Add({{"method", method_}}, Buckets()).Observe(seconds);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class RpcMetricsFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsInterceptor(info);
  }
};

}  // namespace

namespace internal {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RpcMetricsInterceptors() {
  Families();  // the families exist (empty) from the start
  return std::make_unique<RpcMetricsFactory>();
}

}  // namespace internal

void AddInterceptors(grpc::ServerBuilder& builder) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(internal::ParseErrorInterceptors());
  creators.push_back(internal::RpcMetricsInterceptors());
  builder.experimental().SetInterceptorCreators(std::move(creators));
}

}  // namespace saraban::server
