// Requests that do not parse: INVALID_ARGUMENT naming the field, not
// gRPC's bare INTERNAL.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

namespace saraban::server {

// Makes a request that does not parse (most often a string field holding
// invalid UTF-8, which protobuf refuses) INVALID_ARGUMENT naming the field,
// instead of gRPC's bare INTERNAL. Serve() does this; a test that builds its
// own server calls it on its builder.
void TranslateParseErrors(grpc::ServerBuilder& builder);
// In a client stream a message that does not parse just ends the stream
// (ServerReader::Read returns false). A streaming method calls this after
// its read loop: OK for a normal end, else the error naming the field by
// its path in the request of `method` ("/saraban.v1.ReportService/ImportReports").
grpc::Status TakeStreamParseError(const std::string& method);

}  // namespace saraban::server
