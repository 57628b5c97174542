#include "saraban/authz/policy.h"

#include <google/protobuf/util/json_util.h>

#include "saraban/digest.h"
#include "saraban/files.h"

namespace saraban::authz {

namespace {

constexpr size_t kMaxPolicyBytes = 16 << 20;

std::string Field(int index, const char* field) {
  return "principals[" + std::to_string(index) + "]." + field;
}

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

const char* RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_AGENCY: return "AGENCY";
    case v1::ROLE_PROVINCE: return "PROVINCE";
    case v1::ROLE_OPERATOR: return "OPERATOR";
    default: return "no role";
  }
}

Status Denied(const Caller& caller, const std::string& what) {
  return {StatusCode::kPermissionDenied,
          "caller \"" + caller.name + "\" (" + RoleName(caller.role) + ") may not " + what};
}

}  // namespace

const Caller& Anyone() {
  static const Caller anyone{"anyone", v1::ROLE_OPERATOR, {}, {}};
  return anyone;
}

Result<std::shared_ptr<const Policy>> Policy::Parse(std::string_view json) {
  v1::AccessPolicy proto;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &proto, options);
  if (!parsed.ok()) return InvalidArgument("not a policy: " + parsed.ToString(), "policy");

  auto policy = std::make_shared<Policy>();
  std::set<std::string> names;
  for (int i = 0; i < proto.principals_size(); ++i) {
    const v1::Principal& p = proto.principals(i);
    if (p.name().empty()) return InvalidArgument("is required", Field(i, "name"));
    if (!names.insert(p.name()).second) {
      return InvalidArgument("\"" + p.name() + "\" names two principals", Field(i, "name"));
    }
    if (p.role() == v1::ROLE_UNSPECIFIED) {
      return InvalidArgument("is required: ROLE_AGENCY, ROLE_PROVINCE or ROLE_OPERATOR", Field(i, "role"));
    }
    if (p.certificate_names_size() == 0 && p.token_sha256_size() == 0) {
      return InvalidArgument("a principal needs certificateNames or tokenSha256",
                             Field(i, "certificateNames"));
    }
    if (p.role() == v1::ROLE_AGENCY && p.agencies_size() == 0) {
      return InvalidArgument("an AGENCY principal names its agencies", Field(i, "agencies"));
    }
    if (p.role() == v1::ROLE_PROVINCE && p.provinces_size() == 0) {
      return InvalidArgument("a PROVINCE principal names its provinces", Field(i, "provinces"));
    }
    if (p.role() != v1::ROLE_AGENCY && p.agencies_size() > 0) {
      return InvalidArgument("only AGENCY principals have agencies", Field(i, "agencies"));
    }
    if (p.role() != v1::ROLE_PROVINCE && p.provinces_size() > 0) {
      return InvalidArgument("only PROVINCE principals have provinces", Field(i, "provinces"));
    }
    const size_t index = policy->callers_.size();
    for (const std::string& n : p.certificate_names()) {
      if (n.empty()) return InvalidArgument("an empty name", Field(i, "certificateNames"));
      if (!policy->by_certificate_.emplace(n, index).second) {
        return InvalidArgument("\"" + n + "\" is named by two principals",
                               Field(i, "certificateNames"));
      }
    }
    for (const std::string& t : p.token_sha256()) {
      if (!IsLowerHex64(t)) {
        return InvalidArgument("not a lowercase hex SHA-256 (64 characters)",
                               Field(i, "tokenSha256"));
      }
      if (!policy->by_token_.emplace(t, index).second) {
        return InvalidArgument("a token hash is named by two principals",
                               Field(i, "tokenSha256"));
      }
    }
    Caller c{p.name(), p.role(), {p.agencies().begin(), p.agencies().end()},
             {p.provinces().begin(), p.provinces().end()}};
    policy->callers_.push_back(std::move(c));
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

Result<std::shared_ptr<const Policy>> Policy::Load(const std::string& path) {
  auto text = ReadFileAtMost(path, kMaxPolicyBytes);
  if (!text.ok()) return InvalidArgument(text.status().message(), "--policy");
  auto policy = Parse(*text);
  if (!policy.ok()) {
    return InvalidArgument(path + ": " + policy.status().field() + ": " +
                               policy.status().message(),
                           "--policy");
  }
  return policy;
}

const Caller* Policy::ByCertificateName(std::string_view name) const {
  auto it = by_certificate_.find(name);
  return it == by_certificate_.end() ? nullptr : &callers_[it->second];
}

const Caller* Policy::ByTokenSha256(std::string_view hex) const {
  auto it = by_token_.find(hex);
  return it == by_token_.end() ? nullptr : &callers_[it->second];
}

Status MayRead(const Caller& caller, const Agency& agency) {
  switch (caller.role) {
    case v1::ROLE_OPERATOR: return Status::Ok();
    case v1::ROLE_AGENCY:
      if (caller.agencies.count(agency.code)) return Status::Ok();
      break;
    case v1::ROLE_PROVINCE:
      if (!agency.province.empty() && caller.provinces.count(agency.province)) {
        return Status::Ok();
      }
      break;
    default: break;
  }
  return Denied(caller, "read or render agencies/" + agency.code);
}

Status MayReadAgency(const Caller& caller, const std::string& agency_code,
                     const ProvinceLookup& province_of) {
  Agency agency{agency_code, {}};
  if (caller.role == v1::ROLE_PROVINCE) {
    auto province = province_of(agency_code);
    if (!province.ok()) return province.status();
    agency.province = std::move(province).value();
  }
  return MayRead(caller, agency);
}

Status MayWrite(const Caller& caller, std::string_view agency_code) {
  if (caller.role == v1::ROLE_OPERATOR) return Status::Ok();
  if (caller.role == v1::ROLE_AGENCY && caller.agencies.count(std::string(agency_code))) {
    return Status::Ok();
  }
  return Denied(caller, "change agencies/" + std::string(agency_code));
}

Status MayListOrBulk(const Caller& caller, std::string_view agency_code,
                     std::string_view province) {
  switch (caller.role) {
    case v1::ROLE_OPERATOR: return Status::Ok();
    case v1::ROLE_AGENCY:
      if (!agency_code.empty() && caller.agencies.count(std::string(agency_code))) {
        return Status::Ok();
      }
      return Denied(caller, agency_code.empty()
                                ? std::string("go beyond its own agencies: name one of them")
                                : "list agencies/" + std::string(agency_code));
    case v1::ROLE_PROVINCE:
      if (!province.empty() && caller.provinces.count(std::string(province))) {
        return Status::Ok();
      }
      return Denied(caller, province.empty()
                                ? std::string("go beyond its provinces: give the province")
                                : "list or render the province " + std::string(province));
    default: return Denied(caller, "list or render");
  }
}

Status MayReadDeadLetters(const Caller& caller) {
  if (caller.role == v1::ROLE_OPERATOR) return Status::Ok();
  return Denied(caller, "read the dead-letter stream");
}

Status MayUseBatch(const Caller& caller, std::string_view batch_owner) {
  if (caller.role == v1::ROLE_OPERATOR || caller.name == batch_owner) return Status::Ok();
  return Denied(caller, "see a batch submitted by another caller");
}

std::string TokenSha256(std::string_view token) { return Sha256Hex(token); }

}  // namespace saraban::authz
