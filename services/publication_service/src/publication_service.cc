#include "saraban/publication_service/publication_service.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "saraban/digest.h"
#include "saraban/report/default_template.h"
#include "saraban/server/documents.h"
#include "saraban/server/errors.h"
#include "saraban/server/etag.h"
#include "saraban/server/names.h"

namespace saraban::publication_service {

namespace {

using server::ToGrpc;

constexpr const char* kComponent = "publication-service";
constexpr size_t kMaxReasonBytes = 1000;

}  // namespace

Result<std::vector<v1::FontIdentity>> FontIdentities(const report::RenderOptions& options) {
  std::vector<v1::FontIdentity> out;
  for (const std::string& path : {options.regular_font, options.bold_font}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound("cannot read the font " + path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    v1::FontIdentity font;
    font.set_file_name(std::filesystem::path(path).filename().string());
    font.set_sha256(Sha256Hex(bytes.str()));
    out.push_back(std::move(font));
  }
  return out;
}

grpc::Status PublicationServiceImpl::Allow(grpc::ServerContext* ctx, const std::string& agency,
                                           bool write) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  Status decision =
      write ? authz::MayWrite(**caller, agency)
            : authz::MayReadAgency(**caller, agency,
                                   [this](const std::string& c) { return reports_.ProvinceOf(c); });
  if (decision.code() == StatusCode::kPermissionDenied) {
    return authz::Enforce(decision, *ctx, kComponent);
  }
  return ToGrpc(decision);
}

grpc::Status PublicationServiceImpl::Open(grpc::ServerContext* ctx, const std::string& name,
                                          const std::string& field, bool with_snapshot,
                                          v1::Publication* out) {
  auto ref = publication::ParsePublicationName(name, field);
  if (!ref.ok()) return ToGrpc(ref.status());
  if (grpc::Status allowed = Allow(ctx, ref->agency, false); !allowed.ok()) return allowed;
  auto found = publications_.Get(*ref, with_snapshot);
  if (!found.ok()) return ToGrpc(found.status());
  *out = std::move(found).value();
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::PublishReport(grpc::ServerContext* ctx,
                                                   const v1::PublishReportRequest* req,
                                                   v1::Publication* out) {
  auto report = server::ParseReportName(req->report(), "report");
  if (!report.ok()) return ToGrpc(report.status());
  if (grpc::Status allowed = Allow(ctx, report->agency, true); !allowed.ok()) return allowed;
  auto expected = server::RevisionOf(req->etag());
  if (!expected.ok()) return ToGrpc(expected.status());
  // The report as stored, with its agency: the bytes a job would render.
  auto stored = reports_.GetSnapshots({{report->agency, report->fiscal_year}});
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kNotFound) {
      return ToGrpc(NotFound("report " + req->report() + " does not exist", "report")
                        .WithReason("REPORT_NOT_FOUND"));
    }
    return ToGrpc(stored.status());
  }
  const store::ReportSnapshot& snapshot = stored->front();
  if (*expected != 0 && *expected != snapshot.revision) {
    return ToGrpc(Status(StatusCode::kAborted,
                         "etag " + req->etag() + " is stale: the report is at revision " +
                             std::to_string(snapshot.revision) +
                             "; review it again before publishing",
                         "etag"));
  }
  v1::Report parsed;
  if (!parsed.ParseFromString(snapshot.report)) {
    return ToGrpc(Internal("the stored report does not parse"));
  }
  auto tmpl = report::DefaultTemplate();
  if (!tmpl.ok()) return ToGrpc(tmpl.status());
  auto pdf = renderers_.Render(parsed, &*tmpl);
  if (!pdf.ok()) return ToGrpc(pdf.status());

  auto caller = auth_.Identify(*ctx);
  publication::NewPublication p;
  p.agency = report->agency;
  p.fiscal_year = report->fiscal_year;
  p.report_revision = snapshot.revision;
  p.snapshot = snapshot.report;
  p.template_used = *tmpl;
  p.fonts = fonts_;
  p.pdf = std::move(pdf->bytes);
  p.page_count = pdf->page_count;
  p.publisher = caller.ok() ? (*caller)->name : std::string();
  bool created = false;
  auto published = publications_.Publish(p, &created);
  if (!published.ok()) return ToGrpc(published.status());
  *out = std::move(published).value();
  if (created) {
    spdlog::info("published {} (revision {}, sha256 {}) for {}", out->name(),
                 out->report_revision(), out->document().sha256(), p.publisher);
  }
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::GetPublication(grpc::ServerContext* ctx,
                                                    const v1::GetPublicationRequest* req,
                                                    v1::Publication* out) {
  return Open(ctx, req->name(), "name", /*with_snapshot=*/true, out);
}

grpc::Status PublicationServiceImpl::ListPublications(grpc::ServerContext* ctx,
                                                      const v1::ListPublicationsRequest* req,
                                                      v1::ListPublicationsResponse* out) {
  auto report = server::ParseReportName(req->parent(), "parent");
  if (!report.ok()) return ToGrpc(report.status());
  if (grpc::Status allowed = Allow(ctx, report->agency, false); !allowed.ok()) return allowed;
  auto page = publications_.List(report->agency, report->fiscal_year, req->page_size(),
                                 req->page_token());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& p : page->publications) *out->add_publications() = std::move(p);
  out->set_next_page_token(page->next);
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::DownloadPublication(
    grpc::ServerContext* ctx, const v1::DownloadPublicationRequest* req,
    grpc::ServerWriter<v1::DocumentChunk>* writer) {
  if (grpc::Status s = server::CheckChunkSize(req->chunk_size()); !s.ok()) return s;
  v1::Publication p;
  if (grpc::Status open = Open(ctx, req->name(), "name", false, &p); !open.ok()) return open;
  auto pdf = publications_.GetPdf(p.document().sha256());
  if (!pdf.ok()) return ToGrpc(pdf.status());
  return server::StreamPdf(ctx, writer, *pdf, p.document(), req->chunk_size());
}

grpc::Status PublicationServiceImpl::WithdrawPublication(
    grpc::ServerContext* ctx, const v1::WithdrawPublicationRequest* req, v1::Publication* out) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  if ((*caller)->role != v1::ROLE_OPERATOR) {
    return authz::Enforce(Status(StatusCode::kPermissionDenied,
                                 "caller \"" + (*caller)->name +
                                     "\" may not withdraw publications: operators only"),
                          *ctx, kComponent);
  }
  auto ref = publication::ParsePublicationName(req->name(), "name");
  if (!ref.ok()) return ToGrpc(ref.status());
  if (req->reason().empty() || req->reason().size() > kMaxReasonBytes) {
    return ToGrpc(InvalidArgument("must say why, in 1 to 1000 bytes", "reason"));
  }
  auto withdrawn = publications_.Withdraw(*ref, (*caller)->name, req->reason());
  if (!withdrawn.ok()) return ToGrpc(withdrawn.status());
  spdlog::warn("{} withdrawn by {}: {}", req->name(), (*caller)->name, req->reason());
  *out = std::move(withdrawn).value();
  return grpc::Status::OK;
}

}  // namespace saraban::publication_service
