// The render job protocol against a real Redis: idempotent submission,
// claims with fencing, retries and dead letters, cancellation, batches.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "saraban/digest.h"
#include "saraban/model/json.h"
#include "saraban/queue/job_queue.h"
#include "saraban/testing/redis_server.h"

namespace saraban::queue {
namespace {

using std::chrono::milliseconds;

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.Start();
    pool_ = std::make_unique<redis::Pool>(redis_.endpoint(), redis::Options{}, 2);
    Reset(QueueOptions{});
  }

  // `options` on a clock the test moves (Advance) instead of sleeping.
  QueueOptions OnTestClock(QueueOptions options) {
    options.clock = [this] { return now_ms_.load(); };
    return options;
  }
  void Advance(milliseconds by) { now_ms_ += by.count(); }

  // A fresh queue with `options` over the same Redis.
  void Reset(QueueOptions options) {
    queue_ = std::make_unique<JobQueue>(*pool_, keyspace::Keys(), options);
    ASSERT_TRUE(queue_->EnsureStream().ok());
  }

  static JobSpec Spec(const std::string& code = "bueng-khla") {
    JobSpec spec;
    spec.report_name = "agencies/" + code + "/reports/2566";
    spec.report_revision = 3;
    v1::Report report;
    report.mutable_agency()->set_code(code);
    report.set_fiscal_year(2566);
    spec.snapshot = report.SerializeAsString();
    return spec;
  }

  redis::Reply Run(const redis::Command& c) {
    auto r = redis::Run(*pool_, c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : redis::Reply{};
  }
  long long Int(const redis::Command& c) { return Run(c).AsInteger(); }
  int64_t Pending() {
    auto p = queue_->PendingCount();
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : -1;
  }

  // Reads one delivery as `consumer` and claims it.
  ClaimedJob ReadAndClaim(const std::string& consumer) {
    auto got = queue_->Read(consumer, 1, milliseconds(200));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->size(), 1u);
    ClaimedJob job;
    if (!got.ok() || got->empty()) return job;
    auto outcome = queue_->Claim(got->front(), &job);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_EQ(*outcome, ClaimOutcome::kClaimed);
    return job;
  }

  static std::string IdOf(const std::string& name) { return name.substr(name.find('/') + 1); }

  testing::RedisServer redis_;
  // The test clock starts at the real time, so stored times look real.
  std::atomic<int64_t> now_ms_{std::chrono::duration_cast<milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()};
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<JobQueue> queue_;
  keyspace::Keys keys_;
};

TEST(NewIdTest, TwentySixCharactersInTimeOrder) {
  std::string a = NewId();
  std::this_thread::sleep_for(milliseconds(2));
  std::string b = NewId();
  EXPECT_EQ(a.size(), 26u);
  EXPECT_LT(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
  EXPECT_NE(NewId(), NewId());
}

TEST_F(QueueTest, SubmitWithTheSameRequestIdReturnsTheSameJob) {
  auto first = queue_->Submit(Spec(), {"req-1"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = queue_->Submit(Spec(), {"req-1"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(first->name(), again->name());
  EXPECT_EQ(first->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(first->report(), "agencies/bueng-khla/reports/2566");
  EXPECT_EQ(first->report_revision(), 3);
  EXPECT_EQ(first->request_id(), "req-1");
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 1);
  // The retry's own job hash was written and deleted in one transaction.
  EXPECT_EQ(Run({"KEYS", keys_.Job("*")}).elements.size(), 1u);

  auto looked_up = queue_->LookupRequest({"req-1"}, "jobs/");
  ASSERT_TRUE(looked_up.ok());
  EXPECT_EQ(looked_up->value_or(""), first->name());
  EXPECT_GT(Int({"TTL", keys_.Request("-", "req-1")}), 86000);

  // No request id: always a new job.
  auto a = queue_->Submit(Spec(), {});
  auto b = queue_->Submit(Spec(), {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->name(), b->name());
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 3);
}

// A request id is scoped to its caller and bound to the request it came
// with: another caller's use of it is another submission, and the same
// caller's reuse for another request is refused without naming the first.
TEST_F(QueueTest, ARequestIdIsScopedToItsCallerAndBoundToItsRequest) {
  auto b = queue_->Submit(Spec("agency-b"), {"shared", "system-b", "fingerprint-b"});
  auto a = queue_->Submit(Spec("agency-a"), {"shared", "system-a", "fingerprint-a"});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_NE(a->name(), b->name());
  EXPECT_EQ(a->report(), "agencies/agency-a/reports/2566");

  auto other = queue_->Submit(Spec("agency-b"), {"shared", "system-a", "fingerprint-other"});
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(other.status().field(), "request_id");
  EXPECT_EQ(other.status().message().find("jobs/"), std::string::npos);
  auto as_batch = queue_->SubmitBatch({Spec("agency-a")}, {"shared", "system-a", "fingerprint-a"});
  EXPECT_EQ(as_batch.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 2);
  EXPECT_EQ(Run({"KEYS", keys_.Job("*")}).elements.size(), 2u);

  auto looked_up = queue_->LookupRequest({"shared", "system-a", "fingerprint-a"}, "jobs/");
  ASSERT_TRUE(looked_up.ok());
  EXPECT_EQ(looked_up->value_or(""), a->name());
  EXPECT_EQ(queue_->LookupRequest({"shared", "system-a", "fingerprint-a"}, "batches/")
                .status()
                .code(),
            StatusCode::kAlreadyExists);
  auto unused = queue_->LookupRequest({"shared", "system-c", "fingerprint-a"}, "jobs/");
  ASSERT_TRUE(unused.ok());
  EXPECT_FALSE(unused->has_value());
}

TEST_F(QueueTest, BatchOfAYearIsIdempotentAndListsInOrder) {
  // A real report as the snapshot, for realistic sizes.
  auto report = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  constexpr int kJobs = 7850;
  std::vector<JobSpec> specs(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    specs[i].report_name = "agencies/a" + std::to_string(i) + "/reports/2566";
    specs[i].snapshot = report->SerializeAsString();
  }
  auto start = std::chrono::steady_clock::now();
  auto batch = queue_->SubmitBatch(specs, {"bulk-1"});
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  std::printf("SubmitBatch: %d jobs (%zu-byte snapshots) in %lld ms\n", kJobs,
              specs[0].snapshot.size(), static_cast<long long>(ms.count()));
  EXPECT_EQ(batch->total(), kJobs);
  EXPECT_EQ(batch->queued(), kJobs);
  EXPECT_FALSE(batch->done());

  auto again = queue_->SubmitBatch(specs, {"bulk-1"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name(), batch->name());
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), kJobs);
  EXPECT_EQ(Int({"LLEN", keys_.BatchJobs(IdOf(batch->name()))}), kJobs);

  // Listing in submission order, by pages.
  int64_t next = 0;
  auto page = queue_->ListBatchJobs(IdOf(batch->name()), 0, 100, v1::JOB_STATE_UNSPECIFIED, &next);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->size(), 100u);
  EXPECT_EQ(next, 100);
  EXPECT_EQ((*page)[5].report(), "agencies/a5/reports/2566");
  EXPECT_EQ((*page)[5].batch(), batch->name());
  auto last = queue_->ListBatchJobs(IdOf(batch->name()), kJobs - 10, 100, v1::JOB_STATE_QUEUED, &next);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->size(), 10u);
  EXPECT_EQ(next, -1);
  auto none = queue_->ListBatchJobs(IdOf(batch->name()), 0, 100, v1::JOB_STATE_SUCCEEDED, &next);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(next, -1);
}

TEST_F(QueueTest, ClaimAndCompleteCountTheBatch) {
  auto batch = queue_->SubmitBatch({Spec("a"), Spec("b")}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  auto got = queue_->Read("w-0", 10, milliseconds(200));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(Pending(), 2);

  const std::string pdf = "%PDF-1.4 fake\n%%EOF\n";
  for (const Delivery& d : *got) {
    ClaimedJob job;
    auto outcome = queue_->Claim(d, &job);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    ASSERT_EQ(*outcome, ClaimOutcome::kClaimed);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_EQ(job.token, d.entry_id + "/1");
    EXPECT_EQ(job.batch_id, IdOf(batch->name()));
    EXPECT_EQ(job.snapshot.fiscal_year(), 2566);
    auto running = queue_->GetJob(job.job_id);
    ASSERT_TRUE(running.ok());
    EXPECT_EQ(running->state(), v1::JOB_STATE_RUNNING);
    EXPECT_TRUE(running->has_start_time());
    ASSERT_TRUE(queue_->Complete(job, pdf, 1).ok());
  }
  auto done = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->succeeded(), 2);
  EXPECT_EQ(done->queued(), 0);
  EXPECT_TRUE(done->done());
  EXPECT_TRUE(done->has_finish_time());
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 0);  // acknowledged entries are deleted

  auto job = queue_->GetJob(got->front().job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(job->document().size_bytes(), static_cast<int64_t>(pdf.size()));
  EXPECT_EQ(job->document().page_count(), 1);
  EXPECT_EQ(job->document().sha256().size(), 64u);
  EXPECT_GT(Int({"TTL", keys_.Job(got->front().job_id)}), 0);
  auto bytes = queue_->GetPdf(job->document().sha256());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, pdf);
}

// Redis forgets its scripts when it restarts; every step that sends a
// script with other commands (in a transaction or not) sends them again
// with the script's body, and nothing is written twice.
TEST_F(QueueTest, EveryStepWorksAfterRedisForgetsItsScripts) {
  auto flush = [&] { Run({"SCRIPT", "FLUSH"}); };
  flush();
  auto single = queue_->Submit(Spec("a"), {"req-flush"});
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  flush();
  auto again = queue_->Submit(Spec("a"), {"req-flush"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name(), single->name());
  flush();
  auto batch = queue_->SubmitBatch({Spec("b"), Spec("c")}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 3);
  EXPECT_EQ(Run({"KEYS", keys_.Job("*")}).elements.size(), 3u);

  for (int i = 0; i < 3; ++i) {
    flush();
    auto got = queue_->Read("w-0", 1, milliseconds(200));
    ASSERT_TRUE(got.ok() && got->size() == 1u);
    ClaimedJob job;
    auto outcome = queue_->Claim(got->front(), &job);
    ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    ASSERT_EQ(*outcome, ClaimOutcome::kClaimed);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_EQ(job.snapshot.fiscal_year(), 2566);
    flush();
    ASSERT_TRUE(queue_->Complete(job, "%PDF-" + job.job_id, 1).ok());
  }
  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->succeeded(), 2);
  EXPECT_TRUE(b->done());
  EXPECT_EQ(Pending(), 0);
}

// A busy worker reads its next entry with each completion: one round trip
// instead of two, and nothing is read once the stream is empty.
TEST_F(QueueTest, CompleteCanReadTheNextEntry) {
  auto batch = queue_->SubmitBatch({Spec("a"), Spec("b")}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ClaimedJob first = ReadAndClaim("w-0");
  std::vector<Delivery> next;
  ASSERT_TRUE(queue_->Complete(first, "%PDF-a", 1, "w-0", &next).ok());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].job_id, first.job_id);
  EXPECT_EQ(next[0].batch_id, IdOf(batch->name()));
  EXPECT_EQ(Pending(), 1);  // delivered to w-0, not yet done

  ClaimedJob second;
  ASSERT_EQ(*queue_->Claim(next[0], &second), ClaimOutcome::kClaimed);
  ASSERT_TRUE(queue_->Complete(second, "%PDF-b", 1, "w-0", &next).ok());
  EXPECT_TRUE(next.empty());
  EXPECT_EQ(Pending(), 0);
  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->succeeded(), 2);
  EXPECT_TRUE(b->done());
}

// Two writers of one batch (retries of one request racing): the chunk that
// finds the batch list longer than it expected writes nothing, and the job
// hashes its transaction set are deleted in the same transaction.
TEST_F(QueueTest, AChunkThatLosesTheRaceLeavesNothingBehind) {
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    // The other writer appends first.
    auto batches = Run({"KEYS", keys_.Batch("*")});
    EXPECT_EQ(batches.elements.size(), 1u);
    if (!batches.elements.empty()) Run({"RPUSH", batches.elements[0].str + ":jobs", "other"});
    return std::vector<JobSpec>(end - begin, Spec());
  };
  auto batch = queue_->SubmitBatch(3, source, {"race-1"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->total(), 3);
  EXPECT_EQ(Run({"KEYS", keys_.Job("*")}).elements.size(), 0u);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 0);
  EXPECT_EQ(Int({"LLEN", keys_.BatchJobs(IdOf(batch->name()))}), 1);  // the other's
}

// A submission that stops part way (here a report the source cannot read)
// seals the batch at the jobs it queued, so that it still completes, and
// says why.
TEST_F(QueueTest, ASubmissionThatStopsPartWaySealsTheBatch) {
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    if (begin > 0) return NotFound("report agencies/x/reports/2566 does not exist");
    return std::vector<JobSpec>(end - begin, Spec());
  };
  auto batch = queue_->SubmitBatch(300, source, {});
  EXPECT_EQ(batch.status().code(), StatusCode::kNotFound);
  auto ids = Run({"KEYS", keys_.Batch("*")});
  std::string id;
  for (const auto& k : ids.elements) {
    if (k.str.find(":jobs") == std::string::npos) id = k.str.substr(keys_.Batch("").size());
  }
  ASSERT_FALSE(id.empty());
  auto sealed = queue_->GetBatch(id);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->total(), 200);  // the first chunk
  EXPECT_EQ(sealed->queued(), 200);
  EXPECT_FALSE(sealed->done());
  EXPECT_NE(sealed->error().find("stopped after 200 of 300 jobs"), std::string::npos)
      << sealed->error();
  EXPECT_NE(sealed->error().find("does not exist"), std::string::npos) << sealed->error();
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 200);

  // Its jobs finishing completes it.
  for (int i = 0; i < 200; ++i) {
    ClaimedJob job = ReadAndClaim("w-0");
    ASSERT_TRUE(queue_->Complete(job, "%PDF-x", 1).ok());
  }
  auto done = queue_->GetBatch(id);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->done());
  EXPECT_EQ(done->succeeded(), 200);
}

// The error of a submission that stopped names its batch, which the caller
// cannot otherwise find.
TEST_F(QueueTest, TheErrorOfAStoppedSubmissionNamesItsBatch) {
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    if (begin > 0) return NotFound("report agencies/x/reports/2566 does not exist");
    return std::vector<JobSpec>(end - begin, Spec());
  };
  auto batch = queue_->SubmitBatch(300, source, {"named-1"});
  ASSERT_EQ(batch.status().code(), StatusCode::kNotFound);
  auto id = queue_->LookupRequest({"named-1"}, "batches/");
  ASSERT_TRUE(id.ok() && id->has_value());
  EXPECT_NE(batch.status().message().find(**id + " was sealed at 200 of 300 jobs"),
            std::string::npos)
      << batch.status().message();

  // A retry of the same request returns the sealed batch and adds nothing.
  auto again = queue_->SubmitBatch(300, [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    return std::vector<JobSpec>(end - begin, Spec());
  }, {"named-1"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name(), **id);
  EXPECT_EQ(again->total(), 200);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 200);
}

// A batch sealed while another submission of it is still writing (the
// other stopped on an error) takes no more jobs from the writer.
TEST_F(QueueTest, ASealedBatchTakesNoMoreJobs) {
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    // The third chunk is read while the second is written: once that is
    // in, the batch is sealed.
    if (begin == 400) {
      auto batches = Run({"KEYS", keys_.Batch("*")});
      for (const auto& k : batches.elements) {
        if (k.str.find(":jobs") == std::string::npos) continue;
        while (Int({"LLEN", k.str}) < 400) std::this_thread::sleep_for(milliseconds(1));
        Run({"HSET", k.str.substr(0, k.str.size() - 5), "sealed", "1"});
      }
    }
    return std::vector<JobSpec>(end - begin, Spec());
  };
  auto batch = queue_->SubmitBatch(500, source, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(Int({"LLEN", keys_.BatchJobs(IdOf(batch->name()))}), 400);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 400);
  EXPECT_EQ(Run({"KEYS", keys_.Job("*")}).elements.size(), 400u);  // none of the refused chunk
}

// The batch source may read Redis through the same pool as the queue: the
// submission holds no connection while it runs, so even a pool of one
// connection does not deadlock.
TEST_F(QueueTest, TheBatchSourceMayUseTheQueuesPool) {
  redis::Pool one(redis_.endpoint(), redis::Options{}, 1);
  JobQueue queue(one, keyspace::Keys(), QueueOptions{});
  auto source = [&](size_t begin, size_t end) -> Result<std::vector<JobSpec>> {
    auto pong = redis::Run(one, {"PING"});
    if (!pong.ok()) return pong.status();
    return std::vector<JobSpec>(end - begin, Spec());
  };
  auto batch = queue.SubmitBatch(450, source, {"one-connection"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->total(), 450);
  EXPECT_EQ(Int({"XLEN", keys_.RenderStream()}), 450);
}

// Redis out of memory refuses the PDF: the job stays RUNNING (never
// SUCCEEDED without its document), the error says why, and the entry read
// in the same round trip still reaches the worker.
TEST_F(QueueTest, AJobIsNeverSucceededWithoutItsPdf) {
  auto batch = queue_->SubmitBatch({Spec("a"), Spec("b")}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ClaimedJob job = ReadAndClaim("w-0");
  const std::string pdf = "%PDF-" + std::string(100000, 'x');
  Run({"CONFIG", "SET", "maxmemory", "1"});
  std::vector<Delivery> next;
  Status s = queue_->Complete(job, pdf, 1, "w-0", &next);
  Run({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("could not be stored"), std::string::npos) << s.message();
  auto state = queue_->GetJob(job.job_id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(queue_->GetPdf(Sha256Hex(pdf)).status().code(), StatusCode::kNotFound);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_NE(next[0].job_id, job.job_id);

  // With memory back, the same holder completes it.
  ASSERT_TRUE(queue_->Complete(job, pdf, 1).ok());
  state = queue_->GetJob(job.job_id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_TRUE(queue_->GetPdf(Sha256Hex(pdf)).ok());
}

TEST_F(QueueTest, OnlyTheCurrentClaimantCompletes) {
  QueueOptions o;
  o.claim_idle = milliseconds(50);
  Reset(o);
  auto batch = queue_->SubmitBatch({Spec()}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ClaimedJob first = ReadAndClaim("slow-0");

  // The first worker looks dead: another takes the entry over.
  std::this_thread::sleep_for(milliseconds(120));
  auto taken = queue_->Reclaim("fast-0", 10);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ(taken->front().entry_id, first.entry_id);
  ClaimedJob second;
  ASSERT_EQ(*queue_->Claim(taken->front(), &second), ClaimOutcome::kClaimed);
  EXPECT_EQ(second.attempts, 2);
  EXPECT_NE(second.token, first.token);

  Status late = queue_->Complete(first, "%PDF-first", 1);
  EXPECT_EQ(late.code(), StatusCode::kAborted) << late.ToString();
  EXPECT_EQ(queue_->GetJob(first.job_id)->state(), v1::JOB_STATE_RUNNING);  // still the second's
  EXPECT_EQ(queue_->Fail(first, "late", false).code(), StatusCode::kAborted);
  EXPECT_EQ(Pending(), 1);  // the fenced worker did not acknowledge it
  ASSERT_TRUE(queue_->Complete(second, "%PDF-second", 1).ok());
  // A repeat after the job is final is harmless and counts nothing.
  EXPECT_TRUE(queue_->Complete(second, "%PDF-second", 1).ok());
  EXPECT_TRUE(queue_->Complete(first, "%PDF-first", 1).ok());

  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->succeeded(), 1);
  EXPECT_EQ(b->failed(), 0);
  EXPECT_TRUE(b->done());
  auto job = queue_->GetJob(first.job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(job->attempts(), 2);
  // The document is the current claimant's, whatever the fenced one sent.
  EXPECT_EQ(job->document().sha256(), Sha256Hex("%PDF-second"));
  auto pdf = queue_->GetPdf(job->document().sha256());
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(*pdf, "%PDF-second");
  EXPECT_EQ(Pending(), 0);
}

TEST_F(QueueTest, RetriesWithBackoffThenDeadLetters) {
  QueueOptions o;
  o.max_attempts = 3;
  o.retry_base = milliseconds(300);
  o.retry_cap = milliseconds(1000);
  Reset(OnTestClock(o));
  auto batch = queue_->SubmitBatch({Spec()}, {});
  ASSERT_TRUE(batch.ok());
  std::string job_id;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    if (attempt > 1) {
      // Not before the backoff: 300 ms, then 600 ms.
      auto early = queue_->PromoteDueRetries();
      ASSERT_TRUE(early.ok());
      EXPECT_EQ(*early, 0) << "attempt " << attempt;
      Advance(milliseconds(300 << (attempt - 2)) - milliseconds(1));
      auto almost = queue_->PromoteDueRetries();
      ASSERT_TRUE(almost.ok());
      EXPECT_EQ(*almost, 0) << "attempt " << attempt;
      Advance(milliseconds(1));
      auto moved = queue_->PromoteDueRetries();
      ASSERT_TRUE(moved.ok()) << moved.status().ToString();
      EXPECT_EQ(*moved, 1);
    }
    ClaimedJob job = ReadAndClaim("w-0");
    EXPECT_EQ(job.attempts, attempt);
    job_id = job.job_id;
    ASSERT_TRUE(queue_->Fail(job, "font cache broke", false).ok());
    EXPECT_EQ(Pending(), 0);
    auto state = queue_->GetJob(job_id);
    ASSERT_TRUE(state.ok());
    if (attempt < 3) {
      EXPECT_EQ(state->state(), v1::JOB_STATE_QUEUED);
      EXPECT_EQ(state->error(), "font cache broke");
      EXPECT_EQ(Int({"ZCARD", keys_.RetrySchedule()}), 1);
    } else {
      EXPECT_EQ(state->state(), v1::JOB_STATE_FAILED);
      EXPECT_EQ(state->error(), "gave up after 3 attempts: font cache broke");
      EXPECT_EQ(Int({"ZCARD", keys_.RetrySchedule()}), 0);
    }
  }
  auto dead = Run({"XRANGE", keys_.DeadLetters(), "-", "+"});
  ASSERT_EQ(dead.elements.size(), 1u);
  const auto& kv = dead.elements[0].elements[1].elements;
  ASSERT_EQ(kv.size(), 8u);
  EXPECT_EQ(kv[1].str, job_id);
  EXPECT_EQ(kv[3].str, "agencies/bueng-khla/reports/2566");
  EXPECT_EQ(kv[5].str, "3");
  EXPECT_EQ(kv[7].str, "gave up after 3 attempts: font cache broke");
  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->failed(), 1);
  EXPECT_TRUE(b->done());
}

TEST_F(QueueTest, EntriesNameTheBatchAlsoAfterARetry) {
  QueueOptions o;
  o.retry_base = milliseconds(10);
  o.retry_cap = milliseconds(10);
  Reset(OnTestClock(o));
  auto single = queue_->Submit(Spec("single"), {});
  ASSERT_TRUE(single.ok());
  auto batch = queue_->SubmitBatch({Spec("in-batch")}, {});
  ASSERT_TRUE(batch.ok());
  auto got = queue_->Read("w-0", 10, milliseconds(200));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].job_id, IdOf(single->name()));
  EXPECT_EQ((*got)[0].batch_id, "");
  EXPECT_EQ((*got)[1].batch_id, IdOf(batch->name()));

  // Both fail once; the retries' new entries name the batch the same way.
  for (const Delivery& d : *got) {
    ClaimedJob job;
    ASSERT_EQ(*queue_->Claim(d, &job), ClaimOutcome::kClaimed);
    EXPECT_EQ(job.batch_id, d.batch_id);
    ASSERT_TRUE(queue_->Fail(job, "font cache broke", false).ok());
  }
  Advance(milliseconds(10));
  auto moved = queue_->PromoteDueRetries();
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 2);
  auto again = queue_->Read("w-0", 10, milliseconds(200));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  for (const Delivery& d : *again) {
    EXPECT_EQ(d.batch_id, d.job_id == IdOf(single->name()) ? "" : IdOf(batch->name()));
    ClaimedJob job;
    ASSERT_EQ(*queue_->Claim(d, &job), ClaimOutcome::kClaimed);
    EXPECT_EQ(job.attempts, 2);
    ASSERT_TRUE(queue_->Complete(job, "%PDF-" + d.job_id, 1).ok());
  }
  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->succeeded(), 1);
  EXPECT_TRUE(b->done());
  EXPECT_EQ(Pending(), 0);
}

TEST_F(QueueTest, AnEntryWithoutItsBatchIsStillCountedInTheBatch) {
  // Entries written before they carried the batch (an older service) name
  // only the job: the claim finds the batch in the job itself.
  QueueOptions o;
  o.max_attempts = 1;
  o.claim_idle = milliseconds(30);
  Reset(o);
  auto batch = queue_->SubmitBatch({Spec("a"), Spec("b")}, {});
  ASSERT_TRUE(batch.ok());
  auto got = queue_->Read("w-0", 10, milliseconds(200));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  Delivery first = (*got)[0], second = (*got)[1];
  first.batch_id.clear();
  second.batch_id.clear();

  ClaimedJob job;
  ASSERT_EQ(*queue_->Claim(first, &job), ClaimOutcome::kClaimed);
  EXPECT_EQ(job.batch_id, IdOf(batch->name()));
  EXPECT_EQ(job.attempts, 1);
  ASSERT_TRUE(queue_->Complete(job, "%PDF-a", 1).ok());

  // The other one's worker dies; taking it over uses up its one attempt,
  // which must count as failed in the batch.
  ClaimedJob lost;
  ASSERT_EQ(*queue_->Claim(second, &lost), ClaimOutcome::kClaimed);
  std::this_thread::sleep_for(milliseconds(60));
  auto taken = queue_->Reclaim("w-1", 10);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 1u);
  Delivery retaken = taken->front();
  retaken.batch_id.clear();
  EXPECT_EQ(*queue_->Claim(retaken, &lost), ClaimOutcome::kDeadLettered);

  auto b = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->succeeded(), 1);
  EXPECT_EQ(b->failed(), 1);
  EXPECT_TRUE(b->done());
  EXPECT_EQ(Pending(), 0);
}

TEST_F(QueueTest, PermanentFailureDeadLettersAtOnce) {
  auto job = queue_->Submit(Spec(), {});
  ASSERT_TRUE(job.ok());
  ClaimedJob claimed = ReadAndClaim("w-0");
  ASSERT_TRUE(queue_->Fail(claimed, "measures[0].title: is empty", true).ok());
  auto state = queue_->GetJob(claimed.job_id);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(state->attempts(), 1);
  EXPECT_EQ(state->error(), "measures[0].title: is empty");
  EXPECT_TRUE(state->has_finish_time());
  auto dead = Run({"XRANGE", keys_.DeadLetters(), "-", "+"});
  ASSERT_EQ(dead.elements.size(), 1u);
  EXPECT_EQ(dead.elements[0].elements[1].elements[7].str, "measures[0].title: is empty");
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Int({"ZCARD", keys_.RetrySchedule()}), 0);
}

TEST_F(QueueTest, AWorkerThatKeepsDyingUsesUpTheAttempts) {
  QueueOptions o;
  o.max_attempts = 2;
  o.claim_idle = milliseconds(30);
  Reset(o);
  ASSERT_TRUE(queue_->Submit(Spec(), {}).ok());
  ReadAndClaim("w-0");  // and never finishes
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(60));
    auto taken = queue_->Reclaim("w-1", 10);
    ASSERT_TRUE(taken.ok());
    ASSERT_EQ(taken->size(), 1u);
    ClaimedJob job;
    auto outcome = queue_->Claim(taken->front(), &job);
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(*outcome, i == 0 ? ClaimOutcome::kClaimed : ClaimOutcome::kDeadLettered);
  }
  auto dead = Run({"XRANGE", keys_.DeadLetters(), "-", "+"});
  ASSERT_EQ(dead.elements.size(), 1u);
  EXPECT_EQ(dead.elements[0].elements[1].elements[7].str,
            "gave up after 2 attempts: the worker stopped during the render");
  EXPECT_EQ(Pending(), 0);
}

TEST_F(QueueTest, CancelledJobsAreSkippedAndAcknowledged) {
  auto batch = queue_->SubmitBatch({Spec("a"), Spec("b"), Spec("c")}, {});
  ASSERT_TRUE(batch.ok());
  auto got = queue_->Read("w-0", 1, milliseconds(200));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  ClaimedJob running;
  ASSERT_EQ(*queue_->Claim(got->front(), &running), ClaimOutcome::kClaimed);

  // Cancel one queued job, then the whole batch (the running one too).
  auto list = queue_->ListBatchJobs(IdOf(batch->name()), 0, 10, v1::JOB_STATE_UNSPECIFIED, nullptr);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  auto cancelled = queue_->CancelJob(IdOf((*list)[2].name()));
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->state(), v1::JOB_STATE_CANCELLED);
  auto b = queue_->CancelBatch(IdOf(batch->name()));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->cancelled(), 3);
  EXPECT_TRUE(b->done());
  EXPECT_TRUE(queue_->CancelBatch(IdOf(batch->name()))->cancelled() == 3);  // counted once

  // The worker's later claims see final jobs and acknowledge them.
  auto rest = queue_->Read("w-0", 10, milliseconds(200));
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  for (const auto& d : *rest) {
    ClaimedJob job;
    EXPECT_EQ(*queue_->Claim(d, &job), ClaimOutcome::kAlreadyFinal);
  }
  // The job in hand finishes: acknowledged, still cancelled, not counted.
  EXPECT_TRUE(queue_->Complete(running, "%PDF-x", 1).ok());
  auto job = queue_->GetJob(running.job_id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), v1::JOB_STATE_CANCELLED);
  auto after = queue_->GetBatch(IdOf(batch->name()));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->succeeded(), 0);
  EXPECT_EQ(after->cancelled(), 3);
  EXPECT_EQ(Pending(), 0);

  EXPECT_EQ(queue_->CancelJob("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, AnExpiredDocumentIsNotFound) {
  QueueOptions o;
  o.document_ttl = std::chrono::seconds(1);
  Reset(o);
  ASSERT_TRUE(queue_->Submit(Spec(), {}).ok());
  ClaimedJob job = ReadAndClaim("w-0");
  ASSERT_TRUE(queue_->Complete(job, "%PDF-1.7 expiring", 1).ok());
  auto done = queue_->GetJob(job.job_id);
  ASSERT_TRUE(done.ok());
  const std::string sha = done->document().sha256();
  EXPECT_TRUE(queue_->GetPdf(sha).ok());
  auto ttl = Int({"PTTL", keys_.Pdf(sha)});
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 1000);
  std::this_thread::sleep_for(milliseconds(1100));
  auto gone = queue_->GetPdf(sha);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "the document has expired; render it again");
}

TEST_F(QueueTest, JobsSubmittedBeforeTheGroupExistsAreRead) {
  Run({"DEL", keys_.RenderStream()});
  ASSERT_TRUE(queue_->Submit(Spec(), {}).ok());
  ASSERT_TRUE(queue_->EnsureStream().ok());
  ASSERT_TRUE(queue_->EnsureStream().ok());  // idempotent
  ReadAndClaim("w-0");
}

}  // namespace
}  // namespace saraban::queue
