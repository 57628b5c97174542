// Library errors as the API gives them: a grpc::Status whose details (the
// "grpc-status-details-bin" trailer, a google.rpc.Status) hold a
// google.rpc.ErrorInfo, with a stable reason a program can switch on
// (docs/api.md lists them) and the field in its metadata, and for a bad
// field a google.rpc.BadRequest.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/status.h"

namespace saraban::server {

// google.rpc.ErrorInfo.domain of every error.
inline constexpr std::string_view kErrorDomain = "saraban";

// The reason of an error whose Status names none: one per code
// (INVALID_FIELD, NOT_FOUND, ETAG_MISMATCH, UNKNOWN_CREDENTIAL, ...).
std::string ReasonFor(grpc::StatusCode code);

// A field path as the API names fields: the proto field names with their
// indices ("report.introduction.ita_score", "measures[2].sub_unit"). The
// libraries name fields by their JSON names, as the files the CLI reads
// spell them ("introduction.itaScore"); ToGrpc and InvalidFields turn those
// into this, so every path an API caller sees has one style.
std::string ApiFieldPath(std::string_view path);

// grpc::Status for a library Status, with ErrorInfo (its reason, or the
// code's) and, when it names a field, a BadRequest violation.
grpc::Status ToGrpc(const Status& status);
// INVALID_ARGUMENT for many field errors at once: the message lists them
// ("a: reason; b: reason"), the BadRequest detail holds one violation each.
// `prefix` is put in front of every field path (e.g. "report").
grpc::Status InvalidFields(const std::vector<Status>& errors, const std::string& prefix = {});

// `status` with `metadata` added to its ErrorInfo (and `message` as its
// message when not empty): what a program reads instead of the text, such
// as how far an import got.
grpc::Status WithErrorMetadata(const grpc::Status& status,
                               const std::map<std::string, std::string>& metadata,
                               const std::string& message = {});

}  // namespace saraban::server
