#include "saraban/authz/caller.h"

#include <grpcpp/security/auth_context.h>
#include <spdlog/spdlog.h>

#include "saraban/server/errors.h"

namespace saraban::authz {

namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string Str(const grpc::string_ref& r) { return std::string(r.data(), r.size()); }

}  // namespace

Result<const Caller*> Authenticator::Identify(const grpc::ServerContext& context) const {
  if (!policy_) return &Anyone();
  std::vector<std::string> names;
  if (std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
      auth && auth->IsPeerAuthenticated()) {
    for (const auto& v : auth->FindPropertyValues("x509_subject_alternative_name")) {
      names.push_back(Str(v));
    }
    for (const auto& v : auth->FindPropertyValues("x509_common_name")) names.push_back(Str(v));
  }
  for (const std::string& n : names) {
    if (const Caller* c = policy_->ByCertificateName(n)) return c;
  }
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    const std::string value = Str(it->second);
    if (value.compare(0, kBearer.size(), kBearer) != 0) {
      return Status(StatusCode::kUnauthenticated,
                    "the authorization header is not \"Bearer TOKEN\"");
    }
    if (const Caller* c = policy_->ByTokenSha256(TokenSha256(value.substr(kBearer.size())))) {
      return c;
    }
    return Status(StatusCode::kUnauthenticated, "the bearer token is not in the policy");
  }
  if (!names.empty()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    // Signed by the CA but unknown to the policy: an unknown credential,
    // as an unknown token is (the caller is not known, so no right is denied).
    return Status(StatusCode::kUnauthenticated,
                  "the client certificate (" + list + ") names no principal of the policy");
  }
  return Status(StatusCode::kUnauthenticated,
                "no client certificate or bearer token: the policy admits only known callers");
}

grpc::Status Enforce(const Status& decision, const grpc::ServerContext& context,
                     const char* component) {
  if (decision.ok()) return grpc::Status::OK;
  spdlog::warn("{}: denied {}: {}", component, context.peer(), decision.message());
  return server::ToGrpc(Status(decision.code() == StatusCode::kUnauthenticated
                                   ? StatusCode::kUnauthenticated
                                   : StatusCode::kPermissionDenied,
                               decision.message())
                            .WithReason(decision.reason()));
}

}  // namespace saraban::authz
