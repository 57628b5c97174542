#include "saraban/server/etag.h"
#include "saraban/report_service/report_service.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "saraban/server/errors.h"
#include "saraban/server/parse_errors.h"
#include "google/rpc/status.pb.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/testing/redis_server.h"

namespace saraban::report_service {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

constexpr int kMaxMessageBytes = 16 << 20;  // as the real server (ServerOptions)

v1::Report Example(const std::string& file) {
  auto r = model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) + "/examples/" + file);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : v1::Report{};
}

// What the service stores for `report`: the report validated and normalised.
v1::Report Normalised(v1::Report report) {
  auto errors = model::ValidateReport(&report);
  EXPECT_TRUE(errors.empty()) << model::FormatErrors(errors);
  return report;
}

// The fields a google.rpc.BadRequest detail of `status` names.
// The ErrorInfo of a failed call, empty when it has none.
google::rpc::ErrorInfo InfoOf(const grpc::Status& status) {
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  if (!rich.ParseFromString(status.error_details())) return info;
  for (const auto& any : rich.details()) {
    if (any.UnpackTo(&info)) return info;
  }
  return info;
}

std::set<std::string> BadFields(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details())) << "no google.rpc.Status detail";
  std::set<std::string> fields;
  for (const auto& any : rich.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.insert(v.field());
  }
  return fields;
}

class ReportServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.Start();
    pool_ = std::make_unique<redis::Pool>(redis_.endpoint(), redis::Options{}, 4);
    store_ = std::make_unique<store::ReportStore>(*pool_, keyspace::Keys("t:"));
    service_ = std::make_unique<ReportServiceImpl>(*store_, authz::Authenticator(nullptr));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
    server::TranslateParseErrors(builder);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    stub_ = v1::ReportService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  grpc::Status Import(const std::vector<v1::ImportReportsRequest>& requests,
                      v1::ImportReportsResponse* response) {
    grpc::ClientContext context;
    auto writer = stub_->ImportReports(&context, response);
    for (const auto& r : requests) {
      if (!writer->Write(r)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  void ImportExamples() {
    std::vector<v1::ImportReportsRequest> requests(2);
    *requests[0].mutable_report() = Example("000_taluboh.json");
    *requests[1].mutable_report() = Example("004_bueng_khla.json");
    for (auto& r : requests) r.set_upsert_agency(true);
    v1::ImportReportsResponse response;
    grpc::Status s = Import(requests, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.failed(), 0) << response.DebugString();
  }

  grpc::Status Get(const std::string& name, v1::ReportResource* out) {
    grpc::ClientContext context;
    v1::GetReportRequest request;
    request.set_name(name);
    return stub_->GetReport(&context, request, out);
  }

  grpc::Status Create(const std::string& parent, const v1::Report& report,
                      v1::ReportResource* out) {
    grpc::ClientContext context;
    v1::CreateReportRequest request;
    request.set_parent(parent);
    *request.mutable_report() = report;
    return stub_->CreateReport(&context, request, out);
  }

  saraban::testing::RedisServer redis_;
  std::unique_ptr<redis::Pool> pool_;
  std::unique_ptr<store::ReportStore> store_;
  std::unique_ptr<ReportServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ReportService::Stub> stub_;
};

TEST(EtagTest, RoundTripsAndRefusesGarbage) {
  EXPECT_EQ(server::EtagOf(7), "\"7\"");
  EXPECT_EQ(*server::RevisionOf(server::EtagOf(7)), 7);
  EXPECT_EQ(*server::RevisionOf(""), 0);
  for (const char* bad : {"7", "\"\"", "\"x\"", "\"0\"", "\"-1\"", "W/\"1\"", "\"1"}) {
    auto r = server::RevisionOf(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "etag");
  }
}

TEST_F(ReportServiceTest, ImportsTheExamplesAndGivesThemBackNormalised) {
  ImportExamples();
  for (const auto& [file, name] :
       {std::pair<std::string, std::string>{"000_taluboh.json", "agencies/taluboh/reports/2567"},
        {"004_bueng_khla.json", "agencies/bueng-khla/reports/2566"}}) {
    v1::ReportResource got;
    grpc::Status s = Get(name, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.name(), name);
    EXPECT_EQ(got.revision(), 1);
    EXPECT_EQ(got.etag(), "\"1\"");
    EXPECT_GT(got.create_time().seconds(), 0);
    std::string diff;
    MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(got.report(), Normalised(Example(file)))) << diff;
  }

  // Importing again replaces: updated, not created, and the revision moves.
  std::vector<v1::ImportReportsRequest> again(1);
  *again[0].mutable_report() = Example("000_taluboh.json");
  v1::ImportReportsResponse response;
  ASSERT_TRUE(Import(again, &response).ok());
  EXPECT_EQ(response.created(), 0);
  EXPECT_EQ(response.updated(), 1);
  v1::ReportResource got;
  ASSERT_TRUE(Get("agencies/taluboh/reports/2567", &got).ok());
  EXPECT_EQ(got.revision(), 2);

  grpc::ClientContext context;
  v1::ListReportsRequest list;
  list.set_parent("agencies/-");
  list.set_summary_only(true);
  v1::ListReportsResponse page;
  ASSERT_TRUE(stub_->ListReports(&context, list, &page).ok());
  ASSERT_EQ(page.reports_size(), 2);
  EXPECT_EQ(page.reports(0).name(), "agencies/bueng-khla/reports/2566");
  EXPECT_EQ(page.reports(0).report().measures_size(), 0);
  EXPECT_TRUE(page.next_page_token().empty());
  // A summary is the stored report without its measures, introduction and
  // sign-off; everything else as GetReport gives it.
  for (const v1::ReportResource& summary : page.reports()) {
    v1::ReportResource full;
    ASSERT_TRUE(Get(summary.name(), &full).ok());
    v1::Report expected = full.report();
    expected.clear_measures();
    expected.clear_introduction();
    expected.clear_sign_off();
    EXPECT_FALSE(expected.title().empty());
    EXPECT_FALSE(expected.agency().name().empty());
    EXPECT_TRUE(MessageDifferencer::Equals(summary.report(), expected)) << summary.name();
    EXPECT_EQ(summary.etag(), full.etag());
    EXPECT_EQ(summary.revision(), full.revision());
  }
}

TEST_F(ReportServiceTest, ImportListsEachBadReportAndStoresTheRest) {
  std::vector<v1::ImportReportsRequest> requests(4);
  *requests[0].mutable_report() = Example("000_taluboh.json");
  requests[0].set_upsert_agency(true);
  *requests[1].mutable_report() = Example("004_bueng_khla.json");
  requests[1].mutable_report()->mutable_agency()->clear_code();
  *requests[2].mutable_report() = Example("004_bueng_khla.json");
  requests[2].mutable_report()->set_title("");
  requests[2].set_upsert_agency(true);
  *requests[3].mutable_report() = Example("004_bueng_khla.json");  // agency unknown
  v1::ImportReportsResponse response;
  grpc::Status s = Import(requests, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.created(), 1);
  EXPECT_EQ(response.failed(), 3);
  // A result per report, in stream order, each saying what became of it.
  using R = v1::ImportReportsResponse;
  ASSERT_EQ(response.results_size(), 4) << response.DebugString();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(response.results(i).index(), i);
  EXPECT_EQ(response.results(0).outcome(), R::OUTCOME_CREATED);
  EXPECT_EQ(response.results(0).report(), "agencies/taluboh/reports/2567");
  EXPECT_TRUE(response.results(0).violations().empty());
  EXPECT_EQ(response.results(1).outcome(), R::OUTCOME_FAILED);
  ASSERT_EQ(response.results(1).violations_size(), 1);
  EXPECT_EQ(response.results(1).violations(0).field(), "report.agency.code");
  EXPECT_EQ(response.results(2).outcome(), R::OUTCOME_FAILED);
  EXPECT_EQ(response.results(2).report(), "agencies/bueng-khla/reports/2566");
  ASSERT_GE(response.results(2).violations_size(), 1);
  EXPECT_EQ(response.results(2).violations(0).field(), "report.title");
  EXPECT_EQ(response.results(3).outcome(), R::OUTCOME_FAILED);
  ASSERT_EQ(response.results(3).violations_size(), 1);
  EXPECT_THAT(response.results(3).violations(0).description(), HasSubstr("does not exist"));
  // Importing the same stream again: the good one is now an update.
  v1::ImportReportsResponse again;
  ASSERT_TRUE(Import(requests, &again).ok());
  EXPECT_EQ(again.results(0).outcome(), R::OUTCOME_UPDATED);
  EXPECT_EQ(again.updated(), 1);
  v1::ReportResource got;
  EXPECT_EQ(Get("agencies/bueng-khla/reports/2566", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReportServiceTest, UpdateWithMaskAndEtag) {
  ImportExamples();
  v1::ReportResource current;
  ASSERT_TRUE(Get("agencies/taluboh/reports/2567", &current).ok());

  v1::UpdateReportRequest request;
  request.mutable_report()->set_name(current.name());
  request.mutable_report()->set_etag(current.etag());
  request.mutable_report()->mutable_report()->set_title("รายงานฉบับปรับปรุง");
  request.mutable_update_mask()->add_paths("title");
  v1::ReportResource updated;
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->UpdateReport(&context, request, &updated);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(updated.revision(), current.revision() + 1);
  EXPECT_NE(updated.etag(), current.etag());
  EXPECT_EQ(updated.report().title(), "รายงานฉบับปรับปรุง");
  // Fields outside the mask are kept.
  EXPECT_EQ(updated.report().measures_size(), current.report().measures_size());
  EXPECT_TRUE(MessageDifferencer::Equals(updated.report().agency(), current.report().agency()));

  // The etag read before that update is stale now: refused, nothing written.
  request.mutable_report()->mutable_report()->set_title("ไม่ควรถูกบันทึก");
  {
    grpc::ClientContext context;
    v1::ReportResource ignored;
    grpc::Status s = stub_->UpdateReport(&context, request, &ignored);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
    EXPECT_THAT(s.error_message(), HasSubstr("stale"));
  }
  v1::ReportResource after;
  ASSERT_TRUE(Get(current.name(), &after).ok());
  EXPECT_EQ(after.revision(), updated.revision());
  EXPECT_EQ(after.report().title(), "รายงานฉบับปรับปรุง");

  // A path that is not a Report field.
  request.mutable_report()->set_etag(after.etag());
  request.mutable_update_mask()->add_paths("no_such_field");
  {
    grpc::ClientContext context;
    v1::ReportResource ignored;
    grpc::Status s = stub_->UpdateReport(&context, request, &ignored);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadFields(s), std::set<std::string>{"update_mask"});
  }

  // A nested path with no etag: applied to whatever is stored.
  v1::UpdateReportRequest nested;
  nested.mutable_report()->set_name(current.name());
  nested.mutable_report()->mutable_report()->mutable_introduction()->set_ita_score(88.5);
  nested.mutable_update_mask()->add_paths("introduction.ita_score");
  {
    grpc::ClientContext context;
    v1::ReportResource out;
    grpc::Status s = stub_->UpdateReport(&context, nested, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.report().introduction().ita_score(), 88.5);
    EXPECT_EQ(out.report().introduction().ita_level(),
              current.report().introduction().ita_level());
    EXPECT_EQ(out.report().title(), "รายงานฉบับปรับปรุง");
  }
}

TEST_F(ReportServiceTest, MissingFieldsAreEachNamed) {
  ImportExamples();
  v1::Report empty;
  v1::ReportResource out;
  grpc::Status s = Create("agencies/taluboh", empty, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields = BadFields(s);
  // Paths name the proto fields, as the request holds them.
  for (const char* f : {"report.fiscal_year", "report.title", "report.measures"}) {
    EXPECT_TRUE(fields.contains(f)) << f << " missing from " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(f));
  }
  // Nothing stored.
  EXPECT_EQ(redis::Run(*pool_, {"EXISTS", "t:report:taluboh:0"})->integer, 0);
}

TEST_F(ReportServiceTest, FieldPathsAreProtoNamesOnCreateAndUpdate) {
  ImportExamples();
  v1::Report report = Example("000_taluboh.json");
  report.set_fiscal_year(2568);
  report.mutable_introduction()->set_ita_score(101);
  v1::ReportResource out;
  grpc::Status s = Create("agencies/taluboh", report, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(BadFields(s), std::set<std::string>{"report.introduction.ita_score"});
  EXPECT_EQ(InfoOf(s).metadata().at("field"), "report.introduction.ita_score");

  // UpdateReport's body is a ReportResource: its report sits one level down.
  grpc::ClientContext context;
  v1::UpdateReportRequest update;
  update.mutable_report()->set_name("agencies/taluboh/reports/2567");
  update.mutable_report()->mutable_report()->set_fiscal_year(2566);
  s = stub_->UpdateReport(&context, update, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(BadFields(s), std::set<std::string>{"report.report.fiscal_year"});
}

TEST_F(ReportServiceTest, ValidateOnlyChecksEverythingAndStoresNothing) {
  ImportExamples();
  const long keys_before = redis::Run(*pool_, {"DBSIZE"})->integer;

  // A valid create: the report as it would be stored, without an etag.
  v1::CreateReportRequest create;
  create.set_parent("agencies/taluboh");
  *create.mutable_report() = Example("000_taluboh.json");
  create.mutable_report()->set_fiscal_year(2568);
  create.set_validate_only(true);
  v1::ReportResource out;
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->CreateReport(&context, create, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(out.name(), "agencies/taluboh/reports/2568");
  EXPECT_TRUE(out.etag().empty());
  EXPECT_EQ(out.revision(), 0);
  EXPECT_EQ(out.report().title(), Normalised(create.report()).title());
  EXPECT_EQ(Get("agencies/taluboh/reports/2568", &out).error_code(), grpc::StatusCode::NOT_FOUND);

  // The checks a real create makes: a taken year, a bad field.
  create.mutable_report()->set_fiscal_year(2567);
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->CreateReport(&context, create, &out).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  create.mutable_report()->set_fiscal_year(2568);
  create.mutable_report()->set_title("");
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->CreateReport(&context, create, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadFields(s), std::set<std::string>{"report.title"});
  }

  // An update: the merged report, the stored etag; a stale etag is ABORTED.
  v1::ReportResource stored;
  ASSERT_TRUE(Get("agencies/taluboh/reports/2567", &stored).ok());
  v1::UpdateReportRequest update;
  update.mutable_report()->set_name(stored.name());
  update.mutable_report()->set_etag(stored.etag());
  update.mutable_report()->mutable_report()->set_title("รายงานที่แก้แล้ว");
  update.mutable_update_mask()->add_paths("title");
  update.set_validate_only(true);
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->UpdateReport(&context, update, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(out.report().title(), "รายงานที่แก้แล้ว");
  EXPECT_EQ(out.etag(), stored.etag());
  EXPECT_EQ(out.revision(), stored.revision());
  v1::ReportResource after;
  ASSERT_TRUE(Get(stored.name(), &after).ok());
  EXPECT_EQ(after.report().title(), stored.report().title());
  EXPECT_EQ(after.etag(), stored.etag());
  update.mutable_report()->set_etag("\"999\"");
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->UpdateReport(&context, update, &out).error_code(), grpc::StatusCode::ABORTED);
  }

  // Agencies too.
  v1::CreateAgencyRequest agency;
  *agency.mutable_agency() = Example("000_taluboh.json").agency();
  agency.mutable_agency()->set_code("new-agency");
  agency.set_validate_only(true);
  v1::AgencyResource made;
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->CreateAgency(&context, agency, &made);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(made.name(), "agencies/new-agency");
  EXPECT_TRUE(made.etag().empty());
  EXPECT_EQ(redis::Run(*pool_, {"DBSIZE"})->integer, keys_before) << "a dry run wrote to Redis";
}

// ApiFieldPath turns a JSON name back into its field's name: true of every
// field the API has, or a path would name a field that does not exist.
TEST(ApiFieldPathTest, GivesTheProtoNameOfEveryJsonName) {
  std::vector<const google::protobuf::Descriptor*> todo = {
      v1::Report::descriptor(), v1::Template::descriptor(), v1::ReportResource::descriptor(),
      v1::UpdateReportRequest::descriptor()};
  std::set<const google::protobuf::Descriptor*> seen;
  int checked = 0;
  while (!todo.empty()) {
    const auto* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* f = d->field(i);
      EXPECT_EQ(server::ApiFieldPath(f->json_name()), f->name()) << f->full_name();
      ++checked;
      if (f->message_type() != nullptr) todo.push_back(f->message_type());
    }
  }
  EXPECT_GT(checked, 50);
  EXPECT_EQ(server::ApiFieldPath("measures[2].subUnit"), "measures[2].sub_unit");
  EXPECT_EQ(server::ApiFieldPath("signOff.reviewers[0].name"), "sign_off.reviewers[0].name");
}

TEST_F(ReportServiceTest, UnknownAgencyIsNotFound) {
  v1::Report report = Example("000_taluboh.json");
  report.mutable_agency()->set_code("nobody");
  v1::ReportResource out;
  grpc::Status s = Create("agencies/nobody", report, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("agencies/nobody does not exist"));
  EXPECT_EQ(Create("agencies/taluboh", report, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // body and parent disagree
}

TEST_F(ReportServiceTest, BadNamesAndPagesAreInvalidArguments) {
  v1::ReportResource out;
  for (const char* name : {"", "reports/1", "agencies/taluboh", "agencies/Tal/reports/2567",
                           "agencies/taluboh/reports/x", "agencies/taluboh/reports/-1"}) {
    grpc::Status s = Get(name, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_EQ(BadFields(s), std::set<std::string>{"name"}) << name;
  }
  EXPECT_EQ(Create("agencies/a:b", Example("000_taluboh.json"), &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext context;
  v1::ListReportsRequest list;
  list.set_parent("agencies/-");
  list.set_page_size(-1);  // AIP-158: an error, never "everything"
  v1::ListReportsResponse page;
  grpc::Status s = stub_->ListReports(&context, list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("negative"));
  EXPECT_EQ(BadFields(s), std::set<std::string>{"page_size"});
  {
    grpc::ClientContext huge_context;
    list.set_page_size(1000000000);  // more than the maximum: the maximum
    ASSERT_TRUE(stub_->ListReports(&huge_context, list, &page).ok());
    v1::ListAgenciesRequest agencies;
    agencies.set_page_size(-5);
    v1::ListAgenciesResponse agency_page;
    grpc::ClientContext agencies_context;
    EXPECT_EQ(stub_->ListAgencies(&agencies_context, agencies, &agency_page).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  {
    // An empty parent is not "every agency": that is agencies/-.
    grpc::ClientContext empty_context;
    v1::ListReportsRequest no_parent;
    s = stub_->ListReports(&empty_context, no_parent, &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadFields(s), std::set<std::string>{"parent"});
  }

  grpc::ClientContext context2;
  list.set_page_size(10);
  list.set_page_token("garbage!");
  s = stub_->ListReports(&context2, list, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::set<std::string>{"page_token"});
}

// proto3 string fields must be UTF-8: the C++ client still sends one that
// is not, and the server's protobuf refuses to parse it before the service
// sees the request. The server answers INVALID_ARGUMENT naming the field
// (saraban/api/request_parsing.h), stores nothing and keeps serving.
TEST_F(ReportServiceTest, InvalidUtf8IsRefusedAndTheServerCarriesOn) {
  ImportExamples();
  v1::Report report = Example("000_taluboh.json");
  report.set_fiscal_year(2568);
  report.set_title("\xe0\xb8");  // a truncated Thai character
  v1::ReportResource out;
  grpc::Status s = Create("agencies/taluboh", report, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("report.title"));
  EXPECT_THAT(s.error_message(), HasSubstr("UTF-8"));
  // The path in the request, in the style of every other field error.
  EXPECT_EQ(BadFields(s), std::set<std::string>{"report.title"});
  EXPECT_EQ(InfoOf(s).reason(), "INVALID_UTF8");
  EXPECT_EQ(InfoOf(s).metadata().at("field"), "report.title");
  // In a repeated element: the index is not known (the bytes did not
  // parse), the path is.
  report.set_title("รายงาน");
  report.mutable_measures(0)->set_title("\xe0\xb8");
  {
    grpc::ClientContext context;
    v1::CreateReportRequest create;
    create.set_parent("agencies/taluboh");
    *create.mutable_report() = report;
    s = stub_->CreateReport(&context, create, &out);
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(BadFields(s), std::set<std::string>{"report.measures[*].title"});
  EXPECT_EQ(Get("agencies/taluboh/reports/2568", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("agencies/taluboh/reports/2567", &out).ok());
}

// In a stream, a message that does not parse ends the stream (gRPC's
// ServerReader::Read returns false); the service tells it from a normal end
// and answers INVALID_ARGUMENT saying how far the import got.
TEST_F(ReportServiceTest, ImportStopsAtAMessageThatDoesNotParse) {
  std::vector<v1::ImportReportsRequest> requests(3);
  for (auto& r : requests) {
    *r.mutable_report() = Example("000_taluboh.json");
    r.set_upsert_agency(true);
  }
  requests[1].mutable_report()->set_fiscal_year(2568);
  requests[1].mutable_report()->set_title("\xe0\xb8");
  requests[2].mutable_report()->set_fiscal_year(2566);
  v1::ImportReportsResponse response;
  grpc::Status s = Import(requests, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("report 1 of the stream"));
  EXPECT_THAT(s.error_message(), HasSubstr("report.title"));
  // How far it got, for a program: in ErrorInfo, not only in the text.
  const google::rpc::ErrorInfo info = InfoOf(s);
  EXPECT_EQ(info.reason(), "INVALID_UTF8");
  EXPECT_EQ(info.metadata().at("index"), "1");
  EXPECT_EQ(std::stoi(info.metadata().at("created")) + std::stoi(info.metadata().at("updated")), 1);
  v1::ReportResource out;
  EXPECT_TRUE(Get("agencies/taluboh/reports/2567", &out).ok());
  EXPECT_EQ(Get("agencies/taluboh/reports/2568", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReportServiceTest, OversizedMessageIsRefusedAndTheServerCarriesOn) {
  ImportExamples();
  v1::Report report = Example("000_taluboh.json");
  report.set_fiscal_year(2568);
  report.set_title(std::string(50 << 20, 'a'));
  v1::ReportResource out;
  grpc::Status s = Create("agencies/taluboh", report, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_TRUE(Get("agencies/taluboh/reports/2567", &out).ok());
}

TEST_F(ReportServiceTest, AgencyLifecycle) {
  v1::CreateAgencyRequest create;
  create.mutable_agency()->set_code("a1");
  create.mutable_agency()->set_name("เทศบาลตำบลทดสอบ");
  create.mutable_agency()->set_type(v1::AGENCY_TYPE_SUBDISTRICT_MUNICIPALITY);
  create.mutable_agency()->set_province("ยะลา");
  v1::AgencyResource created;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->CreateAgency(&context, create, &created).ok());
  }
  EXPECT_EQ(created.name(), "agencies/a1");
  {
    grpc::ClientContext context;
    v1::AgencyResource ignored;
    EXPECT_EQ(stub_->CreateAgency(&context, create, &ignored).error_code(),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    grpc::ClientContext context;
    v1::CreateAgencyRequest bad;
    bad.mutable_agency()->set_code("a2");
    v1::AgencyResource ignored;
    grpc::Status s = stub_->CreateAgency(&context, bad, &ignored);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(BadFields(s),
              (std::set<std::string>{"agency.name", "agency.type", "agency.province"}));
  }
  v1::UpdateAgencyRequest update;
  update.mutable_agency()->set_name("agencies/a1");
  update.mutable_agency()->set_etag(created.etag());
  update.mutable_agency()->mutable_agency()->set_district("เมือง");
  update.mutable_update_mask()->add_paths("district");
  v1::AgencyResource updated;
  {
    grpc::ClientContext context;
    grpc::Status s = stub_->UpdateAgency(&context, update, &updated);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(updated.agency().district(), "เมือง");
  EXPECT_EQ(updated.agency().province(), "ยะลา");
  {
    grpc::ClientContext context;
    v1::AgencyResource ignored;
    EXPECT_EQ(stub_->UpdateAgency(&context, update, &ignored).error_code(),
              grpc::StatusCode::ABORTED);
  }
  {
    grpc::ClientContext context;
    v1::ListAgenciesRequest list;
    list.set_province("ยะลา");
    v1::ListAgenciesResponse page;
    ASSERT_TRUE(stub_->ListAgencies(&context, list, &page).ok());
    ASSERT_EQ(page.agencies_size(), 1);
    EXPECT_EQ(page.agencies(0).etag(), updated.etag());
  }
  {
    grpc::ClientContext context;
    v1::DeleteAgencyRequest del;
    del.set_name("agencies/a1");
    del.set_etag(updated.etag());
    google::protobuf::Empty empty;
    ASSERT_TRUE(stub_->DeleteAgency(&context, del, &empty).ok());
  }
  {
    grpc::ClientContext context;
    v1::GetAgencyRequest get;
    get.set_name("agencies/a1");
    v1::AgencyResource ignored;
    EXPECT_EQ(stub_->GetAgency(&context, get, &ignored).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

}  // namespace
}  // namespace saraban::report_service
