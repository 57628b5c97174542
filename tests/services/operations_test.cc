// What operators rely on, against the real processes: Prometheus metrics on
// every binary, JSON log lines, health that tells liveness from readiness,
// a service that drains on SIGTERM, and a rolling restart of the renderer
// in the middle of a bulk run that loses no job.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "saraban/model/json.h"
#include "saraban/testing/sample_reports.h"
#include "saraban/testing/stack.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"
#include "services/stack_support.h"
#include "test_support.h"

namespace saraban {
namespace {

using test::Ctx;
using test::Health;
using test::kCli;

using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

// The body of GET http://address/metrics ("" if it cannot be read).
std::string Scrape(const std::string& address) {
  const auto colon = address.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return {};
  }
  const std::string req = "GET /metrics HTTP/1.0\r\nHost: " + address + "\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return {};
  }
  std::string resp;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const auto body = resp.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : resp.substr(body + 4);
}

// The value of the first sample of `family` whose line holds every one of
// `labels` (e.g. `outcome="succeeded"`); -1 if there is none.
double Sample(const std::string& metrics, const std::string& family,
              const std::vector<std::string>& labels = {}) {
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(family, 0) != 0) continue;
    const char next = line.size() > family.size() ? line[family.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

// Polls until `check` holds, for up to `seconds` (a deadline for something
// that happens, not a speed requirement).
template <typename F>
bool Eventually(F check, int seconds = 30) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return check();
}

testing::StackOptions Options() {
  testing::StackOptions o;
  o.bin_dir = SARABAN_BINARY_DIR;
  o.workers = 1;
  o.threads_per_worker = 2;
  o.metrics = true;
  o.worker_health = true;
  o.service_args = {"--log-format", "json"};
  o.worker_args = {"--log-format", "json", "--claim-idle-ms", "3000"};
  return o;
}

TEST(OperationsTest, MetricsJsonLogsAndHealthOnEveryBinary) {
  testing::Stack stack(Options());
  stack.Start();
  const std::string docs = " --documents " + stack.documents_address();
  auto imported = test::RunCommand(kCli + " import examples/004_bueng_khla.json --reports " +
                                   stack.reports_address());
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto submitted = test::RunCommand(kCli + " submit agencies/bueng-khla/reports/2566 -o " +
                                    test::TempPath("ops.pdf") + docs);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;

  // Each binary counts what it did.
  const std::string reports = Scrape(stack.metrics_address("report-service"));
  EXPECT_GE(Sample(reports, "saraban_rpc_requests_total",
                   {"method=\"/saraban.v1.ReportService/ImportReports\"", "code=\"OK\""}),
            1)
      << reports;
  EXPECT_GE(Sample(reports, "saraban_rpc_duration_seconds_count",
                   {"method=\"/saraban.v1.ReportService/ImportReports\""}),
            1);
  EXPECT_GE(Sample(reports, "saraban_redis_errors_total", {"kind=\"connection\""}), 0);

  const std::string documents = Scrape(stack.metrics_address("document-service"));
  EXPECT_GE(Sample(documents, "saraban_rpc_requests_total",
                   {"method=\"/saraban.v1.DocumentService/RenderReport\"", "code=\"OK\""}),
            1)
      << documents;
  EXPECT_EQ(Sample(documents, "saraban_queue_lag"), 0) << documents;
  EXPECT_EQ(Sample(documents, "saraban_queue_pending"), 0);
  EXPECT_EQ(Sample(documents, "saraban_dead_letters"), 0);

  const std::string renderer = Scrape(stack.metrics_address("renderer-0"));
  EXPECT_EQ(Sample(renderer, "saraban_jobs_total", {"outcome=\"succeeded\""}), 1) << renderer;
  EXPECT_EQ(Sample(renderer, "saraban_jobs_total", {"outcome=\"failed\""}), 0);
  EXPECT_EQ(Sample(renderer, "saraban_render_seconds_count"), 1);
  EXPECT_GE(Sample(renderer, "saraban_render_pages_sum"), 2);

  // The dashboard asks only for metrics the binaries serve.
  const std::string all = reports + documents + renderer;
  const std::string dashboard = test::ReadFile("deploy/grafana/saraban.json");
  const std::regex metric("saraban_[a-z_]+");
  int asked = 0;
  for (auto it = std::sregex_iterator(dashboard.begin(), dashboard.end(), metric);
       it != std::sregex_iterator(); ++it, ++asked) {
    const std::string name = it->str();
    if (name == "saraban_overview") continue;
    EXPECT_THAT(all, HasSubstr("\n" + name)) << name << " is on the dashboard but not served";
  }
  EXPECT_GE(asked, 8);

  // Readiness follows Redis, liveness the process; the renderer has both.
  for (const std::string& address :
       {stack.reports_address(), stack.documents_address(), stack.worker_health_address(0)}) {
    EXPECT_EQ(Health(address), HealthCheckResponse::SERVING) << address;
    EXPECT_EQ(Health(address, "liveness"), HealthCheckResponse::SERVING) << address;
  }

  // Every log line is one JSON object with time, level and component; the
  // renderer's lines about the job name it and its agency; no report
  // content (the agency's Thai name) is logged at info.
  int job_lines = 0;
  for (const std::string log : {"report-service.log", "document-service.log", "renderer-0.log"}) {
    const std::string text = test::ReadFile(stack.log_dir() + "/" + log);
    EXPECT_THAT(text, ::testing::Not(HasSubstr("บึงคล้า"))) << log;
    std::istringstream in(text);
    int lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
      google::protobuf::Struct event;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &event).ok())
          << log << ": " << line;
      const auto& f = event.fields();
      EXPECT_TRUE(f.count("time") && f.count("level") && f.count("component") && f.count("msg"))
          << line;
      if (f.count("job") && f.count("agency")) {
        EXPECT_EQ(f.at("agency").string_value(), "bueng-khla");
        ++job_lines;
      }
    }
    EXPECT_GT(lines, 0) << log;
  }
  EXPECT_GE(job_lines, 1);
}

// SIGTERM to a service: readiness goes NOT_SERVING at once while liveness
// stays SERVING, calls are still answered during the drain delay, and the
// process exits 0.
TEST(OperationsTest, ASignalledServiceGoesNotServingFirstAndDrains) {
  testing::StackOptions o = Options();
  o.service_args.insert(o.service_args.end(), {"--drain-delay-s", "3", "--grace-s", "5"});
  testing::Stack stack(o);
  stack.Start();
  const std::string address = stack.documents_address();
  ASSERT_TRUE(Eventually([&] { return Health(address) == HealthCheckResponse::SERVING; }));

  std::thread stop([&] { EXPECT_EQ(stack.SignalService(1, SIGTERM), 0); });
  EXPECT_TRUE(Eventually([&] { return Health(address) == HealthCheckResponse::NOT_SERVING; }, 2));
  EXPECT_EQ(Health(address, "liveness"), HealthCheckResponse::SERVING);
  auto docs = v1::DocumentService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::GetJobRequest get;
  get.set_name("jobs/0123456789ABCDEFGHJKMNPQRS");
  v1::Job job;
  EXPECT_EQ(docs->GetJob(Ctx(5).get(), get, &job).error_code(), grpc::StatusCode::NOT_FOUND)
      << "still answering while it drains";
  stop.join();
  const std::string log = test::ReadFile(stack.log_dir() + "/document-service.log");
  EXPECT_THAT(log, HasSubstr("NOT_SERVING; refusing new calls in 3 s"));
  EXPECT_THAT(log, HasSubstr("stopped"));
}

// The renderer replaced one process at a time (as a Deployment's rolling
// update does) while a batch renders: every job succeeds exactly once.
TEST(OperationsTest, RollingRestartOfTheRendererLosesNoJob) {
  testing::Stack stack(Options());
  stack.Start();
  auto base = model::LoadReportFile("examples/004_bueng_khla.json");
  ASSERT_TRUE(base.ok());
  const int kReports = 400;
  auto reports_stub = v1::ReportService::NewStub(
      grpc::CreateChannel(stack.reports_address(), grpc::InsecureChannelCredentials()));
  {
    auto ctx = Ctx(120);
    v1::ImportReportsResponse resp;
    auto writer = reports_stub->ImportReports(ctx.get(), &resp);
    for (const auto& r : testing::SampleReports(*base, kReports, "roll", 2569)) {
      v1::ImportReportsRequest req;
      *req.mutable_report() = r;
      req.set_upsert_agency(true);
      ASSERT_TRUE(writer->Write(req));
    }
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }
  auto docs = v1::DocumentService::NewStub(
      grpc::CreateChannel(stack.documents_address(), grpc::InsecureChannelCredentials()));
  v1::RenderBulkRequest bulk;
  bulk.mutable_filter()->set_fiscal_year(2569);
  v1::Batch batch;
  ASSERT_TRUE(docs->RenderBulk(Ctx(120).get(), bulk, &batch).ok());
  ASSERT_EQ(batch.total(), kReports);

  auto succeeded = [&] {
    v1::GetBatchRequest get;
    get.set_name(batch.name());
    v1::Batch b;
    return docs->GetBatch(Ctx().get(), get, &b).ok() ? b.succeeded() : -1;
  };
  // Two replacements: a new renderer starts, then the old one is told to
  // stop, each while jobs remain.
  for (size_t old = 0; old < 2; ++old) {
    const int at = (static_cast<int>(old) + 1) * kReports / 4;
    ASSERT_TRUE(Eventually([&] { return succeeded() >= at; }, 120)) << "stuck below " << at;
    stack.StartWorker();
    EXPECT_EQ(stack.SignalWorker(old, SIGTERM), 0) << "renderer " << old << " did not drain";
  }

  v1::WatchBatchRequest w;
  w.set_name(batch.name());
  auto ctx = Ctx(300);
  auto reader = docs->WatchBatch(ctx.get(), w);
  while (reader->Read(&batch)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(batch.done());
  EXPECT_EQ(batch.succeeded(), kReports);
  EXPECT_EQ(batch.failed() + batch.cancelled(), 0);

  // Each stopped renderer said so and finished what it held.
  for (int i = 0; i < 2; ++i) {
    const std::string log =
        test::ReadFile(stack.log_dir() + "/renderer-" + std::to_string(i) + ".log");
    EXPECT_THAT(log, HasSubstr("NOT_SERVING, finishing the jobs in hand")) << i;
    EXPECT_THAT(log, HasSubstr("renderer: stopped")) << i;
  }
}

}  // namespace
}  // namespace saraban
