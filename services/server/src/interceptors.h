// The server interceptors Serve() installs, in this order: parse errors
// first (it may rewrite the status), then the RPC metrics (which count the
// status the caller gets).
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>

namespace saraban::server::internal {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> ParseErrorInterceptors();
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> RpcMetricsInterceptors();

}  // namespace saraban::server::internal
