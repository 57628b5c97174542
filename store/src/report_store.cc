#include "saraban/store/report_store.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <string_view>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include "saraban/digest.h"
#include "saraban/model/validate.h"
#include "saraban/page_token.h"
#include "saraban/redis/clock.h"

namespace saraban::store {
namespace {

using redis::Command;
using redis::Connection;
using redis::Reply;

// Members read per ZRANGE while a filter has to look at agencies: large
// enough that a selective filter over ~8,000 reports takes a few round
// trips, small enough that one reply stays small.
constexpr size_t kScanBatch = 512;
// Members read per ZRANGE in MatchingReports, and commands per pipeline.
constexpr size_t kBulkBatch = 2000;

// Every write is one script so that the existence check, the etag check, the
// hash and all index sets change together or not at all. Outcomes are
// returned as {"ok", revision, create_ms, update_ms[, created]} or
// {"<refusal>", detail}; times come from the Redis clock (redis/clock.h) so
// that every replica of the service agrees on them.
const std::string kNowLua = std::string(redis::kClockLua) + "local now = now_ms('')\n";

// KEYS: agency, agencies. ARGV: mode ("create"|"update"), code, data,
// province, type, expected revision (0: any), validate only ("1"|"0": every
// check, no write; the answer is the stored revision and times).
constexpr std::string_view kAgencyWriteLua = R"lua(
local exists = redis.call('EXISTS', KEYS[1]) == 1
local dry = ARGV[7] == '1'
if ARGV[1] == 'create' then
  if exists then return {'exists'} end
  if dry then return {'ok', 0, now, now} end
  redis.call('HSET', KEYS[1], 'data', ARGV[3], 'province', ARGV[4], 'type', ARGV[5],
             'revision', 1, 'create_ms', now, 'update_ms', now)
  redis.call('ZADD', KEYS[2], 0, ARGV[2])
  return {'ok', 1, now, now}
end
if not exists then return {'missing'} end
local rev = tonumber(redis.call('HGET', KEYS[1], 'revision'))
local expected = tonumber(ARGV[6])
if expected ~= 0 and expected ~= rev then return {'stale', rev} end
if dry then
  return {'ok', rev, redis.call('HGET', KEYS[1], 'create_ms'), redis.call('HGET', KEYS[1], 'update_ms')}
end
redis.call('HSET', KEYS[1], 'data', ARGV[3], 'province', ARGV[4], 'type', ARGV[5],
           'revision', rev + 1, 'update_ms', now)
return {'ok', rev + 1, redis.call('HGET', KEYS[1], 'create_ms'), now}
)lua";

// KEYS: agency, agencies, agency's report years. ARGV: code, expected.
constexpr std::string_view kAgencyDeleteLua = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local rev = tonumber(redis.call('HGET', KEYS[1], 'revision'))
local expected = tonumber(ARGV[2])
if expected ~= 0 and expected ~= rev then return {'stale', rev} end
local reports = redis.call('SCARD', KEYS[3])
if reports > 0 then return {'has_reports', reports} end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1])
return {'ok', rev, 0, now}
)lua";

// KEYS: report, reports, reports of the year, agency's report years,
// agency, agencies. ARGV: mode ("create"|"update"|"put"), member, fiscal
// year, data, expected, upsert ("1"|"0"), agency code, agency data,
// province, type, validate only ("1"|"0"). With upsert the agency is
// created, or updated when its data differs, in the same step as the
// report. Validate only makes every check and writes nothing; the answer is
// the stored revision and times (0 and now for a new report).
constexpr std::string_view kReportWriteLua = R"lua(
local mode = ARGV[1]
local dry = ARGV[11] == '1'
local upsert = ARGV[6] == '1'
local agency_exists = redis.call('EXISTS', KEYS[5]) == 1
if not upsert and not agency_exists then return {'no_agency'} end
local exists = redis.call('EXISTS', KEYS[1]) == 1
local rev = 0
if exists then rev = tonumber(redis.call('HGET', KEYS[1], 'revision')) end
if mode == 'create' and exists then return {'exists'} end
if mode == 'update' and not exists then return {'missing'} end
local expected = tonumber(ARGV[5])
if exists and expected ~= 0 and expected ~= rev then return {'stale', rev} end
if dry then
  if not exists then return {'ok', 0, now, now, 1} end
  return {'ok', rev, redis.call('HGET', KEYS[1], 'create_ms'),
          redis.call('HGET', KEYS[1], 'update_ms'), 0}
end
if upsert then
  if not agency_exists then
    redis.call('HSET', KEYS[5], 'data', ARGV[8], 'province', ARGV[9], 'type', ARGV[10],
               'revision', 1, 'create_ms', now, 'update_ms', now)
    redis.call('ZADD', KEYS[6], 0, ARGV[7])
  elseif redis.call('HGET', KEYS[5], 'data') ~= ARGV[8] then
    redis.call('HSET', KEYS[5], 'data', ARGV[8], 'province', ARGV[9], 'type', ARGV[10],
               'update_ms', now)
    redis.call('HINCRBY', KEYS[5], 'revision', 1)
  end
end
local create_ms = now
if exists then
  create_ms = redis.call('HGET', KEYS[1], 'create_ms')
  redis.call('HSET', KEYS[1], 'data', ARGV[4], 'revision', rev + 1, 'update_ms', now)
else
  redis.call('HSET', KEYS[1], 'data', ARGV[4], 'revision', 1, 'create_ms', now,
             'update_ms', now)
  redis.call('ZADD', KEYS[2], 0, ARGV[2])
  redis.call('ZADD', KEYS[3], 0, ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[3])
end
local created = 0
if not exists then created = 1 end
return {'ok', rev + 1, create_ms, now, created}
)lua";

// KEYS: report, reports, reports of the year, agency's report years.
// ARGV: member, fiscal year, expected.
constexpr std::string_view kReportDeleteLua = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local rev = tonumber(redis.call('HGET', KEYS[1], 'revision'))
local expected = tonumber(ARGV[3])
if expected ~= 0 and expected ~= rev then return {'stale', rev} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[2])
return {'ok', rev, 0, now}
)lua";

// The hash fields read back for a stored agency or report, in this order.
const Command kRecordFields = {"data", "revision", "create_ms", "update_ms"};

// The write scripts' "validate only" argument.
const char* DryFlag(WriteEffect effect) { return effect == WriteEffect::kValidateOnly ? "1" : "0"; }

Command Eval(std::string_view body, std::vector<std::string> keys,
             std::vector<std::string> args) {
  Command c{"EVAL", std::string(kNowLua) + std::string(body), std::to_string(keys.size())};
  for (auto& k : keys) c.push_back(std::move(k));
  for (auto& a : args) c.push_back(std::move(a));
  return c;
}

Command HashGet(const std::string& key, const Command& fields) {
  Command c{"HMGET", key};
  c.insert(c.end(), fields.begin(), fields.end());
  return c;
}

// What a write script answered.
struct Outcome {
  std::string what;  // "ok" or why the write was refused
  int64_t revision = 0;
  int64_t create_ms = 0;
  int64_t update_ms = 0;
  bool created = false;
};

Result<Outcome> ParseOutcome(const Reply& r) {
  if (!r.is_array() || r.elements.empty()) return Internal("unexpected reply from a write script");
  Outcome o;
  o.what = r.elements[0].str;
  if (r.elements.size() > 1) o.revision = r.elements[1].AsInteger();
  if (r.elements.size() > 3) {
    o.create_ms = r.elements[2].AsInteger();
    o.update_ms = r.elements[3].AsInteger();
  }
  if (r.elements.size() > 4) o.created = r.elements[4].AsInteger() == 1;
  return o;
}

// A write that expected another revision than the stored one. The store
// speaks revisions; the API's etag is the service's spelling of one.
Status Stale(int64_t expected, int64_t current, const std::string& what) {
  return {StatusCode::kAborted, "revision " + std::to_string(expected) + " is stale: the " + what +
                                    " is at revision " + std::to_string(current) +
                                    "; read it again"};
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Resources as the API names them (the service's names.h spells the same
// form), so that a message a caller reads names what it asked for.
std::string AgencyName(const std::string& code) { return "agencies/" + code; }
std::string ReportName(const std::string& code, int fiscal_year) {
  return AgencyName(code) + "/reports/" + std::to_string(fiscal_year);
}

Status NoAgency(const std::string& code) {
  return NotFound(AgencyName(code) + " does not exist", "agency.code")
      .WithReason("AGENCY_NOT_FOUND");
}

// "{code}:{fy}", the member of the report index sets.
std::string Member(const std::string& code, int fiscal_year) {
  return code + ":" + std::to_string(fiscal_year);
}

bool ParseMember(std::string_view m, std::string* code, int* fiscal_year) {
  const size_t colon = m.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view year = m.substr(colon + 1);
  auto [end, ec] = std::from_chars(year.data(), year.data() + year.size(), *fiscal_year);
  if (ec != std::errc() || end != year.data() + year.size() || year.empty()) return false;
  *code = std::string(m.substr(0, colon));
  return model::ValidateAgencyCode(*code).ok();
}

// What a listing's page token is bound to: the kind of listing and every
// filter. A token continues the query it came from, and no other.
std::string QueryOf(std::string_view kind, const ReportFilter& f) {
  return PageQuery({kind, f.agency_code, std::to_string(f.fiscal_year), f.province,
                    std::to_string(f.agency_type)});
}

// The member a page token names. Anything we did not hand out is refused
// rather than guessed at, and so is a token of another query.
Result<std::string> MemberOfToken(const std::string& token, std::string_view query,
                                  bool report_member) {
  auto member = DecodePageToken(token, query);
  if (!member.ok()) return member.status();
  std::string code;
  int fiscal_year = 0;
  const bool valid = report_member ? ParseMember(*member, &code, &fiscal_year)
                                   : model::ValidateAgencyCode(*member).ok();
  if (!valid) return ForeignPageToken();
  return member;
}

Result<size_t> PageSize(int page_size) {
  // AIP-158: 0 is the default, a negative size an error, more than the
  // maximum the maximum.
  if (page_size == 0) return static_cast<size_t>(kDefaultPageSize);
  if (page_size < 0) {
    return InvalidArgument("page size " + std::to_string(page_size) + " is negative", "page_size");
  }
  return static_cast<size_t>(std::min(page_size, kMaxPageSize));
}

// A lexical range of a sorted set whose scores are all 0.
struct LexRange {
  std::string key;
  std::string min = "-";  // ZRANGE BYLEX bounds: "-", "+", "[x" or "(x"
  std::string max = "+";
};

// Starts `range` after the member a page token names, but never before
// where it started: a token from another listing cannot widen a filter.
void StartAfter(LexRange* range, const std::string& member) {
  const std::string lowest = range->min == "-" ? std::string() : range->min.substr(1);
  if (member >= lowest) range->min = "(" + member;
}

// The agency fields filters look at, fetched once per agency per call.
class AgencyMatcher {
 public:
  AgencyMatcher(const keyspace::Keys& keys, const ReportFilter& filter) : keys_(keys), filter_(filter) {}

  bool active() const {
    return !filter_.province.empty() || filter_.agency_type != v1::AGENCY_TYPE_UNSPECIFIED;
  }

  // Whether each agency in `codes` matches, in one round trip for the codes
  // not seen before.
  Result<std::vector<bool>> Match(Connection& c, const std::vector<std::string>& codes) {
    std::vector<bool> out(codes.size(), true);
    if (!active()) return out;
    std::vector<std::string> unseen;
    for (const auto& code : codes) {
      if (!known_.contains(code) &&
          (unseen.empty() || std::find(unseen.begin(), unseen.end(), code) == unseen.end())) {
        unseen.push_back(code);
      }
    }
    for (size_t start = 0; start < unseen.size(); start += kBulkBatch) {
      const size_t end = std::min(unseen.size(), start + kBulkBatch);
      std::vector<Command> cmds;
      for (size_t i = start; i < end; ++i) {
        cmds.push_back({"HMGET", keys_.Agency(unseen[i]), "province", "type"});
      }
      auto replies = c.Pipeline(cmds);
      if (!replies.ok()) return replies.status();
      for (size_t i = start; i < end; ++i) {
        const Reply& r = (*replies)[i - start];
        const bool present = r.is_array() && r.elements.size() == 2 && !r.elements[0].is_nil();
        known_[unseen[i]] =
            present &&
            (filter_.province.empty() || r.elements[0].str == filter_.province) &&
            (filter_.agency_type == v1::AGENCY_TYPE_UNSPECIFIED ||
             r.elements[1].AsInteger() == static_cast<long long>(filter_.agency_type));
      }
    }
    for (size_t i = 0; i < codes.size(); ++i) out[i] = known_[codes[i]];
    return out;
  }

 private:
  const keyspace::Keys& keys_;
  const ReportFilter& filter_;
  std::map<std::string, bool> known_;
};

// Walks `range` in lexical order and keeps the members whose agency (the
// code `code_of` takes out of a member) `matcher` accepts, until `want` are
// kept or the range ends.
template <typename CodeOf>
Result<std::vector<std::string>> Scan(Connection& c, LexRange range, size_t want,
                                      size_t batch, AgencyMatcher& matcher, CodeOf code_of) {
  std::vector<std::string> kept;
  while (kept.size() < want) {
    // Without a filter every member is kept: read no more than needed.
    const size_t n = matcher.active() ? batch : std::min(batch, want - kept.size());
    auto r = c.Run({"ZRANGE", range.key, range.min, range.max, "BYLEX", "LIMIT", "0",
                    std::to_string(n)});
    if (!r.ok()) return r.status();
    const std::vector<Reply>& members = r->elements;
    if (members.empty()) break;
    std::vector<std::string> codes;
    codes.reserve(members.size());
    for (const Reply& m : members) codes.push_back(code_of(m.str));
    auto matches = matcher.Match(c, codes);
    if (!matches.ok()) return matches.status();
    for (size_t i = 0; i < members.size() && kept.size() < want; ++i) {
      if ((*matches)[i]) kept.push_back(members[i].str);
    }
    if (members.size() < n) break;
    range.min = "(" + members.back().str;
  }
  return kept;
}

std::string CodeOfMember(const std::string& member) {
  return member.substr(0, member.rfind(':'));
}

// Reads a [data, revision, create_ms, update_ms] reply; false when the hash
// does not exist.
// The wire bytes of a stored report without its measures, introduction
// and sign-off: a summary listing then parses (and checks the UTF-8 of) a
// few hundred bytes of each report instead of all of it. False if the bytes
// are not a well-formed message.
bool SummaryBytes(std::string_view data, std::string* out) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()),
                                            static_cast<int>(data.size()));
  out->clear();
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return static_cast<size_t>(start) == data.size();
    if (!WireFormatLite::SkipField(&in, tag)) return false;
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if (field == v1::Report::kMeasuresFieldNumber ||
        field == v1::Report::kIntroductionFieldNumber ||
        field == v1::Report::kSignOffFieldNumber) {
      continue;
    }
    out->append(data.substr(start, in.CurrentPosition() - start));
  }
}

template <typename Message>
Result<bool> ParseRecord(const Reply& r, Message* message, int64_t* revision, int64_t* create_ms,
                         int64_t* update_ms, bool summary_only = false) {
  if (!r.is_array() || r.elements.size() != 4 || r.elements[0].is_nil()) return false;
  std::string_view data = r.elements[0].str;
  std::string summary;
  bool well_formed = true;
  if (summary_only) {  // a report listed without its bulk
    well_formed = SummaryBytes(data, &summary);
    data = summary;
  }
  if (!well_formed || !message->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Internal("stored " + std::string(Message::descriptor()->name()) +
                    " does not parse; the data in Redis is damaged");
  }
  *revision = r.elements[1].AsInteger();
  *create_ms = r.elements[2].AsInteger();
  *update_ms = r.elements[3].AsInteger();
  return true;
}

Result<StoredAgency> ParseAgency(const Reply& r, const std::string& code) {
  StoredAgency a;
  auto found = ParseRecord(r, &a.agency, &a.revision, &a.create_ms, &a.update_ms);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound(AgencyName(code) + " does not exist").WithReason("AGENCY_NOT_FOUND");
  return a;
}

// A report read back, with its agency filled from the stored one.
Result<StoredReport> ParseReport(const Reply& report, const Reply& agency, const std::string& code,
                                 int fiscal_year, bool summary_only = false) {
  StoredReport out;
  auto found = ParseRecord(report, &out.report, &out.revision, &out.create_ms, &out.update_ms,
                           summary_only);
  if (!found.ok()) return found.status();
  if (!*found) {
    return NotFound(ReportName(code, fiscal_year) + " does not exist").WithReason("REPORT_NOT_FOUND");
  }
  if (agency.is_nil() || !out.report.mutable_agency()->ParseFromString(agency.str)) {
    return Internal("the agency of " + ReportName(code, fiscal_year) +
                    " is missing or damaged in Redis");
  }
  return out;
}

// "the report has 3 problems; the first: title: is required ...", for
// callers that passed no error list.
Status Invalid(const std::vector<Status>& errors, const std::string& what,
               std::vector<Status>* field_errors) {
  Status first = errors.front();
  std::string message = what + " has " + std::to_string(errors.size()) +
                        (errors.size() == 1 ? " problem: " : " problems; the first: ") +
                        first.ToString();
  if (field_errors != nullptr) *field_errors = errors;
  return {StatusCode::kInvalidArgument, std::move(message), first.field()};
}

}  // namespace

// ---- Agencies ----

Result<StoredAgency> ReportStore::CreateAgency(v1::Agency agency, WriteEffect effect) {
  if (auto errors = model::ValidateAgency(&agency); !errors.empty()) {
    return Invalid(errors, "the agency", nullptr);
  }
  const std::string code = agency.code();
  auto lease = pool_.Acquire();
  auto r = lease->Run(Eval(kAgencyWriteLua, {keys_.Agency(code), keys_.Agencies()},
                           {"create", code, agency.SerializeAsString(), agency.province(),
                            std::to_string(agency.type()), "0", DryFlag(effect)}));
  if (!r.ok()) return r.status();
  auto o = ParseOutcome(*r);
  if (!o.ok()) return o.status();
  if (o->what == "exists") {
    return Status(StatusCode::kAlreadyExists, AgencyName(code) + " already exists",
                  "agency.code");
  }
  return StoredAgency{std::move(agency), o->revision, o->create_ms, o->update_ms};
}

Result<StoredAgency> ReportStore::GetAgency(const std::string& code) {
  if (Status s = model::ValidateAgencyCode(code); !s.ok()) return s;
  auto r = redis::Run(pool_, HashGet(keys_.Agency(code), kRecordFields));
  if (!r.ok()) return r.status();
  return ParseAgency(*r, code);
}

Result<Page<StoredAgency>> ReportStore::ListAgencies(const ReportFilter& filter, int page_size,
                                                     const std::string& page_token) {
  auto size = PageSize(page_size);
  if (!size.ok()) return size.status();
  LexRange range{keys_.Agencies()};
  const std::string query = QueryOf("agencies", filter);
  if (!page_token.empty()) {
    auto member = MemberOfToken(page_token, query, /*report_member=*/false);
    if (!member.ok()) return member.status();
    StartAfter(&range, *member);
  }
  ReportFilter agency_filter;
  agency_filter.province = filter.province;
  agency_filter.agency_type = filter.agency_type;
  AgencyMatcher matcher(keys_, agency_filter);
  auto lease = pool_.Acquire();
  // One more than a page tells whether there is a next page.
  auto codes = Scan(*lease, range, *size + 1, std::max(*size + 1, kScanBatch), matcher,
                    [](const std::string& m) { return m; });
  if (!codes.ok()) return codes.status();
  Page<StoredAgency> page;
  if (codes->size() > *size) {
    codes->resize(*size);
    page.next = EncodePageToken(query, codes->back());
  }
  std::vector<Command> cmds;
  for (const auto& code : *codes) cmds.push_back(HashGet(keys_.Agency(code), kRecordFields));
  auto replies = lease->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < codes->size(); ++i) {
    auto a = ParseAgency((*replies)[i], (*codes)[i]);
    if (a.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!a.ok()) return a.status();
    page.items.push_back(std::move(a).value());
  }
  return page;
}

Result<StoredAgency> ReportStore::UpdateAgency(v1::Agency agency, int64_t expected_revision,
                                              WriteEffect effect) {
  if (auto errors = model::ValidateAgency(&agency); !errors.empty()) {
    return Invalid(errors, "the agency", nullptr);
  }
  const std::string code = agency.code();
  auto lease = pool_.Acquire();
  auto r = lease->Run(Eval(kAgencyWriteLua, {keys_.Agency(code), keys_.Agencies()},
                           {"update", code, agency.SerializeAsString(), agency.province(),
                            std::to_string(agency.type()), std::to_string(expected_revision),
                            DryFlag(effect)}));
  if (!r.ok()) return r.status();
  auto o = ParseOutcome(*r);
  if (!o.ok()) return o.status();
  if (o->what == "missing") {
    return NotFound(AgencyName(code) + " does not exist").WithReason("AGENCY_NOT_FOUND");
  }
  if (o->what == "stale") return Stale(expected_revision, o->revision, "agency");
  return StoredAgency{std::move(agency), o->revision, o->create_ms, o->update_ms};
}

Status ReportStore::DeleteAgency(const std::string& code, int64_t expected_revision) {
  if (Status s = model::ValidateAgencyCode(code); !s.ok()) return s;
  auto lease = pool_.Acquire();
  auto r = lease->Run(
      Eval(kAgencyDeleteLua, {keys_.Agency(code), keys_.Agencies(), keys_.AgencyReports(code)},
           {code, std::to_string(expected_revision)}));
  if (!r.ok()) return r.status();
  auto o = ParseOutcome(*r);
  if (!o.ok()) return o.status();
  if (o->what == "missing") {
    return NotFound(AgencyName(code) + " does not exist").WithReason("AGENCY_NOT_FOUND");
  }
  if (o->what == "stale") return Stale(expected_revision, o->revision, "agency");
  if (o->what == "has_reports") {
    return Status(StatusCode::kFailedPrecondition,
                  AgencyName(code) + " still has " + std::to_string(o->revision) +
                      " report(s); delete them first")
        .WithReason("AGENCY_HAS_REPORTS");
  }
  return Status::Ok();
}

// ---- Reports ----

namespace {

enum class WriteMode { kCreate, kUpdate, kPut };

const char* ModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kCreate: return "create";
    case WriteMode::kUpdate: return "update";
    case WriteMode::kPut: return "put";
  }
  return "put";
}

// Validates `report` with its agency as it will be rendered, then stores it
// in one script. Shared by CreateReport, UpdateReport and PutReport.
Result<StoredReport> WriteReport(redis::Pool& pool, const keyspace::Keys& keys, v1::Report report,
                                        WriteMode mode, int64_t expected_revision,
                                        bool upsert_agency, bool* created,
                                        std::vector<Status>* field_errors, WriteEffect effect) {
  const std::string code = report.agency().code();
  if (Status s = model::ValidateAgencyCode(code); !s.ok()) {
    return Status(s.code(), s.message(), "agency.code");
  }
  auto lease = pool.Acquire();
  if (!upsert_agency) {
    auto r = lease->Run({"HGET", keys.Agency(code), "data"});
    if (!r.ok()) return r.status();
    if (r->is_nil()) return NoAgency(code);
    if (!report.mutable_agency()->ParseFromString(r->str)) {
      return Internal("stored agency " + Quoted(code) + " does not parse; the data in Redis is damaged");
    }
  }
  if (auto errors = model::ValidateReport(&report); !errors.empty()) {
    return Invalid(errors, "the report", field_errors);
  }
  const int fy = report.fiscal_year();
  const v1::Agency agency = report.agency();
  // Names are spelled once, in the agency: the stored report keeps its code.
  report.mutable_agency()->Clear();
  report.mutable_agency()->set_code(code);
  const std::string member = Member(code, fy);
  auto r = lease->Run(Eval(
      kReportWriteLua,
      {keys.Report(code, fy), keys.Reports(), keys.ReportsOfYear(fy), keys.AgencyReports(code),
       keys.Agency(code), keys.Agencies()},
      {ModeName(mode), member, std::to_string(fy), report.SerializeAsString(),
       std::to_string(expected_revision), upsert_agency ? "1" : "0", code,
       agency.SerializeAsString(), agency.province(), std::to_string(agency.type()),
       DryFlag(effect)}));
  if (!r.ok()) return r.status();
  auto o = ParseOutcome(*r);
  if (!o.ok()) return o.status();
  if (o->what == "no_agency") return NoAgency(code);
  if (o->what == "exists") {
    return Status(StatusCode::kAlreadyExists, ReportName(code, fy) + " already exists",
                  "fiscalYear");
  }
  if (o->what == "missing") {
    return NotFound(ReportName(code, fy) + " does not exist").WithReason("REPORT_NOT_FOUND");
  }
  if (o->what == "stale") return Stale(expected_revision, o->revision, "report");
  if (o->what != "ok") return Internal("write script answered " + Quoted(o->what));
  if (created != nullptr) *created = o->created;
  *report.mutable_agency() = agency;
  return StoredReport{std::move(report), o->revision, o->create_ms, o->update_ms};
}

}  // namespace

Result<StoredReport> ReportStore::CreateReport(v1::Report report,
                                               std::vector<Status>* field_errors,
                                               WriteEffect effect) {
  return WriteReport(pool_, keys_, std::move(report), WriteMode::kCreate, 0, false, nullptr,
                     field_errors, effect);
}

Result<StoredReport> ReportStore::GetReport(const std::string& code, int fiscal_year) {
  if (Status s = model::ValidateAgencyCode(code); !s.ok()) return s;
  auto lease = pool_.Acquire();
  auto replies = lease->Pipeline(
      {HashGet(keys_.Report(code, fiscal_year), kRecordFields), {"HGET", keys_.Agency(code), "data"}});
  if (!replies.ok()) return replies.status();
  return ParseReport((*replies)[0], (*replies)[1], code, fiscal_year);
}

Result<std::optional<size_t>> ReportStore::FindMissingReport(
    const std::vector<std::pair<std::string, int>>& refs) {
  constexpr size_t kChunk = 1024;  // EXISTS replies are tiny
  for (size_t begin = 0; begin < refs.size(); begin += kChunk) {
    const size_t end = std::min(refs.size(), begin + kChunk);
    std::vector<redis::Command> commands;
    commands.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      commands.push_back({"EXISTS", keys_.Report(refs[i].first, refs[i].second)});
    }
    Result<std::vector<redis::Reply>> replies = [&] {
      auto lease = pool_.Acquire();
      return lease->Pipeline(commands);
    }();
    if (!replies.ok()) return replies.status();
    for (size_t i = begin; i < end; ++i) {
      if ((*replies)[i - begin].AsInteger() == 0) return std::optional<size_t>(i);
    }
  }
  return std::optional<size_t>();
}

Result<std::vector<ReportSnapshot>> ReportStore::GetSnapshots(
    const std::vector<std::pair<std::string, int>>& refs, size_t* missing_index) {
  // Commands per round trip: enough to hide the latency, small enough that
  // one bulk request does not hold a connection (and Redis) for long.
  constexpr size_t kChunk = 256;
  std::vector<ReportSnapshot> out;
  out.reserve(refs.size());
  for (size_t begin = 0; begin < refs.size(); begin += kChunk) {
    const size_t end = std::min(refs.size(), begin + kChunk);
    std::vector<redis::Command> commands;
    commands.reserve(2 * (end - begin));
    for (size_t i = begin; i < end; ++i) {
      const auto& [code, fiscal_year] = refs[i];
      if (Status s = model::ValidateAgencyCode(code); !s.ok()) {
        if (missing_index != nullptr) *missing_index = i;
        return s;
      }
      commands.push_back({"HMGET", keys_.Report(code, fiscal_year), "data", "revision"});
      commands.push_back({"HGET", keys_.Agency(code), "data"});
    }
    Result<std::vector<redis::Reply>> replies = [&] {
      auto lease = pool_.Acquire();
      return lease->Pipeline(commands);
    }();
    if (!replies.ok()) return replies.status();
    for (size_t i = begin; i < end; ++i) {
      Reply& report = (*replies)[2 * (i - begin)];
      const Reply& agency = (*replies)[2 * (i - begin) + 1];
      const auto& [code, fiscal_year] = refs[i];
      if (!report.is_array() || report.elements.size() != 2 || report.elements[0].is_nil()) {
        if (missing_index != nullptr) *missing_index = i;
        return NotFound(ReportName(code, fiscal_year) + " does not exist")
            .WithReason("REPORT_NOT_FOUND");
      }
      if (agency.is_nil()) {
        if (missing_index != nullptr) *missing_index = i;
        return Internal("the agency of " + ReportName(code, fiscal_year) + " is missing in Redis");
      }
      ReportSnapshot snapshot;
      snapshot.report = std::move(report.elements[0].str);
      snapshot.revision = report.elements[1].AsInteger();
      {
        google::protobuf::io::StringOutputStream stream(&snapshot.report);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
            v1::Report::kAgencyFieldNumber,
            google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
        coded.WriteVarint32(static_cast<uint32_t>(agency.str.size()));
        coded.WriteRaw(agency.str.data(), static_cast<int>(agency.str.size()));
      }
      out.push_back(std::move(snapshot));
    }
  }
  return out;
}

namespace {

// Where reports matching `filter` live: one year's index when the year is
// fixed, one agency's slice when the agency is.
LexRange ReportRange(const keyspace::Keys& keys, const ReportFilter& filter) {
  LexRange range{filter.fiscal_year != 0 ? keys.ReportsOfYear(filter.fiscal_year)
                                         : keys.Reports()};
  if (!filter.agency_code.empty()) {
    // ';' follows ':', so [code: .. (code; holds exactly "code:*".
    range.min = "[" + filter.agency_code + ":";
    range.max = "(" + filter.agency_code + ";";
  }
  return range;
}

}  // namespace

Result<Page<StoredReport>> ReportStore::ListReports(const ReportFilter& filter, int page_size,
                                                    const std::string& page_token,
                                                    bool summary_only) {
  auto size = PageSize(page_size);
  if (!size.ok()) return size.status();
  if (!filter.agency_code.empty()) {
    if (Status s = model::ValidateAgencyCode(filter.agency_code); !s.ok()) return s;
  }
  LexRange range = ReportRange(keys_, filter);
  const std::string query = QueryOf("reports", filter);
  if (!page_token.empty()) {
    auto member = MemberOfToken(page_token, query, /*report_member=*/true);
    if (!member.ok()) return member.status();
    StartAfter(&range, *member);
  }
  AgencyMatcher matcher(keys_, filter);
  auto lease = pool_.Acquire();
  auto members = Scan(*lease, range, *size + 1, std::max(*size + 1, kScanBatch), matcher,
                      CodeOfMember);
  if (!members.ok()) return members.status();
  Page<StoredReport> page;
  if (members->size() > *size) {
    members->resize(*size);
    page.next = EncodePageToken(query, members->back());
  }
  // One round trip for the page: every report, then each agency once.
  std::vector<Command> cmds;
  std::vector<std::string> codes;
  std::vector<int> years;
  std::map<std::string, size_t> agency_reply;  // code -> index of its reply
  for (const auto& m : *members) {
    std::string code;
    int fy = 0;
    if (!ParseMember(m, &code, &fy)) return Internal("malformed report index member " + Quoted(m));
    cmds.push_back(HashGet(keys_.Report(code, fy), kRecordFields));
    codes.push_back(code);
    years.push_back(fy);
  }
  for (const auto& code : codes) {
    if (agency_reply.contains(code)) continue;
    agency_reply[code] = cmds.size();
    cmds.push_back({"HGET", keys_.Agency(code), "data"});
  }
  auto replies = lease->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < members->size(); ++i) {
    auto r = ParseReport((*replies)[i], (*replies)[agency_reply[codes[i]]], codes[i], years[i],
                         summary_only);
    if (r.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!r.ok()) return r.status();
    page.items.push_back(std::move(r).value());
  }
  return page;
}

Result<StoredReport> ReportStore::UpdateReport(v1::Report report, int64_t expected_revision,
                                               std::vector<Status>* field_errors,
                                               WriteEffect effect) {
  return WriteReport(pool_, keys_, std::move(report), WriteMode::kUpdate, expected_revision,
                     false, nullptr, field_errors, effect);
}

Status ReportStore::DeleteReport(const std::string& code, int fiscal_year,
                                 int64_t expected_revision) {
  if (Status s = model::ValidateAgencyCode(code); !s.ok()) return s;
  auto lease = pool_.Acquire();
  auto r = lease->Run(Eval(kReportDeleteLua,
                           {keys_.Report(code, fiscal_year), keys_.Reports(),
                            keys_.ReportsOfYear(fiscal_year), keys_.AgencyReports(code)},
                           {Member(code, fiscal_year), std::to_string(fiscal_year),
                            std::to_string(expected_revision)}));
  if (!r.ok()) return r.status();
  auto o = ParseOutcome(*r);
  if (!o.ok()) return o.status();
  if (o->what == "missing") {
    return NotFound(ReportName(code, fiscal_year) + " does not exist").WithReason("REPORT_NOT_FOUND");
  }
  if (o->what == "stale") return Stale(expected_revision, o->revision, "report");
  return Status::Ok();
}

Result<StoredReport> ReportStore::PutReport(v1::Report report, bool upsert_agency, bool* created,
                                            std::vector<Status>* field_errors) {
  return WriteReport(pool_, keys_, std::move(report), WriteMode::kPut, 0, upsert_agency, created,
                     field_errors, WriteEffect::kStore);
}

Result<std::vector<std::pair<std::string, int>>> ReportStore::MatchingReports(
    const ReportFilter& filter, size_t limit) {
  if (!filter.agency_code.empty()) {
    if (Status s = model::ValidateAgencyCode(filter.agency_code); !s.ok()) return s;
  }
  AgencyMatcher matcher(keys_, filter);
  auto lease = pool_.Acquire();
  // One past the limit tells that the limit was passed.
  const size_t want = limit == std::numeric_limits<size_t>::max() ? limit : limit + 1;
  auto members = Scan(*lease, ReportRange(keys_, filter), want, kBulkBatch, matcher, CodeOfMember);
  if (!members.ok()) return members.status();
  if (members->size() > limit) {
    return Status(StatusCode::kResourceExhausted,
                  "more than " + std::to_string(limit) +
                      " reports match; narrow the selection (fiscal year, province, agency type)");
  }
  std::vector<std::pair<std::string, int>> out;
  out.reserve(members->size());
  for (const auto& m : *members) {
    std::string code;
    int fy = 0;
    if (!ParseMember(m, &code, &fy)) return Internal("malformed report index member " + Quoted(m));
    out.emplace_back(std::move(code), fy);
  }
  return out;
}

}  // namespace saraban::store
