// The Lua scripts that move jobs between states. Each state change, its
// stream acknowledgement and its batch counter move in one script, so a
// job reaches exactly one final state and is counted once.
#pragma once

#include <string>
#include <vector>

#include "saraban/redis/client.h"
#include "saraban/status.h"

namespace saraban::queue::internal {

// A script and its SHA-1. Run alone (RunScript) with EVALSHA, and EVAL when
// Redis lost it (a restart empties the script cache).
struct Script {
  explicit Script(std::string body);
  std::string body;
  std::string sha1;
};

// Takes the keys and arguments by value: pass them with std::move to
// build the command without copying them.
Result<redis::Reply> RunScript(redis::Connection& c, const Script& s,
                               std::vector<std::string> keys, std::vector<std::string> args);

// A script call as a command, to send with other commands. It carries the
// script's body (EVAL): Redis compiles a body once and finds it again by
// its digest, and a pipeline never meets a Redis that lost the script (a
// restart), which would mean sending commands twice that must run once.
redis::Command ScriptCommand(const Script& s, std::vector<std::string> keys,
                             std::vector<std::string> args);
// Sends `commands` in one round trip, in order; with `atomic`, as one
// MULTI/EXEC transaction. Returns their replies.
//
// Large values (snapshots, PDFs) travel in plain commands next to the
// script, never through it: Redis's Lua hashes every byte of every string
// it is handed, which cost more than the rest of the job's Redis work.
Result<std::vector<redis::Reply>> RunCommands(redis::Connection& c,
                                              const std::vector<redis::Command>& commands,
                                              bool atomic);

// A now_ms argument is empty for Redis's clock (saraban/redis/clock.h), or
// the time of the queue's test clock (QueueOptions::clock).

// Runs after an HSET of the job's hash, in the same transaction.
// KEYS job, stream, request; ARGV job_id, request_value, request_ttl_s,
// has_request, now_ms. Returns nil, or the value the request id already maps to
// (the job's hash is deleted again then). The stream entry is {job} alone:
// a job of its own has no batch.
const Script& SubmitScript();
// KEYS request, batch; ARGV request_value, request_ttl_s, has_request,
// now_ms, field, value, ...  Returns nil, or what the request id already maps to.
const Script& CreateBatchScript();
// Runs after the HSETs of the jobs' hashes, in the same transaction.
// KEYS batch_jobs, stream, batch, job...; ARGV offset, batch_id, now_ms,
// job_id... (ARGV[i] is the id of KEYS[i]).
// Stream entries are {job, batch}. Fails with CONFLICT (and deletes the
// jobs' hashes) when the batch is sealed or its list does not hold exactly
// `offset` ids, so two writers of one batch never both write.
const Script& AppendBatchJobsScript();
// KEYS job, stream, dead, batch, batch_jobs; ARGV entry, group,
// max_attempts, now_ms, job_id, job_ttl_s, batch_id (the entry's batch
// field, empty when it has none; the batch keys are built from it).
// Returns {"final"} | {"dead", reason} | {"claimed", token, attempts, batch} |
//         {"batch", batch_id}: the job belongs to another batch than the
//         entry says (an entry without the field); nothing was changed, run
//         it again with that batch.
const Script& ClaimScript();
// Runs after the SET of the PDF, in the same round trip.
// KEYS job, stream, batch, batch_jobs, pdf; ARGV token, entry, group,
// sha256, size, pages, now_ms, job_ttl_s. Returns "ok" | "final" | "fenced"
// | "nopdf" (the PDF key is missing: nothing changed).
const Script& CompleteScript();
// KEYS job, stream, retry, dead, batch, batch_jobs; ARGV token, entry,
// group, reason, permanent (0/1), max_attempts, now_ms, backoff_ms, job_id,
// job_ttl_s: a retry is due backoff_ms after now. Returns "retry" | "dead" | "final" | "fenced".
const Script& FailScript();
// KEYS retry, stream; ARGV now_ms, limit, job_key_prefix (Keys::Job("")):
// each job's batch is read from its hash for the new entry, so the claim
// needs no lookup. Returns how many were moved.
const Script& PromoteScript();
// KEYS batch, batch_jobs; ARGV now_ms, job_ttl_s, total asked for, why.
// Makes the batch's total the jobs it holds (a submission stopped part way),
// marks it sealed (AppendBatchJobs refuses it from then on) and records
// why; completes it if those are all final. Returns the new total.
const Script& SealBatchScript();
// KEYS retry, batch, batch_jobs, job...; ARGV now_ms, job_ttl_s, job_id...
// Returns how many jobs it cancelled.
const Script& CancelScript();

}  // namespace saraban::queue::internal
