#include "saraban/status.h"

namespace saraban {

Status Status::WithFieldPrefix(const std::string& prefix) const {
  if (ok()) return *this;
  std::string field = prefix;
  if (!field_.empty()) {
    if (field_.front() != '[' && !field.empty()) field += '.';
    field += field_;
  }
  return Status(code_, message_, field).WithReason(reason_);
}

std::string Status::ToString() const {
  if (field_.empty()) return message_;
  return field_ + ": " + message_;
}

}  // namespace saraban
