#include "saraban/store/report_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/testing/redis_server.h"

namespace saraban::store {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char* const kProvinces[] = {"ปัตตานี", "ยะลา", "นราธิวาส"};

v1::Agency MakeAgency(const std::string& code, const std::string& province = "ปัตตานี",
                      v1::AgencyType type = v1::AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION) {
  v1::Agency a;
  a.set_code(code);
  a.set_name("องค์การบริหารส่วนตำบล" + code);
  a.set_type(type);
  a.set_district("เมือง");
  a.set_province(province);
  return a;
}

// A small report that passes validation; its agency carries only the code.
v1::Report MakeReport(const std::string& code, int fiscal_year) {
  v1::Report r;
  r.mutable_agency()->set_code(code);
  r.set_fiscal_year(fiscal_year);
  r.set_title("รายงานผลการดำเนินการ");
  r.mutable_layout()->add_columns()->set_kind(v1::COLUMN_KIND_MEASURE);
  r.mutable_layout()->add_columns()->set_kind(v1::COLUMN_KIND_RESULTS);
  v1::Measure* m = r.add_measures();
  m->set_number(1);
  m->set_title("มาตรการหนึ่ง");
  m->mutable_results()->add_blocks()->set_paragraph("ดำเนินการแล้ว");
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest()
      : pool_(redis_.endpoint(), {}, 4), store_(pool_, keyspace::Keys("t:")) {}

  void SetUp() override { redis_.Start(); }

  redis::Reply Redis(const redis::Command& c) {
    auto r = redis::Run(pool_, c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : redis::Reply{};
  }
  long long KeyCount() { return Redis({"DBSIZE"}).integer; }

  void CreateAgency(const v1::Agency& a) {
    auto r = store_.CreateAgency(a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  StoredReport CreateReport(const v1::Report& report) {
    std::vector<Status> errors;
    auto r = store_.CreateReport(report, &errors);
    EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << model::FormatErrors(errors);
    return r.ok() ? std::move(r).value() : StoredReport{};
  }

  saraban::testing::RedisServer redis_;
  redis::Pool pool_;
  ReportStore store_;
};

TEST(RedisUrlTest, ParsesUsersAndNeverShowsThePassword) {
  auto plain = redis::ParseUrl("redis://10.0.0.5:6380/2");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "10.0.0.5");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_EQ(plain->db, 2);
  EXPECT_TRUE(plain->password.empty());

  auto acl = redis::ParseUrl("redis://saraban:p%40ss:word@redis.internal:6379/1");
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->username, "saraban");
  EXPECT_EQ(acl->password, "p%40ss:word");
  EXPECT_EQ(acl->host, "redis.internal");
  EXPECT_EQ(acl->ToString(), "redis://saraban@redis.internal:6379/1");

  auto bad = redis::ParseUrl("redis://u:hunter2@host:notaport");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter2"), std::string::npos) << bad.status().message();
  auto bad_host = redis::ParseUrl("redis://u:hunter2@");
  ASSERT_FALSE(bad_host.ok());
  EXPECT_EQ(bad_host.status().message().find("hunter2"), std::string::npos);
}

// Redis error replies are told apart by their kind, parsed in one place.
TEST_F(StoreTest, RedisErrorRepliesHaveTheirKind) {
  using redis::ErrorKind;
  auto kind = [&](const redis::Command& c) {
    auto r = redis::Run(pool_, c);
    return r.ok() ? ErrorKind::kNone : redis::KindOf(r.status());
  };
  EXPECT_EQ(kind({"SET", "k", "v"}), ErrorKind::kNone);
  EXPECT_EQ(kind({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), ErrorKind::kNone);
  EXPECT_EQ(kind({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), ErrorKind::kBusyGroup);
  EXPECT_EQ(kind({"XREADGROUP", "GROUP", "nogroup", "c", "COUNT", "1", "STREAMS", "s", ">"}),
            ErrorKind::kNoGroup);
  EXPECT_EQ(kind({"EVALSHA", std::string(40, '0'), "0"}), ErrorKind::kNoScript);
  EXPECT_EQ(kind({"EVAL", "return redis.error_reply('CONFLICT taken')", "0"}),
            ErrorKind::kConflict);
  EXPECT_EQ(kind({"INCR", "k"}), ErrorKind::kOther);  // WRONGTYPE-like: not an integer
  ASSERT_TRUE(redis::Run(pool_, {"CONFIG", "SET", "maxmemory", "1"}).ok());
  EXPECT_EQ(kind({"SET", "big", std::string(1000, 'x')}), ErrorKind::kOom);
  ASSERT_TRUE(redis::Run(pool_, {"CONFIG", "SET", "maxmemory", "0"}).ok());
}

TEST_F(StoreTest, AgencyLifecycle) {
  auto created = store_.CreateAgency(MakeAgency("a1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->revision, 1);
  EXPECT_GT(created->create_ms, 0);
  EXPECT_EQ(created->create_ms, created->update_ms);

  auto again = store_.CreateAgency(MakeAgency("a1"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  auto got = store_.GetAgency("a1");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(got->agency, created->agency));

  v1::Agency changed = MakeAgency("a1", "ยะลา");
  auto updated = store_.UpdateAgency(changed, 1);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->revision, 2);
  EXPECT_EQ(updated->create_ms, created->create_ms);

  changed.set_province("นราธิวาส");
  auto stale = store_.UpdateAgency(changed, 1);
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_THAT(stale.status().message(), HasSubstr("revision 1 is stale"));
  EXPECT_EQ(store_.GetAgency("a1")->agency.province(), "ยะลา");

  ASSERT_TRUE(store_.PutReport(MakeReport("a1", 2567), false, nullptr, nullptr).ok());
  EXPECT_EQ(store_.DeleteAgency("a1", 0).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_.DeleteReport("a1", 2567, 0).ok());
  EXPECT_EQ(store_.DeleteAgency("a1", 1).code(), StatusCode::kAborted);
  ASSERT_TRUE(store_.DeleteAgency("a1", 2).ok());
  EXPECT_EQ(store_.GetAgency("a1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(KeyCount(), 0);
}

TEST_F(StoreTest, InvalidAgencyNamesEveryField) {
  v1::Agency a;
  a.set_code("Bad Code");
  auto errors = model::ValidateAgency(&a);
  std::set<std::string> fields;
  for (const Status& e : errors) fields.insert(e.field());
  EXPECT_EQ(fields, (std::set<std::string>{"agency.code", "agency.name", "agency.type",
                                           "agency.province"}));
  EXPECT_EQ(store_.CreateAgency(a).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyCount(), 0);
}

TEST_F(StoreTest, ReportLifecycle) {
  CreateAgency(MakeAgency("a1"));
  StoredReport created = CreateReport(MakeReport("a1", 2567));
  EXPECT_EQ(created.revision, 1);
  // The agency is filled from the stored one, but the report hash keeps only
  // the code.
  EXPECT_EQ(created.report.agency().name(), "องค์การบริหารส่วนตำบลa1");
  v1::Report raw;
  ASSERT_TRUE(raw.ParseFromString(Redis({"HGET", "t:report:a1:2567", "data"}).str));
  EXPECT_EQ(raw.agency().code(), "a1");
  EXPECT_TRUE(raw.agency().name().empty());

  auto got = store_.GetReport("a1", 2567);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(MessageDifferencer::Equals(got->report, created.report));

  EXPECT_EQ(store_.CreateReport(MakeReport("a1", 2567), nullptr).status().code(),
            StatusCode::kAlreadyExists);

  v1::Report edit = got->report;
  edit.set_title("รายงานฉบับแก้ไข");
  std::vector<Status> errors;
  auto updated = store_.UpdateReport(edit, 1, &errors);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->revision, 2);
  EXPECT_EQ(updated->create_ms, created.create_ms);

  // A stale etag is refused and nothing is written.
  const std::string before = Redis({"HGET", "t:report:a1:2567", "data"}).str;
  edit.set_title("อีกฉบับ");
  auto stale = store_.UpdateReport(edit, 1, &errors);
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_EQ(stale.status().message(),
            "revision 1 is stale: the report is at revision 2; read it again");
  EXPECT_EQ(Redis({"HGET", "t:report:a1:2567", "data"}).str, before);
  EXPECT_EQ(store_.GetReport("a1", 2567)->revision, 2);

  EXPECT_EQ(store_.UpdateReport(MakeReport("a1", 2568), 0, &errors).status().code(),
            StatusCode::kNotFound);

  auto page = store_.ListReports({}, 0, "", false);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].report.title(), "รายงานฉบับแก้ไข");
  EXPECT_TRUE(page->next.empty());

  EXPECT_EQ(store_.DeleteReport("a1", 2567, 1).code(), StatusCode::kAborted);
  ASSERT_TRUE(store_.DeleteReport("a1", 2567, 2).ok());
  EXPECT_EQ(store_.GetReport("a1", 2567).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.DeleteReport("a1", 2567, 0).code(), StatusCode::kNotFound);
  // The indexes went with it: only the agency and its index remain.
  EXPECT_EQ(Redis({"KEYS", "t:report*"}).elements.size(), 0u);
  EXPECT_EQ(Redis({"EXISTS", "t:agency:a1:reports"}).integer, 0);
}

TEST_F(StoreTest, UnknownAgencyIsNotFound) {
  auto r = store_.CreateReport(MakeReport("nobody", 2567), nullptr);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "agencies/nobody does not exist");
  EXPECT_EQ(r.status().field(), "agency.code");
  EXPECT_EQ(store_.PutReport(MakeReport("nobody", 2567), false, nullptr, nullptr).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(KeyCount(), 0);
}

TEST_F(StoreTest, InvalidReportStoresNothing) {
  CreateAgency(MakeAgency("a1"));
  v1::Report bad = MakeReport("a1", 2567);
  bad.set_title("");
  bad.mutable_measures(0)->set_title("\xe0\xb8");  // truncated UTF-8
  bad.set_fiscal_year(1999);
  std::vector<Status> errors;
  auto r = store_.CreateReport(bad, &errors);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const Status& e : errors) fields.insert(e.field());
  EXPECT_TRUE(fields.contains("title"));
  EXPECT_TRUE(fields.contains("fiscalYear"));
  EXPECT_TRUE(fields.contains("measures[0].title"));
  EXPECT_EQ(Redis({"KEYS", "t:report*"}).elements.size(), 0u);
  EXPECT_EQ(Redis({"EXISTS", "t:agency:a1:reports"}).integer, 0);
}

TEST_F(StoreTest, TextIsNormalisedOnWrite) {
  // NIKHAHIT + SARA AA as typed on some keyboards, and a tone mark after it.
  const std::string decomposed = "\xe0\xb8\x99\xe0\xb9\x8d\xe0\xb8\xb2\xe0\xb9\x89";  // น ํ า ้
  const std::string composed = "\xe0\xb8\x99\xe0\xb9\x89\xe0\xb8\xb3";                // น้ำ
  v1::Agency a = MakeAgency("a1");
  a.set_name("เทศบาล" + decomposed);
  CreateAgency(a);
  v1::Report report = MakeReport("a1", 2567);
  report.set_title("รายงาน" + decomposed);
  CreateReport(report);
  auto got = store_.GetReport("a1", 2567);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->report.title(), "รายงาน" + composed);
  EXPECT_EQ(got->report.agency().name(), "เทศบาล" + composed);
}

TEST_F(StoreTest, PutReportUpsertsTheAgency) {
  v1::Report report = MakeReport("a1", 2567);
  *report.mutable_agency() = MakeAgency("a1");
  bool created = false;
  auto first = store_.PutReport(report, true, &created, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(created);
  EXPECT_EQ(store_.GetAgency("a1")->revision, 1);

  // Same agency: not rewritten. Changed agency: updated with the report.
  ASSERT_TRUE(store_.PutReport(report, true, &created, nullptr).ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(store_.GetAgency("a1")->revision, 1);
  report.mutable_agency()->set_district("หนองจิก");
  auto third = store_.PutReport(report, true, &created, nullptr);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->revision, 3);
  EXPECT_EQ(third->report.agency().district(), "หนองจิก");
  EXPECT_EQ(store_.GetAgency("a1")->revision, 2);
}

class StorePagingTest : public StoreTest {
 protected:
  // 125 agencies in 3 provinces and 2 types, each with reports for 2567 and
  // 2568: 250 reports.
  void SetUp() override {
    StoreTest::SetUp();
    for (int i = 0; i < 125; ++i) {
      char code[8];
      std::snprintf(code, sizeof code, "a%03d", i);
      v1::Agency a = MakeAgency(code, kProvinces[i % 3],
                                i % 2 ? v1::AGENCY_TYPE_SUBDISTRICT_MUNICIPALITY
                                      : v1::AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION);
      agencies_.push_back(a);
      for (int fy : {2567, 2568}) {
        v1::Report r = MakeReport(code, fy);
        *r.mutable_agency() = a;
        auto put = store_.PutReport(r, true, nullptr, nullptr);
        ASSERT_TRUE(put.ok()) << put.status().ToString();
      }
    }
  }

  // Every (code, fy) a listing returns, following next tokens.
  std::vector<std::pair<std::string, int>> ListAll(const ReportFilter& f, int page_size,
                                                   int* pages) {
    std::vector<std::pair<std::string, int>> out;
    std::string token;
    *pages = 0;
    do {
      auto page = store_.ListReports(f, page_size, token, true);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      ++*pages;
      EXPECT_LE(page->items.size(), static_cast<size_t>(page_size > 0 ? page_size : kDefaultPageSize));
      for (const auto& r : page->items) {
        out.emplace_back(r.report.agency().code(), r.report.fiscal_year());
        EXPECT_EQ(r.report.measures_size(), 0);  // summary only
        EXPECT_FALSE(r.report.agency().name().empty());
      }
      token = page->next;
    } while (!token.empty() && *pages < 1000);
    return out;
  }

  std::vector<std::pair<std::string, int>> Expected(const ReportFilter& f) {
    std::vector<std::pair<std::string, int>> out;
    for (const auto& a : agencies_) {
      if (!f.province.empty() && a.province() != f.province) continue;
      if (f.agency_type != v1::AGENCY_TYPE_UNSPECIFIED && a.type() != f.agency_type) continue;
      for (int fy : {2567, 2568}) {
        if (f.fiscal_year == 0 || f.fiscal_year == fy) out.emplace_back(a.code(), fy);
      }
    }
    return out;
  }

  std::vector<v1::Agency> agencies_;
};

TEST_F(StorePagingTest, PagesThroughEveryReportOnce) {
  int pages = 0;
  auto all = ListAll({}, 100, &pages);
  EXPECT_EQ(all, Expected({}));
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ListAll({}, 0, &pages).size(), 250u);  // 0 is the default, 100
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ListAll({}, 125, &pages).size(), 250u);  // the last page is full: no empty one after
  EXPECT_EQ(pages, 2);
}

TEST_F(StorePagingTest, FiltersHoldAcrossPages) {
  for (int fy : {0, 2568}) {
    for (const char* province : {"", "ยะลา"}) {
      for (auto type : {v1::AGENCY_TYPE_UNSPECIFIED, v1::AGENCY_TYPE_SUBDISTRICT_MUNICIPALITY}) {
        ReportFilter f;
        f.fiscal_year = fy;
        f.province = province;
        f.agency_type = type;
        int pages = 0;
        auto got = ListAll(f, 7, &pages);
        auto want = Expected(f);
        EXPECT_EQ(got, want) << fy << " " << province << " " << type;
        EXPECT_EQ(pages, static_cast<int>((want.size() + 6) / 7));
      }
    }
  }
  ReportFilter one;
  one.agency_code = "a007";
  int pages = 0;
  EXPECT_THAT(ListAll(one, 1, &pages),
              ElementsAre(std::pair<std::string, int>{"a007", 2567},
                          std::pair<std::string, int>{"a007", 2568}));
}

TEST_F(StorePagingTest, ListsAgenciesWithFilters) {
  ReportFilter f;
  f.province = "นราธิวาส";
  std::vector<std::string> got;
  std::string token;
  do {
    auto page = store_.ListAgencies(f, 10, token);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& a : page->items) got.push_back(a.agency.code());
    token = page->next;
  } while (!token.empty());
  std::vector<std::string> want;
  for (const auto& a : agencies_) {
    if (a.province() == f.province) want.push_back(a.code());
  }
  EXPECT_EQ(got, want);
}

TEST_F(StorePagingTest, RefusesBadPageTokensAndSizes) {
  for (const std::string& token : std::vector<std::string>{"zz", "abc", "not a token", "2e2e2f78",  // "../x"
                                  std::string(400, 'a')}) {
    auto r = store_.ListReports({}, 10, token, false);
    ASSERT_FALSE(r.ok()) << token;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "page_token");
    EXPECT_EQ(store_.ListAgencies({}, 10, token).status().field(), "page_token");
  }
  // A token continues the query it came from, no other (AIP-158), and says
  // nothing of the key it stands for.
  ReportFilter fy2567;
  fy2567.fiscal_year = 2567;
  auto first = store_.ListReports(fy2567, 1, "", true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_FALSE(first->next.empty());
  EXPECT_EQ(first->next.find(':'), std::string::npos);
  EXPECT_TRUE(store_.ListReports(fy2567, 1, first->next, true).ok());
  ReportFilter fy2568 = fy2567;
  fy2568.fiscal_year = 2568;
  auto other = store_.ListReports(fy2568, 1, first->next, true);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().field(), "page_token");
  EXPECT_THAT(other.status().message(), HasSubstr("another query"));
  EXPECT_EQ(store_.ListAgencies({}, 1, first->next).status().field(), "page_token");

  // AIP-158: more than the maximum is the maximum; a negative size is an
  // error, never "everything".
  auto huge = store_.ListReports({}, 1000000000, "", false);
  ASSERT_TRUE(huge.ok()) << huge.status().ToString();
  EXPECT_LE(huge->items.size(), static_cast<size_t>(kMaxPageSize));
  for (int negative : {-1, -1000}) {
    auto r = store_.ListReports({}, negative, "", false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().field(), "page_size");
    EXPECT_EQ(store_.ListAgencies({}, negative, "").status().field(), "page_size");
  }
  EXPECT_TRUE(store_.ListReports({}, kMaxPageSize, "", true).ok());
}

TEST_F(StorePagingTest, MatchingReportsForBulkRendering) {
  ReportFilter f;
  f.fiscal_year = 2567;
  f.province = "ปัตตานี";
  auto got = store_.MatchingReports(f, 10000);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, Expected(f));
  auto all = store_.MatchingReports({}, 250);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 250u);
  auto over = store_.MatchingReports({}, 249);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(StorePagingTest, GetSnapshotsReadsManyInOrderAndNamesTheMissingOne) {
  auto all = store_.MatchingReports({}, 1000);
  ASSERT_TRUE(all.ok());
  auto got = store_.GetSnapshots(*all);  // 250 reports: more than one pipeline chunk
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), all->size());
  for (size_t i = 0; i < all->size(); ++i) {
    // The snapshot parses to exactly the report GetReport gives: the
    // report with every field of its stored agency.
    v1::Report snapshot;
    ASSERT_TRUE(snapshot.ParseFromString((*got)[i].report));
    auto one = store_.GetReport((*all)[i].first, (*all)[i].second);
    ASSERT_TRUE(one.ok());
    EXPECT_FALSE(one->report.agency().name().empty());
    EXPECT_TRUE(MessageDifferencer::Equals(snapshot, one->report)) << (*all)[i].first;
    EXPECT_EQ((*got)[i].revision, one->revision);
  }

  std::vector<std::pair<std::string, int>> refs = {(*all)[0], {"nowhere", 2567}, (*all)[1]};
  size_t missing = 99;
  auto partial = store_.GetSnapshots(refs, &missing);
  EXPECT_EQ(partial.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing, 1u);
}

TEST_F(StoreTest, DataSurvivesARestart) {
  CreateAgency(MakeAgency("a1"));
  StoredReport created = CreateReport(MakeReport("a1", 2567));
  redis_.Restart();  // a clean shutdown flushes the AOF; the restart replays it
  auto got = store_.GetReport("a1", 2567);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(MessageDifferencer::Equals(got->report, created.report));
  EXPECT_EQ(got->revision, 1);
}

TEST_F(StoreTest, RedisDownIsUnavailableAndRecovers) {
  CreateAgency(MakeAgency("a1"));
  CreateReport(MakeReport("a1", 2567));
  redis_.Stop();
  EXPECT_EQ(store_.GetReport("a1", 2567).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.CreateAgency(MakeAgency("a2")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.ListReports({}, 10, "", false).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.MatchingReports({}, 10).status().code(), StatusCode::kUnavailable);
  redis_.Start();
  auto got = store_.GetReport("a1", 2567);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(store_.CreateAgency(MakeAgency("a2")).ok());
}

}  // namespace
}  // namespace saraban::store
