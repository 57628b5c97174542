// The access policy: parsing (every mistake named by its field) and the
// decisions of each role.
#include "saraban/authz/policy.h"

#include <gtest/gtest.h>

namespace saraban::authz {
namespace {

const char* kPolicy = R"({"principals": [
  {"name": "ops", "role": "ROLE_OPERATOR", "certificateNames": ["ops.example"]},
  {"name": "pattani", "role": "ROLE_PROVINCE", "provinces": ["ปัตตานี"],
   "certificateNames": ["pattani.example", "pattani-2.example"]},
  {"name": "taluboh", "role": "ROLE_AGENCY", "agencies": ["taluboh"],
   "tokenSha256": ["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]}
]})";

std::shared_ptr<const Policy> Load() {
  auto p = Policy::Parse(kPolicy);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

TEST(PolicyTest, FindsCallersByCertificateNameAndTokenHash) {
  auto policy = Load();
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->size(), 3u);
  ASSERT_NE(policy->ByCertificateName("pattani-2.example"), nullptr);
  EXPECT_EQ(policy->ByCertificateName("pattani-2.example")->name, "pattani");
  EXPECT_EQ(policy->ByCertificateName("PATTANI.example"), nullptr);
  EXPECT_EQ(policy->ByCertificateName(""), nullptr);
  // The SHA-256 of "abc", as `printf %s abc | sha256sum` prints it.
  EXPECT_EQ(TokenSha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ASSERT_NE(policy->ByTokenSha256(TokenSha256("abc")), nullptr);
  EXPECT_EQ(policy->ByTokenSha256(TokenSha256("abc"))->agencies.count("taluboh"), 1u);
  EXPECT_EQ(policy->ByTokenSha256(TokenSha256("abd")), nullptr);
}

TEST(PolicyTest, EveryMistakeIsNamedByItsField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"principals": [{"role": "ROLE_OPERATOR", "certificateNames": ["a"]}]})",
       "principals[0].name"},
      {R"({"principals": [{"name": "a", "certificateNames": ["a"]}]})", "principals[0].role"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR"}]})",
       "principals[0].certificateNames"},
      {R"({"principals": [{"name": "a", "role": "ROLE_AGENCY", "certificateNames": ["a"]}]})",
       "principals[0].agencies"},
      {R"({"principals": [{"name": "a", "role": "ROLE_PROVINCE", "certificateNames": ["a"]}]})",
       "principals[0].provinces"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR", "agencies": ["x"],
           "certificateNames": ["a"]}]})",
       "principals[0].agencies"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR", "tokenSha256": ["ABC"]}]})",
       "principals[0].tokenSha256"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR", "certificateNames": ["x"]},
                          {"name": "b", "role": "ROLE_OPERATOR", "certificateNames": ["x"]}]})",
       "principals[1].certificateNames"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR", "certificateNames": ["x"]},
                          {"name": "a", "role": "ROLE_OPERATOR", "certificateNames": ["y"]}]})",
       "principals[1].name"},
      {R"({"principals": [{"name": "a", "role": "ADMIN", "certificateNames": ["x"]}]})",
       "policy"},
      {R"({"principals": [{"name": "a", "role": "ROLE_OPERATOR", "certificate": ["x"]}]})",
       "policy"},
      {"not json", "policy"},
  };
  for (const auto& [json, field] : cases) {
    auto p = Policy::Parse(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_EQ(p.status().field(), field) << json << ": " << p.status().ToString();
  }
  auto missing = Policy::Load("/nonexistent/policy.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "--policy");
}

TEST(PolicyTest, AnAgencyReadsWritesAndRendersOnlyItsOwn) {
  auto policy = Load();
  ASSERT_NE(policy, nullptr);
  const Caller& agency = *policy->ByTokenSha256(TokenSha256("abc"));
  EXPECT_TRUE(MayRead(agency, {"taluboh", "ปัตตานี"}).ok());
  EXPECT_TRUE(MayWrite(agency, "taluboh").ok());
  EXPECT_TRUE(MayListOrBulk(agency, "taluboh", "").ok());
  Status other = MayRead(agency, {"bueng-khla", "ปัตตานี"});
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("\"taluboh\" (AGENCY)"), std::string::npos) << other.message();
  EXPECT_EQ(MayWrite(agency, "bueng-khla").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayListOrBulk(agency, "", "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayListOrBulk(agency, "", "ปัตตานี").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayListOrBulk(agency, "bueng-khla", "").code(), StatusCode::kPermissionDenied);
}

TEST(PolicyTest, AProvincialOfficeReadsAndRendersItsProvinceAndWritesNothing) {
  auto policy = Load();
  ASSERT_NE(policy, nullptr);
  const Caller& office = *policy->ByCertificateName("pattani.example");
  EXPECT_TRUE(MayRead(office, {"taluboh", "ปัตตานี"}).ok());
  EXPECT_EQ(MayRead(office, {"bueng-khla", "เพชรบูรณ์"}).code(), StatusCode::kPermissionDenied);
  // An agency whose province is unknown (it does not exist) is not its own.
  EXPECT_EQ(MayRead(office, {"nowhere", ""}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayWrite(office, "taluboh").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(MayListOrBulk(office, "", "ปัตตานี").ok());
  EXPECT_EQ(MayListOrBulk(office, "", "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayListOrBulk(office, "", "เพชรบูรณ์").code(), StatusCode::kPermissionDenied);
}

TEST(PolicyTest, AnOperatorDoesEverythingAndBatchesBelongToTheirSubmitter) {
  auto policy = Load();
  ASSERT_NE(policy, nullptr);
  const Caller& ops = *policy->ByCertificateName("ops.example");
  const Caller& office = *policy->ByCertificateName("pattani.example");
  EXPECT_TRUE(MayRead(ops, {"anything", ""}).ok());
  EXPECT_TRUE(MayWrite(ops, "anything").ok());
  EXPECT_TRUE(MayListOrBulk(ops, "", "").ok());
  EXPECT_TRUE(MayUseBatch(ops, "pattani").ok());
  EXPECT_TRUE(MayUseBatch(office, "pattani").ok());
  EXPECT_EQ(MayUseBatch(office, "ops").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayUseBatch(office, "").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(MayReadDeadLetters(ops).ok());
  EXPECT_EQ(MayReadDeadLetters(office).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(MayReadDeadLetters(*policy->ByTokenSha256(TokenSha256("abc"))).code(),
            StatusCode::kPermissionDenied);
  // Without a policy every caller is an operator.
  EXPECT_EQ(Anyone().role, v1::ROLE_OPERATOR);
  EXPECT_TRUE(MayListOrBulk(Anyone(), "", "").ok());
}

}  // namespace
}  // namespace saraban::authz
