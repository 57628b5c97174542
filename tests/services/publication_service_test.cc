// PublicationService in process over a real redis-server (AOF on, as
// deployed): publications are immutable, survive edits of their report and
// restarts of Redis, never expire, and are withdrawn only by operators.
#include "saraban/publication_service/publication_service.h"

#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "saraban/authz/policy.h"
#include "saraban/digest.h"
#include "saraban/model/json.h"
#include "saraban/publication/publication_store.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/report/renderer_pool.h"
#include "saraban/store/report_store.h"
#include "saraban/sign/pades.h"
#include "saraban/testing/redis_server.h"
#include "saraban/testing/test_ca.h"
#include "test_support.h"
#include "saraban/v1/publication_service.grpc.pb.h"

namespace saraban::publication_service {
namespace {

constexpr char kReport[] = "agencies/bueng-khla/reports/2566";

// Three callers: the agency's own system, another agency's, an operator.
constexpr char kPolicy[] = R"({"principals": [
  {"name": "bueng-khla-system", "role": "ROLE_AGENCY", "agencies": ["bueng-khla"],
   "tokenSha256": ["%OWN%"]},
  {"name": "other-system", "role": "ROLE_AGENCY", "agencies": ["nong-khai"],
   "tokenSha256": ["%OTHER%"]},
  {"name": "nacc-operator", "role": "ROLE_OPERATOR", "tokenSha256": ["%OPERATOR%"]}]})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  s.replace(s.find(from), from.size(), to);
  return s;
}

class PublicationServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_dir_ = new std::string(test::TempPath("ca"));
    ca_error_ = new std::string(
        saraban::testing::MakeTestCa(*ca_dir_, {"seal", "reporter", "reviewer"}));
  }

  void SetUp() override {
    ASSERT_TRUE(ca_error_->empty()) << *ca_error_;
    auto seal = sign::Identity::FromPkcs12(test::ReadFile(*ca_dir_ + "/seal.p12"), "secret");
    ASSERT_TRUE(seal.ok()) << seal.status().ToString();
    seal_ = std::make_unique<sign::Identity>(std::move(seal).value());
    redis_.Start();
    pool_ = std::make_unique<redis::Pool>(redis_.endpoint(), redis::Options{}, 4);
    reports_ = std::make_unique<store::ReportStore>(*pool_, keyspace::Keys("t:"));
    publications_ = std::make_unique<publication::PublicationStore>(*pool_, keyspace::Keys("t:"));
    auto renderers = report::RendererPool::Create({}, 1);
    ASSERT_TRUE(renderers.ok()) << renderers.status().ToString();
    renderers_ = std::move(renderers).value();
    auto fonts = FontIdentities({});
    ASSERT_TRUE(fonts.ok()) << fonts.status().ToString();
    std::string policy = Replace(kPolicy, "%OWN%", authz::TokenSha256("own-token"));
    policy = Replace(policy, "%OTHER%", authz::TokenSha256("other-token"));
    policy = Replace(policy, "%OPERATOR%", authz::TokenSha256("operator-token"));
    auto parsed = authz::Policy::Parse(policy);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    service_ = std::make_unique<PublicationServiceImpl>(*reports_, *publications_, *renderers_,
                                                        *fonts, authz::Authenticator(*parsed),
                                                        seal_.get(),
                                                        test::ReadFile(*ca_dir_ + "/root.pem"));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::PublicationService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));

    auto seed = model::LoadReportFile("examples/004_bueng_khla.json");
    ASSERT_TRUE(seed.ok()) << seed.status().ToString();
    seed_ = *seed;
    Put(seed_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  void Put(const v1::Report& report) {
    bool created = false;
    std::vector<Status> errors;
    auto put = reports_->PutReport(report, /*upsert_agency=*/true, &created, &errors);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }

  grpc::Status Publish(const std::string& token, const std::string& report, v1::Publication* out,
                       const std::string& etag = "") {
    v1::PublishReportRequest req;
    req.set_report(report);
    req.set_etag(etag);
    return stub_->PublishReport(As(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& name, v1::Publication* out) {
    v1::GetPublicationRequest req;
    req.set_name(name);
    return stub_->GetPublication(As(token).get(), req, out);
  }

  // The PDF as DownloadPublication streams it.
  std::string Download(const std::string& token, const std::string& name) {
    v1::DownloadPublicationRequest req;
    req.set_name(name);
    req.set_chunk_size(4096);
    auto ctx = As(token);
    auto reader = stub_->DownloadPublication(ctx.get(), req);
    std::string bytes;
    v1::DocumentChunk chunk;
    while (reader->Read(&chunk)) bytes += chunk.data();
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return bytes;
  }

  // The PDF the offline renderer makes of `report` (as the store keeps it).
  std::string OfflineRender(const std::string& agency, int fiscal_year) {  // without fields
    auto stored = reports_->GetReport(agency, fiscal_year);
    EXPECT_TRUE(stored.ok());
    auto renderer = report::ReportRenderer::Create({});
    EXPECT_TRUE(renderer.ok());
    auto pdf = (*renderer)->Render(stored->report, *report::DefaultTemplate());
    EXPECT_TRUE(pdf.ok());
    return pdf.ok() ? pdf->bytes : std::string();
  }

  long long Redis(const redis::Command& c) { return redis::Run(*pool_, c)->integer; }

  static std::string* ca_dir_;
  static std::string* ca_error_;
  std::unique_ptr<sign::Identity> seal_;
  saraban::testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<store::ReportStore> reports_;
  std::unique_ptr<publication::PublicationStore> publications_;
  std::unique_ptr<report::RendererPool> renderers_;
  std::unique_ptr<PublicationServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::PublicationService::Stub> stub_;
  v1::Report seed_;
};

std::string* PublicationServiceTest::ca_dir_ = nullptr;
std::string* PublicationServiceTest::ca_error_ = nullptr;

TEST_F(PublicationServiceTest, APublicationIsTheRenderOfItsRevisionAndKeepsNoTimeToLive) {
  v1::Publication p;
  grpc::Status s = Publish("own-token", kReport, &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.name(), std::string(kReport) + "/publications/1");
  EXPECT_EQ(p.report(), kReport);
  EXPECT_EQ(p.report_revision(), 1);
  EXPECT_EQ(p.state(), v1::PUBLICATION_STATE_CURRENT);
  EXPECT_EQ(p.publisher(), "bueng-khla-system");
  ASSERT_EQ(p.fonts_size(), 2);
  EXPECT_EQ(p.fonts(0).file_name(), "Laksaman.ttf");
  EXPECT_EQ(p.fonts(0).sha256().size(), 64u);
  EXPECT_FALSE(p.document().has_expire_time());

  const std::string pdf = Download("own-token", p.name());
  EXPECT_EQ(Sha256Hex(pdf), p.document().sha256());
  EXPECT_EQ(static_cast<int64_t>(pdf.size()), p.document().size_bytes());
  // The offline render with a signature field for each of the sign-off's
  // people, in one update after it.
  const std::string render = OfflineRender("bueng-khla", 2566);
  EXPECT_EQ(pdf.compare(0, render.size(), render), 0) << "the render is not a prefix";
  EXPECT_EQ(p.signature_fields_size(), 4);
  EXPECT_EQ(p.signature_fields(0), "reporter");
  EXPECT_EQ(p.signature_fields(3), "executive");
  EXPECT_EQ(p.signatures_size(), 0);
  EXPECT_EQ(p.signed_document().sha256(), p.document().sha256());

  // Nothing of it expires.
  keyspace::Keys keys("t:");
  EXPECT_EQ(Redis({"PTTL", keys.Publication("bueng-khla", 2566, 1)}), -1);
  EXPECT_EQ(Redis({"PTTL", keys.PublicationPdf(p.document().sha256())}), -1);
  EXPECT_EQ(Redis({"PTTL", keys.Publications("bueng-khla", 2566)}), -1);

  // Publishing the same revision again is the same publication.
  v1::Publication again;
  ASSERT_TRUE(Publish("own-token", kReport, &again).ok());
  EXPECT_EQ(again.name(), p.name());
  EXPECT_EQ(redis::Run(*pool_, {"GET", keys.Publications("bueng-khla", 2566)})->str, "1");
}

TEST_F(PublicationServiceTest, AnEditNeverChangesAPublicationAndANewOneSupersedesIt) {
  v1::Publication first;
  ASSERT_TRUE(Publish("own-token", kReport, &first).ok());
  const std::string first_pdf = Download("own-token", first.name());

  v1::Report edited = seed_;
  edited.set_title(seed_.title() + " (ฉบับแก้ไข)");
  Put(edited);

  v1::Publication read;
  ASSERT_TRUE(Get("own-token", first.name(), &read).ok());
  EXPECT_EQ(read.report_revision(), 1);
  EXPECT_EQ(read.snapshot().title(), seed_.title());
  EXPECT_EQ(read.document().sha256(), first.document().sha256());
  EXPECT_EQ(Download("own-token", first.name()), first_pdf);

  // The reviewed etag is stale now: nothing is published.
  v1::Publication stale;
  grpc::Status s = Publish("own-token", kReport, &stale, "\"1\"");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();

  v1::Publication second;
  ASSERT_TRUE(Publish("own-token", kReport, &second, "\"2\"").ok());
  EXPECT_EQ(second.name(), std::string(kReport) + "/publications/2");
  EXPECT_EQ(second.report_revision(), 2);
  EXPECT_NE(second.document().sha256(), first.document().sha256());
  ASSERT_TRUE(Get("own-token", first.name(), &read).ok());
  EXPECT_EQ(read.state(), v1::PUBLICATION_STATE_SUPERSEDED);
  EXPECT_EQ(read.superseded_by(), second.name());

  // Listed newest first, a page at a time, without snapshots.
  v1::ListPublicationsRequest list;
  list.set_parent(kReport);
  list.set_page_size(1);
  v1::ListPublicationsResponse page;
  ASSERT_TRUE(stub_->ListPublications(As("own-token").get(), list, &page).ok());
  ASSERT_EQ(page.publications_size(), 1);
  EXPECT_EQ(page.publications(0).name(), second.name());
  EXPECT_FALSE(page.publications(0).has_snapshot());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListPublications(As("own-token").get(), list, &page).ok());
  ASSERT_EQ(page.publications_size(), 1);
  EXPECT_EQ(page.publications(0).name(), first.name());
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(PublicationServiceTest, APublicationSurvivesARedisRestart) {
  v1::Publication p;
  ASSERT_TRUE(Publish("own-token", kReport, &p).ok());
  const std::string pdf = Download("own-token", p.name());
  redis_.Restart();  // AOF on: what was acknowledged is there again
  v1::Publication read;
  grpc::Status s = Get("own-token", p.name(), &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.document().sha256(), p.document().sha256());
  EXPECT_EQ(Download("own-token", p.name()), pdf);
}

TEST_F(PublicationServiceTest, OnlyOperatorsWithdrawAndTheRecordKeepsWhoAndWhy) {
  v1::Publication p;
  ASSERT_TRUE(Publish("own-token", kReport, &p).ok());
  v1::WithdrawPublicationRequest req;
  req.set_name(p.name());
  req.set_reason("ลงนามผิดคน");
  v1::Publication out;
  EXPECT_EQ(stub_->WithdrawPublication(As("own-token").get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.set_reason("");
  EXPECT_EQ(stub_->WithdrawPublication(As("operator-token").get(), req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_reason("ลงนามผิดคน");
  grpc::Status s = stub_->WithdrawPublication(As("operator-token").get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::PUBLICATION_STATE_WITHDRAWN);
  EXPECT_EQ(out.withdrawal().operator_name(), "nacc-operator");
  EXPECT_EQ(out.withdrawal().reason(), "ลงนามผิดคน");
  EXPECT_GT(out.withdrawal().time().seconds(), 0);
  // The first withdrawal stands; the publication stays readable.
  req.set_reason("another reason");
  EXPECT_EQ(stub_->WithdrawPublication(As("operator-token").get(), req, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::Publication read;
  ASSERT_TRUE(Get("own-token", p.name(), &read).ok());
  EXPECT_EQ(read.withdrawal().reason(), "ลงนามผิดคน");
  EXPECT_EQ(Sha256Hex(Download("own-token", p.name())), p.document().sha256());
  // A withdrawn revision published again is a new publication.
  v1::Publication again;
  ASSERT_TRUE(Publish("own-token", kReport, &again).ok());
  EXPECT_EQ(again.name(), std::string(kReport) + "/publications/2");
}

TEST_F(PublicationServiceTest, AccessIsAsForTheReport) {
  v1::Publication p;
  EXPECT_EQ(Publish("other-token", kReport, &p).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Publish("own-token", kReport, &p).ok());
  v1::Publication read;
  EXPECT_EQ(Get("other-token", p.name(), &read).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Get("operator-token", p.name(), &read).ok());
  EXPECT_EQ(Get("nobody", p.name(), &read).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status bad = Get("own-token", std::string(kReport) + "/publications/0", &read);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status missing = Get("own-token", std::string(kReport) + "/publications/9", &read);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Publish("own-token", "agencies/bueng-khla/reports/2599", &p).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PublicationServiceTest, TheSignOffSignsInOrderSealedAndExternallyAndPdfsigAgrees) {
  v1::Publication p;
  ASSERT_TRUE(Publish("own-token", kReport, &p).ok());

  // Out of order: the reporter signs first.
  v1::SealPublicationRequest seal;
  seal.set_name(p.name());
  seal.set_field("reviewer-1");
  v1::Publication out;
  grpc::Status s = stub_->SealPublication(As("own-token").get(), seal, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();

  // The reporter signs externally with a personal certificate.
  const std::string chain = test::ReadFile(*ca_dir_ + "/reporter.chain.pem");
  v1::PrepareSignatureRequest prepare;
  prepare.set_name(p.name());
  prepare.set_field("reporter");
  prepare.set_certificate_chain_pem(chain);
  v1::SignaturePreparation prepared;
  s = stub_->PrepareSignature(As("own-token").get(), prepare, &prepared);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(prepared.digest().size(), 32u);
  auto reporter = sign::Identity::FromPkcs12(test::ReadFile(*ca_dir_ + "/reporter.p12"), "secret");
  ASSERT_TRUE(reporter.ok());

  // A value over another digest is refused, and nothing is stored.
  std::string wrong = prepared.digest();
  wrong[5] ^= 1;
  v1::CompleteSignatureRequest complete;
  complete.set_name(p.name());
  complete.set_preparation(prepared.preparation());
  complete.set_signature_value(*sign::SignDigest(*reporter, wrong));
  s = stub_->CompleteSignature(As("own-token").get(), complete, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  v1::Publication read;
  ASSERT_TRUE(Get("own-token", p.name(), &read).ok());
  EXPECT_EQ(read.signatures_size(), 0);

  complete.set_signature_value(*sign::SignDigest(*reporter, prepared.digest()));
  s = stub_->CompleteSignature(As("own-token").get(), complete, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.signatures_size(), 1);
  EXPECT_EQ(out.signatures(0).field(), "reporter");
  EXPECT_FALSE(out.signatures(0).sealed());
  EXPECT_NE(out.signatures(0).signer().find("reporter"), std::string::npos);
  // A preparation is used once.
  EXPECT_EQ(stub_->CompleteSignature(As("own-token").get(), complete, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The rest are sealed by the service, in order.
  for (const char* field : {"reviewer-1", "reviewer-2", "executive"}) {
    seal.set_field(field);
    s = stub_->SealPublication(As("own-token").get(), seal, &out);
    ASSERT_TRUE(s.ok()) << field << ": " << s.error_message();
  }
  ASSERT_EQ(out.signatures_size(), 4);
  EXPECT_TRUE(out.signatures(3).sealed());
  EXPECT_EQ(out.signatures(3).document_sha256(), out.signed_document().sha256());
  // The published document never changes; the signed one grows after it.
  EXPECT_EQ(out.document().sha256(), p.document().sha256());

  auto published = publications_->GetPdf(p.document().sha256());
  ASSERT_TRUE(published.ok());
  auto signed_pdf = publications_->GetPdf(out.signed_document().sha256());
  ASSERT_TRUE(signed_pdf.ok());
  EXPECT_EQ(Download("own-token", p.name()), *signed_pdf);
  EXPECT_EQ(signed_pdf->compare(0, published->size(), *published), 0);
  const std::string path = test::TempPath("published-signed.pdf");
  test::WriteFile(path, *signed_pdf);
  const test::CommandResult pdfsig = test::RunCommand("pdfsig " + path);
  size_t valid = 0;
  for (size_t at = pdfsig.output.find("Signature is Valid."); at != std::string::npos;
       at = pdfsig.output.find("Signature is Valid.", at + 1)) {
    ++valid;
  }
  EXPECT_EQ(valid, 4u) << pdfsig.output;
  auto verdict = sign::VerifyPdf(*signed_pdf, test::ReadFile(*ca_dir_ + "/root.pem"));
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->unsigned_sha256, p.document().sha256());
  for (const auto& v : verdict->signatures) EXPECT_TRUE(v.intact && v.trusted) << v.field;

  // VerifyDocument: the signed PDF is a publication's, every signature
  // holds, and a fresh render of its data gives its document exactly.
  v1::VerifyDocumentRequest verify;
  verify.set_pdf(*signed_pdf);
  v1::DocumentVerdict verdict_out;
  s = stub_->VerifyDocument(As("other-token").get(), verify, &verdict_out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(verdict_out.valid()) << verdict_out.DebugString();
  EXPECT_EQ(verdict_out.publication(), p.name());
  EXPECT_TRUE(verdict_out.content_matches_data()) << verdict_out.content_problem();
  EXPECT_EQ(verdict_out.signatures_size(), 4);
  // Rewritten by another tool: the signatures and the content no longer hold.
  const std::string rewritten = test::TempPath("rewritten.pdf");
  ASSERT_EQ(test::RunCommand("qpdf " + path + " " + rewritten).exit_code, 0);
  verify.set_pdf(test::ReadFile(rewritten));
  verdict_out.Clear();
  s = stub_->VerifyDocument(As("other-token").get(), verify, &verdict_out);
  if (s.ok()) {
    EXPECT_FALSE(verdict_out.valid()) << verdict_out.DebugString();
    EXPECT_FALSE(verdict_out.content_matches_data());
  } else {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  }
  // The unsigned publication verifies as content, with no signatures.
  verify.set_pdf(*published);
  verdict_out.Clear();
  ASSERT_TRUE(stub_->VerifyDocument(As("other-token").get(), verify, &verdict_out).ok());
  EXPECT_TRUE(verdict_out.content_matches_data()) << verdict_out.content_problem();
  EXPECT_EQ(verdict_out.publication(), p.name());

  // Every field is signed now.
  EXPECT_EQ(stub_->SealPublication(As("own-token").get(), seal, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Another agency may not sign it.
  seal.set_name(p.name());
  EXPECT_EQ(stub_->SealPublication(As("other-token").get(), seal, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace saraban::publication_service
