#include "saraban/document_service/document_service.h"

#include <spdlog/spdlog.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <charconv>
#include <set>
#include <thread>

#include "saraban/digest.h"
#include "saraban/model/validate.h"
#include "saraban/page_token.h"
#include "saraban/observe/log.h"
#include "saraban/server/errors.h"
#include "saraban/server/names.h"

namespace saraban::document_service {

namespace {

using server::InvalidFields;
using server::ToGrpc;

constexpr const char* kComponent = "document-service";
constexpr size_t kMaxRequestIdBytes = 128;
constexpr int kDefaultChunk = 64 * 1024;
constexpr int kMaxChunk = 1 << 20;

bool IsFinal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED || s == v1::JOB_STATE_CANCELLED;
}

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

grpc::Status Cancelled() { return {grpc::StatusCode::CANCELLED, "the caller went away"}; }

}  // namespace

Result<queue::JobSpec> DocumentServiceImpl::SpecFor(const std::string& report_name,
                                                    const std::string& field,
                                                    const v1::Template* tmpl) {
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

Result<int> DocumentServiceImpl::LayOut(const std::string& snapshot, const v1::Template* tmpl,
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

template <typename Request>
queue::RequestId DocumentServiceImpl::RequestIdOf(const Request& req,
                                                  const authz::Caller& caller) const {
  Request rest = req;
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
  return {req.request_id(), auth_.enabled() ? caller.name : std::string(),
          Sha256Hex(Request::descriptor()->full_name() + '\0' + bytes)};
}

Result<std::optional<std::string>> DocumentServiceImpl::Earlier(const queue::RequestId& request,
                                                               std::string_view collection) {
  auto existing = jobs_.LookupRequest(request, collection);
  if (!existing.ok() || !existing->has_value()) return existing;
  return std::optional<std::string>((*existing)->substr(collection.size()));
}

grpc::Status DocumentServiceImpl::AllowAgency(grpc::ServerContext* ctx,
                                              const authz::Caller& caller,
                                              const std::string& agency_code) {
  authz::Agency agency{agency_code, {}};
  if (caller.role == v1::ROLE_PROVINCE) {
    auto stored = reports_.GetAgency(agency_code);
    if (stored.ok()) {
      agency.province = stored->agency.province();
    } else if (stored.status().code() != StatusCode::kNotFound) {
      return ToGrpc(stored.status());
    }
  }
  return authz::Enforce(authz::MayRead(caller, agency), *ctx, kComponent);
}

grpc::Status DocumentServiceImpl::AllowJob(grpc::ServerContext* ctx, const v1::Job& job) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  if ((*caller)->role == v1::ROLE_OPERATOR) return grpc::Status::OK;
  auto report = server::ParseReportName(job.report(), "report");
  if (!report.ok()) return ToGrpc(report.status());
  return AllowAgency(ctx, **caller, report->agency);
}

grpc::Status DocumentServiceImpl::AllowBatch(grpc::ServerContext* ctx, const v1::Batch& batch) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  return authz::Enforce(authz::MayUseBatch(**caller, batch.owner()), *ctx, kComponent);
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
  if (grpc::Status allowed = AllowJob(ctx, *read); !allowed.ok()) return allowed;
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
  if (grpc::Status allowed = AllowBatch(ctx, *read); !allowed.ok()) return allowed;
  if (batch != nullptr) *batch = std::move(read).value();
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::CheckInFlight(const authz::Caller& caller, int64_t more) {
  auto open = jobs_.InFlight(caller.name);
  if (!open.ok()) return ToGrpc(open.status());
  const int64_t limit = options_.max_jobs_in_flight_per_caller;
  if (*open + more <= limit) return grpc::Status::OK;
  return ToGrpc(Status(StatusCode::kResourceExhausted,
                       "caller \"" + caller.name + "\" has " + std::to_string(*open) +
                           " jobs queued or running and asks for " + std::to_string(more) +
                           " more; at most " + std::to_string(limit) +
                           " per caller: wait for some to finish")
                    .WithReason("TOO_MANY_JOBS_IN_FLIGHT"));
}

grpc::Status DocumentServiceImpl::RenderReport(grpc::ServerContext* ctx,
                                               const v1::RenderReportRequest* req,
                                               v1::Job* out) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  auto report = server::ParseReportName(req->report(), "report");
  if (!report.ok()) return ToGrpc(report.status());
  if (grpc::Status allowed = AllowAgency(ctx, **caller, report->agency); !allowed.ok()) {
    return allowed;
  }
  if (Status s = CheckRequestId(req->request_id()); !s.ok()) return ToGrpc(s);
  if (req->has_template_()) {
    auto errors = model::ValidateTemplate(req->template_());
    if (!errors.empty()) return InvalidFields(errors, "template");
  }
  const v1::Template* tmpl = req->has_template_() ? &req->template_() : nullptr;
  // A retry: answer with the job the first attempt created. (A dry run
  // looks up nothing by request id, and queues and counts nothing.)
  const queue::RequestId request = RequestIdOf(*req, **caller);
  Result<std::optional<std::string>> earlier = std::optional<std::string>();
  if (!req->validate_only()) earlier = Earlier(request, "jobs/");
  if (!earlier.ok()) return ToGrpc(earlier.status());
  if (earlier->has_value()) {
    auto job = jobs_.GetJob(**earlier);
    if (!job.ok()) return ToGrpc(job.status());
    // Another caller's request id names a job this caller may not see.
    if (grpc::Status allowed = AllowJob(ctx, *job); !allowed.ok()) return allowed;
    *out = std::move(job).value();
    return grpc::Status::OK;
  }
  auto spec = SpecFor(req->report(), "report", tmpl);
  if (!spec.ok()) return ToGrpc(spec.status());
  // A template the report does not fit is the caller's error now, not a
  // dead-lettered job later.
  if (tmpl != nullptr || req->validate_only()) {
    auto pages = LayOut(spec->snapshot, tmpl, "report");
    if (!pages.ok()) return ToGrpc(pages.status());
    if (req->validate_only()) {
      out->set_report(req->report());
      out->set_report_revision(spec->report_revision);
      out->set_request_id(req->request_id());
      out->mutable_document()->set_page_count(*pages);
      return grpc::Status::OK;
    }
  }
  if (grpc::Status room = CheckInFlight(**caller, 1); !room.ok()) return room;
  auto job = jobs_.Submit(*spec, request);
  if (!job.ok()) return ToGrpc(job.status());
  *out = std::move(job).value();
  if (Status s = jobs_.TrackInFlight((*caller)->name, out->name()); !s.ok()) {
    spdlog::warn("{} is queued but not counted for {}: {}", out->name(), (*caller)->name,
                 s.message());
  }
  observe::LogScope scope({{"request_id", req->request_id()}, {"job", out->name()}});
  spdlog::info("queued {}", req->report());
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::RenderBulk(grpc::ServerContext* ctx,
                                             const v1::RenderBulkRequest* req, v1::Batch* out) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  if (Status s = CheckRequestId(req->request_id()); !s.ok()) return ToGrpc(s);
  if (req->has_template_()) {
    auto errors = model::ValidateTemplate(req->template_());
    if (!errors.empty()) return InvalidFields(errors, "template");
  }
  const queue::RequestId request = RequestIdOf(*req, **caller);
  auto earlier = Earlier(request, "batches/");
  if (!earlier.ok()) return ToGrpc(earlier.status());
  if (earlier->has_value()) {
    auto batch = jobs_.GetBatch(**earlier);
    if (!batch.ok()) return ToGrpc(batch.status());
    if (grpc::Status allowed = AllowBatch(ctx, *batch); !allowed.ok()) return allowed;
    *out = std::move(batch).value();
    return grpc::Status::OK;
  }

  // The reports to render, as (agency, fiscal year).
  std::vector<std::pair<std::string, int>> refs;
  const bool by_filter = req->has_filter();
  if (by_filter) {
    const v1::BulkFilter& f = req->filter();
    if (f.fiscal_year() == 0) {
      return ToGrpc(InvalidArgument("is required (Buddhist era, e.g. 2567)", "filter.fiscal_year"));
    }
    // Across the country only for operators; a provincial office its own.
    if (grpc::Status allowed = authz::Enforce(authz::MayListOrBulk(**caller, "", f.province()),
                                              *ctx, kComponent);
        !allowed.ok()) {
      return allowed;
    }
    store::ReportFilter filter;
    filter.fiscal_year = f.fiscal_year();
    filter.province = f.province();
    filter.agency_type = f.agency_type();
    auto matches = reports_.MatchingReports(filter, options_.max_batch_jobs);
    if (!matches.ok()) {
      Status s = matches.status();
      if (s.code() == StatusCode::kResourceExhausted) {
        return ToGrpc(Status(StatusCode::kResourceExhausted,
                             "more than " + std::to_string(options_.max_batch_jobs) +
                                 " reports match; narrow the filter (e.g. by province)",
                             "filter")
                          .WithReason("BATCH_TOO_LARGE"));
      }
      return ToGrpc(s);
    }
    if (matches->empty()) {
      return ToGrpc(NotFound("no report matches this filter", "filter").WithReason("NO_MATCHING_REPORT"));
    }
    refs = std::move(matches).value();
  } else if (req->has_reports()) {
    const auto& names = req->reports().reports();
    if (names.empty()) {
      return ToGrpc(InvalidArgument("must name at least one report", "reports.reports"));
    }
    if (names.size() > options_.max_batch_jobs) {
      return ToGrpc(Status(StatusCode::kResourceExhausted,
                           "at most " + std::to_string(options_.max_batch_jobs) +
                               " reports per batch, got " + std::to_string(names.size()),
                           "reports.reports")
                        .WithReason("BATCH_TOO_LARGE"));
    }
    for (int i = 0; i < names.size(); ++i) {
      auto ref = server::ParseReportName(names[i], "reports.reports[" + std::to_string(i) + "]");
      if (!ref.ok()) return ToGrpc(ref.status());
      refs.emplace_back(ref->agency, ref->fiscal_year);
    }
    // Each listed report's agency, once each.
    if ((*caller)->role != v1::ROLE_OPERATOR) {
      std::set<std::string> checked;
      for (const auto& [agency, year] : refs) {
        if (!checked.insert(agency).second) continue;
        if (grpc::Status allowed = AllowAgency(ctx, **caller, agency); !allowed.ok()) {
          return allowed;
        }
      }
    }
  } else {
    return ToGrpc(InvalidArgument("set filter or reports", "selector"));
  }
  if (ctx->IsCancelled()) return Cancelled();

  // Every report must exist before anything is queued; then the snapshots
  // are read chunk by chunk while the queue writes the chunk before.
  auto not_found = [&](size_t i) {
    const std::string name = server::ReportResourceName(refs[i].first, refs[i].second);
    // A report deleted between matching and reading is the filter's
    // business; a listed one that does not exist is the caller's.
    return NotFound("report " + name + " does not exist",
                    by_filter ? "filter" : "reports.reports[" + std::to_string(i) + "]")
        .WithReason("REPORT_NOT_FOUND");
  };
  if (grpc::Status room = CheckInFlight(**caller, static_cast<int64_t>(refs.size()));
      !room.ok()) {
    return room;
  }
  auto missing = reports_.FindMissingReport(refs);
  if (!missing.ok()) return ToGrpc(missing.status());
  if (missing->has_value()) return ToGrpc(not_found(**missing));
  // A supplied template is laid out with the first report: one whose page
  // cannot hold a report fails here, before anything is queued.
  if (req->has_template_()) {
    auto first = reports_.GetSnapshots({refs.front()});
    if (!first.ok()) {
      if (first.status().code() == StatusCode::kNotFound) return ToGrpc(not_found(0));
      return ToGrpc(first.status());
    }
    auto pages = LayOut(first->front().report, &req->template_(), "");
    if (!pages.ok()) return ToGrpc(pages.status());
  }
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<queue::JobSpec>> {
    const std::vector<std::pair<std::string, int>> slice(refs.begin() + begin, refs.begin() + end);
    size_t at = 0;
    auto stored = reports_.GetSnapshots(slice, &at);
    if (!stored.ok()) {
      // Deleted since the check: the jobs before it stay queued.
      if (stored.status().code() == StatusCode::kNotFound) return not_found(begin + at);
      return stored.status();
    }
    std::vector<queue::JobSpec> specs(stored->size());
    for (size_t i = 0; i < specs.size(); ++i) {
      specs[i].report_name = server::ReportResourceName(slice[i].first, slice[i].second);
      specs[i].report_revision = (*stored)[i].revision;
      specs[i].snapshot = std::move((*stored)[i].report);
      if (req->has_template_()) specs[i].template_override = req->template_();
    }
    return specs;
  };
  observe::LogScope scope({{"request_id", req->request_id()}});
  auto batch = jobs_.SubmitBatch(refs.size(), source, request,
                                 auth_.enabled() ? (*caller)->name : std::string());
  if (!batch.ok()) {
    spdlog::warn("bulk render of {} reports stopped: {}", refs.size(), batch.status().message());
    return ToGrpc(batch.status());
  }
  *out = std::move(batch).value();
  if (Status s = jobs_.TrackInFlight((*caller)->name, out->name()); !s.ok()) {
    spdlog::warn("{} is queued but not counted for {}: {}", out->name(), (*caller)->name,
                 s.message());
  }
  spdlog::info("queued {} with {} jobs", out->name(), out->total());
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
  if (req->chunk_size() < 0 || req->chunk_size() > kMaxChunk) {
    return ToGrpc(InvalidArgument("must be 0 (64 KiB) to 1048576 bytes", "chunk_size"));
  }
  const size_t chunk = req->chunk_size() == 0 ? kDefaultChunk : req->chunk_size();
  std::string id;
  v1::Job read;
  if (grpc::Status open = OpenJob(ctx, req->job(), "job", &id, &read); !open.ok()) return open;
  const v1::Job* job = &read;
  if (job->state() != v1::JOB_STATE_SUCCEEDED) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition,
                         "job is " + v1::JobState_Name(job->state()) +
                             ", not JOB_STATE_SUCCEEDED: watch it until it finishes",
                         "job")
                      .WithReason("JOB_NOT_FINISHED"));
  }
  auto pdf = jobs_.GetPdf(job->document().sha256());
  if (!pdf.ok()) return ToGrpc(pdf.status());
  if (Sha256Hex(*pdf) != job->document().sha256()) {
    return {grpc::StatusCode::DATA_LOSS, "the stored document does not match its SHA-256"};
  }
  for (size_t offset = 0; offset < pdf->size() || offset == 0; offset += chunk) {
    if (ctx->IsCancelled()) return Cancelled();
    v1::DocumentChunk c;
    if (offset == 0) *c.mutable_document() = job->document();
    c.set_offset(static_cast<int64_t>(offset));
    c.set_data(pdf->substr(offset, chunk));
    if (!writer->Write(c)) return Cancelled();
    if (pdf->empty()) break;
  }
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::ListDeadLetters(grpc::ServerContext* ctx,
                                                  const v1::ListDeadLettersRequest* req,
                                                  v1::ListDeadLettersResponse* out) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  if (grpc::Status allowed = authz::Enforce(authz::MayReadDeadLetters(**caller), *ctx,
                                            kComponent);
      !allowed.ok()) {
    return allowed;
  }
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
