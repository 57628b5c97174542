#include "saraban/worker/worker.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>

#include "saraban/observe/log.h"
#include "saraban/report/default_template.h"

namespace saraban::worker {

namespace {

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
// Entries taken over per Reclaim: a few, so one thread does not hoard a
// dead worker's backlog while its siblings idle.
constexpr int kReclaimCount = 4;
// Tries to record a finished render while Redis is away, before leaving
// the entry pending for another worker to take over.
constexpr int kRecordTries = 6;

bool IsPermanent(StatusCode code) {
  // Bad input stays bad: rendering it again cannot help.
  return code == StatusCode::kInvalidArgument || code == StatusCode::kResourceExhausted;
}

}  // namespace

Result<report::RenderedPdf> Worker::RenderJob(report::ReportRenderer& renderer,
                                              const queue::ClaimedJob& job, std::string* reason,
                                              bool* permanent) const {
  // The same call `saraban render` makes, so the bytes are the same. Render
  // validates the report and the template itself (on its own copy): the
  // snapshot was validated when it was stored, and a failure now (older
  // rules, a tampered hash) is still the input's fault, a permanent one by
  // its status code.
  const v1::Template& tmpl = job.template_override ? *job.template_override : default_template_;
  auto fail = [&](std::string why, bool is_permanent) -> Status {
    while (!why.empty() && why.back() == '\n') why.pop_back();
    *reason = why;
    *permanent = is_permanent;
    return Internal(why);
  };
  Result<report::RenderedPdf> pdf = Internal("not rendered");
  try {
    pdf = renderer.Render(job.snapshot, tmpl);
  } catch (const std::exception& e) {
    return fail(std::string("render: ") + e.what(), false);
  }
  if (!pdf.ok()) return fail(pdf.status().ToString(), IsPermanent(pdf.status().code()));
  return pdf;
}

struct Worker::Thread {
  int index = 0;
  std::string consumer;
  std::unique_ptr<redis::Pool> pool;  // of one connection: this thread's own
  std::unique_ptr<queue::JobQueue> queue;
  std::unique_ptr<report::ReportRenderer> renderer;
  std::thread thread;
};

Worker::Worker(WorkerOptions options) : options_(std::move(options)) {}

Worker::~Worker() { Stop(); }

Result<std::unique_ptr<Worker>> Worker::Create(WorkerOptions options) {
  if (options.threads < 1) options.threads = 1;
  auto tmpl = report::DefaultTemplate();
  if (!tmpl.ok()) return tmpl.status();
  std::unique_ptr<Worker> w(new Worker(std::move(options)));
  w->default_template_ = std::move(tmpl).value();
  for (int i = 0; i < w->options_.threads; ++i) {
    auto t = std::make_unique<Thread>();
    t->index = i;
    t->consumer = w->options_.consumer + "-" + std::to_string(i);
    auto renderer = report::ReportRenderer::Create(w->options_.render);
    if (!renderer.ok()) return renderer.status();
    t->renderer = std::move(renderer).value();
    t->pool = std::make_unique<redis::Pool>(w->options_.endpoint, w->options_.redis, 1);
    t->queue = std::make_unique<queue::JobQueue>(*t->pool, w->options_.keys, w->options_.queue);
    w->threads_.push_back(std::move(t));
  }
  return w;
}

void Worker::Start() {
  stopping_ = false;
  for (auto& t : threads_) {
    Thread* raw = t.get();
    t->thread = std::thread([this, raw] { Run(*raw); });
  }
}

void Worker::Stop() {
  {
    std::lock_guard lock(sleep_mu_);
    stopping_ = true;
  }
  sleep_cv_.notify_all();
  for (auto& t : threads_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

WorkerStats Worker::stats() const {
  return {succeeded_.load(), retried_.load(), failed_.load(), fenced_.load(), skipped_.load()};
}

void Worker::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(sleep_mu_);
  sleep_cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void Worker::Run(Thread& t) {
  using Clock = std::chrono::steady_clock;
  queue::JobQueue& q = *t.queue;
  auto backoff = kMinBackoff;
  // Threads start their periodic chores at different times so that they
  // do not all hit Redis at once.
  auto next_promote = Clock::now() + options_.promote_every * t.index / options_.threads;
  auto next_reclaim = Clock::now();
  bool reported = false;  // the current Redis outage was logged
  // Entries read with a completion and not yet processed. Never dropped:
  // processed next, or (on a failure) taken over after claim_idle.
  std::vector<queue::Delivery> ahead;
  while (!stopping_) {
    Status s;
    const auto now = Clock::now();
    if (now >= next_promote) {
      auto moved = q.PromoteDueRetries();
      if (!moved.ok())
        s = moved.status();
      else
        next_promote = now + options_.promote_every;
    }
    if (s.ok() && now >= next_reclaim) {
      auto taken = q.Reclaim(t.consumer, kReclaimCount);
      if (!taken.ok()) {
        s = taken.status();
      } else {
        next_reclaim = now + options_.queue.claim_idle / 2;
        for (const auto& d : *taken) {
          spdlog::info("{}: took over job {} (entry {})", t.consumer, d.job_id, d.entry_id);
          if (s = Process(t, d, &ahead); !s.ok()) break;
        }
      }
    }
    if (s.ok()) {
      // The next job came with the last completion, or is waited for.
      std::vector<queue::Delivery> got = std::move(ahead);
      ahead.clear();
      if (got.empty()) {
        auto read = q.Read(t.consumer, 1, options_.read_block);
        if (read.ok())
          got = std::move(read).value();
        else
          s = read.status();
      }
      for (const auto& d : got) {
        if (s = Process(t, d, &ahead); !s.ok()) break;
      }
    }
    if (s.ok()) {
      if (reported) spdlog::info("{}: redis is back", t.consumer);
      reported = false;
      backoff = kMinBackoff;
      continue;
    }
    // Redis away (or answering errors): never give up, back off. An entry
    // read but not claimed stays pending and is taken over later.
    if (!reported) spdlog::warn("{}: {}; retrying", t.consumer, s.ToString());
    reported = true;
    Sleep(backoff);
    backoff = std::min(kMaxBackoff, backoff * 2);
  }
  // Draining: an entry read with the last completion is a job in hand too.
  // (Nothing more is read now; one that cannot be recorded stays pending
  // and is taken over.)
  while (!ahead.empty()) {
    std::vector<queue::Delivery> rest = std::move(ahead);
    ahead.clear();
    for (const auto& d : rest) {
      if (!Process(t, d, &ahead).ok()) return;
    }
  }
}

Status Worker::Process(Thread& t, const queue::Delivery& d, std::vector<queue::Delivery>* ahead) {
  queue::JobQueue& q = *t.queue;
  queue::ClaimedJob job;
  auto outcome = q.Claim(d, &job);
  if (!outcome.ok()) return outcome.status();
  if (*outcome == queue::ClaimOutcome::kAlreadyFinal) {
    ++skipped_;
    return Status::Ok();
  }
  if (*outcome == queue::ClaimOutcome::kDeadLettered) {
    ++failed_;
    spdlog::warn("{}: job {} used up its attempts and was dead-lettered", t.consumer, d.job_id);
    return Status::Ok();
  }

  // Every line logged for this job names it.
  observe::LogScope scope({{"job", job.job_id},
                           {"batch", job.batch_id},
                           {"agency", job.snapshot.agency().code()},
                           {"request_id", job.request_id}});
  std::string reason;
  bool permanent = false;
  const auto start = std::chrono::steady_clock::now();
  Result<report::RenderedPdf> pdf = RenderJob(*t.renderer, job, &reason, &permanent);
  if (pdf.ok() && options_.on_render) {
    options_.on_render(std::chrono::steady_clock::now() - start, pdf->page_count);
  }

  // Record the outcome; while Redis is away, keep the result a little.
  Status s;
  auto wait = kMinBackoff;
  for (int i = 0; i < kRecordTries; ++i) {
    // A completion also reads the next entry, unless draining (or one is
    // already in hand).
    const bool read_next = !stopping_ && ahead->empty();
    s = pdf.ok() ? q.Complete(job, pdf->bytes, pdf->page_count, t.consumer,
                              read_next ? ahead : nullptr)
                 : q.Fail(job, reason, permanent);
    if (s.code() != StatusCode::kUnavailable) break;
    std::this_thread::sleep_for(wait);
    wait = std::min(kMaxBackoff, wait * 2);
  }
  if (pdf.ok() && !s.ok() && s.code() != StatusCode::kUnavailable &&
      s.code() != StatusCode::kAborted) {
    // Redis refused the PDF (out of memory): the job is still this
    // worker's; retry it later like a failed render, so that it does not
    // wait for claim_idle and its attempts stay bounded.
    spdlog::warn("{}: {}", t.consumer, s.message());
    reason = s.message();
    pdf = s;
    s = q.Fail(job, reason, /*permanent=*/false);
  }
  if (s.code() == StatusCode::kAborted) {
    ++fenced_;
    spdlog::info("{}: {}", t.consumer, s.message());
    return Status::Ok();
  }
  if (!s.ok()) {
    // The entry stays pending: another worker takes it over after claim_idle.
    spdlog::warn("{}: could not record job {}: {}", t.consumer, job.job_id, s.ToString());
    return s;
  }
  if (pdf.ok()) {
    ++succeeded_;
    spdlog::info("{}: rendered {} pages, {} bytes", t.consumer, pdf->page_count,
                 pdf->bytes.size());
  } else if (permanent || job.attempts >= options_.queue.max_attempts) {
    ++failed_;
    spdlog::warn("{}: job {} failed: {}", t.consumer, job.job_id, reason);
  } else {
    ++retried_;
    spdlog::info("{}: job {} attempt {} failed, will retry: {}", t.consumer, job.job_id,
                 job.attempts, reason);
  }
  return Status::Ok();
}

}  // namespace saraban::worker
