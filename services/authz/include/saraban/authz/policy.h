// Who may do what: the access policy (--policy FILE, saraban.v1.AccessPolicy
// as JSON) and the decisions made from it. Pure: no gRPC, no Redis; the
// services identify the caller (authz/caller.h) and look up what a decision
// needs (an agency's province) themselves.
//
//   role      reads and renders            writes          bulk renders, lists
//   AGENCY    its agencies' reports        its agencies    by list of its reports
//   PROVINCE  its provinces' reports       nothing         its provinces
//   OPERATOR  everything                   everything      anything
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/status.h"
#include "saraban/v1/access_policy.pb.h"

namespace saraban::authz {

// A caller the policy knows (or, without a policy, kAnyone).
struct Caller {
  std::string name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::set<std::string> agencies;   // AGENCY
  std::set<std::string> provinces;  // PROVINCE
};

// Every caller when no policy is configured: an operator.
const Caller& Anyone();

class Policy {
 public:
  // Parses and checks a policy: INVALID_ARGUMENT naming the field
  // ("principals[2].agencies") when a principal has no name, no role, no
  // identity, a role without its agencies or provinces, a malformed token
  // hash, or an identity another principal has too.
  static Result<std::shared_ptr<const Policy>> Parse(std::string_view json);
  static Result<std::shared_ptr<const Policy>> Load(const std::string& path);

  // The principal with this client-certificate name, or nullptr.
  const Caller* ByCertificateName(std::string_view name) const;
  // The principal whose token has this SHA-256 (lowercase hex), or nullptr.
  const Caller* ByTokenSha256(std::string_view hex) const;
  size_t size() const { return callers_.size(); }

 private:
  std::vector<Caller> callers_;
  std::map<std::string, size_t, std::less<>> by_certificate_;
  std::map<std::string, size_t, std::less<>> by_token_;
};

// The agency a decision is about: its code, and its province (needed only
// for PROVINCE callers; empty when unknown, which denies them).
struct Agency {
  std::string code;
  std::string province;
};

// Each returns OK or PERMISSION_DENIED saying who may not do what.
// Read an agency or its reports, watch or download their renders, render
// one of its reports.
Status MayRead(const Caller& caller, const Agency& agency);
// MayRead for an agency known by its code. Its province is asked of
// `province_of` only for PROVINCE callers ("" for an agency that does not
// exist, which denies them); an error from it is returned as it is.
using ProvinceLookup = std::function<Result<std::string>(const std::string& agency_code)>;
Status MayReadAgency(const Caller& caller, const std::string& agency_code,
                     const ProvinceLookup& province_of);
// Create, change or delete an agency or its reports.
Status MayWrite(const Caller& caller, std::string_view agency_code);
// List or bulk-render by filter: `agency_code` and `province` are the
// filter's (empty: any). AGENCY callers must name one of their agencies,
// PROVINCE callers one of their provinces; only operators may go wider.
Status MayListOrBulk(const Caller& caller, std::string_view agency_code,
                     std::string_view province);
// The dead-letter stream (every agency's failures): operators only.
Status MayReadDeadLetters(const Caller& caller);
// A batch: operators, and the caller that submitted it.
Status MayUseBatch(const Caller& caller, std::string_view batch_owner);

// The lowercase hex SHA-256 of a bearer token, as the policy stores it.
std::string TokenSha256(std::string_view token);

}  // namespace saraban::authz
