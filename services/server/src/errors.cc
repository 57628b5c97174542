#include "saraban/server/errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace saraban::server {

namespace {

grpc::StatusCode CodeOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case StatusCode::kResourceExhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case StatusCode::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case StatusCode::kAborted: return grpc::StatusCode::ABORTED;
    case StatusCode::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case StatusCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kDeadlineExceeded: return grpc::StatusCode::DEADLINE_EXCEEDED;
    case StatusCode::kCancelled: return grpc::StatusCode::CANCELLED;
    case StatusCode::kUnauthenticated: return grpc::StatusCode::UNAUTHENTICATED;
    case StatusCode::kPermissionDenied: return grpc::StatusCode::PERMISSION_DENIED;
    case StatusCode::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

std::string JoinField(const std::string& prefix, const std::string& field) {
  if (prefix.empty()) return field;
  if (field.empty()) return prefix;
  return field.front() == '[' ? prefix + field : prefix + "." + field;
}

// A status whose details carry a google.rpc.ErrorInfo with `reason` (and
// the field in its metadata), and a google.rpc.BadRequest with
// `violations` when there are any.
grpc::Status WithDetails(grpc::StatusCode code, const std::string& message,
                         const std::string& reason, const std::string& field,
                         const google::rpc::BadRequest* violations) {
  google::rpc::Status rich;
  rich.set_code(code);
  rich.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(reason.empty() ? ReasonFor(code) : reason);
  info.set_domain(std::string(kErrorDomain));
  if (!field.empty()) (*info.mutable_metadata())["field"] = field;
  rich.add_details()->PackFrom(info);
  if (violations && violations->field_violations_size() > 0) {
    rich.add_details()->PackFrom(*violations);
  }
  return grpc::Status(code, message, rich.SerializeAsString());
}

}  // namespace

std::string ApiFieldPath(std::string_view path) {
  std::string out;
  out.reserve(path.size() + 8);
  bool in_index = false;
  for (char c : path) {
    if (c == '[') in_index = true;
    if (c == ']') in_index = false;
    // A JSON name is the proto name in lowerCamelCase: every capital
    // stood after an underscore.
    if (!in_index && c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string ReasonFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_FIELD";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::ABORTED: return "ETAG_MISMATCH";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "LIMIT_EXCEEDED";
    case grpc::StatusCode::UNAVAILABLE: return "STORE_UNAVAILABLE";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNKNOWN_CREDENTIAL";
    case grpc::StatusCode::PERMISSION_DENIED: return "NOT_ALLOWED";
    default: return "INTERNAL";
  }
}

grpc::Status ToGrpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  grpc::StatusCode code = CodeOf(status.code());
  if (status.field().empty()) {
    return WithDetails(code, status.message(), status.reason(), "", nullptr);
  }
  const std::string field = ApiFieldPath(status.field());
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field(field);
  v->set_description(status.message());
  return WithDetails(code, field + ": " + status.message(), status.reason(), field, &bad);
}

grpc::Status InvalidFields(const std::vector<Status>& errors, const std::string& prefix) {
  google::rpc::BadRequest bad;
  std::string message;
  grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  for (const Status& e : errors) {
    std::string field = ApiFieldPath(JoinField(prefix, e.field()));
    auto* v = bad.add_field_violations();
    v->set_field(field);
    v->set_description(e.message());
    if (!message.empty()) message += "; ";
    message += field.empty() ? e.message() : field + ": " + e.message();
  }
  // A size limit alone is RESOURCE_EXHAUSTED-worthy, but mixed with other
  // field errors the request is simply invalid: INVALID_ARGUMENT names all.
  if (message.empty()) message = "invalid request";
  const std::string first =
      errors.empty() ? "" : ApiFieldPath(JoinField(prefix, errors.front().field()));
  return WithDetails(code, message, "INVALID_FIELD", first, &bad);
}

grpc::Status WithErrorMetadata(const grpc::Status& status,
                               const std::map<std::string, std::string>& metadata,
                               const std::string& message) {
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) rich.Clear();
  rich.set_code(status.error_code());
  const std::string text = message.empty() ? status.error_message() : message;
  rich.set_message(text);
  google::rpc::ErrorInfo info;
  int at = -1;
  for (int i = 0; i < rich.details_size(); ++i) {
    if (rich.details(i).UnpackTo(&info)) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    info.set_reason(ReasonFor(status.error_code()));
    info.set_domain(std::string(kErrorDomain));
  }
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  if (at < 0) {
    rich.add_details()->PackFrom(info);
  } else {
    rich.mutable_details(at)->PackFrom(info);
  }
  return grpc::Status(status.error_code(), text, rich.SerializeAsString());
}

}  // namespace saraban::server
