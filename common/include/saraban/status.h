// One error type for the libraries: a code, a message a caller can act on,
// and where in the input the problem is (a JSON path or a byte offset).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace saraban {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the input is wrong; the caller can fix it
  kNotFound,          // a file or resource does not exist
  kResourceExhausted, // a limit was exceeded
  kInternal,          // a bug or a library failure
  kAlreadyExists,     // a resource with that name exists
  kAborted,           // a concurrent write won (a stale etag); re-read and retry
  kFailedPrecondition,// the system is not in a state to do it (e.g. agency has reports)
  kUnavailable,       // a dependency (Redis) is unreachable; retry later
  kDeadlineExceeded,  // the operation ran out of time
  kCancelled,         // the caller or a shutdown cancelled it
  kUnauthenticated,   // the caller presented no credential the service knows
  kPermissionDenied,  // the caller is known but may not do this
};

// The outcome of an operation that returns no value.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Where the problem is: a JSON path such as "measures[2].title", or empty.
  const std::string& field() const { return field_; }
  // Returns a copy with `prefix` put in front of the field path.
  Status WithFieldPrefix(const std::string& prefix) const;
  // Why, for a program: a stable cause in UPPER_SNAKE_CASE that becomes
  // google.rpc.ErrorInfo.reason at the API ("ETAG_MISMATCH"); empty when
  // the code says enough (the API then gives a reason per code).
  const std::string& reason() const { return reason_; }
  // Returns a copy with `reason`.
  Status WithReason(std::string reason) const {
    Status s = *this;
    s.reason_ = std::move(reason);
    return s;
  }
  // "field: message", or the message alone.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
};

inline Status InvalidArgument(std::string message, std::string field = {}) {
  return {StatusCode::kInvalidArgument, std::move(message), std::move(field)};
}
inline Status Internal(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}
inline Status NotFound(std::string message, std::string field = {}) {
  return {StatusCode::kNotFound, std::move(message), std::move(field)};
}
inline Status Unavailable(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace saraban
