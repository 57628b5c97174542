// The state machine: delivery, claims with fencing, completion, failures
// with retries and dead letters, cancellation. Every state change is one
// Lua script (scripts.h) on the queue's one clock.
#include "saraban/queue/job_queue.h"

#include <algorithm>
#include <utility>

#include "records.h"
#include "saraban/digest.h"
#include "scripts.h"

namespace saraban::queue {

namespace {

using internal::RunCommands;
using internal::RunScript;
using internal::ScriptCommand;
using internal::UnexpectedReply;

// Jobs per script call when cancelling a batch: one round trip each, short
// enough not to stall Redis for other clients.
constexpr size_t kCancelChunk = 200;
// Retries moved back onto the stream per PromoteDueRetries call.
constexpr int kPromoteLimit = 500;

}  // namespace

JobQueue::JobQueue(redis::Pool& pool, keyspace::Keys keys, QueueOptions options)
    : pool_(pool), keys_(std::move(keys)), options_(options) {}

std::string JobQueue::Now() const {
  return options_.clock ? std::to_string(options_.clock()) : std::string();
}

Status JobQueue::EnsureStream() {
  auto r = redis::Run(pool_, {"XGROUP", "CREATE", keys_.RenderStream(),
                              std::string(keyspace::kRenderGroup), "0", "MKSTREAM"});
  // From id 0, not $: jobs submitted before the group existed are rendered.
  if (!r.ok() && redis::KindOf(r.status()) != redis::ErrorKind::kBusyGroup) return r.status();
  return Status::Ok();
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
                       {Now(), std::to_string(options_.job_ttl.count()), job_id});
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
    for (size_t start = 0; start < all.size(); start += kCancelChunk) {
      const size_t end = std::min(all.size(), start + kCancelChunk);
      std::vector<std::string> keys = {keys_.RetrySchedule(), keys_.Batch(batch_id),
                                       keys_.BatchJobs(batch_id)};
      std::vector<std::string> args = {Now(),
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

redis::Command JobQueue::ReadCommand(const std::string& consumer, int count,
                                    std::optional<std::chrono::milliseconds> block) const {
  redis::Command cmd = {"XREADGROUP", "GROUP", std::string(keyspace::kRenderGroup), consumer,
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
    auto got = internal::ParseEntries(stream.elements[1]);
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
    auto r = c->Run({"XAUTOCLAIM", keys_.RenderStream(), std::string(keyspace::kRenderGroup), consumer,
                     std::to_string(options_.claim_idle.count()), cursor, "COUNT",
                     std::to_string(count - static_cast<int>(out.size()))});
    if (!r.ok()) {
      if (redis::KindOf(r.status()) == redis::ErrorKind::kNoGroup) return out;
      return r.status();
    }
    if (!r->is_array() || r->elements.size() < 2) return UnexpectedReply("XAUTOCLAIM");
    // Redis 7 lists entries deleted from the stream in a third element; it
    // has already dropped them from the pending list, nothing to do.
    auto got = internal::ParseEntries(r->elements[1]);
    out.insert(out.end(), got.begin(), got.end());
    cursor = r->elements[0].str;
    if (cursor == "0-0") break;
  }
  return out;
}

Result<int> JobQueue::PromoteDueRetries() {
  auto c = pool_.Acquire();
  auto r = RunScript(*c, internal::PromoteScript(), {keys_.RetrySchedule(), keys_.RenderStream()},
                     {Now(), std::to_string(kPromoteLimit), keys_.Job("")});
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
        {delivery.entry_id, std::string(keyspace::kRenderGroup), std::to_string(options_.max_attempts),
         Now(), delivery.job_id, std::to_string(options_.job_ttl.count()),
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
      {job.token, job.entry_id, std::string(keyspace::kRenderGroup), sha, std::to_string(pdf.size()),
       std::to_string(page_count), Now(),
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
  auto c = pool_.Acquire();
  auto r =
      RunScript(*c, internal::FailScript(),
                {keys_.Job(job.job_id), keys_.RenderStream(), keys_.RetrySchedule(),
                 keys_.DeadLetters(), keys_.Batch(job.batch_id), keys_.BatchJobs(job.batch_id)},
                {job.token, job.entry_id, std::string(keyspace::kRenderGroup), reason,
                 permanent ? "1" : "0", std::to_string(options_.max_attempts), Now(),
                 std::to_string(backoff.count()), job.job_id,
                 std::to_string(options_.job_ttl.count())});
  if (!r.ok()) return r.status();
  if (r->str == "fenced") {
    return Status(StatusCode::kAborted,
                  "job " + job.job_id + " was taken over by another worker; failure dropped");
  }
  return Status::Ok();
}

}  // namespace saraban::queue
