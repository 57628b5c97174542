// Submissions, in process, over a real redis-server: the steps of a render
// submission (idempotency, selection, access, quota, layout, snapshots,
// submit, track) without gRPC in the way.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "saraban/authz/policy.h"
#include "saraban/document_service/submissions.h"
#include "saraban/model/json.h"
#include "saraban/queue/job_queue.h"
#include "saraban/report/default_template.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/store/report_store.h"
#include "saraban/testing/redis_server.h"
#include "saraban/testing/sample_reports.h"

namespace saraban::document_service {
namespace {

constexpr char kSeedReport[] = "agencies/bueng-khla/reports/2566";

class SubmissionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pool = report::RendererPool::Create({}, 1);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    layouts_ = std::move(pool).value().release();
  }
  static void TearDownTestSuite() { delete layouts_; }

  void SetUp() override {
    redis_.Start();
    pool_ = std::make_unique<redis::Pool>(redis_.endpoint(), redis::Options{}, 2);
    reports_ = std::make_unique<store::ReportStore>(*pool_, keyspace::Keys());
    jobs_ = std::make_unique<queue::JobQueue>(*pool_, keyspace::Keys(), queue::QueueOptions{});
    ASSERT_TRUE(jobs_->EnsureStream().ok());
    Reset(SubmissionOptions{});
    auto seed = model::LoadReportFile("examples/004_bueng_khla.json");
    ASSERT_TRUE(seed.ok()) << seed.status().ToString();
    seed_ = *seed;
    Put(seed_);
  }

  void Reset(SubmissionOptions options) {
    submissions_ = std::make_unique<Submissions>(*reports_, *jobs_, *layouts_, options);
  }

  void Put(const v1::Report& report) {
    bool created = false;
    std::vector<Status> errors;
    auto put = reports_->PutReport(report, /*upsert_agency=*/true, &created, &errors);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  int64_t Keys() { return redis::Run(*pool_, {"DBSIZE"})->integer; }
  int64_t Queued() { return redis::Run(*pool_, {"XLEN", jobs_->keys().RenderStream()})->integer; }

  static authz::Caller AgencyCaller(const std::string& name, const std::string& agency) {
    return {name, v1::ROLE_AGENCY, {agency}, {}};
  }

  static v1::RenderReportRequest RenderOf(const std::string& report, const std::string& id = "") {
    v1::RenderReportRequest r;
    r.set_report(report);
    r.set_request_id(id);
    return r;
  }

  // Valid as a template (one inch printable), but its 72 pt table text
  // does not fit the measure column.
  static v1::Template TooSmallForTheTable() {
    v1::Template t = *report::DefaultTemplate();
    t.set_page_height_mm(80);
    t.set_margin_top_mm(10);
    t.set_margin_bottom_mm(10);
    t.set_table_size(72);
    return t;
  }

  Result<v1::Batch> Bulk(const Submitter& who, const v1::RenderBulkRequest& request) {
    std::vector<Status> template_errors;
    return submissions_->RenderBulk(who, request, [] { return false; }, &template_errors);
  }
  Result<v1::Job> Render(const Submitter& who, const v1::RenderReportRequest& request) {
    std::vector<Status> template_errors;
    return submissions_->RenderReport(who, request, &template_errors);
  }

  static report::RendererPool* layouts_;
  saraban::testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<store::ReportStore> reports_;
  std::unique_ptr<queue::JobQueue> jobs_;
  std::unique_ptr<Submissions> submissions_;
  v1::Report seed_;
};

report::RendererPool* SubmissionsTest::layouts_ = nullptr;

TEST_F(SubmissionsTest, ARequestIdGivesBackItsJobOnlyToTheSameCallerAndRequest) {
  const authz::Caller a = AgencyCaller("system-a", "bueng-khla");
  const authz::Caller b = AgencyCaller("system-b", "bueng-khla");
  auto first = Render({a, true}, RenderOf(kSeedReport, "r-1"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->name().empty());
  EXPECT_EQ(first->report(), kSeedReport);
  EXPECT_EQ(first->report_revision(), 1);

  auto again = Render({a, true}, RenderOf(kSeedReport, "r-1"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(Queued(), 1);

  // Another caller's id of the same spelling is its own.
  auto theirs = Render({b, true}, RenderOf(kSeedReport, "r-1"));
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_NE(theirs->name(), first->name());

  // The same id for another request is refused, naming nothing.
  v1::RenderReportRequest other = RenderOf(kSeedReport, "r-1");
  *other.mutable_template_() = *report::DefaultTemplate();
  auto reused = Render({a, true}, other);
  EXPECT_EQ(reused.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(reused.status().reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(reused.status().field(), "request_id");
  EXPECT_EQ(reused.status().message().find(first->name()), std::string::npos);
  EXPECT_EQ(Queued(), 2);

  // Both were counted towards their callers' jobs in flight.
  EXPECT_EQ(*jobs_->InFlight("system-a"), 1);
  EXPECT_EQ(*jobs_->InFlight("system-b"), 1);
}

TEST_F(SubmissionsTest, ADryRunLaysTheReportOutAndWritesNothing) {
  const int64_t keys_before = Keys();
  v1::RenderReportRequest dry = RenderOf(kSeedReport, "dry-1");
  dry.set_validate_only(true);
  auto answer = Render({authz::Anyone(), false}, dry);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_TRUE(answer->name().empty());
  EXPECT_EQ(answer->document().page_count(), *layouts_->PageCount(seed_, nullptr));
  EXPECT_GT(answer->document().page_count(), 1);
  EXPECT_EQ(Keys(), keys_before);
}

TEST_F(SubmissionsTest, AccessIsCheckedForEveryReportBeforeAnythingIsQueued) {
  v1::Report other = seed_;
  other.mutable_agency()->set_code("nong-khai");
  Put(other);
  const authz::Caller mine = AgencyCaller("bueng-khla-system", "bueng-khla");
  const int64_t keys_before = Keys();

  auto denied = Render({mine, true}, RenderOf("agencies/nong-khai/reports/2566"));
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);

  v1::RenderBulkRequest bulk;
  bulk.mutable_reports()->add_reports(kSeedReport);
  bulk.mutable_reports()->add_reports("agencies/nong-khai/reports/2566");
  EXPECT_EQ(Bulk({mine, true}, bulk).status().code(), StatusCode::kPermissionDenied);

  // A filter across the country is for operators only.
  v1::RenderBulkRequest national;
  national.mutable_filter()->set_fiscal_year(2566);
  EXPECT_EQ(Bulk({mine, true}, national).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Keys(), keys_before);
}

TEST_F(SubmissionsTest, ABulkRenderIsRefusedWholeForAMissingReportAQuotaOrATemplate) {
  const Submitter anyone{authz::Anyone(), false};
  const int64_t keys_before = Keys();

  v1::RenderBulkRequest missing;
  missing.mutable_reports()->add_reports(kSeedReport);
  missing.mutable_reports()->add_reports("agencies/bueng-khla/reports/2599");
  auto not_found = Bulk(anyone, missing);
  EXPECT_EQ(not_found.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(not_found.status().reason(), "REPORT_NOT_FOUND");
  EXPECT_EQ(not_found.status().field(), "reports.reports[1]");

  v1::RenderBulkRequest unfit;
  unfit.mutable_reports()->add_reports(kSeedReport);
  *unfit.mutable_template_() = TooSmallForTheTable();
  auto cannot = Bulk(anyone, unfit);
  EXPECT_EQ(cannot.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cannot.status().reason(), "TEMPLATE_CANNOT_LAY_OUT");

  v1::RenderBulkRequest invalid;
  invalid.mutable_reports()->add_reports(kSeedReport);
  invalid.mutable_template_()->set_page_width_mm(-1);
  std::vector<Status> template_errors;
  auto bad = submissions_->RenderBulk(anyone, invalid, [] { return false; }, &template_errors);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(template_errors.empty());

  // The caller went away once the selection was made.
  v1::RenderBulkRequest gone;
  gone.mutable_reports()->add_reports(kSeedReport);
  auto cancelled = submissions_->RenderBulk(anyone, gone, [] { return true; }, &template_errors);
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(Keys(), keys_before);

  // Two in flight allowed: one queued, then a batch of two is too many.
  SubmissionOptions tight;
  tight.max_jobs_in_flight_per_caller = 2;
  Reset(tight);
  ASSERT_TRUE(Render(anyone, RenderOf(kSeedReport)).ok());
  v1::RenderBulkRequest two;
  two.mutable_reports()->add_reports(kSeedReport);
  two.mutable_reports()->add_reports(kSeedReport);
  auto full = Bulk(anyone, two);
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full.status().reason(), "TOO_MANY_JOBS_IN_FLIGHT");
  EXPECT_EQ(Queued(), 1);
}

TEST_F(SubmissionsTest, AProvinceRendersItsOwnByFilterAndOwnsTheBatch) {
  const auto copies = saraban::testing::SampleReports(seed_, 9, "copy", 2567);
  for (const auto& r : copies) Put(r);
  const std::string province = copies[0].agency().province();
  const authz::Caller office{"province-office", v1::ROLE_PROVINCE, {}, {province}};

  v1::RenderBulkRequest bulk;
  bulk.set_request_id("fy2567");
  bulk.mutable_filter()->set_fiscal_year(2567);
  bulk.mutable_filter()->set_province(province);
  auto batch = Bulk({office, true}, bulk);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->total(), 3);  // one in three copies is in each province
  EXPECT_EQ(batch->owner(), "province-office");
  EXPECT_EQ(Queued(), 3);
  EXPECT_EQ(*jobs_->InFlight("province-office"), 3);

  // The same request again is the same batch; nothing more is queued.
  auto again = Bulk({office, true}, bulk);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name(), batch->name());
  EXPECT_EQ(Queued(), 3);

  // Another province's office may not see it, nor render its reports.
  const authz::Caller elsewhere{"other-office", v1::ROLE_PROVINCE, {}, {"นครพนม"}};
  EXPECT_EQ(Submissions::MayUseBatch(elsewhere, *batch).code(), StatusCode::kPermissionDenied);
  // Its request id of the same spelling is its own: it is not given this
  // batch, and is refused the province.
  EXPECT_EQ(Bulk({elsewhere, true}, bulk).status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace saraban::document_service
