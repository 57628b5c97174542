// Render jobs on Redis: job hashes, the render stream with its consumer
// group, retries, the dead-letter stream, batches, and the stored PDFs.
// The key layout is in saraban/keyspace/keys.h.
//
// Protocol. Submit writes the job hash (with the report snapshot) and adds
// {job: id, batch: id} to the stream (no batch field for a job of its own).
// A worker reads entries with XREADGROUP and Claim()s each in one round
// trip: the claim bumps `attempts` and sets a fresh fencing token; only the
// holder of the current token may Complete() or Fail() the job, so a worker
// that was presumed dead and taken over cannot double-complete. Complete()
// stores the PDF and finishes the job in one round trip; a job is never
// SUCCEEDED without its PDF.
// Entries of dead workers are taken over with XAUTOCLAIM (Reclaim). Every
// state change and the batch counters move together in one Lua script, so
// each job reaches exactly one final state and is counted once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "saraban/redis/client.h"
#include "saraban/status.h"
#include "saraban/keyspace/keys.h"
#include "saraban/v1/document_service.pb.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::queue {

struct QueueOptions {
  // How long a finished document is kept (its PDF key's time-to-live).
  std::chrono::seconds document_ttl{std::chrono::hours(24 * 7)};
  // How long final jobs and batches are kept.
  std::chrono::seconds job_ttl{std::chrono::hours(24 * 7)};
  // How long a request id maps to its job or batch.
  std::chrono::seconds request_ttl{std::chrono::hours(24)};
  // Deliveries before a job is failed for good and dead-lettered.
  int max_attempts = 5;
  // Retry delay after the n-th failed attempt: base * 2^(n-1), capped.
  std::chrono::milliseconds retry_base{500};
  std::chrono::milliseconds retry_cap{std::chrono::seconds(60)};
  // A delivery idle this long belongs to a dead worker and is taken over.
  // Must exceed the slowest render.
  std::chrono::milliseconds claim_idle{std::chrono::seconds(30)};
  // The time in ms since the epoch, for tests that move time forward
  // instead of sleeping (retry backoffs). Empty: Redis's clock, shared with
  // the report store and every replica (saraban/redis/clock.h). Expiry and
  // claim_idle are always Redis's own.
  std::function<int64_t()> clock;
};

// The depth of the queue, for metrics.
struct QueueStats {
  int64_t entries = 0;      // stream entries not yet acknowledged (read or not)
  int64_t pending = 0;      // delivered to a worker, not yet acknowledged
  int64_t lag = -1;         // not yet delivered to any worker (-1: Redis cannot tell)
  int64_t retries = 0;      // failed attempts waiting for their retry time
  int64_t dead_letters = 0; // entries of the dead-letter stream
};

// What a submission renders.
struct JobSpec {
  std::string report_name;  // agencies/{code}/reports/{fy}
  int64_t report_revision = 0;
  // The report with its agency, as rendered: a serialized v1::Report, kept
  // as bytes so that a bulk submission copies it without parsing it.
  std::string snapshot;
  std::optional<v1::Template> template_override;
};

// A client's request id as the queue keeps it: scoped to the caller that
// sent it, so that two callers' ids never meet, and bound to a fingerprint
// of what was asked, so that the same id with another request is refused
// (AlreadyExists) instead of answered with the earlier result.
struct RequestId {
  std::string id;           // the client's; empty: the submission is not idempotent
  std::string caller;       // who sent it; empty without access control
  std::string fingerprint;  // a digest of the request without its id
};

// A stream entry handed to a worker.
struct Delivery {
  std::string entry_id;  // stream entry id
  std::string job_id;
  std::string batch_id;  // the entry's batch field; empty for a job of its own
};

// What a worker gets when its claim succeeds.
struct ClaimedJob {
  std::string job_id;
  std::string entry_id;
  std::string token;     // fencing token for Complete/Fail
  int attempts = 0;      // including this one
  std::string batch_id;  // empty for a job of its own
  std::string request_id;  // the client's, for a job of its own (may be empty)
  v1::Report snapshot;
  std::optional<v1::Template> template_override;
};

// The result of Claim.
enum class ClaimOutcome {
  kClaimed,       // render it
  kAlreadyFinal,  // cancelled or done: the entry was acknowledged, skip it
  kDeadLettered,  // too many attempts: failed and dead-lettered, skip it
};

// One class, four files by concern (as asynq keeps state changes apart
// from reads): src/submission.cc (Submit, SubmitBatch, request ids),
// src/job_queue.cc (the state machine: delivery, claim, complete, fail,
// retry, cancel), src/inspection.cc (reads and listings, for the API and
// metrics) and src/quotas.cc (jobs in flight per caller). How records are
// stored is in src/records.h, the scripts in src/scripts.h.
class JobQueue {
 public:
  JobQueue(redis::Pool& pool, keyspace::Keys keys, QueueOptions options);

  const keyspace::Keys& keys() const { return keys_; }
  const QueueOptions& options() const { return options_; }

  // --- submission (document service) ---

  // Queues one job. With a request id this caller already used for the
  // same request, returns the job it created and queues nothing; used for
  // another request (or for a batch), AlreadyExists on field request_id.
  Result<v1::Job> Submit(const JobSpec& spec, const RequestId& request);
  // Supplies the specs of jobs [begin, end) of a batch, in order.
  using SpecSource = std::function<Result<std::vector<JobSpec>>(size_t begin, size_t end)>;
  // Queues `total` jobs as one batch, in chunks: each chunk's specs are
  // asked of `source` while the previous chunk is written, so workers start
  // on the first jobs while later ones are still read. With a request id
  // this caller already used for the same request, returns that batch, and
  // queues the rest if that submission stopped part way. An error (from
  // `source`, or Redis refusing a write) stops the submission with the
  // chunks before it queued and seals the batch there: its total becomes
  // what it holds and its `error` says why. With Redis away it is not
  // sealed, so that a retry resumes. The error names the batch either way.
  // `source` may use the same pool: no connection is held while it runs.
  // A request id used for another request (or for a single job) is
  // AlreadyExists on field request_id, and nothing is written.
  // `owner` is the caller that submitted it (Batch.owner), for access checks.
  Result<v1::Batch> SubmitBatch(size_t total, const SpecSource& source,
                                const RequestId& request, const std::string& owner = {});
  Result<v1::Batch> SubmitBatch(const std::vector<JobSpec>& specs, const RequestId& request,
                                const std::string& owner = {});
  // The job or batch ("jobs/{id}", "batches/{id}") a request id created for
  // the same caller and request, if any (for early idempotency checks before
  // expensive work). AlreadyExists when this caller used it for another
  // request, or for another kind of submission than `collection` ("jobs/"
  // or "batches/"); the error never names what the id created.
  Result<std::optional<std::string>> LookupRequest(const RequestId& request,
                                                   std::string_view collection);

  // --- the state machine (renderer workers; cancellation) ---

  // Creates the stream and the consumer group if missing (idempotent).
  Status EnsureStream();
  // Up to `count` new entries for `consumer`, waiting up to `block`.
  Result<std::vector<Delivery>> Read(const std::string& consumer, int count,
                                     std::chrono::milliseconds block);
  // Takes over up to `count` entries idle longer than claim_idle (XAUTOCLAIM).
  Result<std::vector<Delivery>> Reclaim(const std::string& consumer, int count);
  // Moves retries that are due back onto the stream; returns how many.
  Result<int> PromoteDueRetries();
  // Claims a delivered job: see ClaimOutcome.
  Result<ClaimOutcome> Claim(const Delivery& delivery, ClaimedJob* job);
  // Stores the PDF and completes the job as SUCCEEDED, and acknowledges the
  // entry, if `job.token` is still current. kAborted when fenced (another
  // worker took the job over), which the caller just logs. With `next`,
  // also reads (without waiting) one new entry for `read_for` in the same
  // round trip, so a busy worker needs no separate read per job; the entry
  // is handed over even when this completion fails. When the PDF could not
  // be stored (Redis out of memory), the job stays RUNNING and the error
  // says why.
  Status Complete(const ClaimedJob& job, const std::string& pdf, int page_count,
                  const std::string& read_for = "", std::vector<Delivery>* next = nullptr);
  // Records a failed attempt. A permanent failure (bad input) or the last
  // allowed attempt fails the job and dead-letters it with `reason`; any
  // other is retried after the backoff. kAborted when fenced.
  Status Fail(const ClaimedJob& job, const std::string& reason, bool permanent);
  Result<v1::Job> CancelJob(const std::string& job_id);
  Result<v1::Batch> CancelBatch(const std::string& batch_id);

  // --- inspection (the API's reads, metrics) ---

  Result<v1::Job> GetJob(const std::string& job_id);
  Result<v1::Batch> GetBatch(const std::string& batch_id);
  // The jobs of a batch from position `offset`, at most `limit`, optionally
  // only those in `state`. `next_offset` is -1 after the last.
  Result<std::vector<v1::Job>> ListBatchJobs(const std::string& batch_id, int64_t offset,
                                             int limit, v1::JobState state,
                                             int64_t* next_offset);
  // Up to `count` entries of the dead-letter stream after stream id `after`
  // ("" for the start), oldest first; `next` is the id to continue after,
  // or empty at the end.
  Result<std::vector<v1::DeadLetter>> ListDeadLetters(const std::string& after, int count,
                                                      std::string* next);
  // The stored PDF of a document, or kNotFound when it has expired.
  Result<std::string> GetPdf(const std::string& sha256);
  // Entries delivered to consumers and not yet acknowledged (XPENDING).
  Result<int64_t> PendingCount();
  // The queue's depth, in one round trip.
  Result<QueueStats> Stats();

  // --- quotas (document service) ---

  // Jobs a caller has in flight (queued or running), for its limit: its
  // open batches' unfinished jobs plus its unfinished single jobs. Finished
  // ones are forgotten as they are found.
  Result<int64_t> InFlight(const std::string& owner);
  // Counts `name` (jobs/{id} or batches/{id}) towards `owner`'s in-flight
  // jobs until it is final.
  Status TrackInFlight(const std::string& owner, const std::string& name);

 private:
  // The now_ms argument of a script: empty for Redis's clock, or the test
  // clock's time.
  std::string Now() const;
  // XREADGROUP for `consumer`; without `block` it does not wait.
  redis::Command ReadCommand(const std::string& consumer, int count,
                             std::optional<std::chrono::milliseconds> block) const;
  static std::vector<Delivery> ParseReadReply(const redis::Reply& r);
  // The key of a request id: under its caller's scope.
  std::string RequestKey(const RequestId& request) const;

  redis::Pool& pool_;
  keyspace::Keys keys_;
  QueueOptions options_;
};

// A new job or batch id: 26 characters, time-ordered (ms) then random.
std::string NewId();

}  // namespace saraban::queue
