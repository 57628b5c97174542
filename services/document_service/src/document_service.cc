#include "saraban/document_service/document_service.h"

#include <charconv>
#include <thread>

#include "saraban/page_token.h"
#include "saraban/server/documents.h"
#include "saraban/server/errors.h"
#include "saraban/server/names.h"

namespace saraban::document_service {

namespace {

using server::InvalidFields;
using server::ToGrpc;

constexpr const char* kComponent = "document-service";

bool IsFinal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED || s == v1::JOB_STATE_CANCELLED;
}

grpc::Status Cancelled() { return {grpc::StatusCode::CANCELLED, "the caller went away"}; }

}  // namespace

grpc::Status DocumentServiceImpl::Answer(const grpc::ServerContext& ctx,
                                         const Status& status) const {
  if (status.code() == StatusCode::kPermissionDenied ||
      status.code() == StatusCode::kUnauthenticated) {
    return authz::Enforce(status, ctx, kComponent);
  }
  return ToGrpc(status);
}

Result<Submitter> DocumentServiceImpl::Identify(const grpc::ServerContext& ctx) const {
  auto caller = auth_.Identify(ctx);
  if (!caller.ok()) return caller.status();
  return Submitter{**caller, auth_.enabled()};
}

grpc::Status DocumentServiceImpl::OpenJob(grpc::ServerContext* ctx, const std::string& name,
                                          const std::string& field, std::string* id,
                                          v1::Job* job) {
  auto parsed = server::ParseJobName(name, field);
  if (!parsed.ok()) return ToGrpc(parsed.status());
  *id = std::move(parsed).value();
  // Without a policy every caller may: the job is read only when asked for.
  if (job == nullptr && !auth_.enabled()) return grpc::Status::OK;
  auto read = jobs_.GetJob(*id);
  if (!read.ok()) return ToGrpc(read.status());
  auto who = Identify(*ctx);
  if (!who.ok()) return Answer(*ctx, who.status());
  if (Status s = submissions_.MayReadJob(who->caller, *read); !s.ok()) return Answer(*ctx, s);
  if (job != nullptr) *job = std::move(read).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::OpenBatch(grpc::ServerContext* ctx, const std::string& name,
                                            const std::string& field, std::string* id,
                                            v1::Batch* batch) {
  auto parsed = server::ParseBatchName(name, field);
  if (!parsed.ok()) return ToGrpc(parsed.status());
  *id = std::move(parsed).value();
  if (batch == nullptr && !auth_.enabled()) return grpc::Status::OK;
  auto read = jobs_.GetBatch(*id);
  if (!read.ok()) return ToGrpc(read.status());
  auto who = Identify(*ctx);
  if (!who.ok()) return Answer(*ctx, who.status());
  if (Status s = Submissions::MayUseBatch(who->caller, *read); !s.ok()) return Answer(*ctx, s);
  if (batch != nullptr) *batch = std::move(read).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::RenderReport(grpc::ServerContext* ctx,
                                               const v1::RenderReportRequest* req,
                                               v1::Job* out) {
  auto who = Identify(*ctx);
  if (!who.ok()) return Answer(*ctx, who.status());
  std::vector<Status> template_errors;
  auto job = submissions_.RenderReport(*who, *req, &template_errors);
  if (!template_errors.empty()) return InvalidFields(template_errors, "template");
  if (!job.ok()) return Answer(*ctx, job.status());
  *out = std::move(job).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::RenderBulk(grpc::ServerContext* ctx,
                                             const v1::RenderBulkRequest* req, v1::Batch* out) {
  auto who = Identify(*ctx);
  if (!who.ok()) return Answer(*ctx, who.status());
  std::vector<Status> template_errors;
  auto batch = submissions_.RenderBulk(*who, *req, [ctx] { return ctx->IsCancelled(); },
                                       &template_errors);
  if (!template_errors.empty()) return InvalidFields(template_errors, "template");
  if (!batch.ok()) return Answer(*ctx, batch.status());
  *out = std::move(batch).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::GetJob(grpc::ServerContext* ctx, const v1::GetJobRequest* req,
                                         v1::Job* out) {
  std::string id;
  return OpenJob(ctx, req->name(), "name", &id, out);
}

grpc::Status DocumentServiceImpl::ListJobs(grpc::ServerContext* ctx,
                                           const v1::ListJobsRequest* req,
                                           v1::ListJobsResponse* out) {
  std::string id;
  if (grpc::Status open = OpenBatch(ctx, req->batch(), "batch", &id); !open.ok()) return open;
  auto size = server::CheckPageSize(req->page_size());
  if (!size.ok()) return ToGrpc(size.status());
  // Tokens are bound to the batch and the state filter.
  const std::string query = PageQuery({"jobs", id, std::to_string(req->state())});
  int64_t offset = 0;
  if (!req->page_token().empty()) {
    auto position = DecodePageToken(req->page_token(), query);
    if (!position.ok()) return ToGrpc(position.status());
    const std::string& t = *position;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), offset);
    if (ec != std::errc() || p != t.data() + t.size() || offset < 0) {
      return ToGrpc(ForeignPageToken());
    }
  }
  int64_t next = -1;
  auto jobs = jobs_.ListBatchJobs(id, offset, *size, req->state(), &next);
  if (!jobs.ok()) return ToGrpc(jobs.status());
  for (auto& j : *jobs) *out->add_jobs() = std::move(j);
  if (next >= 0) out->set_next_page_token(EncodePageToken(query, std::to_string(next)));
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::GetBatch(grpc::ServerContext* ctx, const v1::GetBatchRequest* req,
                                           v1::Batch* out) {
  std::string id;
  return OpenBatch(ctx, req->name(), "name", &id, out);
}

grpc::Status DocumentServiceImpl::WatchJob(grpc::ServerContext* ctx,
                                           const v1::WatchJobRequest* req,
                                           grpc::ServerWriter<v1::Job>* writer) {
  std::string id;
  if (grpc::Status open = OpenJob(ctx, req->name(), "name", &id); !open.ok()) return open;
  std::string last;
  while (!ctx->IsCancelled()) {
    auto job = jobs_.GetJob(id);
    if (!job.ok()) return ToGrpc(job.status());
    // Send only changes: the state, the attempts, the error.
    std::string seen = std::to_string(job->state()) + "/" + std::to_string(job->attempts()) +
                       "/" + job->error();
    if (seen != last) {
      if (!writer->Write(*job)) return Cancelled();
      last = seen;
    }
    if (IsFinal(job->state())) return grpc::Status::OK;
    std::this_thread::sleep_for(options_.job_poll);
  }
  return Cancelled();
}

grpc::Status DocumentServiceImpl::WatchBatch(grpc::ServerContext* ctx,
                                             const v1::WatchBatchRequest* req,
                                             grpc::ServerWriter<v1::Batch>* writer) {
  std::string id;
  if (grpc::Status open = OpenBatch(ctx, req->name(), "name", &id); !open.ok()) return open;
  std::string last;
  while (!ctx->IsCancelled()) {
    auto batch = jobs_.GetBatch(id);
    if (!batch.ok()) return ToGrpc(batch.status());
    std::string seen = std::to_string(batch->succeeded()) + "/" +
                       std::to_string(batch->failed()) + "/" + std::to_string(batch->cancelled());
    if (seen != last) {
      if (!writer->Write(*batch)) return Cancelled();
      last = seen;
    }
    if (batch->done()) return grpc::Status::OK;
    std::this_thread::sleep_for(options_.batch_poll);
  }
  return Cancelled();
}

grpc::Status DocumentServiceImpl::CancelJob(grpc::ServerContext* ctx,
                                            const v1::CancelJobRequest* req, v1::Job* out) {
  std::string id;
  if (grpc::Status open = OpenJob(ctx, req->name(), "name", &id); !open.ok()) return open;
  auto job = jobs_.CancelJob(id);
  if (!job.ok()) return ToGrpc(job.status());
  *out = std::move(job).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::CancelBatch(grpc::ServerContext* ctx,
                                              const v1::CancelBatchRequest* req, v1::Batch* out) {
  std::string id;
  if (grpc::Status open = OpenBatch(ctx, req->name(), "name", &id); !open.ok()) return open;
  auto batch = jobs_.CancelBatch(id);
  if (!batch.ok()) return ToGrpc(batch.status());
  *out = std::move(batch).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::DownloadDocument(
    grpc::ServerContext* ctx, const v1::DownloadDocumentRequest* req,
    grpc::ServerWriter<v1::DocumentChunk>* writer) {
  if (grpc::Status s = server::CheckChunkSize(req->chunk_size()); !s.ok()) return s;
  std::string id;
  v1::Job job;
  if (grpc::Status open = OpenJob(ctx, req->job(), "job", &id, &job); !open.ok()) return open;
  if (job.state() != v1::JOB_STATE_SUCCEEDED) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition,
                         "job is " + v1::JobState_Name(job.state()) +
                             ", not JOB_STATE_SUCCEEDED: watch it until it finishes",
                         "job")
                      .WithReason("JOB_NOT_FINISHED"));
  }
  auto pdf = jobs_.GetPdf(job.document().sha256());
  if (!pdf.ok()) return ToGrpc(pdf.status());
  return server::StreamPdf(ctx, writer, *pdf, job.document(), req->chunk_size());
}

grpc::Status DocumentServiceImpl::ListDeadLetters(grpc::ServerContext* ctx,
                                                  const v1::ListDeadLettersRequest* req,
                                                  v1::ListDeadLettersResponse* out) {
  auto who = Identify(*ctx);
  if (!who.ok()) return Answer(*ctx, who.status());
  if (Status s = authz::MayReadDeadLetters(who->caller); !s.ok()) return Answer(*ctx, s);
  auto size = server::CheckPageSize(req->page_size());
  if (!size.ok()) return ToGrpc(size.status());
  const std::string query = PageQuery({"dead-letters"});
  std::string after;
  if (!req->page_token().empty()) {
    auto position = DecodePageToken(req->page_token(), query);
    if (!position.ok()) return ToGrpc(position.status());
    after = std::move(position).value();
    // A stream id, "MS-SEQ", as this method issued it.
    const size_t dash = after.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == after.size() ||
        after.find_first_not_of("0123456789-") != std::string::npos ||
        after.find('-', dash + 1) != std::string::npos) {
      return ToGrpc(ForeignPageToken());
    }
  }
  std::string next;
  auto entries = jobs_.ListDeadLetters(after, *size, &next);
  if (!entries.ok()) return ToGrpc(entries.status());
  for (auto& e : *entries) *out->add_dead_letters() = std::move(e);
  if (!next.empty()) out->set_next_page_token(EncodePageToken(query, next));
  return grpc::Status::OK;
}

}  // namespace saraban::document_service
