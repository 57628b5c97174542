// Inspection: the reads behind the API's Get and List calls and the
// metrics. Nothing here changes a job.
#include <algorithm>
#include <utility>

#include "records.h"
#include "saraban/queue/job_queue.h"

namespace saraban::queue {

namespace {

using internal::UnexpectedReply;

Status JobNotFound(const std::string& job_id) {
  return NotFound("job " + job_id + " does not exist (finished jobs expire)")
      .WithReason("JOB_NOT_FOUND");
}

Status BatchNotFound(const std::string& batch_id) {
  return NotFound("batch " + batch_id + " does not exist (finished batches expire)")
      .WithReason("BATCH_NOT_FOUND");
}

int64_t ToInt(const redis::Reply& r) { return r.is_nil() ? 0 : r.AsInteger(); }

}  // namespace

Result<v1::Job> JobQueue::GetJob(const std::string& job_id) {
  auto r = redis::Run(pool_, internal::ReadJobRecord(keys_.Job(job_id)));
  if (!r.ok()) return r.status();
  auto record = internal::ParseJobRecord(*r);
  if (!record.ok()) return record.status();
  if (!record->exists) return JobNotFound(job_id);
  return internal::ToJob(job_id, *record, options_.document_ttl);
}

Result<v1::Batch> JobQueue::GetBatch(const std::string& batch_id) {
  auto r = redis::Run(pool_, internal::ReadBatchRecord(keys_.Batch(batch_id)));
  if (!r.ok()) return r.status();
  auto record = internal::ParseBatchRecord(*r);
  if (!record.ok()) return record.status();
  if (!record->exists) return BatchNotFound(batch_id);
  return internal::ToBatch(batch_id, *record);
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
  if (exists->AsInteger() == 0) return BatchNotFound(batch_id);
  // With a state filter, read on in pages until `limit` jobs match.
  const int64_t page = std::max<int64_t>(limit, 200);
  int64_t pos = offset;
  while (static_cast<int>(out.size()) < limit) {
    auto ids = c->Run(
        {"LRANGE", keys_.BatchJobs(batch_id), std::to_string(pos), std::to_string(pos + page - 1)});
    if (!ids.ok()) return ids.status();
    if (ids->elements.empty()) return out;
    std::vector<redis::Command> reads;
    reads.reserve(ids->elements.size());
    for (const auto& id : ids->elements) reads.push_back(internal::ReadJobRecord(keys_.Job(id.str)));
    auto rows = c->Pipeline(reads);
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i) {
      ++pos;
      auto record = internal::ParseJobRecord((*rows)[i]);
      if (!record.ok() || !record->exists) continue;  // expired
      v1::Job job = internal::ToJob(ids->elements[i].str, *record, options_.document_ttl);
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
    if (static_cast<int>(out.size()) == count) {
      *next = last;  // more after this page
      break;
    }
    auto letter = internal::ParseDeadLetter(entry);
    if (!letter.ok()) return letter.status();
    last = entry.elements[0].str;
    out.push_back(std::move(letter).value());
  }
  return out;
}

Result<std::string> JobQueue::GetPdf(const std::string& sha256) {
  auto r = redis::Run(pool_, {"GET", keys_.Pdf(sha256)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) {
    return NotFound("the document has expired; render it again").WithReason("DOCUMENT_EXPIRED");
  }
  return std::move(r->str);
}

Result<int64_t> JobQueue::PendingCount() {
  auto r = redis::Run(pool_, {"XPENDING", keys_.RenderStream(), std::string(keyspace::kRenderGroup)});
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
      if (kv[i].str == "name") ours = kv[i + 1].str == keyspace::kRenderGroup;
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
