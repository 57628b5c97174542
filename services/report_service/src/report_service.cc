#include "saraban/report_service/report_service.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <charconv>
#include <map>
#include <string_view>
#include <type_traits>
#include <utility>

#include "saraban/model/validate.h"
#include "saraban/server/etag.h"
#include "saraban/server/names.h"
#include "saraban/server/errors.h"
#include "saraban/server/parse_errors.h"

namespace saraban::report_service {
namespace {

using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;

constexpr std::string_view kAgencies = "agencies/";
// "agencies/-" in ListReports: every agency.
constexpr std::string_view kAnyAgency = "-";
// An update without an etag re-reads and retries this often when another
// write lands between its read and its write.
constexpr int kUnconditionalAttempts = 3;
// ImportReports keeps the response bounded whatever the stream holds: a
// result per report for this many reports (a country's 7,850 with room to
// spare; about 60 bytes each), violations per report, deprecated failures.
constexpr int kMaxImportReports = 100000;
constexpr int kMaxFailures = 1000;
constexpr int kMaxFailuresPerReport = 20;

using server::AgencyResourceName;
using server::ParseAgencyName;
using server::ParseReportName;
using server::ReportResourceName;

// How far an import that had to stop got, for ErrorInfo.metadata: the
// index of the report it stopped at and what it did with those before.
std::map<std::string, std::string> ImportCounts(int index, int created, int updated, int failed) {
  return {{"index", std::to_string(index)},
          {"created", std::to_string(created)},
          {"updated", std::to_string(updated)},
          {"failed", std::to_string(failed)}};
}

google::protobuf::Timestamp Time(int64_t ms) { return TimeUtil::MillisecondsToTimestamp(ms); }

void Fill(const store::StoredAgency& a, v1::AgencyResource* out) {
  out->set_name(AgencyResourceName(a.agency.code()));
  *out->mutable_agency() = a.agency;
  out->set_etag(server::EtagOf(a.revision));
  *out->mutable_create_time() = Time(a.create_ms);
  *out->mutable_update_time() = Time(a.update_ms);
}

void Fill(store::StoredReport r, v1::ReportResource* out) {
  out->set_name(ReportResourceName(r.report.agency().code(), r.report.fiscal_year()));
  out->set_etag(server::EtagOf(r.revision));
  out->set_revision(r.revision);
  *out->mutable_create_time() = Time(r.create_ms);
  *out->mutable_update_time() = Time(r.update_ms);
  *out->mutable_report() = std::move(r.report);
}

// What a write does: validate_only makes every check and stores nothing.
store::WriteEffect EffectOf(bool validate_only) {
  return validate_only ? store::WriteEffect::kValidateOnly : store::WriteEffect::kStore;
}

// A created resource as validate_only answers it: what would be stored,
// without what only storing gives it (etag, revision, times).
template <typename Resource>
void ClearUnstored(Resource* resource) {
  resource->clear_etag();
  resource->clear_create_time();
  resource->clear_update_time();
  if constexpr (std::is_same_v<Resource, v1::ReportResource>) resource->clear_revision();
}

// A failed write: every field error when validation found some, otherwise
// the status with its field placed under `prefix` (the request field that
// holds the resource).
grpc::Status WriteFailed(const Status& status, const std::vector<Status>& field_errors,
                         const std::string& prefix) {
  if (!field_errors.empty()) return server::InvalidFields(field_errors, prefix);
  return server::ToGrpc(status.field().empty() ? status : status.WithFieldPrefix(prefix));
}

// Checks `mask` against `Message` and merges the fields it names from
// `from` into `to`; an empty mask replaces the whole message. Repeated and
// message fields named by the mask are replaced, not appended to or merged:
// "measures" means "these are the measures".
template <typename Message>
Status ApplyMask(const FieldMask& mask, const Message& from, Message* to) {
  if (mask.paths().empty()) {
    *to = from;
    return Status::Ok();
  }
  for (const std::string& path : mask.paths()) {
    FieldMask one;
    one.add_paths(path);
    if (!FieldMaskUtil::IsValidFieldMask<Message>(one)) {
      return InvalidArgument("\"" + path.substr(0, 200) + "\" is not a field of " +
                                 Message::descriptor()->full_name() +
                                 " (paths are snake_case, e.g. introduction.ita_score)",
                             "update_mask");
    }
  }
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(from, mask, options, to);
  return Status::Ok();
}

// The report's agency is named by the resource: a code in the body must
// agree with it.
Status CheckAgencyCode(const v1::Report& report, const std::string& code,
                       const std::string& field) {
  const std::string& given = report.agency().code();
  if (given.empty() || given == code) return Status::Ok();
  return InvalidArgument("agency code \"" + given.substr(0, 200) + "\" does not match \"" + code +
                             "\" from the resource name",
                         field);
}

}  // namespace

// ---- Access ----

grpc::Status ReportServiceImpl::AllowRead(grpc::ServerContext* context, const std::string& code) {
  auto caller = auth_.Identify(*context);
  if (!caller.ok()) return authz::Enforce(caller.status(), *context, "report-service");
  Status decision = authz::MayReadAgency(
      **caller, code, [this](const std::string& c) { return store_.ProvinceOf(c); });
  if (decision.code() != StatusCode::kPermissionDenied) return server::ToGrpc(decision);
  return authz::Enforce(decision, *context, "report-service");
}

grpc::Status ReportServiceImpl::AllowWrite(grpc::ServerContext* context, const std::string& code) {
  auto caller = auth_.Identify(*context);
  if (!caller.ok()) return authz::Enforce(caller.status(), *context, "report-service");
  return authz::Enforce(authz::MayWrite(**caller, code), *context, "report-service");
}

grpc::Status ReportServiceImpl::AllowList(grpc::ServerContext* context, const std::string& code,
                                          const std::string& province) {
  auto caller = auth_.Identify(*context);
  if (!caller.ok()) return authz::Enforce(caller.status(), *context, "report-service");
  return authz::Enforce(authz::MayListOrBulk(**caller, code, province), *context,
                        "report-service");
}

// ---- Agencies ----

grpc::Status ReportServiceImpl::CreateAgency(grpc::ServerContext* context,
                                             const v1::CreateAgencyRequest* request,
                                             v1::AgencyResource* response) {
  v1::Agency agency = request->agency();
  if (grpc::Status allowed = AllowWrite(context, agency.code()); !allowed.ok()) return allowed;
  // Every problem at once; the store alone would name the first.
  if (auto errors = model::ValidateAgency(&agency); !errors.empty()) {
    return server::InvalidFields(errors);
  }
  auto stored = store_.CreateAgency(std::move(agency), EffectOf(request->validate_only()));
  if (!stored.ok()) return server::ToGrpc(stored.status());
  Fill(*stored, response);
  if (request->validate_only()) ClearUnstored(response);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetAgency(grpc::ServerContext* context,
                                          const v1::GetAgencyRequest* request,
                                          v1::AgencyResource* response) {
  auto code = ParseAgencyName(request->name(), "name");
  if (!code.ok()) return server::ToGrpc(code.status());
  if (grpc::Status allowed = AllowRead(context, *code); !allowed.ok()) return allowed;
  auto stored = store_.GetAgency(*code);
  if (!stored.ok()) return server::ToGrpc(stored.status());
  Fill(*stored, response);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListAgencies(grpc::ServerContext* context,
                                             const v1::ListAgenciesRequest* request,
                                             v1::ListAgenciesResponse* response) {
  store::ReportFilter filter;
  filter.province = request->province();
  filter.agency_type = request->type();
  if (grpc::Status allowed = AllowList(context, "", filter.province); !allowed.ok()) {
    return allowed;
  }
  auto page = store_.ListAgencies(filter, request->page_size(), request->page_token());
  if (!page.ok()) return server::ToGrpc(page.status());
  for (const auto& a : page->items) Fill(a, response->add_agencies());
  response->set_next_page_token(page->next);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::UpdateAgency(grpc::ServerContext* context,
                                             const v1::UpdateAgencyRequest* request,
                                             v1::AgencyResource* response) {
  const v1::AgencyResource& resource = request->agency();
  auto code = ParseAgencyName(resource.name(), "agency.name");
  if (!code.ok()) return server::ToGrpc(code.status());
  if (grpc::Status allowed = AllowWrite(context, *code); !allowed.ok()) return allowed;
  auto etag = server::RevisionOf(resource.etag());
  if (!etag.ok()) return server::ToGrpc(etag.status().WithFieldPrefix("agency"));
  const std::string& given = resource.agency().code();
  if (!given.empty() && given != *code) {
    return server::ToGrpc(InvalidArgument("agency code \"" + given.substr(0, 200) +
                                              "\" does not match \"" + *code +
                                              "\" from the resource name; codes do not change",
                                          "agency.agency.code"));
  }
  for (int attempt = 1;; ++attempt) {
    auto current = store_.GetAgency(*code);
    if (!current.ok()) return server::ToGrpc(current.status());
    v1::Agency agency = current->agency;
    if (Status s = ApplyMask(request->update_mask(), resource.agency(), &agency); !s.ok()) {
      return server::ToGrpc(s);
    }
    agency.set_code(*code);
    if (auto errors = model::ValidateAgency(&agency); !errors.empty()) {
      return server::InvalidFields(errors, "agency");
    }
    // Without an etag the merge is still made against what was read, so a
    // write in between is detected and the merge redone.
    const int64_t expected = *etag != 0 ? *etag : current->revision;
    auto stored =
        store_.UpdateAgency(std::move(agency), expected, EffectOf(request->validate_only()));
    if (stored.status().code() == StatusCode::kAborted && *etag == 0 &&
        attempt < kUnconditionalAttempts) {
      continue;
    }
    if (!stored.ok()) return server::ToGrpc(stored.status());
    Fill(*stored, response);
    return grpc::Status::OK;
  }
}

grpc::Status ReportServiceImpl::DeleteAgency(grpc::ServerContext* context,
                                             const v1::DeleteAgencyRequest* request,
                                             google::protobuf::Empty*) {
  auto code = ParseAgencyName(request->name(), "name");
  if (!code.ok()) return server::ToGrpc(code.status());
  if (grpc::Status allowed = AllowWrite(context, *code); !allowed.ok()) return allowed;
  auto etag = server::RevisionOf(request->etag());
  if (!etag.ok()) return server::ToGrpc(etag.status());
  return server::ToGrpc(store_.DeleteAgency(*code, *etag));
}

// ---- Reports ----

grpc::Status ReportServiceImpl::CreateReport(grpc::ServerContext* context,
                                             const v1::CreateReportRequest* request,
                                             v1::ReportResource* response) {
  auto code = ParseAgencyName(request->parent(), "parent");
  if (!code.ok()) return server::ToGrpc(code.status());
  if (grpc::Status allowed = AllowWrite(context, *code); !allowed.ok()) return allowed;
  v1::Report report = request->report();
  if (Status s = CheckAgencyCode(report, *code, "report.agency.code"); !s.ok()) {
    return server::ToGrpc(s);
  }
  report.mutable_agency()->set_code(*code);
  std::vector<Status> errors;
  auto stored =
      store_.CreateReport(std::move(report), &errors, EffectOf(request->validate_only()));
  if (!stored.ok()) {
    // The agency is named by the parent, not the body.
    if (stored.status().code() == StatusCode::kNotFound) {
      return server::ToGrpc(NotFound(stored.status().message(), "parent"));
    }
    return WriteFailed(stored.status(), errors, "report");
  }
  Fill(std::move(stored).value(), response);
  if (request->validate_only()) ClearUnstored(response);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetReport(grpc::ServerContext* context,
                                          const v1::GetReportRequest* request,
                                          v1::ReportResource* response) {
  auto name = ParseReportName(request->name(), "name");
  if (!name.ok()) return server::ToGrpc(name.status());
  if (grpc::Status allowed = AllowRead(context, name->agency); !allowed.ok()) return allowed;
  auto stored = store_.GetReport(name->agency, name->fiscal_year);
  if (!stored.ok()) return server::ToGrpc(stored.status());
  Fill(std::move(stored).value(), response);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListReports(grpc::ServerContext* context,
                                            const v1::ListReportsRequest* request,
                                            v1::ListReportsResponse* response) {
  store::ReportFilter filter;
  const std::string& parent = request->parent();
  if (parent.empty()) {
    return server::ToGrpc(
        InvalidArgument("is required: agencies/{agency}, or agencies/- for every agency",
                        "parent"));
  }
  if (parent != std::string(kAgencies) + std::string(kAnyAgency)) {
    auto code = ParseAgencyName(parent, "parent");
    if (!code.ok()) return server::ToGrpc(code.status());
    filter.agency_code = std::move(code).value();
  }
  filter.fiscal_year = request->fiscal_year();
  filter.province = request->province();
  filter.agency_type = request->agency_type();
  if (grpc::Status allowed = AllowList(context, filter.agency_code, filter.province);
      !allowed.ok()) {
    return allowed;
  }
  auto page = store_.ListReports(filter, request->page_size(), request->page_token(),
                                 request->summary_only());
  if (!page.ok()) return server::ToGrpc(page.status());
  for (auto& r : page->items) Fill(std::move(r), response->add_reports());
  response->set_next_page_token(page->next);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::UpdateReport(grpc::ServerContext* context,
                                             const v1::UpdateReportRequest* request,
                                             v1::ReportResource* response) {
  const v1::ReportResource& resource = request->report();
  auto name = ParseReportName(resource.name(), "report.name");
  if (!name.ok()) return server::ToGrpc(name.status());
  if (grpc::Status allowed = AllowWrite(context, name->agency); !allowed.ok()) return allowed;
  auto etag = server::RevisionOf(resource.etag());
  if (!etag.ok()) return server::ToGrpc(etag.status().WithFieldPrefix("report"));
  if (Status s = CheckAgencyCode(resource.report(), name->agency, "report.report.agency.code");
      !s.ok()) {
    return server::ToGrpc(s);
  }
  const int given_year = resource.report().fiscal_year();
  if (given_year != 0 && given_year != name->fiscal_year) {
    return server::ToGrpc(InvalidArgument(
        "fiscal year " + std::to_string(given_year) + " does not match " +
            std::to_string(name->fiscal_year) +
            " from the resource name; create a report for the other year instead",
        "report.report.fiscal_year"));
  }
  for (int attempt = 1;; ++attempt) {
    auto current = store_.GetReport(name->agency, name->fiscal_year);
    if (!current.ok()) return server::ToGrpc(current.status());
    v1::Report report = current->report;
    if (Status s = ApplyMask(request->update_mask(), resource.report(), &report); !s.ok()) {
      return server::ToGrpc(s);
    }
    // Only the code of the agency is written; the store fills the rest.
    report.mutable_agency()->set_code(name->agency);
    report.set_fiscal_year(name->fiscal_year);
    const int64_t expected = *etag != 0 ? *etag : current->revision;
    std::vector<Status> errors;
    auto stored = store_.UpdateReport(std::move(report), expected, &errors,
                                      EffectOf(request->validate_only()));
    if (stored.status().code() == StatusCode::kAborted && *etag == 0 &&
        attempt < kUnconditionalAttempts) {
      continue;
    }
    if (!stored.ok()) return WriteFailed(stored.status(), errors, "report");
    Fill(std::move(stored).value(), response);
    return grpc::Status::OK;
  }
}

grpc::Status ReportServiceImpl::DeleteReport(grpc::ServerContext* context,
                                             const v1::DeleteReportRequest* request,
                                             google::protobuf::Empty*) {
  auto name = ParseReportName(request->name(), "name");
  if (!name.ok()) return server::ToGrpc(name.status());
  if (grpc::Status allowed = AllowWrite(context, name->agency); !allowed.ok()) return allowed;
  auto etag = server::RevisionOf(request->etag());
  if (!etag.ok()) return server::ToGrpc(etag.status());
  return server::ToGrpc(store_.DeleteReport(name->agency, name->fiscal_year, *etag));
}

grpc::Status ReportServiceImpl::ImportReports(
    grpc::ServerContext* context, grpc::ServerReader<v1::ImportReportsRequest>* reader,
    v1::ImportReportsResponse* response) {
  using Result = v1::ImportReportsResponse::Result;
  auto caller = auth_.Identify(*context);
  if (!caller.ok()) return authz::Enforce(caller.status(), *context, "report-service");
  v1::ImportReportsRequest request;
  int created = 0, updated = 0, failed = 0;
  // A report that failed: its result, with a violation per field error,
  // and the same as entries of the deprecated failures list.
  auto fail = [&](int index, const std::string& name, const std::vector<Status>& errors) {
    ++failed;
    Result* result = response->add_results();
    result->set_index(index);
    result->set_report(name);
    result->set_outcome(v1::ImportReportsResponse::OUTCOME_FAILED);
    for (size_t i = 0; i < errors.size() && i < kMaxFailuresPerReport; ++i) {
      const Status& e = errors[i];
      const std::string field = e.field().empty() ? "" : server::ApiFieldPath("report." + e.field());
      auto* v = result->add_violations();
      v->set_field(field);
      v->set_description(e.message());
      // The deprecated list is still filled for clients that read it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      if (response->failures_size() >= kMaxFailures) continue;
      auto* f = response->add_failures();
#pragma GCC diagnostic pop
      f->set_index(index);
      f->set_report(name);
      f->set_field(field);
      f->set_message(e.message());
    }
  };
  for (int index = 0; reader->Read(&request); ++index) {
    if (context->IsCancelled()) return {grpc::StatusCode::CANCELLED, "import cancelled"};
    if (index == kMaxImportReports) {
      return server::WithErrorMetadata(
          server::ToGrpc(Status(StatusCode::kResourceExhausted,
                                "at most " + std::to_string(kMaxImportReports) +
                                    " reports per ImportReports stream; the " +
                                    std::to_string(index) +
                                    " before were handled: send the rest in another stream")
                             .WithReason("IMPORT_TOO_LARGE")),
          ImportCounts(index, created, updated, failed));
    }
    const v1::Report& report = request.report();
    const std::string& code = report.agency().code();
    if (code.empty()) {
      fail(index, "",
           {InvalidArgument("agency code is required: it names the agency the report belongs to",
                            "agency.code")});
      continue;
    }
    std::string name;
    if (model::ValidateAgencyCode(code).ok() && report.fiscal_year() > 0) {
      name = ReportResourceName(code, report.fiscal_year());
    }
    // A report of an agency the caller may not write fails on its own,
    // like an invalid one; the rest of the stream is still imported.
    if (Status allowed = authz::MayWrite(**caller, code); !allowed.ok()) {
      authz::Enforce(allowed, *context, "report-service");
      fail(index, name, {Status(allowed.code(), allowed.message(), "agency.code")});
      continue;
    }
    bool was_created = false;
    std::vector<Status> errors;
    auto stored = store_.PutReport(report, request.upsert_agency(), &was_created, &errors);
    if (stored.ok()) {
      ++(was_created ? created : updated);
      Result* result = response->add_results();
      result->set_index(index);
      result->set_report(ReportResourceName(code, stored->report.fiscal_year()));
      result->set_outcome(was_created ? v1::ImportReportsResponse::OUTCOME_CREATED
                                      : v1::ImportReportsResponse::OUTCOME_UPDATED);
      continue;
    }
    if (stored.status().code() == StatusCode::kUnavailable) {
      // Every later report would fail the same way; puts are idempotent, so
      // the caller can send the whole stream again.
      return server::WithErrorMetadata(
          server::ToGrpc(Status(
              StatusCode::kUnavailable,
              stored.status().message() + " (after " + std::to_string(created + updated) +
                  " reports were stored; importing again is safe)")),
          ImportCounts(index, created, updated, failed));
    }
    if (errors.empty()) errors.push_back(stored.status());
    fail(index, name, errors);
  }
  // A message that did not parse ends the stream like a normal end would:
  // tell the caller, with how far the import got.
  if (grpc::Status broken = server::TakeStreamParseError(
          std::string("/") + v1::ReportService::service_full_name() + "/ImportReports"); !broken.ok()) {
    const int index = created + updated + failed;
    return server::WithErrorMetadata(
        broken, ImportCounts(index, created, updated, failed),
        "report " + std::to_string(index) + " of the stream: " + broken.error_message() +
            " (the " + std::to_string(index) +
            " reports before it were handled; nothing after it was read)");
  }
  response->set_created(created);
  response->set_updated(updated);
  response->set_failed(failed);
  return grpc::Status::OK;
}

}  // namespace saraban::report_service
