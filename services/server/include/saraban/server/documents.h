// Streaming a stored PDF to a gRPC client in chunks, as DownloadDocument
// and DownloadPublication both answer.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <cstdint>
#include <string>

#include "saraban/v1/document_service.pb.h"

namespace saraban::server {

// INVALID_ARGUMENT on "chunk_size" unless it is 0 (64 KiB) to 1 MiB.
grpc::Status CheckChunkSize(int32_t chunk_size);

// Writes `pdf` in chunks of `chunk_size` bytes (0: 64 KiB), the first
// carrying `document`. DATA_LOSS when the bytes do not have the
// document's SHA-256; CANCELLED when the caller goes away.
grpc::Status StreamPdf(grpc::ServerContext* ctx, grpc::ServerWriter<v1::DocumentChunk>* writer,
                       const std::string& pdf, const v1::Document& document, int32_t chunk_size);

}  // namespace saraban::server
