#include "saraban/document_service/submissions.h"

#include <spdlog/spdlog.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <set>
#include <utility>

#include "saraban/digest.h"
#include "saraban/model/validate.h"
#include "saraban/observe/log.h"
#include "saraban/server/errors.h"
#include "saraban/server/names.h"

namespace saraban::document_service {

namespace {

constexpr size_t kMaxRequestIdBytes = 128;
constexpr std::string_view kJobs = "jobs/";
constexpr std::string_view kBatches = "batches/";

}  // namespace

Status CheckRequestId(const std::string& id) {
  if (id.size() > kMaxRequestIdBytes) {
    return InvalidArgument("must be at most 128 bytes, got " + std::to_string(id.size()),
                           "request_id");
  }
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgument("must be printable ASCII without spaces (e.g. a UUID)",
                             "request_id");
    }
  }
  return Status::Ok();
}

template <typename Request>
queue::RequestId Submissions::RequestIdOf(const Request& request, const Submitter& who) {
  Request rest = request;
  rest.clear_request_id();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    rest.SerializeToCodedStream(&coded);
  }
  // The message type is part of what was asked: a job's request never
  // matches a batch's.
  return {request.request_id(), who.access_control ? who.caller.name : std::string(),
          Sha256Hex(Request::descriptor()->full_name() + '\0' + bytes)};
}

Status Submissions::CheckTemplate(const v1::Template* tmpl, std::vector<Status>* errors) {
  if (tmpl == nullptr) return Status::Ok();
  *errors = model::ValidateTemplate(*tmpl);
  if (errors->empty()) return Status::Ok();
  return InvalidArgument("the template is invalid", "template");
}

Status Submissions::MayReadAgency(const authz::Caller& caller, const std::string& agency_code) {
  return authz::MayReadAgency(caller, agency_code,
                              [this](const std::string& c) { return reports_.ProvinceOf(c); });
}

Status Submissions::MayReadJob(const authz::Caller& caller, const v1::Job& job) {
  if (caller.role == v1::ROLE_OPERATOR) return Status::Ok();
  auto report = server::ParseReportName(job.report(), "report");
  if (!report.ok()) return report.status();
  return MayReadAgency(caller, report->agency);
}

Status Submissions::MayUseBatch(const authz::Caller& caller, const v1::Batch& batch) {
  return authz::MayUseBatch(caller, batch.owner());
}

Status Submissions::CheckInFlight(const authz::Caller& caller, int64_t more) {
  auto open = jobs_.InFlight(caller.name);
  if (!open.ok()) return open.status();
  const int64_t limit = options_.max_jobs_in_flight_per_caller;
  if (*open + more <= limit) return Status::Ok();
  return Status(StatusCode::kResourceExhausted,
                "caller \"" + caller.name + "\" has " + std::to_string(*open) +
                    " jobs queued or running and asks for " + std::to_string(more) +
                    " more; at most " + std::to_string(limit) +
                    " per caller: wait for some to finish")
      .WithReason("TOO_MANY_JOBS_IN_FLIGHT");
}

Result<queue::JobSpec> Submissions::SpecFor(const std::string& report_name,
                                            const std::string& field, const v1::Template* tmpl) {
  auto name = server::ParseReportName(report_name, field);
  if (!name.ok()) return name.status();
  auto stored = reports_.GetSnapshots({{name->agency, name->fiscal_year}});
  if (!stored.ok()) {
    Status s = stored.status();
    if (s.code() == StatusCode::kNotFound) {
      return NotFound("report " + report_name + " does not exist", field)
          .WithReason("REPORT_NOT_FOUND");
    }
    return s;
  }
  queue::JobSpec spec;
  spec.report_name = report_name;
  spec.report_revision = stored->front().revision;
  spec.snapshot = std::move(stored->front().report);
  if (tmpl != nullptr) spec.template_override = *tmpl;
  return spec;
}

Result<int> Submissions::LayOut(const std::string& snapshot, const v1::Template* tmpl,
                                const std::string& report_field) {
  v1::Report report;
  if (!report.ParseFromString(snapshot)) return Internal("the stored report does not parse");
  auto pages = layouts_.PageCount(report, tmpl);
  if (pages.ok()) return pages;
  const Status& s = pages.status();
  if (s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable) return s;
  // The report is stored and valid, so what cannot be laid out is the
  // template's doing when one is supplied.
  if (tmpl != nullptr) {
    const bool names_template = s.field() == "template" || s.field().starts_with("template.");
    return InvalidArgument("the report cannot be laid out with this template: " +
                               (names_template ? s.message() : s.ToString()) +
                               " (check the page size, margins and text sizes)",
                           names_template ? s.field() : "template")
        .WithReason("TEMPLATE_CANNOT_LAY_OUT");
  }
  return InvalidArgument("the report cannot be laid out: " + s.ToString(), report_field)
      .WithReason("REPORT_CANNOT_LAY_OUT");
}

void Submissions::Track(const authz::Caller& caller, const std::string& name) {
  if (Status s = jobs_.TrackInFlight(caller.name, name); !s.ok()) {
    spdlog::warn("{} is queued but not counted for {}: {}", name, caller.name, s.message());
  }
}

Result<v1::Job> Submissions::RenderReport(const Submitter& who,
                                          const v1::RenderReportRequest& request,
                                          std::vector<Status>* template_errors) {
  auto report = server::ParseReportName(request.report(), "report");
  if (!report.ok()) return report.status();
  if (Status s = MayReadAgency(who.caller, report->agency); !s.ok()) return s;
  if (Status s = CheckRequestId(request.request_id()); !s.ok()) return s;
  const v1::Template* tmpl = request.has_template_() ? &request.template_() : nullptr;
  if (Status s = CheckTemplate(tmpl, template_errors); !s.ok()) return s;
  // Idempotency: a retry gets the job the first attempt created. A dry run
  // looks up nothing by request id, and queues and counts nothing.
  const queue::RequestId id = RequestIdOf(request, who);
  if (!request.validate_only()) {
    auto earlier = jobs_.LookupRequest(id, kJobs);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto job = jobs_.GetJob((*earlier)->substr(kJobs.size()));
      if (!job.ok()) return job.status();
      // Another caller's request id names a job this caller may not see.
      if (Status s = MayReadJob(who.caller, *job); !s.ok()) return s;
      return job;
    }
  }
  // Snapshot, then the layout: a template the report does not fit is the
  // caller's error now, not a dead-lettered job later.
  auto spec = SpecFor(request.report(), "report", tmpl);
  if (!spec.ok()) return spec.status();
  if (tmpl != nullptr || request.validate_only()) {
    auto pages = LayOut(spec->snapshot, tmpl, "report");
    if (!pages.ok()) return pages.status();
    if (request.validate_only()) {
      v1::Job dry;
      dry.set_report(request.report());
      dry.set_report_revision(spec->report_revision);
      dry.set_request_id(request.request_id());
      dry.mutable_document()->set_page_count(*pages);
      return dry;
    }
  }
  if (Status s = CheckInFlight(who.caller, 1); !s.ok()) return s;
  auto job = jobs_.Submit(*spec, id);
  if (!job.ok()) return job.status();
  Track(who.caller, job->name());
  observe::LogScope scope({{"request_id", request.request_id()}, {"job", job->name()}});
  spdlog::info("queued {}", request.report());
  return job;
}

Result<Submissions::Selection> Submissions::SelectByFilter(const Submitter& who,
                                                           const v1::BulkFilter& f) {
  if (f.fiscal_year() == 0) {
    return InvalidArgument("is required (Buddhist era, e.g. 2567)", "filter.fiscal_year");
  }
  // Across the country only for operators; a provincial office its own.
  if (Status s = authz::MayListOrBulk(who.caller, "", f.province()); !s.ok()) return s;
  store::ReportFilter filter;
  filter.fiscal_year = f.fiscal_year();
  filter.province = f.province();
  filter.agency_type = f.agency_type();
  auto matches = reports_.MatchingReports(filter, options_.max_batch_jobs);
  if (!matches.ok()) {
    if (matches.status().code() != StatusCode::kResourceExhausted) return matches.status();
    return Status(StatusCode::kResourceExhausted,
                  "more than " + std::to_string(options_.max_batch_jobs) +
                      " reports match; narrow the filter (e.g. by province)",
                  "filter")
        .WithReason("BATCH_TOO_LARGE");
  }
  if (matches->empty()) {
    return NotFound("no report matches this filter", "filter").WithReason("NO_MATCHING_REPORT");
  }
  return Selection{std::move(matches).value(), /*by_filter=*/true};
}

Result<Submissions::Selection> Submissions::SelectByList(const Submitter& who,
                                                         const v1::ReportList& list) {
  const auto& names = list.reports();
  if (names.empty()) return InvalidArgument("must name at least one report", "reports.reports");
  if (names.size() > options_.max_batch_jobs) {
    return Status(StatusCode::kResourceExhausted,
                  "at most " + std::to_string(options_.max_batch_jobs) +
                      " reports per batch, got " + std::to_string(names.size()),
                  "reports.reports")
        .WithReason("BATCH_TOO_LARGE");
  }
  Selection selection;
  for (int i = 0; i < names.size(); ++i) {
    auto ref = server::ParseReportName(names[i], "reports.reports[" + std::to_string(i) + "]");
    if (!ref.ok()) return ref.status();
    selection.refs.emplace_back(ref->agency, ref->fiscal_year);
  }
  // Each listed report's agency, once each.
  if (who.caller.role != v1::ROLE_OPERATOR) {
    std::set<std::string> checked;
    for (const auto& [agency, year] : selection.refs) {
      if (!checked.insert(agency).second) continue;
      if (Status s = MayReadAgency(who.caller, agency); !s.ok()) return s;
    }
  }
  return selection;
}

Result<Submissions::Selection> Submissions::Select(const Submitter& who,
                                                   const v1::RenderBulkRequest& request) {
  if (request.has_filter()) return SelectByFilter(who, request.filter());
  if (request.has_reports()) return SelectByList(who, request.reports());
  return InvalidArgument("set filter or reports", "selector");
}

Status Submissions::NotFoundAt(const Selection& selection, size_t i) {
  const auto& [agency, year] = selection.refs[i];
  // A report deleted between matching and reading is the filter's
  // business; a listed one that does not exist is the caller's.
  return NotFound("report " + server::ReportResourceName(agency, year) + " does not exist",
                  selection.by_filter ? "filter" : "reports.reports[" + std::to_string(i) + "]")
      .WithReason("REPORT_NOT_FOUND");
}

Result<v1::Batch> Submissions::RenderBulk(const Submitter& who,
                                          const v1::RenderBulkRequest& request,
                                          const std::function<bool()>& cancelled,
                                          std::vector<Status>* template_errors) {
  if (Status s = CheckRequestId(request.request_id()); !s.ok()) return s;
  const v1::Template* tmpl = request.has_template_() ? &request.template_() : nullptr;
  if (Status s = CheckTemplate(tmpl, template_errors); !s.ok()) return s;
  // Idempotency.
  const queue::RequestId id = RequestIdOf(request, who);
  auto earlier = jobs_.LookupRequest(id, kBatches);
  if (!earlier.ok()) return earlier.status();
  if (earlier->has_value()) {
    auto batch = jobs_.GetBatch((*earlier)->substr(kBatches.size()));
    if (!batch.ok()) return batch.status();
    if (Status s = MayUseBatch(who.caller, *batch); !s.ok()) return s;
    return batch;
  }
  // Selection and access.
  auto selection = Select(who, request);
  if (!selection.ok()) return selection.status();
  const auto& refs = selection->refs;
  if (cancelled()) return Status(StatusCode::kCancelled, "the caller went away");
  // Quota, then every report must exist before anything is queued.
  if (Status s = CheckInFlight(who.caller, static_cast<int64_t>(refs.size())); !s.ok()) return s;
  auto missing = reports_.FindMissingReport(refs);
  if (!missing.ok()) return missing.status();
  if (missing->has_value()) return NotFoundAt(*selection, **missing);
  // Layout: a supplied template is laid out with the first report, so that
  // one whose page cannot hold a report fails before anything is queued.
  if (tmpl != nullptr) {
    auto first = reports_.GetSnapshots({refs.front()});
    if (!first.ok()) {
      if (first.status().code() == StatusCode::kNotFound) return NotFoundAt(*selection, 0);
      return first.status();
    }
    auto pages = LayOut(first->front().report, tmpl, "");
    if (!pages.ok()) return pages.status();
  }
  // Snapshots, read chunk by chunk while the queue writes the chunk before.
  auto snapshots = [&](size_t begin, size_t end) -> Result<std::vector<queue::JobSpec>> {
    const std::vector<std::pair<std::string, int>> slice(refs.begin() + begin, refs.begin() + end);
    size_t at = 0;
    auto stored = reports_.GetSnapshots(slice, &at);
    if (!stored.ok()) {
      // Deleted since the check: the jobs before it stay queued.
      if (stored.status().code() == StatusCode::kNotFound) return NotFoundAt(*selection, begin + at);
      return stored.status();
    }
    std::vector<queue::JobSpec> specs(stored->size());
    for (size_t i = 0; i < specs.size(); ++i) {
      specs[i].report_name = server::ReportResourceName(slice[i].first, slice[i].second);
      specs[i].report_revision = (*stored)[i].revision;
      specs[i].snapshot = std::move((*stored)[i].report);
      if (tmpl != nullptr) specs[i].template_override = *tmpl;
    }
    return specs;
  };
  // Submit and track.
  observe::LogScope scope({{"request_id", request.request_id()}});
  auto batch = jobs_.SubmitBatch(refs.size(), snapshots, id,
                                 who.access_control ? who.caller.name : std::string());
  if (!batch.ok()) {
    spdlog::warn("bulk render of {} reports stopped: {}", refs.size(), batch.status().message());
    return batch.status();
  }
  Track(who.caller, batch->name());
  spdlog::info("queued {} with {} jobs", batch->name(), batch->total());
  return batch;
}

}  // namespace saraban::document_service
