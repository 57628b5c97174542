// saraban.v1.DocumentService over the report store and the job queue: thin
// request checking and translation; the queue does the work.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "saraban/authz/caller.h"
#include "saraban/queue/job_queue.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/document_service.grpc.pb.h"

namespace saraban::document_service {

struct DocumentServiceOptions {
  int max_batch_jobs = 10000;  // jobs one bulk render may create
  // Jobs one caller may have queued or running at once (its batches' and
  // its single jobs'); more is RESOURCE_EXHAUSTED until some finish.
  int64_t max_jobs_in_flight_per_caller = 20000;
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
      : reports_(reports),
        jobs_(jobs),
        layouts_(layouts),
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
  // The id of the job or batch (`collection` "jobs/" or "batches/") an
  // earlier submission of the same request by the same caller created, if
  // any; AlreadyExists when the caller used the id for another request.
  Result<std::optional<std::string>> Earlier(const queue::RequestId& request,
                                             std::string_view collection);
  // The request id of `req` as the queue keeps it: scoped to `caller` and
  // bound to a digest of the rest of the request.
  template <typename Request>
  queue::RequestId RequestIdOf(const Request& req, const authz::Caller& caller) const;
  Result<queue::JobSpec> SpecFor(const std::string& report_name, const std::string& field,
                                 const v1::Template* tmpl);
  // Lays `snapshot` out as a worker would, with `tmpl` (null: the default):
  // its page count, or INVALID_ARGUMENT on "template" when a supplied
  // template cannot hold it (TEMPLATE_CANNOT_LAY_OUT), on `report_field`
  // when the report cannot be laid out with the default
  // (REPORT_CANNOT_LAY_OUT).
  Result<int> LayOut(const std::string& snapshot, const v1::Template* tmpl,
                     const std::string& report_field);

  // Access checks: OK, or the logged denial. A report's or job's agency
  // (its province looked up for provincial callers); a batch by its owner.
  grpc::Status AllowAgency(grpc::ServerContext* ctx, const authz::Caller& caller,
                           const std::string& agency_code);
  grpc::Status AllowJob(grpc::ServerContext* ctx, const v1::Job& job);
  grpc::Status AllowBatch(grpc::ServerContext* ctx, const v1::Batch& batch);
  // The job or batch a request names in `field`, once this caller may see
  // it: the name parsed into `*id` and, under an access policy, the job or
  // batch read and checked. Given `job` or `batch`, it is read (and
  // returned) with or without a policy.
  grpc::Status OpenJob(grpc::ServerContext* ctx, const std::string& name,
                       const std::string& field, std::string* id, v1::Job* job = nullptr);
  grpc::Status OpenBatch(grpc::ServerContext* ctx, const std::string& name,
                         const std::string& field, std::string* id, v1::Batch* batch = nullptr);
  // OK when `caller` may queue `more` jobs under its in-flight limit.
  grpc::Status CheckInFlight(const authz::Caller& caller, int64_t more);

  store::ReportStore& reports_;
  queue::JobQueue& jobs_;
  report::RendererPool& layouts_;
  authz::Authenticator auth_;
  DocumentServiceOptions options_;
};

}  // namespace saraban::document_service
