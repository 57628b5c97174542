// Publications in Redis: the official record of what each report said when
// it was published. A publication is written once, by one script, and
// never expires; the only later writes are the supersession mark (when a
// newer publication of the report is made) and an operator's withdrawal.
// The PDFs are kept under their SHA-256 without a time-to-live. The key
// layout is in saraban/keyspace/keys.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saraban/keyspace/keys.h"
#include "saraban/redis/client.h"
#include "saraban/status.h"
#include "saraban/v1/publication_service.pb.h"

namespace saraban::publication {

// What a new publication holds. The store gives it its number, its time
// and its place in the report's record.
struct NewPublication {
  std::string agency;  // the agency code
  int fiscal_year = 0;
  int64_t report_revision = 0;
  std::string snapshot;  // a serialized v1::Report with its agency
  v1::Template template_used;
  std::vector<v1::FontIdentity> fonts;
  std::string pdf;
  int page_count = 0;
  std::string publisher;  // the caller's name
  std::vector<std::string> signature_fields;  // in signing order
};

// An external signature being made: what CompleteSignature needs again.
struct Preparation {
  std::string publication;  // its name
  std::string field;
  std::string base_sha256;  // the PDF the signature is added to
  std::string pdf;          // that PDF with the field and a zero placeholder
  std::array<size_t, 4> byte_range{};
  size_t capacity = 0;
  std::string signed_attributes;
  std::string certificate_pem;
  int64_t signing_time_s = 0;  // the /M written, as Unix seconds
  int page_count = 0;
};

// A publication's place: its report and its number (from 1).
struct PublicationRef {
  std::string agency;
  int fiscal_year = 0;
  int64_t number = 0;
};

struct PublicationPage {
  std::vector<v1::Publication> publications;  // newest first
  std::string next;                            // opaque; empty on the last page
};

class PublicationStore {
 public:
  PublicationStore(redis::Pool& pool, keyspace::Keys keys) : pool_(pool), keys_(std::move(keys)) {}

  // Stores `p` as its report's next publication and marks the one before
  // superseded, in one script. When the report's latest publication holds
  // the same revision with the same PDF bytes and is not withdrawn, returns
  // that one and stores nothing (`*created` false): publishing is
  // idempotent.
  Result<v1::Publication> Publish(const NewPublication& p, bool* created);
  // NOT_FOUND (PUBLICATION_NOT_FOUND) when there is no such publication.
  Result<v1::Publication> Get(const PublicationRef& ref, bool with_snapshot = true);
  // A report's publications, newest first, without snapshots. `page_token`
  // is one this call returned for the same report.
  Result<PublicationPage> List(const std::string& agency, int fiscal_year, int page_size,
                               const std::string& page_token);
  // The PDF of a publication (its document's SHA-256).
  Result<std::string> GetPdf(const std::string& sha256);
  // Marks it withdrawn by `operator_name` for `reason`; a publication
  // already withdrawn keeps its first withdrawal (FAILED_PRECONDITION,
  // PUBLICATION_WITHDRAWN).
  Result<v1::Publication> Withdraw(const PublicationRef& ref, const std::string& operator_name,
                                   const std::string& reason);
  // Records `signature` and stores `signed_pdf` as the publication's
  // signed document, if the signed document is still `base_sha256` (no
  // other signature landed since it was read): else ABORTED. A withdrawn
  // publication is not signed (FAILED_PRECONDITION).
  Result<v1::Publication> AddSignature(const PublicationRef& ref, const std::string& base_sha256,
                                       const std::string& signed_pdf, int page_count,
                                       v1::Signature signature);
  // External signatures being made, kept for an hour.
  Status SavePreparation(const std::string& id, const Preparation& p);
  // NOT_FOUND (PREPARATION_NOT_FOUND) once it expired or was used.
  Result<Preparation> LoadPreparation(const std::string& id);
  Status DeletePreparation(const std::string& id);

  // The name of the first publication whose PDF has this SHA-256, if any.
  Result<std::optional<std::string>> FindBySha256(const std::string& sha256);

 private:
  redis::Pool& pool_;
  keyspace::Keys keys_;
};

// agencies/{agency}/reports/{fiscal_year}/publications/{n}
std::string PublicationName(const PublicationRef& ref);
// The parts of a publication name; INVALID_ARGUMENT on `field` otherwise.
Result<PublicationRef> ParsePublicationName(const std::string& name, const std::string& field);

}  // namespace saraban::publication
