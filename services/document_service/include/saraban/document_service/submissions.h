// Render submissions as a library: everything RenderReport and RenderBulk
// do between knowing the caller and answering, in this order:
//
//   idempotency  a request id this caller used for the same request gets
//                the earlier job or batch back; for another, REQUEST_ID_REUSED
//   selection    the report named, a list of reports, or a filter's matches
//   access       the caller may render every selected report
//   quota        the caller's jobs in flight stay under its limit
//   layout       a supplied template can hold the report (or the first one)
//   snapshots    each report as stored, read chunk by chunk
//   submit       the job, or the batch, queued
//   track        counted towards the caller's jobs in flight
//
// No gRPC here: the service parses nothing but the transport and turns
// these statuses into its answers (document_service.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/authz/policy.h"
#include "saraban/queue/job_queue.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/status.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/document_service.pb.h"

namespace saraban::document_service {

struct SubmissionOptions {
  int max_batch_jobs = 10000;  // jobs one bulk render may create
  // Jobs one caller may have queued or running at once (its batches' and
  // its single jobs'); more is RESOURCE_EXHAUSTED until some finish.
  int64_t max_jobs_in_flight_per_caller = 20000;
};

// Who submits. With access control, request ids and batches belong to the
// caller; without it (every caller is authz::Anyone()), to everyone.
struct Submitter {
  const authz::Caller& caller;
  bool access_control = false;
};

class Submissions {
 public:
  Submissions(store::ReportStore& reports, queue::JobQueue& jobs, report::RendererPool& layouts,
              SubmissionOptions options)
      : reports_(reports), jobs_(jobs), layouts_(layouts), options_(options) {}

  // One report. With validate_only, lays it out and answers with a Job
  // that has no name and the page count, queueing and counting nothing.
  // An invalid template is INVALID_ARGUMENT with every problem in
  // `*template_errors` (fields relative to the template), as the store
  // returns a report's.
  Result<v1::Job> RenderReport(const Submitter& who, const v1::RenderReportRequest& request,
                               std::vector<Status>* template_errors);
  // A batch. `cancelled` is asked once the selection is made, before
  // anything is queued: a caller that went away queues nothing.
  Result<v1::Batch> RenderBulk(const Submitter& who, const v1::RenderBulkRequest& request,
                               const std::function<bool()>& cancelled,
                               std::vector<Status>* template_errors);

  // Access: OK or PERMISSION_DENIED. An agency's reports (the province is
  // looked up for provincial callers); a job by its report's agency; a
  // batch by its owner.
  Status MayReadAgency(const authz::Caller& caller, const std::string& agency_code);
  Status MayReadJob(const authz::Caller& caller, const v1::Job& job);
  static Status MayUseBatch(const authz::Caller& caller, const v1::Batch& batch);

 private:
  // The reports a bulk render selects, and where a missing one was named.
  struct Selection {
    std::vector<std::pair<std::string, int>> refs;  // (agency, fiscal year)
    bool by_filter = false;
  };

  // The request id of `request` as the queue keeps it: scoped to the
  // submitter and bound to a digest of the rest of the request.
  template <typename Request>
  static queue::RequestId RequestIdOf(const Request& request, const Submitter& who);
  // INVALID_ARGUMENT when the request has a template with problems, which
  // are put in `*errors`.
  static Status CheckTemplate(const v1::Template* tmpl, std::vector<Status>* errors);
  // The selection steps of RenderBulk, with their access checks.
  Result<Selection> Select(const Submitter& who, const v1::RenderBulkRequest& request);
  Result<Selection> SelectByFilter(const Submitter& who, const v1::BulkFilter& filter);
  Result<Selection> SelectByList(const Submitter& who, const v1::ReportList& list);
  // NOT_FOUND for the selection's i-th report, on the field that chose it.
  static Status NotFoundAt(const Selection& selection, size_t i);
  // OK when `caller` may queue `more` jobs under its in-flight limit.
  Status CheckInFlight(const authz::Caller& caller, int64_t more);
  // The job spec of one stored report.
  Result<queue::JobSpec> SpecFor(const std::string& report_name, const std::string& field,
                                 const v1::Template* tmpl);
  // Lays `snapshot` out as a worker would, with `tmpl` (null: the default):
  // its page count, or INVALID_ARGUMENT on "template" when a supplied
  // template cannot hold it (TEMPLATE_CANNOT_LAY_OUT), on `report_field`
  // when the report cannot be laid out with the default
  // (REPORT_CANNOT_LAY_OUT).
  Result<int> LayOut(const std::string& snapshot, const v1::Template* tmpl,
                     const std::string& report_field);
  // Counts `name` towards the caller's jobs in flight; a failure is logged,
  // not returned: what is queued stays queued.
  void Track(const authz::Caller& caller, const std::string& name);

  store::ReportStore& reports_;
  queue::JobQueue& jobs_;
  report::RendererPool& layouts_;
  SubmissionOptions options_;
};

// A request id as a client may send it: at most 128 printable ASCII bytes
// without spaces; INVALID_ARGUMENT on "request_id" otherwise.
Status CheckRequestId(const std::string& id);

}  // namespace saraban::document_service
