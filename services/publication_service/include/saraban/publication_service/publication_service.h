// saraban.v1.PublicationService over the report store, the publication
// store and the renderer: publishing renders the report's stored revision
// with the service's template and fonts and freezes it (publication.h
// keeps it). Served by the document-service process, which has the
// workers' fonts.
#pragma once

#include <string>
#include <vector>

#include "saraban/authz/caller.h"
#include "saraban/publication/publication_store.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/sign/pades.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/publication_service.grpc.pb.h"

namespace saraban::publication_service {

// The fonts of `options` by file name and SHA-256 of their bytes, as a
// publication records them; NOT_FOUND when a file cannot be read.
Result<std::vector<v1::FontIdentity>> FontIdentities(const report::RenderOptions& options);

class PublicationServiceImpl final : public v1::PublicationService::Service {
 public:
  // `renderers` renders with the fonts that `fonts` identifies. `seal`
  // (may be null: SealPublication is then FAILED_PRECONDITION) is the key
  // SealPublication signs with; VerifyDocument trusts the certificates of
  // `trust_anchors_pem`.
  PublicationServiceImpl(store::ReportStore& reports, publication::PublicationStore& publications,
                         report::RendererPool& renderers, std::vector<v1::FontIdentity> fonts,
                         authz::Authenticator auth, const sign::Identity* seal = nullptr,
                         std::string trust_anchors_pem = {})
      : reports_(reports),
        publications_(publications),
        renderers_(renderers),
        fonts_(std::move(fonts)),
        auth_(std::move(auth)),
        seal_(seal),
        trust_anchors_pem_(std::move(trust_anchors_pem)) {}

  grpc::Status PublishReport(grpc::ServerContext*, const v1::PublishReportRequest*,
                             v1::Publication*) override;
  grpc::Status GetPublication(grpc::ServerContext*, const v1::GetPublicationRequest*,
                              v1::Publication*) override;
  grpc::Status ListPublications(grpc::ServerContext*, const v1::ListPublicationsRequest*,
                                v1::ListPublicationsResponse*) override;
  grpc::Status DownloadPublication(grpc::ServerContext*, const v1::DownloadPublicationRequest*,
                                   grpc::ServerWriter<v1::DocumentChunk>*) override;
  grpc::Status WithdrawPublication(grpc::ServerContext*, const v1::WithdrawPublicationRequest*,
                                   v1::Publication*) override;
  grpc::Status SealPublication(grpc::ServerContext*, const v1::SealPublicationRequest*,
                               v1::Publication*) override;
  grpc::Status PrepareSignature(grpc::ServerContext*, const v1::PrepareSignatureRequest*,
                                v1::SignaturePreparation*) override;
  grpc::Status CompleteSignature(grpc::ServerContext*, const v1::CompleteSignatureRequest*,
                                 v1::Publication*) override;
  grpc::Status VerifyDocument(grpc::ServerContext*, const v1::VerifyDocumentRequest*,
                              v1::DocumentVerdict*) override;

 private:
  // OK when the caller may read (or, with `write`, publish) the agency's
  // reports; a denial is logged.
  grpc::Status Allow(grpc::ServerContext* ctx, const std::string& agency, bool write);
  // The publication a request names in `field`, once the caller may read it.
  grpc::Status Open(grpc::ServerContext* ctx, const std::string& name, const std::string& field,
                    bool with_snapshot, v1::Publication* out);

  // What a signature is added to: the publication and its signed PDF.
  struct SigningTarget {
    publication::PublicationRef ref;
    v1::Publication publication;
    std::string base_pdf;
  };
  // The publication a signing request names, once the caller may publish
  // its report and `field` is its next unsigned field.
  grpc::Status OpenForSigning(grpc::ServerContext* ctx, const std::string& name,
                              const std::string& field, SigningTarget* target);

  store::ReportStore& reports_;
  publication::PublicationStore& publications_;
  report::RendererPool& renderers_;
  const std::vector<v1::FontIdentity> fonts_;
  authz::Authenticator auth_;
  const sign::Identity* seal_;
  const std::string trust_anchors_pem_;  // PEM; empty: no signature is trusted
};

}  // namespace saraban::publication_service
