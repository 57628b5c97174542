// Transport security against the real processes: plaintext only when asked
// for, mutual TLS that admits only clients with a certificate from the
// configured CA, a plaintext health port for probes, and certificates
// rotated on disk served without a restart.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "saraban/authz/policy.h"
#include "saraban/server/credentials.h"
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
using test::kCliPath;
using ::testing::HasSubstr;

const std::string kBin = SARABAN_BINARY_DIR;
const std::string kReportService = kBin + "/services/report_service/report-service";

// A fresh CA in `dir` with a server certificate and one client certificate
// per name (scripts/dev-certs.sh).
void MakeCerts(const std::string& dir, const std::string& clients) {
  auto made = test::RunCommand("scripts/dev-certs.sh " + dir + " " + clients);
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

// The options of a client that trusts `ca` and presents `name`'s certificate
// from `dir` (none when `name` is empty).
server::ClientTlsOptions Client(const std::string& ca, const std::string& dir = {},
                                const std::string& name = {}) {
  server::ClientTlsOptions o;
  o.ca_file = ca;
  if (!name.empty()) {
    o.cert_file = dir + "/" + name + ".crt";
    o.key_file = dir + "/" + name + ".key";
  }
  return o;
}

// The code of one GetAgency call for an agency that does not exist:
// NOT_FOUND means the call got through, UNAVAILABLE that the handshake
// failed. A channel of its own each time (no connection reused).
grpc::StatusCode Call(const std::string& address, const server::ClientTlsOptions& tls) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = server::MakeChannel(address, tls, args);
  EXPECT_TRUE(channel.ok()) << channel.status().ToString();
  if (!channel.ok()) return grpc::StatusCode::INTERNAL;
  auto stub = v1::ReportService::NewStub(*channel);
  v1::GetAgencyRequest req;
  req.set_name("agencies/nobody");
  v1::AgencyResource resp;
  return stub->GetAgency(Ctx(5).get(), req, &resp).error_code();
}

std::vector<std::string> ServerTls(const std::string& dir, bool mutual) {
  std::vector<std::string> args = {"--tls-cert", dir + "/server.crt", "--tls-key",
                                   dir + "/server.key"};
  if (mutual) args.insert(args.end(), {"--tls-client-ca", dir + "/ca.crt"});
  return args;
}

TEST(TransportTest, PlaintextMustBeAskedForByName) {
  auto none = test::RunCommand("env -u SARABAN_PLAINTEXT " + kReportService +
                               " --listen 127.0.0.1:0 --redis redis://127.0.0.1:1");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_THAT(none.output, HasSubstr("--tls-cert"));
  EXPECT_THAT(none.output, HasSubstr("--plaintext"));

  const std::string dir = test::TempPath("certs-flags");
  MakeCerts(dir, "");
  auto both = test::RunCommand(kReportService + " --listen 127.0.0.1:0 --plaintext --tls-cert " +
                               dir + "/server.crt --tls-key " + dir + "/server.key");
  EXPECT_NE(both.exit_code, 0);
  EXPECT_THAT(both.output, HasSubstr("cannot be combined"));

  auto half = test::RunCommand(kReportService + " --listen 127.0.0.1:0 --tls-cert " + dir +
                               "/server.crt");
  EXPECT_NE(half.exit_code, 0);
  EXPECT_THAT(half.output, HasSubstr("--tls-key"));

  // A key where the certificate belongs is named, not served.
  auto swapped = test::RunCommand(kReportService + " --listen 127.0.0.1:0 --tls-cert " + dir +
                                  "/server.key --tls-key " + dir + "/server.key");
  EXPECT_NE(swapped.exit_code, 0);
  EXPECT_THAT(swapped.output, HasSubstr("holds no PEM CERTIFICATE"));

  // The client refuses to send a bearer token in clear.
  test::WriteFile(test::TempPath("token"), "secret-token\n");
  auto token = test::RunCommand(kCliPath + " get agencies/x --plaintext --token-file " +
                                test::TempPath("token"));
  EXPECT_NE(token.exit_code, 0);
  EXPECT_THAT(token.output, HasSubstr("never sent over plaintext"));
  EXPECT_THAT(token.output, ::testing::Not(HasSubstr("secret-token")));
}

TEST(TransportTest, APortInUseIsRefusedNotShared) {
  // The ports tests hand out are never handed out twice in one process (two
  // in a row once came out equal: the API and health servers then shared one
  // port and the kernel split the connections between them).
  std::set<int> ports;
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(ports.insert(testing::FreePort()).second);

  // A server never shares a port with another: health on the API's own port
  // is refused at start, not served half of the time.
  const std::string address = "127.0.0.1:" + std::to_string(testing::FreePort());
  auto same = test::RunCommand("timeout 30 " + kReportService + " --plaintext --listen " +
                               address + " --health-listen " + address +
                               " --redis redis://127.0.0.1:1");
  EXPECT_NE(same.exit_code, 0);
  EXPECT_NE(same.exit_code, 124) << "the service started on a port already in use";
  EXPECT_THAT(same.output, HasSubstr("cannot listen on " + address));
}

TEST(TransportTest, MutualTlsAdmitsOnlyCertificatesOfItsCa) {
  const std::string dir = test::TempPath("certs-mtls");
  const std::string rogue = test::TempPath("certs-rogue");
  MakeCerts(dir, "operator");
  MakeCerts(rogue, "operator");

  testing::StackOptions o;
  o.bin_dir = kBin;
  o.workers = 0;
  o.transport_args = ServerTls(dir, /*mutual=*/true);
  o.service_health = true;
  testing::Stack stack(o);
  stack.Start();
  const std::string ca = dir + "/ca.crt";

  EXPECT_EQ(Call(stack.reports_address(), Client(ca, dir, "operator")),
            grpc::StatusCode::NOT_FOUND);
  // No client certificate, one from another CA, or no TLS at all: the
  // handshake fails and no call reaches the service.
  EXPECT_EQ(Call(stack.reports_address(), Client(ca)), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Call(stack.reports_address(), Client(ca, rogue, "operator")),
            grpc::StatusCode::UNAVAILABLE);
  server::ClientTlsOptions plaintext;
  plaintext.plaintext = true;
  EXPECT_EQ(Call(stack.reports_address(), plaintext), grpc::StatusCode::UNAVAILABLE);
  // A client that does not trust the server's CA gives up too.
  EXPECT_EQ(Call(stack.reports_address(), Client(rogue + "/ca.crt", rogue, "operator")),
            grpc::StatusCode::UNAVAILABLE);

  // Probes get health in plaintext on the health port, for both services;
  // the health port serves nothing else.
  for (size_t i = 0; i < 2; ++i) {
    const std::string health = stack.service_health_address(i);
    ASSERT_FALSE(health.empty());
    EXPECT_EQ(Health(health), HealthCheckResponse::SERVING) << health;
    EXPECT_EQ(Health(health, "liveness"), HealthCheckResponse::SERVING) << health;
  }
  EXPECT_EQ(Call(stack.service_health_address(0), plaintext), grpc::StatusCode::UNIMPLEMENTED);

  // The CLI with the matching flags.
  const std::string tls = " --tls-ca " + ca + " --tls-cert " + dir + "/operator.crt --tls-key " +
                          dir + "/operator.key";
  auto imported = test::RunCommand(kCliPath + " import examples/004_bueng_khla.json --reports " +
                                   stack.reports_address() + tls);
  EXPECT_EQ(imported.exit_code, 0) << imported.output;
  auto refused = test::RunCommand(kCliPath + " get agencies/bueng-khla --timeout 5 --reports " +
                                  stack.reports_address() + " --tls-ca " + ca);
  EXPECT_EQ(refused.exit_code, 5) << refused.output;  // UNAVAILABLE
}

TEST(TransportTest, RotatedCertificateIsServedWithoutARestart) {
  const std::string first = test::TempPath("certs-first");
  const std::string second = test::TempPath("certs-second");
  const std::string live = test::TempPath("certs-live");
  MakeCerts(first, "");
  MakeCerts(second, "");
  std::filesystem::create_directories(live);
  auto install = [&](const std::string& from) {
    // As the kubelet does: new files written aside, then moved in place.
    for (const char* f : {"server.crt", "server.key"}) {
      std::filesystem::copy_file(from + "/" + f, live + "/" + f + ".new",
                                 std::filesystem::copy_options::overwrite_existing);
      std::filesystem::rename(live + "/" + f + ".new", live + "/" + f);
    }
  };
  install(first);

  testing::StackOptions o;
  o.bin_dir = kBin;
  o.workers = 0;
  o.transport_args = ServerTls(live, /*mutual=*/false);
  o.transport_args.insert(o.transport_args.end(), {"--tls-reload-s", "1"});
  testing::Stack stack(o);
  stack.Start();
  const pid_t pid = stack.services().at(0);

  EXPECT_EQ(Call(stack.reports_address(), Client(first + "/ca.crt")), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Call(stack.reports_address(), Client(second + "/ca.crt")),
            grpc::StatusCode::UNAVAILABLE);

  install(second);
  grpc::StatusCode code = grpc::StatusCode::UNAVAILABLE;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (code != grpc::StatusCode::NOT_FOUND && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    code = Call(stack.reports_address(), Client(second + "/ca.crt"));
  }
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND) << "the rotated certificate was not served";
  EXPECT_EQ(Call(stack.reports_address(), Client(first + "/ca.crt")),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stack.services().at(0), pid);
  EXPECT_EQ(::kill(pid, 0), 0) << "the service restarted";
}

// ---- Authorization: the policy against real callers ----

const char* kPolicyJson = R"({"principals": [
  {"name": "operator", "role": "ROLE_OPERATOR", "certificateNames": ["operator"]},
  {"name": "lao-taluboh", "role": "ROLE_AGENCY", "agencies": ["taluboh"],
   "certificateNames": ["lao-taluboh"]},
  {"name": "pattani-office", "role": "ROLE_PROVINCE", "provinces": ["ปัตตานี"],
   "certificateNames": ["pattani-office"]},
  {"name": "bueng-khla-system", "role": "ROLE_AGENCY", "agencies": ["bueng-khla"],
   "tokenSha256": ["%TOKEN%"]}
]})";
const char* kToken = "bk-secret-token-5f1c";

class AuthorizationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(test::TempPath("certs-authz"));
    MakeCerts(*dir_, "operator lao-taluboh pattani-office stranger");
    std::string policy = kPolicyJson;
    policy.replace(policy.find("%TOKEN%"), 7, authz::TokenSha256(kToken));
    test::WriteFile(*dir_ + "/policy.json", policy);
    test::WriteFile(*dir_ + "/token", std::string(kToken) + "\n");
    test::WriteFile(*dir_ + "/wrong-token", "not-the-token\n");

    testing::StackOptions o;
    o.bin_dir = kBin;
    o.workers = 1;
    o.transport_args = ServerTls(*dir_, /*mutual=*/true);
    o.transport_args.insert(o.transport_args.end(), {"--tls-client-auth", "optional", "--policy",
                                                     *dir_ + "/policy.json"});
    stack_ = new testing::Stack(o);
    stack_->Start();
    auto imported = test::RunCommand(kCliPath + " import examples/*.json --reports " +
                                     stack_->reports_address() + CliTls("operator"));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }
  static void TearDownTestSuite() {
    delete stack_;
    delete dir_;
  }

  // The CLI's flags for a caller: a certificate name, "token:FILE", or ""
  // (TLS without a credential).
  static std::string CliTls(const std::string& who) {
    std::string flags = " --tls-ca " + *dir_ + "/ca.crt";
    if (who.rfind("token:", 0) == 0) return flags + " --token-file " + *dir_ + "/" + who.substr(6);
    if (!who.empty()) {
      flags += " --tls-cert " + *dir_ + "/" + who + ".crt --tls-key " + *dir_ + "/" + who + ".key";
    }
    return flags;
  }

  static server::ClientTlsOptions As(const std::string& who) {
    server::ClientTlsOptions o;
    o.ca_file = *dir_ + "/ca.crt";
    if (who.rfind("token:", 0) == 0) {
      o.token_file = *dir_ + "/" + who.substr(6);
    } else if (!who.empty()) {
      o.cert_file = *dir_ + "/" + who + ".crt";
      o.key_file = *dir_ + "/" + who + ".key";
    }
    return o;
  }
  std::unique_ptr<v1::ReportService::Stub> Reports(const std::string& who) {
    auto channel = server::MakeChannel(stack_->reports_address(), As(who), {});
    EXPECT_TRUE(channel.ok());
    return v1::ReportService::NewStub(*channel);
  }
  std::unique_ptr<v1::DocumentService::Stub> Documents(const std::string& who) {
    auto channel = server::MakeChannel(stack_->documents_address(), As(who), {});
    EXPECT_TRUE(channel.ok());
    return v1::DocumentService::NewStub(*channel);
  }

  grpc::Status GetReport(const std::string& who, const std::string& name) {
    v1::GetReportRequest req;
    req.set_name(name);
    v1::ReportResource resp;
    return Reports(who)->GetReport(Ctx().get(), req, &resp);
  }
  grpc::Status Render(const std::string& who, const std::string& report, v1::Job* job) {
    v1::RenderReportRequest req;
    req.set_report(report);
    return Documents(who)->RenderReport(Ctx().get(), req, job);
  }
  grpc::Status Bulk(const std::string& who, const std::string& province, v1::Batch* batch) {
    v1::RenderBulkRequest req;
    req.mutable_filter()->set_fiscal_year(2567);
    req.mutable_filter()->set_province(province);
    return Documents(who)->RenderBulk(Ctx().get(), req, batch);
  }

  static std::string* dir_;
  static testing::Stack* stack_;
};
std::string* AuthorizationTest::dir_ = nullptr;
testing::Stack* AuthorizationTest::stack_ = nullptr;

const std::string kTaluboh = "agencies/taluboh/reports/2567";
const std::string kBuengKhla = "agencies/bueng-khla/reports/2566";

TEST_F(AuthorizationTest, AnAgencySystemReachesOnlyItsOwnReports) {
  EXPECT_TRUE(GetReport("lao-taluboh", kTaluboh).ok());
  grpc::Status other = GetReport("lao-taluboh", kBuengKhla);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(test::ErrorInfoOf(other).reason(), "NOT_ALLOWED");
  EXPECT_THAT(other.error_message(), HasSubstr("lao-taluboh"));

  v1::UpdateReportRequest update;
  update.mutable_report()->set_name(kBuengKhla);
  update.mutable_update_mask()->add_paths("title");
  v1::ReportResource updated;
  EXPECT_EQ(Reports("lao-taluboh")->UpdateReport(Ctx().get(), update, &updated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListReportsRequest everything;
  everything.set_parent("agencies/-");
  v1::ListReportsResponse listed;
  EXPECT_EQ(Reports("lao-taluboh")->ListReports(Ctx().get(), everything, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListReportsRequest own;
  own.set_parent("agencies/taluboh");
  ASSERT_TRUE(Reports("lao-taluboh")->ListReports(Ctx().get(), own, &listed).ok());
  EXPECT_EQ(listed.reports_size(), 1);

  v1::Job job;
  EXPECT_TRUE(Render("lao-taluboh", kTaluboh, &job).ok());
  EXPECT_EQ(Render("lao-taluboh", kBuengKhla, &job).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Batch batch;
  EXPECT_EQ(Bulk("lao-taluboh", "ปัตตานี", &batch).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Another agency's job: not to be seen, watched or downloaded.
  v1::Job theirs;
  ASSERT_TRUE(Render("operator", kBuengKhla, &theirs).ok());
  v1::GetJobRequest get;
  get.set_name(theirs.name());
  v1::Job seen;
  EXPECT_EQ(Documents("lao-taluboh")->GetJob(Ctx().get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::DownloadDocumentRequest download;
  download.set_job(theirs.name());
  auto ctx = Ctx();
  auto reader = Documents("lao-taluboh")->DownloadDocument(ctx.get(), download);
  v1::DocumentChunk chunk;
  while (reader->Read(&chunk)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // The dead-letter stream is the operators'.
  v1::ListDeadLettersRequest dead;
  v1::ListDeadLettersResponse letters;
  EXPECT_EQ(Documents("lao-taluboh")->ListDeadLetters(Ctx().get(), dead, &letters).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Documents("operator")->ListDeadLetters(Ctx().get(), dead, &letters).ok());

  // Denials are logged with who asked.
  const std::string log = test::ReadFile(stack_->log_dir() + "/document-service.log");
  EXPECT_THAT(log, HasSubstr("denied"));
  EXPECT_THAT(log, HasSubstr("lao-taluboh"));
}

// Request ids belong to the caller that sent them: an agency reusing an id
// another agency used gets a job of its own report, never the other's job
// (nor a denial naming the other agency); reusing its own id for another
// request is ALREADY_EXISTS on request_id, naming nothing it created.
TEST_F(AuthorizationTest, ARequestIdIsTheCallersOwnAndBoundToItsRequest) {
  auto render = [&](const std::string& who, const std::string& report, const std::string& id,
                    v1::Job* job) {
    v1::RenderReportRequest req;
    req.set_report(report);
    req.set_request_id(id);
    return Documents(who)->RenderReport(Ctx().get(), req, job);
  };
  v1::Job theirs, mine, again;
  ASSERT_TRUE(render("token:token", kBuengKhla, "shared-id-1", &theirs).ok());
  grpc::Status s = render("lao-taluboh", kTaluboh, "shared-id-1", &mine);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(mine.name(), theirs.name());
  EXPECT_EQ(mine.report(), kTaluboh);
  ASSERT_TRUE(render("lao-taluboh", kTaluboh, "shared-id-1", &again).ok());
  EXPECT_EQ(again.name(), mine.name());

  v1::Job other;
  grpc::Status reused = render("operator", kTaluboh, "op-id-1", &other);
  ASSERT_TRUE(reused.ok()) << reused.error_message();
  reused = render("operator", kBuengKhla, "op-id-1", &other);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS) << reused.error_message();
  EXPECT_THAT(reused.error_message(), HasSubstr("request_id"));
  EXPECT_THAT(reused.error_message(), ::testing::Not(HasSubstr("jobs/")));

  v1::RenderBulkRequest bulk;
  bulk.mutable_reports()->add_reports(kTaluboh);
  bulk.set_request_id("shared-id-1");
  v1::Batch batch;
  reused = Documents("lao-taluboh")->RenderBulk(Ctx().get(), bulk, &batch);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS) << reused.error_message();
}

TEST_F(AuthorizationTest, AProvincialOfficeReadsAndRendersItsProvinceOnly) {
  EXPECT_TRUE(GetReport("pattani-office", kTaluboh).ok());
  EXPECT_EQ(GetReport("pattani-office", kBuengKhla).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An agency that does not exist is not in its province either: no hint
  // of what exists elsewhere.
  EXPECT_EQ(GetReport("pattani-office", "agencies/nowhere/reports/2567").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::DeleteReportRequest del;
  del.set_name(kTaluboh);
  google::protobuf::Empty empty;
  EXPECT_EQ(Reports("pattani-office")->DeleteReport(Ctx().get(), del, &empty).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(GetReport("operator", kTaluboh).ok()) << "a denied delete deleted";

  v1::Batch mine;
  ASSERT_TRUE(Bulk("pattani-office", "ปัตตานี", &mine).ok());
  EXPECT_EQ(mine.owner(), "pattani-office");
  EXPECT_EQ(mine.total(), 1);
  v1::Batch country;
  EXPECT_EQ(Bulk("pattani-office", "", &country).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Bulk("operator", "", &country).ok()) << "operators render across the country";

  v1::GetBatchRequest get;
  v1::Batch seen;
  get.set_name(mine.name());
  EXPECT_TRUE(Documents("pattani-office")->GetBatch(Ctx().get(), get, &seen).ok());
  get.set_name(country.name());
  EXPECT_EQ(Documents("pattani-office")->GetBatch(Ctx().get(), get, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListJobsRequest list;
  list.set_batch(country.name());
  v1::ListJobsResponse jobs;
  EXPECT_EQ(Documents("pattani-office")->ListJobs(Ctx().get(), list, &jobs).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthorizationTest, CallersAreKnownByCertificateOrTokenAndOthersAreTurnedAway) {
  // A bearer token (no client certificate), through the CLI.
  auto own = test::RunCommand(kCliPath + " get agencies/bueng-khla --reports " +
                              stack_->reports_address() + CliTls("token:token"));
  EXPECT_EQ(own.exit_code, 0) << own.output;
  auto other = test::RunCommand(kCliPath + " get agencies/taluboh --reports " +
                                stack_->reports_address() + CliTls("token:token"));
  EXPECT_EQ(other.exit_code, 7) << other.output;
  EXPECT_THAT(other.output, HasSubstr("bueng-khla-system"));

  // No credential, an unknown token, a certificate from the right CA whose
  // name the policy does not list: UNAUTHENTICATED, an unknown credential.
  grpc::Status none = GetReport("", kTaluboh);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED) << none.error_message();
  EXPECT_EQ(GetReport("token:wrong-token", kTaluboh).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status stranger = GetReport("stranger", kTaluboh);
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(stranger.error_message(), HasSubstr("stranger"));
  EXPECT_EQ(test::ErrorInfoOf(stranger).reason(), "UNKNOWN_CREDENTIAL");
  v1::Job job;
  EXPECT_EQ(Render("", kTaluboh, &job).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The token never reaches a log.
  for (const char* log : {"report-service.log", "document-service.log"}) {
    EXPECT_THAT(test::ReadFile(stack_->log_dir() + "/" + log),
                ::testing::Not(HasSubstr(kToken)))
        << log;
  }
}

TEST(AuthorizationFlagsTest, OptionalClientCertificatesNeedAPolicy) {
  const std::string dir = test::TempPath("certs-optional");
  MakeCerts(dir, "");
  auto r = test::RunCommand(kReportService + " --listen 127.0.0.1:0 --tls-cert " + dir +
                            "/server.crt --tls-key " + dir + "/server.key --tls-client-ca " + dir +
                            "/ca.crt --tls-client-auth optional --redis redis://127.0.0.1:1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("needs --policy"));
  test::WriteFile(dir + "/bad-policy.json", R"({"principals": [{"name": "x"}]})");
  auto bad = test::RunCommand(kReportService + " --listen 127.0.0.1:0 --plaintext --policy " + dir +
                              "/bad-policy.json --redis redis://127.0.0.1:1");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("principals[0].role"));
}

// ---- Redis credentials ----

TEST(RedisAuthTest, ThePasswordComesFromAFileAndNeverReachesALog) {
  const std::string password = "s3cret-redis-pass-9d2e";
  testing::StackOptions o;
  o.bin_dir = kBin;
  o.workers = 1;
  o.redis.password = password;
  o.worker_health = true;
  testing::Stack stack(o);
  stack.Start();

  const std::string out = test::TempPath("auth.pdf");
  auto imported = test::RunCommand(test::kCli + " import examples/004_bueng_khla.json --reports " +
                                   stack.reports_address());
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto rendered = test::RunCommand(test::kCli + " submit " + kBuengKhla + " -o " + out +
                                   " --documents " + stack.documents_address());
  ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
  EXPECT_EQ(Health(stack.worker_health_address(0)), HealthCheckResponse::SERVING);

  // A process with the wrong password reports NOT_SERVING and says why,
  // without the password it was given.
  const std::string wrong = test::TempPath("wrong-password");
  test::WriteFile(wrong, "not-the-password\n");
  const std::string log = test::TempPath("wrong-password.log");
  const std::string health = "127.0.0.1:" + std::to_string(testing::FreePort());
  auto refused = test::RunCommand(
      "timeout -s INT 3 " + kBin + "/worker/renderer --redis " + stack.redis().url() +
      " --redis-password-file " + wrong + " --health-listen " + health + " --workers 1 > " +
      log + " 2>&1");
  const std::string refused_log = test::ReadFile(log);
  EXPECT_THAT(refused_log, HasSubstr("WRONGPASS")) << refused_log;
  EXPECT_THAT(refused_log, ::testing::Not(HasSubstr("not-the-password")));

  for (const char* file : {"report-service.log", "document-service.log", "renderer-0.log"}) {
    EXPECT_THAT(test::ReadFile(stack.log_dir() + "/" + file),
                ::testing::Not(HasSubstr(password)))
        << file;
  }
  // No password, no entry: Redis refuses, the service answers UNAVAILABLE.
  auto anonymous = test::RunCommand("redis-cli -p " + std::to_string(stack.redis().port()) +
                                    " GET anything");
  EXPECT_THAT(anonymous.output, HasSubstr("NOAUTH"));
}

}  // namespace
}  // namespace saraban
