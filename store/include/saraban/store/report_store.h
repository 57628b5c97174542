// Agencies and their reports in Redis: validated, normalised, versioned.
// Every write is one atomic Lua script that checks the revision it was
// given, so a stale write is refused, never silently applied. The sources:
// src/report_store.cc (writes and reads of one record), src/listing.cc
// (listings and bulk matches), src/snapshots.cc (reports as jobs keep
// them), src/records.h (how a record is stored).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saraban/redis/client.h"
#include "saraban/status.h"
#include "saraban/keyspace/keys.h"
#include "saraban/v1/report.pb.h"

namespace saraban::store {

// A stored agency and its version.
struct StoredAgency {
  v1::Agency agency;
  int64_t revision = 0;   // 1 on create, +1 per write; the etag is derived from it
  int64_t create_ms = 0;
  int64_t update_ms = 0;
};

// A stored report: the report with its agency filled from the stored agency.
struct StoredReport {
  v1::Report report;
  int64_t revision = 0;
  int64_t create_ms = 0;
  int64_t update_ms = 0;
};

// A report as a render job keeps it: a serialized v1::Report with its
// agency, and the revision it was read at.
struct ReportSnapshot {
  std::string report;
  int64_t revision = 0;
};

// Which reports or agencies to list.
struct ReportFilter {
  std::string agency_code;  // empty means every agency
  int fiscal_year = 0;      // 0 means any
  std::string province;     // empty means any
  v1::AgencyType agency_type = v1::AGENCY_TYPE_UNSPECIFIED;
};

// One page of a listing. `next` is the opaque token for the next page, empty
// on the last one.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next;
};

// Limits of the store itself (reports have their own, in model/validate.h).
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultPageSize = 100;

// What a write does: store, or make every check a store would make (the
// validation, the agency, ALREADY_EXISTS, a stale revision) and write
// nothing; the answer then holds the stored revision and times (revision 0
// for a resource that does not exist yet). For validate_only requests.
enum class WriteEffect { kStore, kValidateOnly };

class ReportStore {
 public:
  ReportStore(redis::Pool& pool, keyspace::Keys keys) : pool_(pool), keys_(std::move(keys)) {}

  // Agencies. Writes validate the agency (code, name, type, province) and
  // normalise its text; errors name fields like "agency.name".
  Result<StoredAgency> CreateAgency(v1::Agency agency, WriteEffect effect = WriteEffect::kStore);
  Result<StoredAgency> GetAgency(const std::string& code);
  // The agency's province, for access decisions: "" when it does not exist.
  Result<std::string> ProvinceOf(const std::string& code);
  // Filters on province and type (agency_code and fiscal_year are ignored).
  Result<Page<StoredAgency>> ListAgencies(const ReportFilter& filter, int page_size,
                                          const std::string& page_token);
  // Replaces the stored agency with `agency` (the caller has applied its
  // field mask). expected_revision 0 means "any". kAborted when stale.
  Result<StoredAgency> UpdateAgency(v1::Agency agency, int64_t expected_revision,
                                    WriteEffect effect = WriteEffect::kStore);
  // kFailedPrecondition while it has reports.
  Status DeleteAgency(const std::string& code, int64_t expected_revision);

  // Reports. Writes validate and normalise with model::ValidateReport and
  // return every field error (field paths relative to the report: "title",
  // "measures[2].method..."); nothing is stored when any is returned.
  // kNotFound for an unknown agency, kAlreadyExists for a taken year.
  Result<StoredReport> CreateReport(v1::Report report, std::vector<Status>* field_errors,
                                    WriteEffect effect = WriteEffect::kStore);
  Result<StoredReport> GetReport(const std::string& code, int fiscal_year);
  // The index of the first of `refs` that does not exist, if any; pipelined
  // EXISTS, no report read.
  Result<std::optional<size_t>> FindMissingReport(
      const std::vector<std::pair<std::string, int>>& refs);
  // Many reports at once as snapshots, pipelined, in the order asked.
  // Neither parsed nor serialized again: the stored report's bytes with the
  // stored agency's appended as its `agency` field, which parsing merges
  // into the report's own (that holds only the code). kNotFound names the
  // first missing one; `*missing_index` (when given) says which it was.
  Result<std::vector<ReportSnapshot>> GetSnapshots(
      const std::vector<std::pair<std::string, int>>& refs, size_t* missing_index = nullptr);
  Result<Page<StoredReport>> ListReports(const ReportFilter& filter, int page_size,
                                         const std::string& page_token, bool summary_only);
  // Replaces the stored report (the caller has applied its field mask).
  Result<StoredReport> UpdateReport(v1::Report report, int64_t expected_revision,
                                    std::vector<Status>* field_errors,
                                    WriteEffect effect = WriteEffect::kStore);
  Status DeleteReport(const std::string& code, int fiscal_year, int64_t expected_revision);

  // For import: creates or replaces the report; with upsert_agency, creates
  // or updates its agency from report.agency first. `created` tells which.
  Result<StoredReport> PutReport(v1::Report report, bool upsert_agency, bool* created,
                                 std::vector<Status>* field_errors);

  // The (code, fiscal_year) of every report matching `filter`, in order;
  // for bulk rendering. Stops with kResourceExhausted past `limit`.
  Result<std::vector<std::pair<std::string, int>>> MatchingReports(const ReportFilter& filter,
                                                                   size_t limit);

 private:
  redis::Pool& pool_;
  keyspace::Keys keys_;
};

}  // namespace saraban::store
