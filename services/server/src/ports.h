// How every saraban server binds its ports.
#pragma once

#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

namespace saraban::server::internal {

// gRPC binds with SO_REUSEPORT by default, so a second server given a port
// already in use (a health port equal to the API port, two deployments on one
// host) would start "successfully" and the kernel would split connections
// between them. Binding must fail instead.
inline void RefuseSharedPorts(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

}  // namespace saraban::server::internal
