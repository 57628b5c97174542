// Quotas: the jobs each caller has in flight, so that the document service
// can hold every caller to its limit.
#include <utility>

#include "records.h"
#include "saraban/queue/job_queue.h"

namespace saraban::queue {

Result<int64_t> JobQueue::InFlight(const std::string& owner) {
  auto members = redis::Run(pool_, {"SMEMBERS", keys_.CallerOpen(owner)});
  if (!members.ok()) return members.status();
  if (!members->is_array()) return internal::UnexpectedReply("SMEMBERS caller-open");
  if (members->elements.empty()) return int64_t{0};
  const auto is_batch = [](const std::string& name) {
    return name.compare(0, internal::kBatchPrefix.size(), internal::kBatchPrefix) == 0;
  };
  std::vector<redis::Command> reads;
  for (const auto& m : members->elements) {
    const std::string& name = m.str;
    const std::string id = name.substr(name.find('/') + 1);
    reads.push_back(is_batch(name) ? internal::ReadBatchRecord(keys_.Batch(id))
                                   : internal::ReadJobRecord(keys_.Job(id)));
  }
  auto c = pool_.Acquire();
  auto replies = c->Pipeline(reads);
  if (!replies.ok()) return replies.status();
  int64_t open = 0;
  redis::Command finished = {"SREM", keys_.CallerOpen(owner)};
  for (size_t i = 0; i < replies->size(); ++i) {
    const std::string& name = members->elements[i].str;
    int64_t unfinished = 0;
    if (is_batch(name)) {
      auto batch = internal::ParseBatchRecord((*replies)[i]);
      if (batch.ok() && batch->exists) unfinished = batch->Unfinished();
    } else {
      auto job = internal::ParseJobRecord((*replies)[i]);
      if (job.ok() && job->exists) {
        const v1::JobState state = internal::ParseStoredState(job->state);
        unfinished = state == v1::JOB_STATE_QUEUED || state == v1::JOB_STATE_RUNNING ? 1 : 0;
      }
    }
    if (unfinished == 0) finished.push_back(name);
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

}  // namespace saraban::queue
