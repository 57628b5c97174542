#include "records.h"

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <variant>

namespace saraban::queue::internal {

namespace {

constexpr std::string_view kStatePrefix = "JOB_STATE_";

int64_t ToInt(const redis::Reply& r) { return r.is_nil() ? 0 : r.AsInteger(); }

void SetTime(int64_t ms, google::protobuf::Timestamp* t) {
  t->set_seconds(ms / 1000);
  t->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

// A record's field: its name in the hash and the member it is read into.
template <typename Record>
struct Field {
  std::string_view name;
  std::variant<std::string Record::*, int64_t Record::*> member;
};

template <typename Record, size_t N>
redis::Command Hmget(const std::string& key, const Field<Record> (&fields)[N]) {
  redis::Command c = {"HMGET", key};
  for (const auto& f : fields) c.emplace_back(f.name);
  return c;
}

// Reads HMGET's reply into a record; `*present` is whether the first field
// (the one every stored record has) was there.
template <typename Record, size_t N>
Result<Record> ParseHmget(const redis::Reply& reply, const Field<Record> (&fields)[N],
                          std::string_view what) {
  if (!reply.is_array() || reply.elements.size() != N) return UnexpectedReply(what);
  Record record;
  record.exists = !reply.elements[0].is_nil();
  for (size_t i = 0; i < N; ++i) {
    const redis::Reply& value = reply.elements[i];
    if (auto text = std::get_if<std::string Record::*>(&fields[i].member)) {
      record.*(*text) = value.str;
    } else {
      record.*std::get<int64_t Record::*>(fields[i].member) = ToInt(value);
    }
  }
  return record;
}

// The job fields read; `state` first: an expired job has none.
constexpr Field<JobRecord> kJobFields[] = {
    {"state", &JobRecord::state},       {"report", &JobRecord::report},
    {"revision", &JobRecord::revision}, {"batch", &JobRecord::batch},
    {"request_id", &JobRecord::request_id}, {"attempts", &JobRecord::attempts},
    {"sha256", &JobRecord::sha256},     {"size", &JobRecord::size},
    {"pages", &JobRecord::pages},       {"error", &JobRecord::error},
    {"create_ms", &JobRecord::create_ms}, {"start_ms", &JobRecord::start_ms},
    {"finish_ms", &JobRecord::finish_ms},
};

// The batch fields read; `total` first: every batch hash has one.
constexpr Field<BatchRecord> kBatchFields[] = {
    {"total", &BatchRecord::total},         {"request_id", &BatchRecord::request_id},
    {"succeeded", &BatchRecord::succeeded}, {"failed", &BatchRecord::failed},
    {"cancelled", &BatchRecord::cancelled}, {"create_ms", &BatchRecord::create_ms},
    {"finish_ms", &BatchRecord::finish_ms}, {"error", &BatchRecord::error},
    {"owner", &BatchRecord::owner},
};

}  // namespace

std::string StoredState(v1::JobState state) {
  return v1::JobState_Name(state).substr(kStatePrefix.size());
}

v1::JobState ParseStoredState(const std::string& stored) {
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  v1::JobState_Parse(std::string(kStatePrefix) + stored, &state);
  return state;
}

std::vector<std::string> NewJobFields(const JobSpec& spec, const std::string& batch_id,
                                      const std::string& request_id) {
  std::vector<std::string> f = {
      "state",      StoredState(v1::JOB_STATE_QUEUED),
      "report",     spec.report_name,
      "revision",   std::to_string(spec.report_revision),
      "batch",      batch_id,
      "request_id", request_id,
      "snapshot",   spec.snapshot,
      "attempts",   "0",
  };
  if (spec.template_override) {
    f.push_back("template");
    f.push_back(spec.template_override->SerializeAsString());
  }
  return f;
}

redis::Command ReadJobRecord(const std::string& job_key) { return Hmget(job_key, kJobFields); }

Result<JobRecord> ParseJobRecord(const redis::Reply& reply) {
  return ParseHmget(reply, kJobFields, "HMGET job");
}

v1::Job ToJob(const std::string& job_id, const JobRecord& r, std::chrono::seconds document_ttl) {
  v1::Job job;
  job.set_name(std::string(kJobPrefix) + job_id);
  const v1::JobState state = ParseStoredState(r.state);
  job.set_state(state);
  job.set_report(r.report);
  job.set_report_revision(r.revision);
  if (!r.batch.empty()) job.set_batch(std::string(kBatchPrefix) + r.batch);
  job.set_request_id(r.request_id);
  job.set_attempts(static_cast<int32_t>(r.attempts));
  if (state == v1::JOB_STATE_SUCCEEDED) {
    v1::Document* d = job.mutable_document();
    d->set_sha256(r.sha256);
    d->set_size_bytes(r.size);
    d->set_page_count(static_cast<int32_t>(r.pages));
    SetTime(r.finish_ms + document_ttl.count() * 1000, d->mutable_expire_time());
  }
  job.set_error(r.error);
  if (r.create_ms > 0) SetTime(r.create_ms, job.mutable_create_time());
  if (r.start_ms > 0) SetTime(r.start_ms, job.mutable_start_time());
  if (r.finish_ms > 0) SetTime(r.finish_ms, job.mutable_finish_time());
  return job;
}

int64_t BatchRecord::Unfinished() const {
  return std::max<int64_t>(0, total - succeeded - failed - cancelled);
}

std::vector<std::string> NewBatchFields(const RequestId& request, size_t total,
                                        const std::string& owner) {
  return {"request_id", request.id, "total",     std::to_string(total),
          "succeeded",  "0",        "failed",    "0",
          "cancelled",  "0",        "owner",     owner};
}

redis::Command ReadBatchRecord(const std::string& batch_key) {
  return Hmget(batch_key, kBatchFields);
}

Result<BatchRecord> ParseBatchRecord(const redis::Reply& reply) {
  return ParseHmget(reply, kBatchFields, "HMGET batch");
}

v1::Batch ToBatch(const std::string& batch_id, const BatchRecord& r) {
  v1::Batch b;
  b.set_name(std::string(kBatchPrefix) + batch_id);
  b.set_request_id(r.request_id);
  b.set_total(static_cast<int32_t>(r.total));
  b.set_succeeded(static_cast<int32_t>(r.succeeded));
  b.set_failed(static_cast<int32_t>(r.failed));
  b.set_cancelled(static_cast<int32_t>(r.cancelled));
  b.set_queued(static_cast<int32_t>(r.Unfinished()));
  b.set_done(b.queued() == 0);
  if (r.create_ms > 0) SetTime(r.create_ms, b.mutable_create_time());
  if (r.finish_ms > 0) SetTime(r.finish_ms, b.mutable_finish_time());
  b.set_error(r.error);
  b.set_owner(r.owner);
  return b;
}

Result<v1::DeadLetter> ParseDeadLetter(const redis::Reply& entry) {
  if (!entry.is_array() || entry.elements.size() != 2) return UnexpectedReply("XRANGE entry");
  const std::string& id = entry.elements[0].str;
  v1::DeadLetter d;
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& k = fields[i].str;
    const std::string& v = fields[i + 1].str;
    if (k == "job") d.set_job(std::string(kJobPrefix) + v);
    if (k == "report") d.set_report(v);
    if (k == "attempts") d.set_attempts(static_cast<int32_t>(fields[i + 1].AsInteger()));
    if (k == "reason") d.set_reason(v);
  }
  SetTime(std::strtoll(id.c_str(), nullptr, 10), d.mutable_time());  // "ms-seq"
  return d;
}

std::vector<Delivery> ParseEntries(const redis::Reply& entries) {
  std::vector<Delivery> out;
  for (const auto& e : entries.elements) {
    if (!e.is_array() || e.elements.size() < 2) continue;
    Delivery d;
    d.entry_id = e.elements[0].str;
    const auto& kv = e.elements[1].elements;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i].str == "job")
        d.job_id = kv[i + 1].str;
      else if (kv[i].str == "batch")
        d.batch_id = kv[i + 1].str;
    }
    out.push_back(std::move(d));
  }
  return out;
}

Status UnexpectedReply(std::string_view what) {
  return Internal("queue: unexpected reply from " + std::string(what));
}

}  // namespace saraban::queue::internal
