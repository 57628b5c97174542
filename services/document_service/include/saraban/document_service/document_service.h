// saraban.v1.DocumentService: a thin translation layer. It knows the
// caller, checks the request's form, and turns statuses into gRPC answers;
// submission is Submissions' (submissions.h), the rest the job queue's.
#pragma once

#include <chrono>
#include <string>

#include "saraban/authz/caller.h"
#include "saraban/document_service/submissions.h"
#include "saraban/queue/job_queue.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/document_service.grpc.pb.h"

namespace saraban::document_service {

struct DocumentServiceOptions {
  SubmissionOptions submission;
  // How often Watch* look at the job or batch.
  std::chrono::milliseconds job_poll{10};
  std::chrono::milliseconds batch_poll{100};
};

class DocumentServiceImpl final : public v1::DocumentService::Service {
 public:
  // Every call is checked against `auth`'s policy (none: all allowed).
  // `layouts` lays reports out at submission (a supplied template's
  // feasibility, validate_only), with the fonts the workers use.
  DocumentServiceImpl(store::ReportStore& reports, queue::JobQueue& jobs,
                      report::RendererPool& layouts, authz::Authenticator auth,
                      DocumentServiceOptions options = {})
      : jobs_(jobs),
        submissions_(reports, jobs, layouts, options.submission),
        auth_(std::move(auth)),
        options_(options) {}

  grpc::Status RenderReport(grpc::ServerContext*, const v1::RenderReportRequest*,
                            v1::Job*) override;
  grpc::Status RenderBulk(grpc::ServerContext*, const v1::RenderBulkRequest*,
                          v1::Batch*) override;
  grpc::Status GetJob(grpc::ServerContext*, const v1::GetJobRequest*, v1::Job*) override;
  grpc::Status ListJobs(grpc::ServerContext*, const v1::ListJobsRequest*,
                        v1::ListJobsResponse*) override;
  grpc::Status GetBatch(grpc::ServerContext*, const v1::GetBatchRequest*, v1::Batch*) override;
  grpc::Status WatchJob(grpc::ServerContext*, const v1::WatchJobRequest*,
                        grpc::ServerWriter<v1::Job>*) override;
  grpc::Status WatchBatch(grpc::ServerContext*, const v1::WatchBatchRequest*,
                          grpc::ServerWriter<v1::Batch>*) override;
  grpc::Status CancelJob(grpc::ServerContext*, const v1::CancelJobRequest*, v1::Job*) override;
  grpc::Status CancelBatch(grpc::ServerContext*, const v1::CancelBatchRequest*,
                           v1::Batch*) override;
  grpc::Status DownloadDocument(grpc::ServerContext*, const v1::DownloadDocumentRequest*,
                                grpc::ServerWriter<v1::DocumentChunk>*) override;
  grpc::Status ListDeadLetters(grpc::ServerContext*, const v1::ListDeadLettersRequest*,
                               v1::ListDeadLettersResponse*) override;

 private:
  // A library status as the answer: a denial through authz::Enforce (so
  // that it is logged with the peer), anything else through ToGrpc.
  grpc::Status Answer(const grpc::ServerContext& ctx, const Status& status) const;
  // The submitter of this call, or the status that refuses it.
  Result<Submitter> Identify(const grpc::ServerContext& ctx) const;
  // The job or batch a request names in `field`, once this caller may see
  // it: the name parsed into `*id` and, under an access policy, the job or
  // batch read and checked. Given `job` or `batch`, it is read (and
  // returned) with or without a policy.
  grpc::Status OpenJob(grpc::ServerContext* ctx, const std::string& name,
                       const std::string& field, std::string* id, v1::Job* job = nullptr);
  grpc::Status OpenBatch(grpc::ServerContext* ctx, const std::string& name,
                         const std::string& field, std::string* id, v1::Batch* batch = nullptr);

  queue::JobQueue& jobs_;
  Submissions submissions_;
  authz::Authenticator auth_;
  DocumentServiceOptions options_;
};

}  // namespace saraban::document_service
