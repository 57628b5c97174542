// The whole stack as users meet it: real redis-server, report-service,
// document-service and renderer processes on loopback, driven over gRPC and
// through the saraban command line.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "saraban/digest.h"
#include "saraban/model/json.h"
#include "saraban/redis/client.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/testing/sample_reports.h"
#include "saraban/testing/stack.h"
#include "saraban/testing/test_ca.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"
#include "services/stack_support.h"
#include "test_support.h"

namespace saraban {
namespace {

using test::Ctx;
using test::Health;
using test::kCli;

using ::testing::HasSubstr;

class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The document service's seal and trust anchors, from a throwaway CA.
    ca_dir_ = new std::string(test::TempPath("ca"));
    ca_error_ = new std::string(saraban::testing::MakeTestCa(*ca_dir_, {"seal", "reporter"}));
    test::WriteFile(*ca_dir_ + "/password", "secret\n");
    setenv("SARABAN_SEAL_P12", (*ca_dir_ + "/seal.p12").c_str(), 1);
    setenv("SARABAN_SEAL_PASSWORD_FILE", (*ca_dir_ + "/password").c_str(), 1);
    setenv("SARABAN_TRUST_ANCHORS", (*ca_dir_ + "/root.pem").c_str(), 1);
    // A job whose worker lost Redis mid-job is taken over after this.
    stack_ = test::StartSharedStack({"--claim-idle-ms", "3000"});
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static std::string* ca_dir_;
  static std::string* ca_error_;

  void SetUp() override {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    args.SetMaxReceiveMessageSize(64 << 20);
    reports_ = v1::ReportService::NewStub(grpc::CreateCustomChannel(
        stack_->reports_address(), grpc::InsecureChannelCredentials(), args));
    docs_ = v1::DocumentService::NewStub(grpc::CreateCustomChannel(
        stack_->documents_address(), grpc::InsecureChannelCredentials(), args));
  }

  // Imports `reports` in one ImportReports stream, creating their agencies.
  v1::ImportReportsResponse Import(const std::vector<v1::Report>& reports) {
    return test::ImportReports(*reports_, reports);
  }

  v1::Job Submit(const std::string& report, const std::string& request_id = {}) {
    v1::RenderReportRequest req;
    req.set_report(report);
    req.set_request_id(request_id);
    v1::Job job;
    grpc::Status s = docs_->RenderReport(Ctx().get(), req, &job);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job;
  }

  v1::Job WaitJob(const std::string& name) {
    auto ctx = Ctx(60);
    v1::WatchJobRequest req;
    req.set_name(name);
    auto reader = docs_->WatchJob(ctx.get(), req);
    return test::ReadToEnd(*reader);
  }

  std::string Download(const std::string& job, v1::Document* info) {
    auto ctx = Ctx(60);
    v1::DownloadDocumentRequest req;
    req.set_job(job);
    req.set_chunk_size(16 * 1024);  // several chunks per document
    auto reader = docs_->DownloadDocument(ctx.get(), req);
    std::string bytes;
    v1::DocumentChunk chunk;
    int chunks = 0;
    while (reader->Read(&chunk)) {
      if (chunk.has_document()) *info = chunk.document();
      EXPECT_EQ(chunk.offset(), static_cast<int64_t>(bytes.size()));
      bytes += chunk.data();
      ++chunks;
    }
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_GT(chunks, 1);
    return bytes;
  }

  static std::string Offline(const v1::Report& report) {
    auto renderer = report::ReportRenderer::Create({});
    EXPECT_TRUE(renderer.ok());
    auto pdf = (*renderer)->Render(report, *report::DefaultTemplate());
    EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
    return pdf->bytes;
  }

  static testing::Stack* stack_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::DocumentService::Stub> docs_;
};

testing::Stack* StackTest::stack_ = nullptr;

std::string* StackTest::ca_dir_ = nullptr;
std::string* StackTest::ca_error_ = nullptr;

TEST_F(StackTest, ExamplesRenderThroughTheQueueIdenticalToTheOfflineCli) {
  for (const char* file : {"examples/000_taluboh.json", "examples/004_bueng_khla.json"}) {
    SCOPED_TRACE(file);
    auto report = model::LoadReportFile(file);
    ASSERT_TRUE(report.ok());
    auto imported = Import({*report});
    ASSERT_EQ(imported.failed(), 0) << imported.DebugString();

    const std::string name = "agencies/" + report->agency().code() + "/reports/" +
                             std::to_string(report->fiscal_year());
    v1::Job job = WaitJob(Submit(name).name());
    ASSERT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.error();
    v1::Document info;
    const std::string bytes = Download(job.name(), &info);
    EXPECT_EQ(static_cast<int64_t>(bytes.size()), info.size_bytes());
    EXPECT_EQ(Sha256Hex(bytes), info.sha256());
    EXPECT_GT(info.page_count(), 0);

    // The offline CLI's output for the same file, byte for byte.
    const std::string offline_path = test::TempPath("offline.pdf");
    auto r = test::RunCommand(kCli + " render " + file + " -o " + offline_path);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(bytes == test::ReadFile(offline_path)) << "service and offline PDFs differ";
  }
}

// The official record from the command line, through the real processes:
// publish, sign in order (the reporter with a personal key, the rest with
// the service's seal), download, verify offline and by the service.
TEST_F(StackTest, PublishSignAndVerifyFromTheCommandLine) {
  ASSERT_TRUE(ca_error_->empty()) << *ca_error_;
  const std::string docs = " --documents " + stack_->documents_address();
  ASSERT_EQ(test::RunCommand(kCli + " import examples/004_bueng_khla.json --reports " +
                             stack_->reports_address())
                .exit_code,
            0);
  const std::string published = test::TempPath("published.pdf");
  auto publish =
      test::RunCommand(kCli + " publish agencies/bueng-khla/reports/2566 -o " + published + docs);
  ASSERT_EQ(publish.exit_code, 0) << publish.output;
  const std::string name = publish.output.substr(0, publish.output.find(' '));
  EXPECT_THAT(name, HasSubstr("agencies/bueng-khla/reports/2566/publications/"));

  auto own = test::RunCommand("SARABAN_P12_PASSWORD=secret " + kCli + " sign-publication " + name +
                              " --field reporter --p12 " + *ca_dir_ + "/reporter.p12" + docs);
  ASSERT_EQ(own.exit_code, 0) << own.output;
  for (const char* field : {"reviewer-1", "reviewer-2", "executive"}) {
    auto sealed = test::RunCommand(kCli + " seal " + name + " --field " + field + docs);
    ASSERT_EQ(sealed.exit_code, 0) << field << ": " << sealed.output;
  }
  const std::string signed_path = test::TempPath("published-signed.pdf");
  auto download = test::RunCommand(kCli + " download " + name + " -o " + signed_path + docs);
  ASSERT_EQ(download.exit_code, 0) << download.output;
  const std::string signed_pdf = test::ReadFile(signed_path);
  const std::string unsigned_pdf = test::ReadFile(published);
  EXPECT_EQ(signed_pdf.compare(0, unsigned_pdf.size(), unsigned_pdf), 0);

  auto offline = test::RunCommand(kCli + " verify " + signed_path + " --trust " + *ca_dir_ +
                                  "/root.pem");
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_EQ(std::count(offline.output.begin(), offline.output.end(), '\n'), 5) << offline.output;
  auto online = test::RunCommand(kCli + " verify-document " + signed_path + docs);
  EXPECT_EQ(online.exit_code, 0) << online.output;
  EXPECT_THAT(online.output, HasSubstr("content matches the data"));
  EXPECT_THAT(online.output, HasSubstr("VALID"));

  // One byte changed: both verifiers say so.
  std::string changed = signed_pdf;
  changed[unsigned_pdf.size() / 3] ^= 0x01;
  const std::string changed_path = test::TempPath("changed-signed.pdf");
  test::WriteFile(changed_path, changed);
  EXPECT_NE(test::RunCommand(kCli + " verify " + changed_path + " --trust " + *ca_dir_ +
                             "/root.pem")
                .exit_code,
            0);
  auto changed_online = test::RunCommand(kCli + " verify-document " + changed_path + docs);
  EXPECT_NE(changed_online.exit_code, 0) << changed_online.output;
}

TEST_F(StackTest, CliImportSubmitBulkAndGet) {
  const std::string env = " --reports " + stack_->reports_address() + " --documents " +
                          stack_->documents_address();
  auto imported = test::RunCommand(kCli + " import examples/004_bueng_khla.json" +
                                   " --reports " + stack_->reports_address());
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_THAT(imported.output, HasSubstr("0 failed"));

  const std::string one = test::TempPath("one.pdf");
  auto submitted = test::RunCommand(kCli + " submit agencies/bueng-khla/reports/2566 -o " + one +
                                    " --documents " + stack_->documents_address());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;

  const std::string dir = test::TempPath("bulk");
  auto bulk = test::RunCommand(kCli + " bulk --fiscal-year 2566 --out " + dir +
                               " --documents " + stack_->documents_address());
  ASSERT_EQ(bulk.exit_code, 0) << bulk.output;
  EXPECT_TRUE(test::ReadFile(dir + "/bueng-khla-2566.pdf") == test::ReadFile(one));

  auto get = test::RunCommand(kCli + " get agencies/bueng-khla" + env);
  ASSERT_EQ(get.exit_code, 0) << get.output;
  EXPECT_THAT(get.output, HasSubstr("บึงคล้า"));

  auto missing = test::RunCommand(kCli + " submit agencies/nowhere/reports/2566 --documents " +
                                  stack_->documents_address());
  EXPECT_EQ(missing.exit_code, 8) << missing.output;  // NOT_FOUND from the service
  EXPECT_THAT(missing.output, HasSubstr("does not exist"));

  // Named reports, as an agency's own system renders its own.
  const std::string named = test::TempPath("bulk-named");
  auto by_name = test::RunCommand(kCli + " bulk --report agencies/bueng-khla/reports/2566 --out " +
                                  named + " --documents " + stack_->documents_address());
  ASSERT_EQ(by_name.exit_code, 0) << by_name.output;
  EXPECT_TRUE(test::ReadFile(named + "/bueng-khla-2566.pdf") == test::ReadFile(one));
  EXPECT_EQ(test::RunCommand(kCli + " bulk --out " + named + " --documents " +
                             stack_->documents_address())
                .exit_code,
            2);

  // What a script starting the stack waits on: both services SERVING.
  auto health = test::RunCommand(kCli + " health --reports " + stack_->reports_address());
  EXPECT_EQ(health.exit_code, 0) << health.output;
  EXPECT_THAT(health.output, HasSubstr("SERVING"));
  EXPECT_EQ(test::RunCommand(kCli + " health --document-service --service liveness --documents " +
                             stack_->documents_address())
                .exit_code,
            0);
  EXPECT_EQ(test::RunCommand(kCli + " health --wait-s 1 --reports 127.0.0.1:1").exit_code, 5);

  // A plaintext service reached as if it spoke TLS: a configuration error
  // said in one line of ours, no gRPC log line, and not "retry later".
  auto tls = test::RunCommand(test::kCliPath + " get agencies/bueng-khla --reports " +
                              stack_->reports_address());
  EXPECT_EQ(tls.exit_code, 2) << tls.output;
  EXPECT_THAT(tls.output, HasSubstr("--plaintext"));
  EXPECT_THAT(tls.output, ::testing::Not(HasSubstr("ssl_transport_security")));
}

TEST_F(StackTest, SameRequestIdReturnsTheSameJob) {
  auto report = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(report.ok());
  Import({*report});
  v1::Job a = Submit("agencies/bueng-khla/reports/2566", "retry-me-1");
  v1::Job b = Submit("agencies/bueng-khla/reports/2566", "retry-me-1");
  v1::Job c = Submit("agencies/bueng-khla/reports/2566", "retry-me-2");
  EXPECT_EQ(a.name(), b.name());
  EXPECT_NE(a.name(), c.name());

  // The same id for a different kind of submission is refused, not reused.
  v1::RenderBulkRequest bulk;
  bulk.mutable_reports()->add_reports("agencies/bueng-khla/reports/2566");
  bulk.set_request_id("retry-me-1");
  v1::Batch batch;
  grpc::Status s = docs_->RenderBulk(Ctx().get(), bulk, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "REQUEST_ID_REUSED");
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
}

TEST_F(StackTest, BulkRenderOfAThousandReportsCompletesEachJobOnce) {
  auto base = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(base.ok());
  const auto reports = testing::SampleReports(*base, 1000, "lao", 2568);
  auto imported = Import(reports);
  ASSERT_EQ(imported.created() + imported.updated(), 1000) << imported.DebugString();

  v1::RenderBulkRequest req;
  req.mutable_filter()->set_fiscal_year(2568);
  req.set_request_id("bulk-2568");
  v1::Batch batch;
  grpc::Status s = docs_->RenderBulk(Ctx(120).get(), req, &batch);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(batch.total(), 1000);

  // The same request again: the same batch, no new jobs.
  v1::Batch again;
  ASSERT_TRUE(docs_->RenderBulk(Ctx(120).get(), req, &again).ok());
  EXPECT_EQ(again.name(), batch.name());
  EXPECT_EQ(again.total(), 1000);

  auto ctx = Ctx(300);
  v1::WatchBatchRequest w;
  w.set_name(batch.name());
  auto reader = docs_->WatchBatch(ctx.get(), w);
  int updates = 0;
  while (reader->Read(&batch)) ++updates;
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(batch.done());
  EXPECT_EQ(batch.succeeded(), 1000);
  EXPECT_EQ(batch.failed() + batch.cancelled() + batch.queued(), 0);
  EXPECT_GE(updates, 2);

  // Every job listed once, each in one final state, each report once.
  std::set<std::string> jobs, reports_seen;
  std::string token;
  do {
    v1::ListJobsRequest list;
    list.set_batch(batch.name());
    list.set_page_size(300);
    list.set_page_token(token);
    v1::ListJobsResponse page;
    ASSERT_TRUE(docs_->ListJobs(Ctx().get(), list, &page).ok());
    for (const auto& job : page.jobs()) {
      EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.name() << " " << job.error();
      EXPECT_TRUE(jobs.insert(job.name()).second) << "listed twice: " << job.name();
      EXPECT_TRUE(reports_seen.insert(job.report()).second) << "rendered twice: " << job.report();
      EXPECT_FALSE(job.document().sha256().empty());
    }
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(jobs.size(), 1000u);

  // Page tokens are opaque and bound to the batch and state they list.
  v1::ListJobsRequest first;
  first.set_batch(batch.name());
  first.set_page_size(300);
  v1::ListJobsResponse page;
  ASSERT_TRUE(docs_->ListJobs(Ctx().get(), first, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  EXPECT_NE(page.next_page_token(), "300") << "a readable offset";
  v1::ListJobsRequest other = first;
  other.set_page_token(page.next_page_token());
  other.set_state(v1::JOB_STATE_FAILED);
  s = docs_->ListJobs(Ctx().get(), other, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(test::ErrorInfoOf(s).metadata().at("field"), "page_token");
  other.set_state(v1::JOB_STATE_UNSPECIFIED);
  other.set_page_token("300");
  EXPECT_EQ(docs_->ListJobs(Ctx().get(), other, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StackTest, BadRequestsGetPreciseErrorsAndTheServersStayUp) {
  v1::Job job;
  v1::RenderReportRequest render;
  render.set_report("agencies/nowhere/reports/2567");
  grpc::Status s = docs_->RenderReport(Ctx().get(), render, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("agencies/nowhere/reports/2567"));
  // Every error carries ErrorInfo: a reason a program switches on, the
  // domain, the field.
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "REPORT_NOT_FOUND");
  EXPECT_EQ(test::ErrorInfoOf(s).domain(), "saraban");
  EXPECT_EQ(test::ErrorInfoOf(s).metadata().at("field"), "report");

  render.set_report("reports/2567");
  s = docs_->RenderReport(Ctx().get(), render, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("report"));
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "INVALID_FIELD");
  EXPECT_FALSE(s.error_details().empty());  // google.rpc.BadRequest

  render.set_report("agencies/bueng-khla/reports/2566");
  render.set_request_id(std::string(200, 'x'));
  s = docs_->RenderReport(Ctx().get(), render, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));

  v1::ListJobsRequest list;
  list.set_batch("batches/0000");
  list.set_page_size(-1);  // AIP-158: a negative size is an error; a huge one the maximum
  v1::ListJobsResponse page;
  s = docs_->ListJobs(Ctx().get(), list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_size"));

  v1::GetJobRequest get;
  get.set_name("jobs/does-not-exist");
  s = docs_->GetJob(Ctx().get(), get, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // '-' is not in ids
  get.set_name("jobs/0123456789ABCDEFGHJKMNPQRS");
  s = docs_->GetJob(Ctx().get(), get, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "JOB_NOT_FOUND");

  // A 50 MB request is refused by the transport before it reaches the code.
  render.set_request_id("");
  render.mutable_template_()->set_name(std::string(50 << 20, 'a'));
  s = docs_->RenderReport(Ctx().get(), render, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();

  v1::RenderBulkRequest bulk;
  v1::Batch batch;
  s = docs_->RenderBulk(Ctx().get(), bulk, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bulk.mutable_filter()->set_province("ปัตตานี");
  s = docs_->RenderBulk(Ctx().get(), bulk, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("fiscal_year"));

  // Still serving.
  get.set_name("jobs/0123456789ABCDEFGHJKMNPQRS");
  EXPECT_EQ(docs_->GetJob(Ctx().get(), get, &job).error_code(), grpc::StatusCode::NOT_FOUND);
}

// Polls health until it is `want` (health follows Redis within a second).
bool HealthBecomes(const std::string& address,
                   grpc::health::v1::HealthCheckResponse::ServingStatus want) {
  for (int i = 0; i < 100; ++i) {
    if (Health(address) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// validate_only lays a report out and answers with its page count; a
// template the report cannot be laid out with is refused at submission
// (it was accepted, and the job dead-lettered). Neither writes to Redis.
TEST_F(StackTest, DryRunsAndTemplatesThatCannotLayOutAreAnsweredAtSubmission) {
  auto report = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(Import({*report}).failed(), 0);
  const std::string name = "agencies/bueng-khla/reports/2566";
  redis::Connection admin(stack_->redis().endpoint(), {});
  const int64_t keys_before = admin.Run({"DBSIZE"})->integer;

  v1::RenderReportRequest dry;
  dry.set_report(name);
  dry.set_validate_only(true);
  v1::Job answer;
  grpc::Status s = docs_->RenderReport(Ctx().get(), dry, &answer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(answer.name().empty()) << "a dry run made a job";
  EXPECT_EQ(answer.report(), name);
  auto renderer = report::ReportRenderer::Create({});
  ASSERT_TRUE(renderer.ok());
  auto offline = (*renderer)->Render(*report, *report::DefaultTemplate());
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ(answer.document().page_count(), offline->page_count);

  // Valid as a template (one inch printable), but its 72 pt table text
  // does not fit the measure column.
  auto tmpl = report::DefaultTemplate();
  ASSERT_TRUE(tmpl.ok());
  tmpl->set_page_height_mm(80);
  tmpl->set_margin_top_mm(10);
  tmpl->set_margin_bottom_mm(10);
  tmpl->set_table_size(72);
  v1::RenderReportRequest render;
  render.set_report(name);
  *render.mutable_template_() = *tmpl;
  s = docs_->RenderReport(Ctx().get(), render, &answer);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "TEMPLATE_CANNOT_LAY_OUT");
  EXPECT_THAT(test::ErrorInfoOf(s).metadata().at("field"), ::testing::StartsWith("template"));
  render.set_validate_only(true);
  EXPECT_EQ(docs_->RenderReport(Ctx().get(), render, &answer).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::RenderBulkRequest bulk;
  bulk.mutable_reports()->add_reports(name);
  *bulk.mutable_template_() = *tmpl;
  v1::Batch batch;
  s = docs_->RenderBulk(Ctx().get(), bulk, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(test::ErrorInfoOf(s).reason(), "TEMPLATE_CANNOT_LAY_OUT");
  EXPECT_EQ(admin.Run({"DBSIZE"})->integer, keys_before) << "a refused or dry run wrote to Redis";
}

TEST_F(StackTest, HealthAndReflectionOnBothServers) {
  using grpc::health::v1::HealthCheckResponse;
  EXPECT_TRUE(HealthBecomes(stack_->reports_address(), HealthCheckResponse::SERVING));
  EXPECT_TRUE(HealthBecomes(stack_->documents_address(), HealthCheckResponse::SERVING));

  for (const auto& [address, service] :
       {std::pair{stack_->reports_address(), "saraban.v1.ReportService"},
        std::pair{stack_->documents_address(), "saraban.v1.DocumentService"}}) {
    auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    auto ctx = Ctx(5);
    auto stream = stub->ServerReflectionInfo(ctx.get());
    grpc::reflection::v1alpha::ServerReflectionRequest req;
    req.set_list_services("*");
    ASSERT_TRUE(stream->Write(req));
    stream->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    std::set<std::string> names;
    for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
    EXPECT_TRUE(names.count(service)) << address;
    EXPECT_TRUE(names.count("grpc.health.v1.Health")) << address;
    EXPECT_TRUE(stream->Finish().ok());
  }
}

// Redis stopped in the middle of a bulk run and started again: the services
// answer UNAVAILABLE meanwhile, nobody restarts, the batch still completes
// every job once, and what was done before the stop is still done after it.
TEST_F(StackTest, BulkRunSurvivesARedisRestartMidway) {
  auto base = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(base.ok());
  const auto reports = testing::SampleReports(*base, 300, "mid", 2569);
  ASSERT_EQ(Import(reports).failed(), 0);
  v1::RenderBulkRequest req;
  req.mutable_filter()->set_fiscal_year(2569);
  v1::Batch batch;
  ASSERT_TRUE(docs_->RenderBulk(Ctx(60).get(), req, &batch).ok());

  // Wait until some, not all, are done.
  ASSERT_TRUE(test::WaitForSucceeded(*docs_, 30, &batch, 6));
  v1::GetBatchRequest get;
  get.set_name(batch.name());
  ASSERT_GE(batch.succeeded(), 30);
  ASSERT_LT(batch.succeeded(), 300) << "the machine rendered faster than the test can stop Redis";
  const int done_before = batch.succeeded();

  stack_->redis().Stop();
  grpc::Status s = docs_->GetBatch(Ctx(10).get(), get, &batch);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stack_->redis().Start();

  auto ctx = Ctx(240);
  v1::WatchBatchRequest w;
  w.set_name(batch.name());
  auto reader = docs_->WatchBatch(ctx.get(), w);
  while (reader->Read(&batch)) {
  }
  s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GE(batch.succeeded(), done_before);
  EXPECT_EQ(batch.succeeded(), 300);
  EXPECT_EQ(batch.failed() + batch.cancelled(), 0);

  std::set<std::string> seen;
  std::string token;
  do {
    v1::ListJobsRequest list;
    list.set_batch(batch.name());
    list.set_page_size(1000);
    list.set_page_token(token);
    v1::ListJobsResponse page;
    ASSERT_TRUE(docs_->ListJobs(Ctx().get(), list, &page).ok());
    for (const auto& job : page.jobs()) {
      EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << job.name() << " " << job.error();
      EXPECT_TRUE(seen.insert(job.report()).second);
    }
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(seen.size(), 300u);
}

// Last: it restarts Redis under the running services.
TEST_F(StackTest, ZzRedisRestartIsUnavailableMeanwhileAndRecoversWithoutRestarts) {
  auto report = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(report.ok());
  Import({*report});
  v1::Job before = WaitJob(Submit("agencies/bueng-khla/reports/2566").name());
  ASSERT_EQ(before.state(), v1::JOB_STATE_SUCCEEDED);

  stack_->redis().Stop();
  using grpc::health::v1::HealthCheckResponse;
  EXPECT_TRUE(HealthBecomes(stack_->reports_address(), HealthCheckResponse::NOT_SERVING));
  EXPECT_TRUE(HealthBecomes(stack_->documents_address(), HealthCheckResponse::NOT_SERVING));
  v1::GetReportRequest get;
  get.set_name("agencies/bueng-khla/reports/2566");
  v1::ReportResource resource;
  grpc::Status s = reports_->GetReport(Ctx(10).get(), get, &resource);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  v1::GetJobRequest get_job;
  get_job.set_name(before.name());
  v1::Job job;
  s = docs_->GetJob(Ctx(10).get(), get_job, &job);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();

  stack_->redis().Start();  // replays the AOF
  EXPECT_TRUE(HealthBecomes(stack_->reports_address(), HealthCheckResponse::SERVING));
  s = reports_->GetReport(Ctx(10).get(), get, &resource);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resource.report().agency().name(), report->agency().name());
  s = docs_->GetJob(Ctx(10).get(), get_job, &job);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED);

  // The worker reconnected by itself: a new job completes.
  v1::Job after = WaitJob(Submit("agencies/bueng-khla/reports/2566").name());
  EXPECT_EQ(after.state(), v1::JOB_STATE_SUCCEEDED) << after.error();
  EXPECT_EQ(after.document().sha256(), before.document().sha256());
}

}  // namespace
}  // namespace saraban
