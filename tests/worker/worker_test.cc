// The render worker: in-process (the stored PDF is byte-identical to a
// direct render), and as `renderer` processes that are killed mid-run or
// stopped with SIGTERM, after which every job still succeeds exactly once.
#include "saraban/worker/worker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "saraban/digest.h"
#include "saraban/model/json.h"
#include "saraban/queue/job_queue.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/testing/redis_server.h"

namespace saraban::worker {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Polls `done` every 20 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.Start();
    pool_ = std::make_unique<redis::Pool>(redis_.endpoint(), redis::Options{}, 2);
    queue_ = std::make_unique<queue::JobQueue>(*pool_, keyspace::Keys(), queue::QueueOptions{});
    ASSERT_TRUE(queue_->EnsureStream().ok());
    auto report = model::LoadReportFile("examples/004_bueng_khla.json");
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    report_ = *report;
    logs_ = std::filesystem::temp_directory_path() /
            ("saraban-worker-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(logs_);
  }

  void TearDown() override {
    for (pid_t pid : pids_) {
      if (testing::WaitFor(pid, 0) == -1) {
        ::kill(-pid, SIGKILL);
        testing::WaitFor(pid, 5000);
      }
    }
    if (!HasFailure())
      std::filesystem::remove_all(logs_);
    else
      std::printf("renderer logs kept in %s\n", logs_.c_str());
  }

  // `n` jobs, each a copy of the example under another agency name, so
  // that every job has its own PDF.
  std::vector<queue::JobSpec> Specs(int n) {
    std::vector<queue::JobSpec> specs(n);
    for (int i = 0; i < n; ++i) {
      specs[i].report_name = "agencies/a" + std::to_string(i) + "/reports/2566";
      v1::Report report = report_;
      report.mutable_agency()->set_code("a" + std::to_string(i));
      report.mutable_agency()->set_name(report_.agency().name() + " " + std::to_string(i));
      specs[i].snapshot = report.SerializeAsString();
    }
    return specs;
  }

  // Starts an in-process worker of two threads reading as `consumer`.
  Result<std::unique_ptr<Worker>> StartInProcess(const std::string& consumer) {
    WorkerOptions options;
    options.endpoint = redis_.endpoint();
    options.threads = 2;
    options.consumer = consumer;
    auto worker = Worker::Create(options);
    if (worker.ok()) (*worker)->Start();
    return worker;
  }

  // Starts a `renderer` process reading as `name`.
  pid_t StartRenderer(const std::string& name, int threads = 2) {
    pid_t pid =
        testing::Spawn({SARABAN_RENDERER_BIN, "--redis", redis_.url(), "--workers",
                        std::to_string(threads), "--claim-idle-ms", "1000", "--consumer", name},
                       (logs_ / (name + ".log")).string());
    pids_.push_back(pid);
    return pid;
  }

  v1::Batch Batch(const std::string& name) {
    auto b = queue_->GetBatch(name.substr(name.find('/') + 1));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : v1::Batch{};
  }

  std::vector<v1::Job> Jobs(const std::string& batch_name) {
    int64_t next = 0;
    auto jobs = queue_->ListBatchJobs(batch_name.substr(batch_name.find('/') + 1), 0, 100000,
                                      v1::JOB_STATE_UNSPECIFIED, &next);
    EXPECT_TRUE(jobs.ok()) << jobs.status().ToString();
    return jobs.ok() ? *jobs : std::vector<v1::Job>{};
  }

  // Every job succeeded once, with its PDF stored whole; nothing pending.
  void ExpectAllSucceeded(const std::string& batch_name, int total) {
    v1::Batch b = Batch(batch_name);
    EXPECT_TRUE(b.done());
    EXPECT_EQ(b.total(), total);
    EXPECT_EQ(b.succeeded(), total);
    EXPECT_EQ(b.failed(), 0);
    EXPECT_EQ(b.cancelled(), 0);
    std::vector<v1::Job> jobs = Jobs(batch_name);
    ASSERT_EQ(static_cast<int>(jobs.size()), total);
    std::set<std::string> digests;
    for (const v1::Job& job : jobs) {
      ASSERT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.name() << ": " << job.error();
      auto pdf = queue_->GetPdf(job.document().sha256());
      ASSERT_TRUE(pdf.ok()) << job.name() << ": " << pdf.status().ToString();
      EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u) << job.name();
      EXPECT_NE(pdf->find("%%EOF", pdf->size() - 8), std::string::npos) << job.name();
      EXPECT_EQ(Sha256Hex(*pdf), job.document().sha256()) << job.name();
      EXPECT_EQ(static_cast<int64_t>(pdf->size()), job.document().size_bytes());
      digests.insert(job.document().sha256());
    }
    EXPECT_EQ(static_cast<int>(digests.size()), total);  // each its own document
    auto pending = queue_->PendingCount();
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(*pending, 0);
    auto dead = redis::Run(*pool_, {"XLEN", keyspace::Keys().DeadLetters()});
    ASSERT_TRUE(dead.ok());
    EXPECT_EQ(dead->AsInteger(), 0);
  }

  static bool ExitedWith(int status, int code) {
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
  }

  testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<queue::JobQueue> queue_;
  v1::Report report_;
  std::filesystem::path logs_;
  std::vector<pid_t> pids_;
};

TEST_F(WorkerTest, StoresTheSameBytesAsADirectRender) {
  queue::JobSpec spec;
  spec.report_name = "agencies/bueng-khla/reports/2566";
  spec.snapshot = report_.SerializeAsString();
  auto job = queue_->Submit(spec, {});
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  queue::JobSpec bad = spec;
  v1::Report out_of_range = report_;
  out_of_range.set_fiscal_year(12);  // a permanent failure
  bad.snapshot = out_of_range.SerializeAsString();
  auto bad_job = queue_->Submit(bad, {});
  ASSERT_TRUE(bad_job.ok());

  auto worker = StartInProcess("in-process");
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();
  const std::string id = job->name().substr(5), bad_id = bad_job->name().substr(5);
  auto final_state = [&](const std::string& j) {
    auto got = queue_->GetJob(j);
    return got.ok() && (got->state() == v1::JOB_STATE_SUCCEEDED || got->state() == v1::JOB_STATE_FAILED);
  };
  ASSERT_TRUE(
      WaitUntil([&] { return final_state(id) && final_state(bad_id); }, milliseconds(30000)));
  (*worker)->Stop();
  EXPECT_EQ((*worker)->stats().succeeded, 1);
  EXPECT_EQ((*worker)->stats().failed, 1);

  auto done = queue_->GetJob(id);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->state(), v1::JOB_STATE_SUCCEEDED) << done->error();
  auto stored = queue_->GetPdf(done->document().sha256());
  ASSERT_TRUE(stored.ok());

  auto renderer = report::ReportRenderer::Create();  // the CLI's defaults
  ASSERT_TRUE(renderer.ok());
  auto tmpl = report::DefaultTemplate();
  ASSERT_TRUE(tmpl.ok());
  auto direct = (*renderer)->Render(report_, *tmpl);
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_TRUE(*stored == direct->bytes)
      << "stored " << stored->size() << " bytes, direct " << direct->bytes.size();
  EXPECT_EQ(done->document().page_count(), direct->page_count);

  auto failed = queue_->GetJob(bad_id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(failed->attempts(), 1);
  EXPECT_NE(failed->error().find("fiscalYear"), std::string::npos) << failed->error();
}

TEST_F(WorkerTest, EveryJobSucceedsOnceWhenARendererIsKilled) {
  constexpr int kJobs = 1000;
  auto batch = queue_->SubmitBatch(Specs(kJobs), {"crash-test"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const std::string name = batch->name();
  const auto start = Clock::now();
  pid_t doomed = StartRenderer("doomed");
  pid_t survivor = StartRenderer("survivor");

  // Kill one mid-run, jobs in hand, without a chance to clean up.
  ASSERT_TRUE(WaitUntil([&] { return Batch(name).succeeded() >= 150; }, milliseconds(60000)));
  ASSERT_EQ(::kill(-doomed, SIGKILL), 0);
  testing::WaitFor(doomed, 5000);
  const int at_kill = Batch(name).succeeded();
  pid_t replacement = StartRenderer("replacement");

  ASSERT_TRUE(WaitUntil([&] { return Batch(name).done(); }, milliseconds(120000)))
      << "succeeded " << Batch(name).succeeded() << " of " << kJobs;
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("crash test: %d jobs in %.1f s (%.0f jobs/s); killed a renderer after %d\n", kJobs,
              seconds, kJobs / seconds, at_kill);
  ExpectAllSucceeded(name, kJobs);

  int retaken = 0;
  for (const v1::Job& job : Jobs(name)) retaken += job.attempts() > 1;
  std::printf("crash test: %d jobs were rendered again after the kill\n", retaken);

  for (pid_t pid : {survivor, replacement}) {
    ::kill(pid, SIGTERM);
    EXPECT_TRUE(ExitedWith(testing::WaitFor(pid, 10000), 0));
  }
}

// Renderers killed with SIGKILL at random, again and again, while 2,000
// jobs run: every job still succeeds once with its PDF whole, and a job
// rendered more than once (taken over from a killed renderer) has exactly
// the bytes a direct render gives.
TEST_F(WorkerTest, RandomKillsDuringATwoThousandJobRunLoseNothing) {
  constexpr int kJobs = 2000;
  constexpr int kRenderers = 3;
  auto batch = queue_->SubmitBatch(Specs(kJobs), {"random-kills"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const std::string name = batch->name();
  std::vector<pid_t> live;
  int started = 0;
  for (int i = 0; i < kRenderers; ++i) live.push_back(StartRenderer("r" + std::to_string(started++)));

  std::mt19937 rng(20261129);  // fixed: the same schedule every run
  int kills = 0;
  const auto start = Clock::now();
  while (!Batch(name).done() && Clock::now() - start < std::chrono::seconds(150)) {
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(150, 600)(rng)));
    if (Batch(name).done() || kills >= 25) continue;
    const size_t victim = std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng);
    ASSERT_EQ(::kill(-live[victim], SIGKILL), 0);
    testing::WaitFor(live[victim], 5000);
    ++kills;
    live[victim] = StartRenderer("r" + std::to_string(started++));
  }
  ASSERT_TRUE(WaitUntil([&] { return Batch(name).done(); }, milliseconds(120000)))
      << "succeeded " << Batch(name).succeeded() << " of " << kJobs << " after " << kills
      << " kills";
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(kills, 5) << "the run ended before the renderers were killed often enough";
  ExpectAllSucceeded(name, kJobs);

  // Jobs delivered more than once: their stored PDF is the one a direct
  // render of the same snapshot gives.
  auto renderer = report::ReportRenderer::Create();
  ASSERT_TRUE(renderer.ok());
  auto tmpl = report::DefaultTemplate();
  ASSERT_TRUE(tmpl.ok());
  const std::vector<queue::JobSpec> specs = Specs(kJobs);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < specs.size(); ++i) index[specs[i].report_name] = i;
  int redelivered = 0, compared = 0;
  for (const v1::Job& job : Jobs(name)) {
    if (job.attempts() < 2) continue;
    ++redelivered;
    if (compared >= 50) continue;
    v1::Report report;
    ASSERT_TRUE(report.ParseFromString(specs[index.at(job.report())].snapshot));
    auto direct = (*renderer)->Render(report, *tmpl);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(Sha256Hex(direct->bytes), job.document().sha256()) << job.name();
    ++compared;
  }
  std::printf("random kills: %d jobs in %.1f s with %d renderers SIGKILLed; %d jobs delivered "
              "more than once, %d compared with a direct render\n",
              kJobs, seconds, kills, redelivered, compared);
  for (pid_t pid : live) ::kill(pid, SIGTERM);
}

// Two installations on one Redis, told apart by their key prefix: each
// one's worker renders only its own jobs, and no key of one is touched by
// the other.
TEST_F(WorkerTest, TwoDeploymentsShareARedisByKeyPrefix) {
  queue::JobQueue east(*pool_, keyspace::Keys("east:"), queue::QueueOptions{});
  queue::JobQueue west(*pool_, keyspace::Keys("west:"), queue::QueueOptions{});
  ASSERT_TRUE(east.EnsureStream().ok());
  ASSERT_TRUE(west.EnsureStream().ok());
  auto east_batch = east.SubmitBatch(Specs(20), {"same-request-id"});
  auto west_batch = west.SubmitBatch(Specs(20), {"same-request-id"});
  ASSERT_TRUE(east_batch.ok() && west_batch.ok());
  EXPECT_NE(east_batch->name(), west_batch->name()) << "a request id leaked across prefixes";

  WorkerOptions options;
  options.endpoint = redis_.endpoint();
  options.threads = 2;
  options.consumer = "east-worker";
  options.keys = keyspace::Keys("east:");
  auto worker = Worker::Create(options);
  ASSERT_TRUE(worker.ok());
  (*worker)->Start();
  const std::string east_id = east_batch->name().substr(8), west_id = west_batch->name().substr(8);
  ASSERT_TRUE(WaitUntil([&] { return east.GetBatch(east_id)->done(); }, milliseconds(60000)));
  std::this_thread::sleep_for(milliseconds(300));
  (*worker)->Stop();
  EXPECT_EQ(east.GetBatch(east_id)->succeeded(), 20);
  EXPECT_EQ(west.GetBatch(west_id)->succeeded(), 0) << "east's worker rendered west's jobs";
  auto west_stats = west.Stats();
  ASSERT_TRUE(west_stats.ok());
  EXPECT_EQ(west_stats->entries, 20) << "west's stream was read by east";

  // Every key is under one prefix or the other (the default test queue's
  // stream aside).
  auto keys = redis::Run(*pool_, {"KEYS", "*"});
  ASSERT_TRUE(keys.ok());
  for (const auto& k : keys->elements) {
    const bool mine = k.str.rfind("east:", 0) == 0 || k.str.rfind("west:", 0) == 0 ||
                      k.str.rfind(keyspace::Keys().RenderStream(), 0) == 0;
    EXPECT_TRUE(mine) << k.str;
  }
}

TEST_F(WorkerTest, SigtermFinishesTheJobsInHandAndExits) {
  constexpr int kJobs = 300;
  auto batch = queue_->SubmitBatch(Specs(kJobs), {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const std::string name = batch->name();
  pid_t first = StartRenderer("first");
  ASSERT_TRUE(WaitUntil([&] { return Batch(name).succeeded() >= 30; }, milliseconds(60000)));

  const auto sent = Clock::now();
  ASSERT_EQ(::kill(first, SIGTERM), 0);
  const int status = testing::WaitFor(first, 5000);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
  ASSERT_TRUE(ExitedWith(status, 0)) << "status " << status;
  std::printf("SIGTERM: exited 0 after %.0f ms with %d of %d jobs done\n", ms,
              Batch(name).succeeded(), kJobs);
  EXPECT_FALSE(Batch(name).done());  // stopped part way: the rest is still queued

  // Nothing was left running: the jobs in hand were finished.
  int running = 0;
  for (const v1::Job& job : Jobs(name)) running += job.state() == v1::JOB_STATE_RUNNING;
  EXPECT_EQ(running, 0);
  auto pending = queue_->PendingCount();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, 0);

  // Another renderer finishes the batch.
  StartRenderer("second");
  ASSERT_TRUE(WaitUntil([&] { return Batch(name).done(); }, milliseconds(120000)));
  ExpectAllSucceeded(name, kJobs);
}

TEST_F(WorkerTest, KeepsGoingWhenRedisRestarts) {
  auto worker = StartInProcess("restart");
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();
  redis_.Stop();
  std::this_thread::sleep_for(milliseconds(500));  // the threads back off meanwhile
  redis_.Start();
  auto batch = queue_->SubmitBatch(Specs(5), {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_TRUE(WaitUntil([&] { return Batch(batch->name()).done(); }, milliseconds(30000)));
  (*worker)->Stop();
  ExpectAllSucceeded(batch->name(), 5);
}

TEST(RendererTest, RefusesARedisThatMayLoseJobs) {
  testing::RedisServer::Options unsafe;
  unsafe.appendonly = false;
  testing::RedisServer redis(unsafe);
  redis.Start();
  const std::string log = std::filesystem::temp_directory_path() /
                          ("saraban-unsafe-" + std::to_string(::getpid()) + ".log");
  pid_t pid = testing::Spawn({SARABAN_RENDERER_BIN, "--redis", redis.url()}, log);
  int status = testing::WaitFor(pid, 10000);
  if (status == -1) {
    ::kill(-pid, SIGKILL);
    testing::WaitFor(pid, 5000);
  }
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1);

  // With the flag it runs (and stops cleanly on SIGTERM).
  pid = testing::Spawn(
      {SARABAN_RENDERER_BIN, "--redis", redis.url(), "--workers", "1", "--allow-unsafe-redis"},
      log);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(testing::WaitFor(pid, 0), -1);  // still running
  ::kill(pid, SIGTERM);
  status = testing::WaitFor(pid, 5000);
  EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace saraban::worker
