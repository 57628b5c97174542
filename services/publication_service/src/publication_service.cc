#include "saraban/publication_service/publication_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
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

// The time now, as a signature's /M and as a Timestamp.
std::string SigningTime(google::protobuf::Timestamp* t) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  t->set_seconds(seconds);
  char b[32];
  std::strftime(b, sizeof b, "D:%Y%m%d%H%M%S+00'00'", std::gmtime(&seconds));
  return b;
}

// A preparation's id: 128 random bits as hex.
std::string NewPreparationId() {
  std::random_device rd;
  std::string bytes;
  for (int i = 0; i < 4; ++i) {
    const uint32_t r = rd();
    bytes.append(reinterpret_cast<const char*>(&r), sizeof r);
  }
  return ToHex(bytes);
}

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
  auto rendered = renderers_.Render(parsed, &*tmpl);
  if (!rendered.ok()) return ToGrpc(rendered.status());
  // What is published: the render with a signature field for each of the
  // sign-off's people.
  auto pdf = report::WithSignatureFields(*rendered);
  if (!pdf.ok()) return ToGrpc(pdf.status());

  auto caller = auth_.Identify(*ctx);
  publication::NewPublication p;
  p.agency = report->agency;
  p.fiscal_year = report->fiscal_year;
  p.report_revision = snapshot.revision;
  p.snapshot = snapshot.report;
  p.template_used = *tmpl;
  p.fonts = fonts_;
  p.pdf = std::move(pdf).value();
  p.page_count = rendered->page_count;
  for (const auto& place : rendered->signature_places) p.signature_fields.push_back(place.field);
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
  // The document with every signature so far: the published one until the
  // first, which stays its exact prefix.
  auto pdf = publications_.GetPdf(p.signed_document().sha256());
  if (!pdf.ok()) return ToGrpc(pdf.status());
  return server::StreamPdf(ctx, writer, *pdf, p.signed_document(), req->chunk_size());
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

grpc::Status PublicationServiceImpl::OpenForSigning(grpc::ServerContext* ctx,
                                                    const std::string& name,
                                                    const std::string& field,
                                                    SigningTarget* target) {
  auto parsed = publication::ParsePublicationName(name, "name");
  if (!parsed.ok()) return ToGrpc(parsed.status());
  publication::PublicationRef* ref = &target->ref;
  v1::Publication* publication = &target->publication;
  *ref = *parsed;
  if (grpc::Status allowed = Allow(ctx, ref->agency, true); !allowed.ok()) return allowed;
  auto found = publications_.Get(*ref, false);
  if (!found.ok()) return ToGrpc(found.status());
  *publication = std::move(found).value();
  if (publication->state() == v1::PUBLICATION_STATE_WITHDRAWN) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition, name + " is withdrawn")
                      .WithReason("PUBLICATION_WITHDRAWN"));
  }
  // The sign-off's people sign in order: the next field is the first one
  // not signed yet.
  const int signed_count = publication->signatures_size();
  if (signed_count >= publication->signature_fields_size()) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition,
                         name + " has no unsigned signature field left", "field")
                      .WithReason("SIGNATURE_OUT_OF_ORDER"));
  }
  const std::string& next = publication->signature_fields(signed_count);
  if (field != next) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition,
                         "the next to sign " + name + " is " + next + ", not \"" + field + "\"",
                         "field")
                      .WithReason("SIGNATURE_OUT_OF_ORDER"));
  }
  auto pdf = publications_.GetPdf(publication->signed_document().sha256());
  if (!pdf.ok()) return ToGrpc(pdf.status());
  target->base_pdf = std::move(pdf).value();
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::SealPublication(grpc::ServerContext* ctx,
                                                     const v1::SealPublicationRequest* req,
                                                     v1::Publication* out) {
  SigningTarget target;
  if (grpc::Status open = OpenForSigning(ctx, req->name(), req->field(), &target); !open.ok()) {
    return open;
  }
  const v1::Publication& p = target.publication;
  if (seal_ == nullptr) {
    return ToGrpc(Status(StatusCode::kFailedPrecondition,
                         "this service has no seal (start it with --seal-p12)")
                      .WithReason("NO_SEAL"));
  }
  v1::Signature signature;
  pdf::SignatureField field;
  field.name = req->field();
  field.signing_time = SigningTime(signature.mutable_time());
  auto sealed = sign::Seal(target.base_pdf, field, *seal_);
  if (!sealed.ok()) return ToGrpc(sealed.status());
  signature.set_field(req->field());
  signature.set_signer(seal_->subject());
  signature.set_sealed(true);
  auto stored = publications_.AddSignature(target.ref, p.signed_document().sha256(), *sealed,
                                           p.document().page_count(), std::move(signature));
  if (!stored.ok()) return ToGrpc(stored.status());
  spdlog::info("{}: {} sealed by {}", req->name(), req->field(), seal_->subject());
  *out = std::move(stored).value();
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::PrepareSignature(grpc::ServerContext* ctx,
                                                      const v1::PrepareSignatureRequest* req,
                                                      v1::SignaturePreparation* out) {
  SigningTarget target;
  if (grpc::Status open = OpenForSigning(ctx, req->name(), req->field(), &target); !open.ok()) {
    return open;
  }
  const v1::Publication& p = target.publication;
  auto signer = sign::Identity::FromCertificatePem(req->certificate_chain_pem());
  if (!signer.ok()) {
    return ToGrpc(InvalidArgument(signer.status().message(), "certificate_chain_pem"));
  }
  pdf::SignatureField field;
  field.name = req->field();
  google::protobuf::Timestamp when;
  field.signing_time = SigningTime(&when);
  auto pending = sign::Prepare(target.base_pdf, field, *signer);
  if (!pending.ok()) return ToGrpc(pending.status());
  publication::Preparation saved;
  saved.publication = req->name();
  saved.field = req->field();
  saved.base_sha256 = p.signed_document().sha256();
  saved.pdf = pending->pdf.bytes;
  saved.byte_range = pending->pdf.byte_range;
  saved.capacity = pending->pdf.capacity;
  saved.signed_attributes = pending->signed_attributes;
  saved.certificate_pem = req->certificate_chain_pem();
  saved.signing_time_s = when.seconds();
  saved.page_count = p.document().page_count();
  const std::string id = NewPreparationId();
  if (Status s = publications_.SavePreparation(id, saved); !s.ok()) return ToGrpc(s);
  out->set_name(req->name());
  out->set_field(req->field());
  out->set_digest(pending->to_be_signed_sha256);
  out->set_preparation(id);
  out->mutable_expire_time()->set_seconds(when.seconds() + 3600);
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::CompleteSignature(grpc::ServerContext* ctx,
                                                       const v1::CompleteSignatureRequest* req,
                                                       v1::Publication* out) {
  auto ref = publication::ParsePublicationName(req->name(), "name");
  if (!ref.ok()) return ToGrpc(ref.status());
  if (grpc::Status allowed = Allow(ctx, ref->agency, true); !allowed.ok()) return allowed;
  auto saved = publications_.LoadPreparation(req->preparation());
  if (!saved.ok()) return ToGrpc(saved.status());
  if (saved->publication != req->name()) {
    return ToGrpc(InvalidArgument("this preparation is for another publication", "preparation"));
  }
  auto signer = sign::Identity::FromCertificatePem(saved->certificate_pem);
  if (!signer.ok()) return ToGrpc(signer.status());
  sign::PendingSignature pending;
  pending.pdf.bytes = saved->pdf;
  pending.pdf.byte_range = saved->byte_range;
  pending.pdf.capacity = saved->capacity;
  pending.signed_attributes = saved->signed_attributes;
  auto signed_pdf = sign::Complete(pending, *signer, req->signature_value());
  if (!signed_pdf.ok()) {
    Status s = signed_pdf.status();
    return ToGrpc(Status(s.code(), s.message(), "signature_value").WithReason(s.reason()));
  }
  v1::Signature signature;
  signature.set_field(saved->field);
  signature.set_signer(signer->subject());
  signature.mutable_time()->set_seconds(saved->signing_time_s);
  auto stored = publications_.AddSignature(*ref, saved->base_sha256, *signed_pdf,
                                           saved->page_count, std::move(signature));
  if (!stored.ok()) return ToGrpc(stored.status());
  (void)publications_.DeletePreparation(req->preparation());
  spdlog::info("{}: {} signed by {}", req->name(), saved->field, signer->subject());
  *out = std::move(stored).value();
  return grpc::Status::OK;
}

grpc::Status PublicationServiceImpl::VerifyDocument(grpc::ServerContext* ctx,
                                                    const v1::VerifyDocumentRequest* req,
                                                    v1::DocumentVerdict* out) {
  auto caller = auth_.Identify(*ctx);
  if (!caller.ok()) return authz::Enforce(caller.status(), *ctx, kComponent);
  auto verdict = sign::VerifyPdf(req->pdf(), trust_anchors_pem_);
  if (!verdict.ok()) return ToGrpc(InvalidArgument(verdict.status().message(), "pdf"));
  bool valid = !verdict->modified_after_last_signature;
  for (const sign::SignatureVerdict& v : verdict->signatures) {
    v1::SignatureVerdict* s = out->add_signatures();
    s->set_field(v.field);
    s->set_signer(v.signer);
    s->set_signing_time(v.signing_time);
    s->set_intact(v.intact);
    s->set_trusted(v.trusted);
    s->set_covers_whole_document(v.whole_file);
    s->set_problem(v.problem);
    valid = valid && v.intact && v.trusted;
  }
  out->set_modified_after_last_signature(verdict->modified_after_last_signature);
  out->set_unsigned_sha256(verdict->unsigned_sha256);
  auto name = publications_.FindBySha256(verdict->unsigned_sha256);
  if (!name.ok()) return ToGrpc(name.status());
  if (!name->has_value()) {
    out->set_content_problem("no publication has this document");
    out->set_valid(false);
    return grpc::Status::OK;
  }
  out->set_publication(**name);
  auto ref = publication::ParsePublicationName(**name, "publication");
  if (!ref.ok()) return ToGrpc(ref.status());
  auto p = publications_.Get(*ref, /*with_snapshot=*/true);
  if (!p.ok()) return ToGrpc(p.status());
  out->set_publication_state(p->state());
  valid = valid && p->state() != v1::PUBLICATION_STATE_WITHDRAWN;
  // The data again, rendered now: saraban's output is deterministic, so
  // the same snapshot, template and fonts give the same bytes.
  bool same_fonts = p->fonts_size() == static_cast<int>(fonts_.size());
  for (int i = 0; same_fonts && i < p->fonts_size(); ++i) {
    same_fonts = p->fonts(i).sha256() == fonts_[i].sha256();
  }
  if (!same_fonts) {
    out->set_content_problem("this service renders with other fonts than the publication's");
  } else {
    auto rendered = renderers_.Render(p->snapshot(), &p->template_());
    if (!rendered.ok()) return ToGrpc(rendered.status());
    auto fresh = report::WithSignatureFields(*rendered);
    if (!fresh.ok()) return ToGrpc(fresh.status());
    out->set_content_matches_data(Sha256Hex(*fresh) == verdict->unsigned_sha256);
    if (!out->content_matches_data()) {
      out->set_content_problem("a fresh render of the publication's data differs");
    }
  }
  out->set_valid(valid && out->content_matches_data());
  return grpc::Status::OK;
}

}  // namespace saraban::publication_service
