// saraban.v1.DocumentService over the report store and the job queue: thin
// request checking and translation; the queue does the work.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "saraban/queue/job_queue.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/document_service.grpc.pb.h"

namespace saraban::document {

struct DocumentServiceOptions {
  int max_batch_jobs = 10000;  // jobs one bulk render may create
  // How often Watch* look at the job or batch.
  std::chrono::milliseconds job_poll{10};
  std::chrono::milliseconds batch_poll{100};
};

class DocumentServiceImpl final : public v1::DocumentService::Service {
 public:
  DocumentServiceImpl(store::ReportStore& reports, queue::JobQueue& jobs,
                      DocumentServiceOptions options = {})
      : reports_(reports), jobs_(jobs), options_(options) {}

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

 private:
  // The id of the job or batch (`collection` "jobs/" or "batches/") an
  // earlier submission with `request_id` created, if any.
  Result<std::optional<std::string>> Earlier(const std::string& request_id,
                                             std::string_view collection);
  Result<queue::JobSpec> SpecFor(const std::string& report_name, const std::string& field,
                                 const v1::Template* tmpl);

  store::ReportStore& reports_;
  queue::JobQueue& jobs_;
  DocumentServiceOptions options_;
};

}  // namespace saraban::document
