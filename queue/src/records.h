// How jobs, batches and dead letters are stored in Redis, and how a stored
// record becomes the API's message. Every field a record has is named once
// here; the Lua scripts (scripts.h) write the same names.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/queue/job_queue.h"
#include "saraban/redis/client.h"
#include "saraban/status.h"
#include "saraban/v1/document_service.pb.h"

namespace saraban::queue::internal {

inline constexpr std::string_view kJobPrefix = "jobs/";
inline constexpr std::string_view kBatchPrefix = "batches/";

// A job's state as its hash stores it: the JobState value's name without
// the JOB_STATE_ prefix ("QUEUED", "SUCCEEDED"), as the Lua scripts write
// it. A storage format, independent of the API's enum spelling.
std::string StoredState(v1::JobState state);
v1::JobState ParseStoredState(const std::string& stored);

// The fields of a new job's hash, for HSET. Its create time is set by the
// script that queues it, on the queue's clock.
std::vector<std::string> NewJobFields(const JobSpec& spec, const std::string& batch_id,
                                      const std::string& request_id);

// A job's hash as GetJob and the listings read it: everything but the
// snapshot and the template, which are large and only the worker reads.
struct JobRecord {
  bool exists = false;  // the hash has a state (an expired job has none)
  std::string state;
  std::string report;
  int64_t revision = 0;
  std::string batch;  // the batch id; empty for a job of its own
  std::string request_id;
  int64_t attempts = 0;
  std::string sha256;  // the PDF, once SUCCEEDED
  int64_t size = 0;
  int64_t pages = 0;
  std::string error;
  int64_t create_ms = 0;
  int64_t start_ms = 0;
  int64_t finish_ms = 0;
};
// HMGET of a JobRecord's fields from `job_key`.
redis::Command ReadJobRecord(const std::string& job_key);
// The reply of ReadJobRecord's command.
Result<JobRecord> ParseJobRecord(const redis::Reply& reply);
// The API's view; a document expires `document_ttl` after the job finished.
v1::Job ToJob(const std::string& job_id, const JobRecord& record,
              std::chrono::seconds document_ttl);

// A batch's hash, without the sealed mark (only the scripts read it).
struct BatchRecord {
  bool exists = false;  // the hash has a total
  std::string request_id;
  int64_t total = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t cancelled = 0;
  int64_t create_ms = 0;
  int64_t finish_ms = 0;
  std::string error;
  std::string owner;

  // Jobs not final yet.
  int64_t Unfinished() const;
};
// The fields of a new batch's hash (its create time is set by the script).
std::vector<std::string> NewBatchFields(const RequestId& request, size_t total,
                                        const std::string& owner);
redis::Command ReadBatchRecord(const std::string& batch_key);
Result<BatchRecord> ParseBatchRecord(const redis::Reply& reply);
v1::Batch ToBatch(const std::string& batch_id, const BatchRecord& record);

// One entry of the dead-letter stream: [id, [field, value, ...]].
Result<v1::DeadLetter> ParseDeadLetter(const redis::Reply& entry);

// Parses XREADGROUP's or XAUTOCLAIM's list of [id, [field, value, ...]].
std::vector<Delivery> ParseEntries(const redis::Reply& entries);

Status UnexpectedReply(std::string_view what);

}  // namespace saraban::queue::internal
