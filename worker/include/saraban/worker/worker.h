// The renderer worker: threads that read render jobs from the Redis stream,
// render them and store the PDFs, taking over the jobs of workers that died.
// Each thread has its own Redis connection and its own ReportRenderer (whose
// font and shaping caches are not thread-safe).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "saraban/queue/job_queue.h"
#include "saraban/redis/client.h"
#include "saraban/report/render.h"
#include "saraban/status.h"
#include "saraban/keyspace/keys.h"
#include "saraban/v1/template.pb.h"

namespace saraban::worker {

struct WorkerOptions {
  redis::Endpoint endpoint;
  redis::Options redis;
  keyspace::Keys keys;
  queue::QueueOptions queue;
  report::RenderOptions render;  // the same defaults as `saraban render`
  int threads = 1;
  // Thread i reads as "<consumer>-<i>": consumers must be unique across
  // every worker process (hostname-pid by default).
  std::string consumer = "renderer";
  // How long one read waits for a job; also bounds how long Stop() takes
  // while idle.
  std::chrono::milliseconds read_block{1000};
  // How often each thread moves due retries back onto the stream.
  std::chrono::milliseconds promote_every{1000};
  // Called after every render that produced a PDF, from the worker thread
  // (metrics hook; must be thread-safe).
  std::function<void(std::chrono::duration<double> took, int pages)> on_render;
};

// What the worker has done so far (all threads).
struct WorkerStats {
  int64_t succeeded = 0;
  int64_t retried = 0;  // failed attempts that will be retried
  int64_t failed = 0;   // permanent failures and last attempts
  int64_t fenced = 0;   // results dropped: another worker had taken over
  int64_t skipped = 0;  // deliveries of cancelled or finished jobs
};

class Worker {
 public:
  // Loads the fonts (one renderer per thread) and the default template;
  // errors here are configuration errors (a missing font).
  static Result<std::unique_ptr<Worker>> Create(WorkerOptions options);
  ~Worker();  // Stop()s
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the threads.
  void Start();
  // Asks the threads to finish the job in hand, stop reading and exit, and
  // waits for them. Safe to call more than once.
  void Stop();

  WorkerStats stats() const;

 private:
  struct Thread;
  explicit Worker(WorkerOptions options);
  void Run(Thread& t);
  // Claims, renders and records one delivery; a completion may put the
  // next delivery in `ahead`.
  Status Process(Thread& t, const queue::Delivery& d, std::vector<queue::Delivery>* ahead);
  // Renders a claimed job (the renderer validates it). On failure sets
  // `reason` and whether it is `permanent` (bad input, no retry).
  Result<report::RenderedPdf> RenderJob(report::ReportRenderer& renderer,
                                        const queue::ClaimedJob& job, std::string* reason,
                                        bool* permanent) const;
  // Sleeps up to `d`, waking early on Stop().
  void Sleep(std::chrono::milliseconds d);

  WorkerOptions options_;
  v1::Template default_template_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;  // wakes sleepers on Stop()
  std::atomic<int64_t> succeeded_{0}, retried_{0}, failed_{0}, fenced_{0}, skipped_{0};
};

}  // namespace saraban::worker
