#include "saraban/server/documents.h"

#include "saraban/digest.h"
#include "saraban/server/errors.h"

namespace saraban::server {

namespace {
constexpr int kDefaultChunk = 64 * 1024;
constexpr int kMaxChunk = 1 << 20;
}  // namespace

grpc::Status CheckChunkSize(int32_t chunk_size) {
  if (chunk_size < 0 || chunk_size > kMaxChunk) {
    return ToGrpc(InvalidArgument("must be 0 (64 KiB) to 1048576 bytes", "chunk_size"));
  }
  return grpc::Status::OK;
}

grpc::Status StreamPdf(grpc::ServerContext* ctx, grpc::ServerWriter<v1::DocumentChunk>* writer,
                       const std::string& pdf, const v1::Document& document, int32_t chunk_size) {
  const size_t chunk = chunk_size == 0 ? kDefaultChunk : static_cast<size_t>(chunk_size);
  if (Sha256Hex(pdf) != document.sha256()) {
    return {grpc::StatusCode::DATA_LOSS, "the stored document does not match its SHA-256"};
  }
  for (size_t offset = 0; offset < pdf.size() || offset == 0; offset += chunk) {
    if (ctx->IsCancelled()) return {grpc::StatusCode::CANCELLED, "the caller went away"};
    v1::DocumentChunk c;
    if (offset == 0) *c.mutable_document() = document;
    c.set_offset(static_cast<int64_t>(offset));
    c.set_data(pdf.substr(offset, chunk));
    if (!writer->Write(c)) return {grpc::StatusCode::CANCELLED, "the caller went away"};
    if (pdf.empty()) break;
  }
  return grpc::Status::OK;
}

}  // namespace saraban::server
