#include "saraban/queue/job_queue.h"

#include <algorithm>
#include <future>
#include <utility>

#include "saraban/digest.h"
#include "scripts.h"

namespace saraban::queue {

namespace {

using internal::RunCommands;
using internal::RunScript;
using internal::ScriptCommand;

// Jobs per script call when writing or cancelling a batch: one round trip
// each, short enough not to stall Redis for other clients.
constexpr size_t kBatchChunk = 200;

// A job's state as its Redis hash stores it: the JobState value's name
// without the JOB_STATE_ prefix ("QUEUED", "SUCCEEDED"), as the Lua scripts
// write it. The stored form is a storage format, independent of the API's
// enum spelling.
constexpr std::string_view kStatePrefix = "JOB_STATE_";

std::string StoredState(v1::JobState state) {
  return v1::JobState_Name(state).substr(kStatePrefix.size());
}

v1::JobState ParseStoredState(const std::string& stored) {
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  v1::JobState_Parse(std::string(kStatePrefix) + stored, &state);
  return state;
}
// Retries moved back onto the stream per PromoteDueRetries call.
constexpr int kPromoteLimit = 500;

constexpr std::string_view kJobPrefix = "jobs/";
constexpr std::string_view kBatchPrefix = "batches/";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetTime(int64_t ms, google::protobuf::Timestamp* t) {
  t->set_seconds(ms / 1000);
  t->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

int64_t ToInt(const redis::Reply& r) { return r.is_nil() ? 0 : r.AsInteger(); }

// What a request id's key holds: the name of what it created, a space, the
// fingerprint of the request that created it.
std::string RequestRecord(std::string_view name, const RequestId& request) {
  return std::string(name) + " " + request.fingerprint;
}

// The name an earlier submission recorded under the same request id, when
// it asked for the same as `request` and created something of `collection`.
// Anything else is refused without saying what the id created: under a
// shared scope (no access control) that could be another client's work.
Result<std::string> Recall(std::string_view record, const RequestId& request,
                           std::string_view collection) {
  const size_t space = record.find(' ');
  const std::string_view name = record.substr(0, space);
  const std::string_view fingerprint =
      space == std::string_view::npos ? std::string_view() : record.substr(space + 1);
  if (fingerprint != request.fingerprint || name.substr(0, collection.size()) != collection) {
    return Status(StatusCode::kAlreadyExists,
                  "was already used for a different request; a new request needs a new id",
                  "request_id")
        .WithReason("REQUEST_ID_REUSED");
  }
  return std::string(name);
}

// The hash fields of a new job.
std::vector<std::string> JobFields(const JobSpec& spec, const std::string& batch_id,
                                   const std::string& request_id, int64_t now) {
  std::vector<std::string> f = {
      "state",      StoredState(v1::JOB_STATE_QUEUED),
      "report",     spec.report_name,
      "revision",   std::to_string(spec.report_revision),
      "batch",      batch_id,
      "request_id", request_id,
      "snapshot",   spec.snapshot,
      "attempts",   "0",
      "create_ms",  std::to_string(now),
  };
  if (spec.template_override) {
    f.push_back("template");
    f.push_back(spec.template_override->SerializeAsString());
  }
  return f;
}

// The fields GetJob reads, in this order (never the snapshot: it is large).
const std::vector<std::string>& JobReadFields() {
  static const std::vector<std::string> f = {
      "state", "report", "revision", "batch",     "request_id", "attempts", "sha256",
      "size",  "pages",  "error",    "create_ms", "start_ms",   "finish_ms"};
  return f;
}

v1::Job JobFromFields(const std::string& id, const std::vector<redis::Reply>& v,
                      std::chrono::seconds document_ttl) {
  v1::Job job;
  job.set_name(std::string(kJobPrefix) + id);
  const v1::JobState state = ParseStoredState(v[0].str);
  job.set_state(state);
  job.set_report(v[1].str);
  job.set_report_revision(ToInt(v[2]));
  if (!v[3].str.empty()) job.set_batch(std::string(kBatchPrefix) + v[3].str);
  job.set_request_id(v[4].str);
  job.set_attempts(static_cast<int32_t>(ToInt(v[5])));
  if (state == v1::JOB_STATE_SUCCEEDED) {
    v1::Document* d = job.mutable_document();
    d->set_sha256(v[6].str);
    d->set_size_bytes(ToInt(v[7]));
    d->set_page_count(static_cast<int32_t>(ToInt(v[8])));
    SetTime(ToInt(v[12]) + document_ttl.count() * 1000, d->mutable_expire_time());
  }
  job.set_error(v[9].str);
  if (int64_t ms = ToInt(v[10]); ms > 0) SetTime(ms, job.mutable_create_time());
  if (int64_t ms = ToInt(v[11]); ms > 0) SetTime(ms, job.mutable_start_time());
  if (int64_t ms = ToInt(v[12]); ms > 0) SetTime(ms, job.mutable_finish_time());
  return job;
}

redis::Command HmgetJob(const std::string& key) {
  redis::Command c = {"HMGET", key};
  const auto& f = JobReadFields();
  c.insert(c.end(), f.begin(), f.end());
  return c;
}

// Parses XREADGROUP's or XAUTOCLAIM's list of [id, [field, value, ...]].
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

bool StartsWith(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && std::string_view(s).substr(0, p.size()) == p;
}

Status UnexpectedReply(std::string_view what) {
  return Internal("queue: unexpected reply from " + std::string(what));
}

}  // namespace

JobQueue::JobQueue(redis::Pool& pool, store::Keys keys, QueueOptions options)
    : pool_(pool), keys_(std::move(keys)), options_(options) {}

Status JobQueue::EnsureStream() {
  auto r = redis::Run(pool_, {"XGROUP", "CREATE", keys_.RenderStream(),
                              std::string(store::kRenderGroup), "0", "MKSTREAM"});
  // From id 0, not $: jobs submitted before the group existed are rendered.
  if (!r.ok() && redis::KindOf(r.status()) != redis::ErrorKind::kBusyGroup) return r.status();
  return Status::Ok();
}

std::string JobQueue::RequestKey(const RequestId& request) const {
  return keys_.Request(request.caller.empty() ? "-" : Sha256Hex(request.caller).substr(0, 16),
                       request.id);
}

Result<v1::Job> JobQueue::Submit(const JobSpec& spec, const RequestId& request) {
  const std::string id = NewId();
  const int64_t now = NowMs();
  std::vector<std::string> args = {id, RequestRecord(std::string(kJobPrefix) + id, request),
                                   std::to_string(options_.request_ttl.count()),
                                   request.id.empty() ? "0" : "1"};
  redis::Command hset = {"HSET", keys_.Job(id)};
  for (auto& f : JobFields(spec, "", request.id, now)) hset.push_back(std::move(f));
  std::vector<redis::Command> commands;
  commands.push_back(std::move(hset));
  commands.push_back(ScriptCommand(internal::SubmitScript(),
                                   {keys_.Job(id), keys_.RenderStream(), RequestKey(request)},
                                   std::move(args)));
  auto replies = [&] {
    auto c = pool_.Acquire();
    return RunCommands(*c, commands, /*atomic=*/true);
  }();
  if (!replies.ok()) return replies.status();
  const redis::Reply* r = &replies->back();
  if (r->is_nil()) return GetJob(id);
  auto earlier = Recall(r->str, request, kJobPrefix);
  if (!earlier.ok()) return earlier.status();
  return GetJob(earlier->substr(kJobPrefix.size()));
}

Result<v1::Batch> JobQueue::SubmitBatch(const std::vector<JobSpec>& specs,
                                        const RequestId& request, const std::string& owner) {
  return SubmitBatch(
      specs.size(),
      [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
        return std::vector<JobSpec>(specs.begin() + begin, specs.begin() + end);
      },
      request, owner);
}

Result<v1::Batch> JobQueue::SubmitBatch(size_t total, const SpecSource& source,
                                        const RequestId& request, const std::string& owner) {
  std::string batch_id = NewId();
  const int64_t now = NowMs();
  // Connections are taken per step, never across a call of `source`: the
  // source may itself read Redis through the same pool.
  int64_t offset = 0;
  {
    auto c = pool_.Acquire();
    // The batch hash (with its total) comes first, so that jobs finishing
    // while later chunks are still written count towards a known total.
    std::vector<std::string> args = {RequestRecord(std::string(kBatchPrefix) + batch_id, request),
                                     std::to_string(options_.request_ttl.count()),
                                     request.id.empty() ? "0" : "1"};
    const std::pair<const char*, std::string> fields[] = {
        {"request_id", request.id}, {"total", std::to_string(total)},
        {"succeeded", "0"},         {"failed", "0"},
        {"cancelled", "0"},         {"create_ms", std::to_string(now)},
        {"owner", owner}};
    for (const auto& [field, value] : fields) {
      args.push_back(field);
      args.push_back(value);
    }
    auto created = RunScript(*c, internal::CreateBatchScript(),
                             {RequestKey(request), keys_.Batch(batch_id)}, std::move(args));
    if (!created.ok()) return created.status();
    if (!created->is_nil()) {
      auto earlier = Recall(created->str, request, kBatchPrefix);
      if (!earlier.ok()) return earlier.status();
      batch_id = earlier->substr(kBatchPrefix.size());
      // A retry of a submission that stopped part way (the service died, Redis
      // went away) writes the rest; one that completed or was sealed writes
      // nothing.
      auto state = c->Pipeline({{"LLEN", keys_.BatchJobs(batch_id)},
                                {"HMGET", keys_.Batch(batch_id), "total", "sealed"}});
      if (!state.ok()) return state.status();
      offset = (*state)[0].AsInteger();
      const auto& stored = (*state)[1].elements;
      if (stored.size() != 2 || stored[0].is_nil() || !stored[1].is_nil() ||
          static_cast<size_t>(stored[0].AsInteger()) != total) {
        offset = -1;
      }
    }
  }
  // Each chunk is one transaction: the jobs' hashes, then the script that
  // queues them. The next chunk's commands are built while Redis runs the
  // current one.
  using Chunk = Result<std::vector<redis::Command>>;
  auto build = [&](size_t start) -> Chunk {
    const size_t end = std::min(total, start + kBatchChunk);
    auto specs = source(start, end);
    if (!specs.ok()) return specs.status();
    if (specs->size() != end - start) return Internal("queue: the batch source gave too few jobs");
    std::vector<redis::Command> ch;
    ch.reserve(end - start + 1);
    std::vector<std::string> keys = {keys_.BatchJobs(batch_id), keys_.RenderStream(),
                                     keys_.Batch(batch_id)};
    std::vector<std::string> args = {std::to_string(start), batch_id};
    for (const JobSpec& spec : *specs) {
      const std::string id = NewId();
      redis::Command hset = {"HSET", keys_.Job(id)};
      for (auto& f : JobFields(spec, batch_id, "", now)) hset.push_back(std::move(f));
      ch.push_back(std::move(hset));
      keys.push_back(keys_.Job(id));
      args.push_back(id);
    }
    ch.push_back(ScriptCommand(internal::AppendBatchJobsScript(), std::move(keys), std::move(args)));
    return ch;
  };
  const std::string name = std::string(kBatchPrefix) + batch_id;
  // A submission that stops part way seals the batch at what it holds, so
  // that it still completes, and says why. Not when Redis is away: then a
  // retry with the same request id resumes where this one stopped.
  auto stop = [&](const Status& why) {
    if (why.code() != StatusCode::kUnavailable) {
      auto c = pool_.Acquire();
      auto sealed = RunScript(*c, internal::SealBatchScript(),
                              {keys_.Batch(batch_id), keys_.BatchJobs(batch_id)},
                              {std::to_string(NowMs()), std::to_string(options_.job_ttl.count()),
                               std::to_string(total), why.message()});
      if (sealed.ok()) {
        return Status(why.code(), name + " was sealed at " +
                                      std::to_string(sealed->AsInteger()) + " of " +
                                      std::to_string(total) + " jobs: " + why.message(),
                      why.field());
      }
    }
    return Status(why.code(),
                  name + " stopped part way (retry with the same request id to finish it): " +
                      why.message(),
                  why.field());
  };
  size_t start = offset < 0 ? total : static_cast<size_t>(offset);
  std::future<Chunk> next;
  if (start < total) next = std::async(std::launch::async, build, start);
  for (; start < total; start += kBatchChunk) {
    Chunk ch = next.get();
    if (!ch.ok()) return stop(ch.status());
    if (start + kBatchChunk < total) {
      next = std::async(std::launch::async, build, start + kBatchChunk);
    }
    auto r = [&] {
      auto c = pool_.Acquire();
      return RunCommands(*c, *ch, /*atomic=*/true);
    }();
    if (!r.ok()) {
      if (next.valid()) next.wait();
      // Another retry of the same request is writing it, or sealed it:
      // theirs wins.
      if (redis::KindOf(r.status()) == redis::ErrorKind::kConflict) break;
      return stop(r.status());
    }
  }
  return GetBatch(batch_id);
}

Result<std::vector<v1::DeadLetter>> JobQueue::ListDeadLetters(const std::string& after,
                                                               int count, std::string* next) {
  next->clear();
  // One more than asked: whether a next page exists.
  auto r = redis::Run(pool_, {"XRANGE", keys_.DeadLetters(), after.empty() ? "-" : "(" + after,
                              "+", "COUNT", std::to_string(count + 1)});
  if (!r.ok()) return r.status();
  if (!r->is_array()) return UnexpectedReply("XRANGE dead letters");
  std::vector<v1::DeadLetter> out;
  std::string last;
  for (const auto& entry : r->elements) {
    if (!entry.is_array() || entry.elements.size() != 2) return UnexpectedReply("XRANGE entry");
    if (static_cast<int>(out.size()) == count) {
      *next = last;  // more after this page
      break;
    }
    const std::string& id = entry.elements[0].str;
    last = id;
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
    out.push_back(std::move(d));
  }
  return out;
}

Result<int64_t> JobQueue::InFlight(const std::string& owner) {
  auto members = redis::Run(pool_, {"SMEMBERS", keys_.CallerOpen(owner)});
  if (!members.ok()) return members.status();
  if (!members->is_array()) return UnexpectedReply("SMEMBERS caller-open");
  if (members->elements.empty()) return int64_t{0};
  std::vector<redis::Command> reads;
  for (const auto& m : members->elements) {
    const std::string& name = m.str;
    if (StartsWith(name, kBatchPrefix)) {
      reads.push_back({"HMGET", keys_.Batch(name.substr(kBatchPrefix.size())), "total",
                       "succeeded", "failed", "cancelled"});
    } else {
      reads.push_back({"HMGET", keys_.Job(name.substr(name.find('/') + 1)), "state"});
    }
  }
  auto c = pool_.Acquire();
  auto replies = c->Pipeline(reads);
  if (!replies.ok()) return replies.status();
  int64_t open = 0;
  redis::Command finished = {"SREM", keys_.CallerOpen(owner)};
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& v = (*replies)[i].elements;
    int64_t unfinished = 0;
    if (v.size() == 4) {
      unfinished = std::max<int64_t>(0, ToInt(v[0]) - ToInt(v[1]) - ToInt(v[2]) - ToInt(v[3]));
    } else if (v.size() == 1 && !v[0].is_nil()) {
      const std::string& state = v[0].str;
      unfinished =
          state == StoredState(v1::JOB_STATE_QUEUED) || state == StoredState(v1::JOB_STATE_RUNNING) ? 1 : 0;
    }
    if (unfinished == 0) finished.push_back(members->elements[i].str);
    open += unfinished;
  }
  if (finished.size() > 2) {
    if (auto r = c->Run(finished); !r.ok()) return r.status();
  }
  return open;
}

Status JobQueue::TrackInFlight(const std::string& owner, const std::string& name) {
  auto r = redis::Run(pool_, {"SADD", keys_.CallerOpen(owner), name});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::optional<std::string>> JobQueue::LookupRequest(const RequestId& request,
                                                           std::string_view collection) {
  if (request.id.empty()) return std::optional<std::string>();
  auto r = redis::Run(pool_, {"GET", RequestKey(request)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<std::string>();
  auto earlier = Recall(r->str, request, collection);
  if (!earlier.ok()) return earlier.status();
  return std::optional<std::string>(std::move(earlier).value());
}

Result<v1::Job> JobQueue::GetJob(const std::string& job_id) {
  auto r = redis::Run(pool_, HmgetJob(keys_.Job(job_id)));
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->elements.size() != JobReadFields().size()) {
    return UnexpectedReply("HMGET job");
  }
  if (r->elements[0].is_nil()) {
    return NotFound("job " + job_id + " does not exist (finished jobs expire)")
        .WithReason("JOB_NOT_FOUND");
  }
  return JobFromFields(job_id, r->elements, options_.document_ttl);
}

Result<v1::Batch> JobQueue::GetBatch(const std::string& batch_id) {
  auto r = redis::Run(pool_, {"HMGET", keys_.Batch(batch_id), "request_id", "total", "succeeded",
                              "failed", "cancelled", "create_ms", "finish_ms", "error",
                              "owner"});
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->elements.size() != 9) return UnexpectedReply("HMGET batch");
  const auto& v = r->elements;
  if (v[1].is_nil()) {
    return NotFound("batch " + batch_id + " does not exist (finished batches expire)")
        .WithReason("BATCH_NOT_FOUND");
  }
  v1::Batch b;
  b.set_name(std::string(kBatchPrefix) + batch_id);
  b.set_request_id(v[0].str);
  const int64_t total = ToInt(v[1]), ok = ToInt(v[2]), failed = ToInt(v[3]),
                cancelled = ToInt(v[4]);
  b.set_total(static_cast<int32_t>(total));
  b.set_succeeded(static_cast<int32_t>(ok));
  b.set_failed(static_cast<int32_t>(failed));
  b.set_cancelled(static_cast<int32_t>(cancelled));
  b.set_queued(static_cast<int32_t>(std::max<int64_t>(0, total - ok - failed - cancelled)));
  b.set_done(b.queued() == 0);
  if (int64_t ms = ToInt(v[5]); ms > 0) SetTime(ms, b.mutable_create_time());
  if (int64_t ms = ToInt(v[6]); ms > 0) SetTime(ms, b.mutable_finish_time());
  b.set_error(v[7].str);
  b.set_owner(v[8].str);
  return b;
}

Result<std::vector<v1::Job>> JobQueue::ListBatchJobs(const std::string& batch_id, int64_t offset,
                                                     int limit, v1::JobState state,
                                                     int64_t* next_offset) {
  std::vector<v1::Job> out;
  if (next_offset != nullptr) *next_offset = -1;
  if (limit <= 0 || offset < 0) return out;
  auto c = pool_.Acquire();
  auto exists = c->Run({"EXISTS", keys_.Batch(batch_id)});
  if (!exists.ok()) return exists.status();
  if (exists->AsInteger() == 0) {
    return NotFound("batch " + batch_id + " does not exist (finished batches expire)")
        .WithReason("BATCH_NOT_FOUND");
  }
  // With a state filter, read on in pages until `limit` jobs match.
  const int64_t page = std::max<int64_t>(limit, 200);
  int64_t pos = offset;
  while (static_cast<int>(out.size()) < limit) {
    auto ids = c->Run(
        {"LRANGE", keys_.BatchJobs(batch_id), std::to_string(pos), std::to_string(pos + page - 1)});
    if (!ids.ok()) return ids.status();
    if (ids->elements.empty()) return out;
    std::vector<redis::Command> cmds;
    cmds.reserve(ids->elements.size());
    for (const auto& id : ids->elements) cmds.push_back(HmgetJob(keys_.Job(id.str)));
    auto rows = c->Pipeline(cmds);
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i) {
      const auto& v = (*rows)[i].elements;
      ++pos;
      if (v.size() != JobReadFields().size() || v[0].is_nil()) continue;  // expired
      v1::Job job = JobFromFields(ids->elements[i].str, v, options_.document_ttl);
      if (state != v1::JOB_STATE_UNSPECIFIED && job.state() != state) continue;
      out.push_back(std::move(job));
      if (static_cast<int>(out.size()) == limit) break;
    }
    // Every id of a short page was examined: that was the end of the list.
    if (static_cast<int>(out.size()) < limit &&
        static_cast<int64_t>(ids->elements.size()) < page) {
      return out;
    }
  }
  if (next_offset != nullptr) {
    auto len = c->Run({"LLEN", keys_.BatchJobs(batch_id)});
    if (!len.ok()) return len.status();
    if (pos < len->AsInteger()) *next_offset = pos;
  }
  return out;
}

Result<v1::Job> JobQueue::CancelJob(const std::string& job_id) {
  {
    auto c = pool_.Acquire();
    auto batch = c->Run({"HGET", keys_.Job(job_id), "batch"});
    if (!batch.ok()) return batch.status();
    if (batch->is_nil())
      return NotFound("job " + job_id + " does not exist (finished jobs expire)")
        .WithReason("JOB_NOT_FOUND");
    auto r = RunScript(*c, internal::CancelScript(),
                       {keys_.RetrySchedule(), keys_.Batch(batch->str), keys_.BatchJobs(batch->str),
                        keys_.Job(job_id)},
                       {std::to_string(NowMs()), std::to_string(options_.job_ttl.count()), job_id});
    if (!r.ok()) return r.status();
  }
  return GetJob(job_id);
}

Result<v1::Batch> JobQueue::CancelBatch(const std::string& batch_id) {
  {
    auto c = pool_.Acquire();
    auto ids = c->Run({"LRANGE", keys_.BatchJobs(batch_id), "0", "-1"});
    if (!ids.ok()) return ids.status();
    const auto& all = ids->elements;
    for (size_t start = 0; start < all.size(); start += kBatchChunk) {
      const size_t end = std::min(all.size(), start + kBatchChunk);
      std::vector<std::string> keys = {keys_.RetrySchedule(), keys_.Batch(batch_id),
                                       keys_.BatchJobs(batch_id)};
      std::vector<std::string> args = {std::to_string(NowMs()),
                                       std::to_string(options_.job_ttl.count())};
      for (size_t i = start; i < end; ++i) {
        keys.push_back(keys_.Job(all[i].str));
        args.push_back(all[i].str);
      }
      auto r = RunScript(*c, internal::CancelScript(), std::move(keys), std::move(args));
      if (!r.ok()) return r.status();
    }
  }
  return GetBatch(batch_id);
}

Result<std::string> JobQueue::GetPdf(const std::string& sha256) {
  auto r = redis::Run(pool_, {"GET", keys_.Pdf(sha256)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) {
    return NotFound("the document has expired; render it again").WithReason("DOCUMENT_EXPIRED");
  }
  return std::move(r->str);
}

redis::Command JobQueue::ReadCommand(const std::string& consumer, int count,
                                    std::optional<std::chrono::milliseconds> block) const {
  redis::Command cmd = {"XREADGROUP", "GROUP", std::string(store::kRenderGroup), consumer,
                        "COUNT",      std::to_string(count)};
  if (block) {
    cmd.push_back("BLOCK");
    cmd.push_back(std::to_string(block->count()));
  }
  cmd.push_back("STREAMS");
  cmd.push_back(keys_.RenderStream());
  cmd.push_back(">");
  return cmd;
}

std::vector<Delivery> JobQueue::ParseReadReply(const redis::Reply& r) {
  std::vector<Delivery> out;
  if (r.is_nil()) return out;
  for (const auto& stream : r.elements) {
    if (stream.elements.size() < 2) continue;
    auto got = ParseEntries(stream.elements[1]);
    out.insert(out.end(), got.begin(), got.end());
  }
  return out;
}

Result<std::vector<Delivery>> JobQueue::Read(const std::string& consumer, int count,
                                             std::chrono::milliseconds block) {
  const redis::Command cmd = ReadCommand(consumer, count, block);
  auto read = [&] {
    auto c = pool_.Acquire();
    return c->RunBlocking(cmd, block);
  };
  auto r = read();
  if (!r.ok() && redis::KindOf(r.status()) == redis::ErrorKind::kNoGroup) {
    // The stream or group went away (a flushed or new Redis): recreate it.
    if (Status s = EnsureStream(); !s.ok()) return s;
    r = read();
  }
  if (!r.ok()) return r.status();
  return ParseReadReply(*r);
}

Result<std::vector<Delivery>> JobQueue::Reclaim(const std::string& consumer, int count) {
  std::vector<Delivery> out;
  std::string cursor = "0-0";
  auto c = pool_.Acquire();
  // A few pages of the pending list per call: live workers' entries at its
  // head must not hide a dead worker's entries behind them.
  for (int round = 0; round < 10 && static_cast<int>(out.size()) < count; ++round) {
    auto r = c->Run({"XAUTOCLAIM", keys_.RenderStream(), std::string(store::kRenderGroup), consumer,
                     std::to_string(options_.claim_idle.count()), cursor, "COUNT",
                     std::to_string(count - static_cast<int>(out.size()))});
    if (!r.ok()) {
      if (redis::KindOf(r.status()) == redis::ErrorKind::kNoGroup) return out;
      return r.status();
    }
    if (!r->is_array() || r->elements.size() < 2) return UnexpectedReply("XAUTOCLAIM");
    // Redis 7 lists entries deleted from the stream in a third element; it
    // has already dropped them from the pending list, nothing to do.
    auto got = ParseEntries(r->elements[1]);
    out.insert(out.end(), got.begin(), got.end());
    cursor = r->elements[0].str;
    if (cursor == "0-0") break;
  }
  return out;
}

Result<int> JobQueue::PromoteDueRetries() {
  auto c = pool_.Acquire();
  auto r = RunScript(*c, internal::PromoteScript(), {keys_.RetrySchedule(), keys_.RenderStream()},
                     {std::to_string(NowMs()), std::to_string(kPromoteLimit), keys_.Job("")});
  if (!r.ok()) return r.status();
  return static_cast<int>(r->AsInteger());
}

Result<ClaimOutcome> JobQueue::Claim(const Delivery& delivery, ClaimedJob* job) {
  // The claim, and the job's snapshot read after it in the same round trip
  // (outside the script: see RunCommands). The snapshot never changes, so
  // reading it after the claim is as good as inside it.
  auto claim = [&](const std::string& batch_id) -> Result<std::vector<redis::Reply>> {
    std::vector<redis::Command> commands;
    commands.push_back(ScriptCommand(
        internal::ClaimScript(),
        {keys_.Job(delivery.job_id), keys_.RenderStream(), keys_.DeadLetters(),
         keys_.Batch(batch_id), keys_.BatchJobs(batch_id)},
        {delivery.entry_id, std::string(store::kRenderGroup), std::to_string(options_.max_attempts),
         std::to_string(NowMs()), delivery.job_id, std::to_string(options_.job_ttl.count()),
         batch_id}));
    commands.push_back(
        {"HMGET", keys_.Job(delivery.job_id), "snapshot", "template", "request_id"});
    auto c = pool_.Acquire();
    return RunCommands(*c, commands, /*atomic=*/false);
  };
  // One round trip: the entry names the job's batch. Only an entry that
  // does not (written before entries carried it) takes a second.
  auto replies = claim(delivery.batch_id);
  if (replies.ok()) {
    const redis::Reply& first = replies->front();
    if (first.is_array() && first.elements.size() == 2 && first.elements[0].str == "batch" &&
        first.elements[1].str != delivery.batch_id) {
      replies = claim(first.elements[1].str);
    }
  }
  if (!replies.ok()) return replies.status();
  auto& r = replies->front();
  const auto& body = replies->back();
  if (!r.is_array() || r.elements.empty()) return UnexpectedReply("claim");
  auto& v = r.elements;
  if (v[0].str == "final") return ClaimOutcome::kAlreadyFinal;
  if (v[0].str == "dead") return ClaimOutcome::kDeadLettered;
  if (v[0].str != "claimed" || v.size() != 4 || !body.is_array() || body.elements.size() != 3) {
    return UnexpectedReply("claim");
  }
  ClaimedJob out;
  out.job_id = delivery.job_id;
  out.entry_id = delivery.entry_id;
  out.token = std::move(v[1].str);
  out.attempts = static_cast<int>(v[2].AsInteger());
  out.batch_id = std::move(v[3].str);
  out.request_id = std::move(body.elements[2].str);
  std::string unreadable;
  if (!out.snapshot.ParseFromString(body.elements[0].str)) {
    unreadable = "the report snapshot is unreadable";
  }
  if (!body.elements[1].str.empty()) {
    v1::Template t;
    if (!t.ParseFromString(body.elements[1].str)) unreadable = "the template is unreadable";
    out.template_override = std::move(t);
  }
  if (!unreadable.empty()) {
    // No worker could render it: fail it for good now, as the holder.
    if (Status s = Fail(out, unreadable, true); !s.ok()) return s;
    return ClaimOutcome::kDeadLettered;
  }
  *job = std::move(out);
  return ClaimOutcome::kClaimed;
}

Status JobQueue::Complete(const ClaimedJob& job, const std::string& pdf, int page_count,
                          const std::string& read_for, std::vector<Delivery>* next) {
  const std::string sha = Sha256Hex(pdf);
  // One round trip: the PDF, then the script that completes the job if
  // `job.token` is still current and the PDF is there. A fenced worker's
  // PDF is stored too: content addressed, it is the same bytes the current
  // holder stores (renders are deterministic), so it changes nothing but
  // the expiry.
  std::vector<redis::Command> commands;
  commands.push_back(
      {"SET", keys_.Pdf(sha), pdf, "PX", std::to_string(options_.document_ttl.count() * 1000)});
  commands.push_back(ScriptCommand(
      internal::CompleteScript(),
      {keys_.Job(job.job_id), keys_.RenderStream(), keys_.Batch(job.batch_id),
       keys_.BatchJobs(job.batch_id), keys_.Pdf(sha)},
      {job.token, job.entry_id, std::string(store::kRenderGroup), sha, std::to_string(pdf.size()),
       std::to_string(page_count), std::to_string(NowMs()),
       std::to_string(options_.job_ttl.count())}));
  if (next != nullptr) commands.push_back(ReadCommand(read_for, 1, std::nullopt));
  auto replies = [&] {
    auto c = pool_.Acquire();
    return c->PipelineEach(commands);
  }();
  if (!replies.ok()) return replies.status();
  // The entry read ahead is the caller's whatever became of this job, or
  // it would wait for claim_idle.
  if (next != nullptr && replies->back().type != redis::Reply::Type::kError) {
    *next = ParseReadReply(replies->back());
  }
  const redis::Reply& set = (*replies)[0];
  const redis::Reply& done = (*replies)[1];
  if (done.type == redis::Reply::Type::kError) return done.ErrorStatus();
  if (done.str == "fenced") {
    return Status(StatusCode::kAborted,
                  "job " + job.job_id + " was taken over by another worker; result dropped");
  }
  if (done.str == "nopdf") {
    const std::string why =
        set.type == redis::Reply::Type::kError ? set.ErrorStatus().message() : "it was not kept";
    return Status(set.type == redis::Reply::Type::kError ? set.ErrorStatus().code()
                                                         : StatusCode::kInternal,
                  "the PDF of job " + job.job_id + " could not be stored: " + why);
  }
  return Status::Ok();
}

Status JobQueue::Fail(const ClaimedJob& job, const std::string& reason, bool permanent) {
  // attempts counts this one: the n-th failure waits base * 2^(n-1).
  const int shift = std::clamp(job.attempts - 1, 0, 30);
  const auto backoff = std::min<std::chrono::milliseconds>(
      options_.retry_cap, options_.retry_base * (int64_t{1} << shift));
  const int64_t now = NowMs();
  auto c = pool_.Acquire();
  auto r =
      RunScript(*c, internal::FailScript(),
                {keys_.Job(job.job_id), keys_.RenderStream(), keys_.RetrySchedule(),
                 keys_.DeadLetters(), keys_.Batch(job.batch_id), keys_.BatchJobs(job.batch_id)},
                {job.token, job.entry_id, std::string(store::kRenderGroup), reason,
                 permanent ? "1" : "0", std::to_string(options_.max_attempts), std::to_string(now),
                 std::to_string(now + backoff.count()), job.job_id,
                 std::to_string(options_.job_ttl.count())});
  if (!r.ok()) return r.status();
  if (r->str == "fenced") {
    return Status(StatusCode::kAborted,
                  "job " + job.job_id + " was taken over by another worker; failure dropped");
  }
  return Status::Ok();
}

Result<int64_t> JobQueue::PendingCount() {
  auto r = redis::Run(pool_, {"XPENDING", keys_.RenderStream(), std::string(store::kRenderGroup)});
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->elements.empty()) return UnexpectedReply("XPENDING");
  return static_cast<int64_t>(r->elements[0].AsInteger());
}

Result<QueueStats> JobQueue::Stats() {
  auto replies = [&] {
    auto c = pool_.Acquire();
    return c->PipelineEach({{"XLEN", keys_.RenderStream()},
                            {"XINFO", "GROUPS", keys_.RenderStream()},
                            {"ZCARD", keys_.RetrySchedule()},
                            {"XLEN", keys_.DeadLetters()}});
  }();
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    // XINFO on a stream not made yet is an error: an empty queue.
    if (r.type == redis::Reply::Type::kError && r.str.find("no such key") == std::string::npos) {
      return r.ErrorStatus();
    }
  }
  QueueStats s;
  s.entries = ToInt((*replies)[0]);
  s.retries = ToInt((*replies)[2]);
  s.dead_letters = ToInt((*replies)[3]);
  for (const redis::Reply& group : (*replies)[1].elements) {
    const auto& kv = group.elements;
    bool ours = false;
    int64_t pending = 0, lag = -1;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i].str == "name") ours = kv[i + 1].str == store::kRenderGroup;
      if (kv[i].str == "pending") pending = ToInt(kv[i + 1]);
      if (kv[i].str == "lag" && !kv[i + 1].is_nil()) lag = ToInt(kv[i + 1]);
    }
    if (ours) {
      s.pending = pending;
      s.lag = lag;
    }
  }
  return s;
}

}  // namespace saraban::queue
