#include "saraban/store/report_store.h"

#include <string_view>
#include <utility>

#include "saraban/model/validate.h"
#include "saraban/redis/clock.h"
#include "records.h"

namespace saraban::store {
namespace {

using redis::Command;
using redis::Connection;
using redis::Reply;
using namespace internal;  // the record format (records.h)

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

// The write scripts' "validate only" argument.
const char* DryFlag(WriteEffect effect) { return effect == WriteEffect::kValidateOnly ? "1" : "0"; }

Command Eval(std::string_view body, std::vector<std::string> keys,
             std::vector<std::string> args) {
  Command c{"EVAL", std::string(kNowLua) + std::string(body), std::to_string(keys.size())};
  for (auto& k : keys) c.push_back(std::move(k));
  for (auto& a : args) c.push_back(std::move(a));
  return c;
}

Status NoAgency(const std::string& code) {
  return NotFound(AgencyName(code) + " does not exist", "agency.code")
      .WithReason("AGENCY_NOT_FOUND");
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

Result<std::string> ReportStore::ProvinceOf(const std::string& code) {
  auto stored = GetAgency(code);
  if (stored.ok()) return stored->agency.province();
  if (stored.status().code() == StatusCode::kNotFound) return std::string();
  return stored.status();
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

}  // namespace saraban::store
