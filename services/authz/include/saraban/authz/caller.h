// Who is calling: the gRPC glue of the access policy. A caller is known by
// a name in its verified client certificate (a subject alternative name, or
// the common name), else by a bearer token ("authorization: Bearer ...").
#pragma once

#include <grpcpp/server_context.h>

#include <memory>
#include <string>

#include "saraban/authz/policy.h"
#include "saraban/status.h"

namespace saraban::authz {

class Authenticator {
 public:
  // Without a policy (nullptr) every caller is Anyone(): an operator.
  explicit Authenticator(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {}

  // The caller of this call. UNAUTHENTICATED when it presents neither a
  // certificate nor a token, or a token the policy does not list;
  // PERMISSION_DENIED when its certificate is valid but names no principal.
  // The token itself never appears in a message.
  Result<const Caller*> Identify(const grpc::ServerContext& context) const;

  bool enabled() const { return policy_ != nullptr; }

 private:
  std::shared_ptr<const Policy> policy_;
};

// OK as grpc::Status::OK; a denial as its gRPC status, logged (warning) with
// the peer and `component`.
grpc::Status Enforce(const Status& decision, const grpc::ServerContext& context,
                     const char* component);

}  // namespace saraban::authz
