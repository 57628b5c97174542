// Submission: single jobs, batches in chunks, and the request ids that make
// both idempotent.
#include <algorithm>
#include <future>
#include <utility>

#include "records.h"
#include "saraban/digest.h"
#include "saraban/queue/job_queue.h"
#include "scripts.h"

namespace saraban::queue {

namespace {

using internal::kBatchPrefix;
using internal::kJobPrefix;
using internal::RunCommands;
using internal::RunScript;
using internal::ScriptCommand;

// Jobs per script call when writing a batch: one round trip each, short
// enough not to stall Redis for other clients.
constexpr size_t kBatchChunk = 200;

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

// One SubmitBatch call, step by step: Open creates the batch (or finds the
// one an earlier call with the same request id made, and where it
// stopped); Write queues the jobs chunk by chunk, building each chunk while
// the one before is written; Stop ends a submission that cannot go on.
// Connections are taken per step, never across a call of the source: the
// source may itself read Redis through the same pool.
class BatchWriter {
 public:
  BatchWriter(redis::Pool& pool, const keyspace::Keys& keys, const QueueOptions& options,
              std::string now, size_t total, const JobQueue::SpecSource& source)
      : pool_(pool), keys_(keys), options_(options), now_(std::move(now)), total_(total),
        source_(source) {}

  // Creates the batch hash (with its total, so that jobs finishing while
  // later chunks are written count towards a known total), or adopts the
  // batch an earlier call with the same request id created. Returns the
  // position to write from: `total` when nothing is left to write (the
  // earlier call completed, or was sealed).
  Result<size_t> Open(const RequestId& request, const std::string& request_key,
                      const std::string& owner) {
    batch_id_ = NewId();
    std::vector<std::string> args = {RequestRecord(Name(), request),
                                     std::to_string(options_.request_ttl.count()),
                                     request.id.empty() ? "0" : "1", now_};
    for (auto& f : internal::NewBatchFields(request, total_, owner)) args.push_back(std::move(f));
    auto c = pool_.Acquire();
    auto created = RunScript(*c, internal::CreateBatchScript(),
                             {request_key, keys_.Batch(batch_id_)}, std::move(args));
    if (!created.ok()) return created.status();
    if (created->is_nil()) return size_t{0};
    auto earlier = Recall(created->str, request, kBatchPrefix);
    if (!earlier.ok()) return earlier.status();
    batch_id_ = earlier->substr(kBatchPrefix.size());
    return Resume(*c);
  }

  // Queues jobs [from, total).
  Status Write(size_t from) {
    std::future<Chunk> next;
    if (from < total_) next = std::async(std::launch::async, &BatchWriter::Build, this, from);
    for (size_t start = from; start < total_; start += kBatchChunk) {
      Chunk chunk = next.get();
      if (!chunk.ok()) return Stop(chunk.status());
      if (start + kBatchChunk < total_) {
        next = std::async(std::launch::async, &BatchWriter::Build, this, start + kBatchChunk);
      }
      auto written = [&] {
        auto c = pool_.Acquire();
        return RunCommands(*c, *chunk, /*atomic=*/true);
      }();
      if (!written.ok()) {
        if (next.valid()) next.wait();
        // Another call with the same request is writing it, or sealed it:
        // theirs wins.
        if (redis::KindOf(written.status()) == redis::ErrorKind::kConflict) return Status::Ok();
        return Stop(written.status());
      }
    }
    return Status::Ok();
  }

  const std::string& batch_id() const { return batch_id_; }

 private:
  using Chunk = Result<std::vector<redis::Command>>;

  std::string Name() const { return std::string(kBatchPrefix) + batch_id_; }

  // Where an earlier call stopped: a call that stopped part way (the
  // service died, Redis went away) left a shorter list and no seal.
  Result<size_t> Resume(redis::Connection& c) {
    auto state = c.Pipeline({{"LLEN", keys_.BatchJobs(batch_id_)},
                             {"HMGET", keys_.Batch(batch_id_), "total", "sealed"}});
    if (!state.ok()) return state.status();
    const auto& stored = (*state)[1].elements;
    const bool resumable = stored.size() == 2 && !stored[0].is_nil() && stored[1].is_nil() &&
                           static_cast<size_t>(stored[0].AsInteger()) == total_;
    if (!resumable) return total_;
    return static_cast<size_t>((*state)[0].AsInteger());
  }

  // One chunk as one transaction: the jobs' hashes, then the script that
  // queues them.
  Chunk Build(size_t start) const {
    const size_t end = std::min(total_, start + kBatchChunk);
    auto specs = source_(start, end);
    if (!specs.ok()) return specs.status();
    if (specs->size() != end - start) return Internal("queue: the batch source gave too few jobs");
    std::vector<redis::Command> commands;
    commands.reserve(end - start + 1);
    std::vector<std::string> keys = {keys_.BatchJobs(batch_id_), keys_.RenderStream(),
                                     keys_.Batch(batch_id_)};
    std::vector<std::string> args = {std::to_string(start), batch_id_, now_};
    for (const JobSpec& spec : *specs) {
      const std::string id = NewId();
      redis::Command hset = {"HSET", keys_.Job(id)};
      for (auto& f : internal::NewJobFields(spec, batch_id_, "")) hset.push_back(std::move(f));
      commands.push_back(std::move(hset));
      keys.push_back(keys_.Job(id));
      args.push_back(id);
    }
    commands.push_back(
        ScriptCommand(internal::AppendBatchJobsScript(), std::move(keys), std::move(args)));
    return commands;
  }

  // Seals a batch whose submission stopped at what it holds, so that it
  // still completes, and says why; not when Redis is away: then a call
  // with the same request id resumes where this one stopped.
  Status Stop(const Status& why) {
    if (why.code() != StatusCode::kUnavailable) {
      auto c = pool_.Acquire();
      auto sealed = RunScript(*c, internal::SealBatchScript(),
                              {keys_.Batch(batch_id_), keys_.BatchJobs(batch_id_)},
                              {now_, std::to_string(options_.job_ttl.count()),
                               std::to_string(total_), why.message()});
      if (sealed.ok()) {
        return Status(why.code(),
                      Name() + " was sealed at " + std::to_string(sealed->AsInteger()) + " of " +
                          std::to_string(total_) + " jobs: " + why.message(),
                      why.field());
      }
    }
    return Status(why.code(),
                  Name() + " stopped part way (retry with the same request id to finish it): " +
                      why.message(),
                  why.field());
  }

  redis::Pool& pool_;
  const keyspace::Keys& keys_;
  const QueueOptions& options_;
  const std::string now_;
  const size_t total_;
  const JobQueue::SpecSource& source_;
  std::string batch_id_;
};

}  // namespace

std::string JobQueue::RequestKey(const RequestId& request) const {
  return keys_.Request(request.caller.empty() ? "-" : Sha256Hex(request.caller).substr(0, 16),
                       request.id);
}

Result<v1::Job> JobQueue::Submit(const JobSpec& spec, const RequestId& request) {
  const std::string id = NewId();
  redis::Command hset = {"HSET", keys_.Job(id)};
  for (auto& f : internal::NewJobFields(spec, "", request.id)) hset.push_back(std::move(f));
  std::vector<redis::Command> commands;
  commands.push_back(std::move(hset));
  commands.push_back(ScriptCommand(
      internal::SubmitScript(), {keys_.Job(id), keys_.RenderStream(), RequestKey(request)},
      {id, RequestRecord(std::string(kJobPrefix) + id, request),
       std::to_string(options_.request_ttl.count()), request.id.empty() ? "0" : "1", Now()}));
  auto replies = [&] {
    auto c = pool_.Acquire();
    return RunCommands(*c, commands, /*atomic=*/true);
  }();
  if (!replies.ok()) return replies.status();
  const redis::Reply& earlier_record = replies->back();
  if (earlier_record.is_nil()) return GetJob(id);
  auto earlier = Recall(earlier_record.str, request, kJobPrefix);
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
  BatchWriter writer(pool_, keys_, options_, Now(), total, source);
  auto from = writer.Open(request, RequestKey(request), owner);
  if (!from.ok()) return from.status();
  if (Status s = writer.Write(*from); !s.ok()) return s;
  return GetBatch(writer.batch_id());
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

}  // namespace saraban::queue
