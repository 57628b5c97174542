// Faults against the real processes, each on a stack of its own: Redis
// paused (SIGSTOP) longer than the RPC deadlines, Redis out of memory, and
// poison jobs in a batch. Each must end with the right status codes, the
// services recovering on their own, and nothing acknowledged lost.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <thread>

#include "saraban/model/json.h"
#include "saraban/redis/client.h"
#include "saraban/keyspace/keys.h"
#include "saraban/testing/sample_reports.h"
#include "saraban/testing/stack.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"
#include "services/stack_support.h"
#include "test_support.h"

namespace saraban {
namespace {

using grpc::health::v1::HealthCheckResponse;
using test::Ctx;
using test::Health;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

class FaultTest : public ::testing::Test {
 protected:
  void StartStack(testing::StackOptions o) {
    o.bin_dir = SARABAN_BINARY_DIR;
    o.worker_args.insert(o.worker_args.end(), {"--claim-idle-ms", "3000"});
    stack_ = std::make_unique<testing::Stack>(o);
    stack_->Start();
    reports_ = v1::ReportService::NewStub(
        grpc::CreateChannel(stack_->reports_address(), grpc::InsecureChannelCredentials()));
    docs_ = v1::DocumentService::NewStub(
        grpc::CreateChannel(stack_->documents_address(), grpc::InsecureChannelCredentials()));
  }

  v1::ImportReportsResponse Import(const std::vector<v1::Report>& reports) {
    return test::ImportReports(*reports_, reports);
  }

  grpc::Status GetReport(const std::string& name, int deadline_s = 10) {
    v1::GetReportRequest req;
    req.set_name(name);
    v1::ReportResource resp;
    return reports_->GetReport(Ctx(deadline_s).get(), req, &resp);
  }

  // Watches the batch to its end.
  v1::Batch WatchBatch(const std::string& name) {
    auto ctx = Ctx(240);
    v1::WatchBatchRequest w;
    w.set_name(name);
    auto reader = docs_->WatchBatch(ctx.get(), w);
    return test::ReadToEnd(*reader);
  }

  std::vector<v1::Job> Jobs(const std::string& batch) {
    v1::ListJobsRequest list;
    list.set_batch(batch);
    list.set_page_size(1000);
    v1::ListJobsResponse page;
    grpc::Status s = docs_->ListJobs(Ctx().get(), list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {page.jobs().begin(), page.jobs().end()};
  }

  v1::Report Seed() {
    auto seed = model::LoadReportFile("examples/004_bueng_khla.json");
    EXPECT_TRUE(seed.ok());
    return *seed;
  }

  std::unique_ptr<testing::Stack> stack_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::DocumentService::Stub> docs_;
};

TEST_F(FaultTest, RedisPausedLongerThanTheDeadlinesIsSurvived) {
  testing::StackOptions o;
  o.workers = 1;
  StartStack(o);
  constexpr int kReports = 200;
  ASSERT_EQ(Import(testing::SampleReports(Seed(), kReports, "pause", 2570)).failed(), 0);
  v1::RenderBulkRequest req;
  req.mutable_filter()->set_fiscal_year(2570);
  v1::Batch batch;
  ASSERT_TRUE(docs_->RenderBulk(Ctx(60).get(), req, &batch).ok());
  ASSERT_TRUE(test::WaitForSucceeded(*docs_, 20, &batch, 10));
  ASSERT_LT(batch.succeeded(), kReports) << "rendered before Redis could be paused";

  // Frozen, not gone: connections stay open and nothing answers. Calls
  // with a 2 s deadline end with DEADLINE_EXCEEDED or UNAVAILABLE; the
  // services' health turns NOT_SERVING.
  const pid_t redis = stack_->redis().pid();
  ASSERT_EQ(::kill(redis, SIGSTOP), 0);
  const auto paused = Clock::now();
  std::map<grpc::StatusCode, int> codes;
  for (int i = 0; i < 3; ++i) {
    grpc::Status s = GetReport("agencies/pause-00001/reports/2570", 2);
    codes[s.error_code()]++;
    EXPECT_TRUE(s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                s.error_code() == grpc::StatusCode::UNAVAILABLE)
        << s.error_code() << " " << s.error_message();
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(Health(stack_->reports_address()), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(stack_->documents_address()), HealthCheckResponse::NOT_SERVING);
  // Longer than Redis's command timeout in the binaries (5 s), so their
  // connections give up on it too.
  std::this_thread::sleep_until(paused + std::chrono::seconds(7));
  ASSERT_EQ(::kill(redis, SIGCONT), 0);

  // Back on their own, without a restart.
  grpc::Status s;
  for (int i = 0; i < 100; ++i) {
    s = GetReport("agencies/pause-00001/reports/2570");
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
  batch = WatchBatch(batch.name());
  EXPECT_EQ(batch.succeeded(), kReports);
  EXPECT_EQ(batch.failed() + batch.cancelled(), 0);
  for (const v1::Job& job : Jobs(batch.name())) {
    EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.name() << ": " << job.error();
  }
  EXPECT_EQ(Health(stack_->reports_address()), HealthCheckResponse::SERVING);
  for (pid_t pid : stack_->services()) EXPECT_EQ(::kill(pid, 0), 0) << "a service died";
  std::printf("paused Redis for 7 s: %d calls ended DEADLINE_EXCEEDED, %d UNAVAILABLE\n",
              codes[grpc::StatusCode::DEADLINE_EXCEEDED], codes[grpc::StatusCode::UNAVAILABLE]);
}

TEST_F(FaultTest, RedisOutOfMemoryRefusesWritesClearlyAndRecovers) {
  testing::StackOptions o;
  o.workers = 1;
  o.redis.maxmemory = "12mb";
  StartStack(o);
  constexpr int kReports = 1500;
  const auto reports = testing::SampleReports(Seed(), kReports, "oom", 2571);
  v1::ImportReportsResponse first = Import(reports);
  const int stored = first.created() + first.updated();
  EXPECT_EQ(stored + first.failed(), kReports);
  ASSERT_GT(first.failed(), 0) << "12 MB held every report: no memory pressure";
  ASSERT_EQ(first.results_size(), kReports);
  // The first refused report's reason, which the summary below prints.
  std::string refusal;
  for (const auto& r : first.results()) {
    if (r.outcome() != v1::ImportReportsResponse::OUTCOME_FAILED) continue;
    ASSERT_GT(r.violations_size(), 0) << r.DebugString();
    refusal = r.violations(0).description();
    break;
  }
  EXPECT_THAT(refusal, HasSubstr("memory"));

  // What was stored is whole; a render cannot queue while memory is full.
  EXPECT_TRUE(GetReport("agencies/oom-00000/reports/2571").ok());
  v1::RenderReportRequest render;
  render.set_report("agencies/oom-00000/reports/2571");
  v1::Job job;
  grpc::Status refused = docs_->RenderReport(Ctx().get(), render, &job);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_EQ(Health(stack_->reports_address()), HealthCheckResponse::SERVING);

  // Nothing half-written: every agency listed has its report.
  v1::ListReportsRequest list;
  list.set_parent("agencies/-");
  list.set_fiscal_year(2571);
  list.set_page_size(1000);
  list.set_summary_only(true);
  int listed = 0;
  do {
    v1::ListReportsResponse page;
    ASSERT_TRUE(reports_->ListReports(Ctx().get(), list, &page).ok());
    listed += page.reports_size();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(listed, stored);

  // More memory: the same services take the rest and render.
  redis::Connection admin(stack_->redis().endpoint(), {});
  ASSERT_TRUE(admin.Run({"CONFIG", "SET", "maxmemory", "0"}).ok());
  v1::ImportReportsResponse second = Import(reports);
  EXPECT_EQ(second.failed(), 0);
  ASSERT_TRUE(docs_->RenderReport(Ctx().get(), render, &job).ok());
  v1::WatchJobRequest w;
  w.set_name(job.name());
  auto ctx = Ctx(60);
  auto reader = docs_->WatchJob(ctx.get(), w);
  job = test::ReadToEnd(*reader);
  EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.error();
  std::printf("Redis at 12 MB: %d of %d reports stored, %d refused (%s)\n", stored, kReports,
              first.failed(), refusal.c_str());
}

TEST_F(FaultTest, PoisonJobsAreDeadLetteredAndBlockNothingBehindThem) {
  testing::StackOptions o;
  o.workers = 0;  // the jobs are spoiled before any worker reads them
  StartStack(o);
  constexpr int kGood = 60;
  ASSERT_EQ(Import(testing::SampleReports(Seed(), kGood + 2, "poison", 2572)).failed(), 0);
  v1::RenderBulkRequest req;
  req.mutable_filter()->set_fiscal_year(2572);
  v1::Batch batch;
  ASSERT_TRUE(docs_->RenderBulk(Ctx(60).get(), req, &batch).ok());
  std::vector<v1::Job> jobs = Jobs(batch.name());
  ASSERT_EQ(static_cast<int>(jobs.size()), kGood + 2);

  // The first two jobs of the stream go bad: one snapshot unreadable, one
  // readable but not a report that can be rendered.
  redis::Connection admin(stack_->redis().endpoint(), {});
  const keyspace::Keys keys;
  const std::string garbled = jobs[0].name().substr(5), invalid = jobs[1].name().substr(5);
  ASSERT_TRUE(admin.Run({"HSET", keys.Job(garbled), "snapshot", "\xff\xff not a report"}).ok());
  v1::Report bad = Seed();
  bad.set_fiscal_year(12);
  ASSERT_TRUE(admin.Run({"HSET", keys.Job(invalid), "snapshot", bad.SerializeAsString()}).ok());

  stack_->StartWorker();
  batch = WatchBatch(batch.name());
  EXPECT_EQ(batch.succeeded(), kGood);
  EXPECT_EQ(batch.failed(), 2);
  std::map<std::string, v1::Job> by_name;
  for (const v1::Job& job : Jobs(batch.name())) by_name[job.name()] = job;
  const v1::Job& g = by_name.at(jobs[0].name());
  const v1::Job& i = by_name.at(jobs[1].name());
  EXPECT_EQ(g.state(), v1::JOB_STATE_FAILED);
  EXPECT_THAT(g.error(), HasSubstr("snapshot is unreadable"));
  EXPECT_EQ(i.state(), v1::JOB_STATE_FAILED);
  EXPECT_THAT(i.error(), HasSubstr("fiscalYear"));
  // Bad input is not retried: one delivery each, then the dead-letter
  // stream with the reason.
  EXPECT_EQ(g.attempts(), 1);
  EXPECT_EQ(i.attempts(), 1);
  auto dead = admin.Run({"XRANGE", keys.DeadLetters(), "-", "+"});
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->elements.size(), 2u);
  std::string entries;
  for (const auto& e : dead->elements) {
    for (const auto& f : e.elements.at(1).elements) entries += f.str + " ";
  }
  EXPECT_THAT(entries, HasSubstr(garbled));
  EXPECT_THAT(entries, HasSubstr("snapshot is unreadable"));
  EXPECT_THAT(entries, HasSubstr(invalid));

  // The same through the API, a page at a time. The two workers' threads
  // fail the two jobs at once: either may be dead-lettered first.
  v1::ListDeadLettersRequest list;
  list.set_page_size(1);
  v1::ListDeadLettersResponse page;
  std::map<std::string, v1::DeadLetter> letters;
  ASSERT_TRUE(docs_->ListDeadLetters(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.dead_letters_size(), 1);
  letters[page.dead_letters(0).job()] = page.dead_letters(0);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(docs_->ListDeadLetters(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.dead_letters_size(), 1);
  letters[page.dead_letters(0).job()] = page.dead_letters(0);
  EXPECT_TRUE(page.next_page_token().empty());
  ASSERT_EQ(letters.count(jobs[0].name()), 1u);
  ASSERT_EQ(letters.count(jobs[1].name()), 1u);
  EXPECT_EQ(letters[jobs[0].name()].attempts(), 1);
  EXPECT_THAT(letters[jobs[0].name()].reason(), HasSubstr("snapshot is unreadable"));
  EXPECT_EQ(letters[jobs[1].name()].report(), jobs[1].report());
  list.set_page_token("not-a-token");
  EXPECT_EQ(docs_->ListDeadLetters(Ctx().get(), list, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(FaultTest, LimitsPerBatchAndPerCallerAreEnforcedWithClearErrors) {
  // Both read by document-service from its environment (the test's).
  ::setenv("SARABAN_MAX_JOBS_IN_FLIGHT_PER_CALLER", "5", 1);
  ::setenv("SARABAN_MAX_BATCH_JOBS", "8", 1);
  testing::StackOptions o;
  o.workers = 0;  // nothing finishes until a worker starts
  StartStack(o);
  ::unsetenv("SARABAN_MAX_JOBS_IN_FLIGHT_PER_CALLER");
  ::unsetenv("SARABAN_MAX_BATCH_JOBS");
  ASSERT_EQ(Import(testing::SampleReports(Seed(), 10, "limit", 2573)).failed(), 0);

  v1::RenderBulkRequest all;
  all.mutable_filter()->set_fiscal_year(2573);
  v1::Batch batch;
  grpc::Status too_big = docs_->RenderBulk(Ctx().get(), all, &batch);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(too_big.error_message(), HasSubstr("more than 8 reports match"));

  v1::RenderBulkRequest four;
  for (int i = 0; i < 4; ++i) {
    four.mutable_reports()->add_reports("agencies/limit-0000" + std::to_string(i) + "/reports/2573");
  }
  ASSERT_TRUE(docs_->RenderBulk(Ctx().get(), four, &batch).ok());
  v1::RenderReportRequest one;
  one.set_report("agencies/limit-00009/reports/2573");
  v1::Job job;
  ASSERT_TRUE(docs_->RenderReport(Ctx().get(), one, &job).ok());  // 5 in flight
  one.set_report("agencies/limit-00008/reports/2573");
  grpc::Status full = docs_->RenderReport(Ctx().get(), one, &job);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(full.error_message(), HasSubstr("has 5 jobs queued or running"));
  EXPECT_THAT(full.error_message(), HasSubstr("at most 5 per caller"));

  // Once they finish, the caller may queue again.
  stack_->StartWorker();
  EXPECT_EQ(WatchBatch(batch.name()).succeeded(), 4);
  grpc::Status again;
  for (int i = 0; i < 100; ++i) {
    again = docs_->RenderReport(Ctx().get(), one, &job);
    if (again.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(again.ok()) << again.error_message();
}

}  // namespace
}  // namespace saraban
