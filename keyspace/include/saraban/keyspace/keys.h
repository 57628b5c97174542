// Every Redis key saraban uses, in one place. All keys start with a prefix
// (default "saraban:") so that a Redis can be shared. Values are binary
// protobuf unless said otherwise; times are Unix milliseconds as decimal.
//
// Reports and agencies (report-service writes, document-service reads):
//   {p}agency:{code}              hash: data (Agency), revision, create_ms, update_ms,
//                                 province, type
//   {p}agencies                   sorted set, all scores 0: agency codes (lexical order)
//   {p}report:{code}:{fy}         hash: data (Report without the agency's fields
//                                 other than code), revision, create_ms, update_ms
//   {p}reports                    sorted set, all scores 0: "{code}:{fy}"
//   {p}reports:fy:{fy}            sorted set, all scores 0: "{code}:{fy}" of one year
//   {p}agency:{code}:reports      set: fiscal years the agency has reports for
// The agency hash also holds province and type (the AgencyType number) as
// plain fields, so that listings filter without parsing the data. Listings
// page through the sorted sets with ZRANGE BYLEX, in byte order of the
// member: agencies in code order, reports in "{code}:{fy}" order (':' sorts
// after '-' and the digits, so "a-1:..." and "a1:..." come before "a:...").
//
// Render jobs (document-service writes, renderer workers consume):
//   {p}job:{id}                   hash: state, report, revision, batch, request_id,
//                                 snapshot (Report), template (Template, may be
//                                 absent), attempts, token (current claimant),
//                                 sha256, size, pages, error, create_ms,
//                                 start_ms, finish_ms, retry_ms
//   {p}render                     stream of {job: id, batch: id} (no batch field for
//                                 a job of its own); consumer group "renderers";
//                                 entries are deleted once acknowledged, so its
//                                 length is the backlog (retries add new entries)
//   {p}render:retry               sorted set: job ids scored by the time (ms) a
//                                 retry is due; moved back onto the stream then
//   {p}render:dead                stream of {job, report, attempts, reason}: jobs
//                                 that failed for good
//   {p}batch:{id}                 hash: request_id, total, succeeded, failed,
//                                 cancelled, create_ms, finish_ms (set when
//                                 succeeded + failed + cancelled reaches total),
//                                 error and sealed (a submission that stopped
//                                 part way: total was cut to the jobs queued,
//                                 and no more are added), owner (the caller
//                                 that submitted it, for access checks)
//   {p}caller-open:{caller}       set of "jobs/{id}" and "batches/{id}" the
//                                 caller submitted that may still be open
//                                 (its in-flight limit; finished ones are
//                                 removed when counted)
//   {p}batch:{id}:jobs            list of job ids in submission order
//   {p}request:{caller}:{request_id}
//                                 string: "jobs/{id} {fingerprint}" or
//                                 "batches/{id} {fingerprint}": what a client
//                                 request id created, and the digest of the
//                                 request that created it; {caller} is the
//                                 first 16 hex digits of the SHA-256 of the
//                                 caller's name ("-" without access control),
//                                 so two callers' ids never meet; expires
//                                 after 24 h
//   {p}pdf:{sha256}               string: the PDF bytes; expires after the
//                                 configured document time-to-live
//
// Publications (the official record; never expire, never deleted):
//   {p}publication:{code}:{fy}:{n}
//                                 hash: record (a Publication: name, report,
//                                 revision, template, fonts, document,
//                                 create time, publisher; written once),
//                                 snapshot (the Report with its agency),
//                                 revision, sha256, superseded_by (n of the
//                                 newer one), withdrawn_ms, withdrawn_by,
//                                 withdraw_reason (set once, by an operator)
//                                 signatures (each a Publication holding one
//                                 Signature, concatenated: protobuf merges them
//                                 into the list), signed_document (Document:
//                                 the PDF with every signature so far)
//   {p}signing:{id}               hash: an external signature being made
//                                 (publication, field, base_sha256, pdf, range,
//                                 capacity, attributes, certificate,
//                                 signing_time_s, pages); expires
//                                 after an hour
//   {p}publications:{code}:{fy}   string: the last n given out (INCR)
//   {p}publication-pdf:{sha256}   string: the PDF bytes: a publication's
//                                 document, and its latest signed revision
//                                 (an earlier one is deleted: the later holds
//                                 it as a prefix)
//   {p}publications:sha256        hash: sha256 -> the first publication's
//                                 name, to find a publication by its PDF
//
// Jobs, batches and request ids expire after the job time-to-live (default
// 7 days) once final; reports, agencies and publications never expire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace saraban::keyspace {

inline constexpr std::string_view kDefaultPrefix = "saraban:";
inline constexpr std::string_view kRenderGroup = "renderers";

// Builds key names under one prefix.
class Keys {
 public:
  explicit Keys(std::string prefix = std::string(kDefaultPrefix)) : p_(std::move(prefix)) {}

  const std::string& prefix() const { return p_; }

  std::string Agency(std::string_view code) const { return Join("agency:", code); }
  std::string Agencies() const { return p_ + "agencies"; }
  std::string AgencyReports(std::string_view code) const {
    return Join("agency:", code) + ":reports";
  }
  std::string Report(std::string_view code, int fiscal_year) const {
    return Join("report:", code) + ":" + std::to_string(fiscal_year);
  }
  std::string Reports() const { return p_ + "reports"; }
  std::string ReportsOfYear(int fiscal_year) const {
    return p_ + "reports:fy:" + std::to_string(fiscal_year);
  }

  std::string Job(std::string_view id) const { return Join("job:", id); }
  std::string RenderStream() const { return p_ + "render"; }
  std::string RetrySchedule() const { return p_ + "render:retry"; }
  std::string DeadLetters() const { return p_ + "render:dead"; }
  std::string CallerOpen(std::string_view caller) const { return Join("caller-open:", caller); }
  std::string Batch(std::string_view id) const { return Join("batch:", id); }
  std::string BatchJobs(std::string_view id) const { return Join("batch:", id) + ":jobs"; }
  // `caller` is the caller's scope (queue::RequestId): a digest, or "-".
  std::string Request(std::string_view caller, std::string_view request_id) const {
    return Join("request:", caller) + ":" + std::string(request_id);
  }
  std::string Pdf(std::string_view sha256) const { return Join("pdf:", sha256); }

  std::string Publication(std::string_view code, int fiscal_year, int64_t n) const {
    return Join("publication:", code) + ":" + std::to_string(fiscal_year) + ":" +
           std::to_string(n);
  }
  std::string Publications(std::string_view code, int fiscal_year) const {
    return Join("publications:", code) + ":" + std::to_string(fiscal_year);
  }
  std::string PublicationPdf(std::string_view sha256) const {
    return Join("publication-pdf:", sha256);
  }
  std::string PublicationsBySha256() const { return p_ + "publications:sha256"; }
  std::string Signing(std::string_view id) const { return Join("signing:", id); }

 private:
  std::string Join(std::string_view kind, std::string_view id) const {
    std::string k = p_;
    k += kind;
    k += id;
    return k;
  }
  std::string p_;
};

}  // namespace saraban::keyspace
