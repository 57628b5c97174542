// The Python client example (examples/clients/python/saraban_client.py)
// against the real stack: it learns the API by server reflection alone, so
// this is also a test that reflection serves everything a client needs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "services/stack_support.h"
#include "test_support.h"

namespace saraban {
namespace {

using ::testing::HasSubstr;

// Debian's interpreter, whose python3-grpcio and python3-protobuf the
// example uses (not whatever python3 comes first on PATH).
const std::string kPython = "/usr/bin/python3";
const std::string kClient = kPython + " examples/clients/python/saraban_client.py";

class PythonClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    has_grpc_ = std::system((kPython + " -c 'import grpc, google.protobuf' >/dev/null 2>&1")
                                .c_str()) == 0;
    if (!has_grpc_) return;
    stack_ = test::StartSharedStack();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    if (!has_grpc_) {
      GTEST_SKIP() << kPython << " cannot import grpc and google.protobuf: "
                   << "apt-get install python3-grpcio python3-protobuf "
                   << "(scripts/install-deps.sh)";
    }
  }

  // The client on `file`, writing the PDF to `out`.
  static test::CommandResult Client(const std::string& file, const std::string& out,
                                    const std::string& flags = "") {
    return test::RunCommand(kClient + " " + file + " -o " + out + " --reports " +
                            stack_->reports_address() + " --documents " +
                            stack_->documents_address() + flags);
  }

  static bool has_grpc_;
  static testing::Stack* stack_;
};

bool PythonClientTest::has_grpc_ = false;
testing::Stack* PythonClientTest::stack_ = nullptr;

TEST_F(PythonClientTest, ImportsRendersAndDownloadsThePdfOfTheOfflineCli) {
  const std::string file = "examples/004_bueng_khla.json";
  const std::string out = test::TempPath("python-client.pdf");
  auto run = Client(file, out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("imported agencies/bueng-khla/reports/2566"));
  EXPECT_THAT(run.output, HasSubstr("SUCCEEDED"));

  const std::string bytes = test::ReadFile(out);
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0u) << "not a PDF: " << out;
  const std::string offline = test::TempPath("python-client-offline.pdf");
  auto render = test::RunCommand(test::kCli + " render " + file + " -o " + offline);
  ASSERT_EQ(render.exit_code, 0) << render.output;
  EXPECT_TRUE(bytes == test::ReadFile(offline)) << "client and offline PDFs differ";
}

TEST_F(PythonClientTest, PrintsTheErrorInfoOfAFailedCallAndExitsNonZero) {
  // The same request_id for another report: ALREADY_EXISTS, whose ErrorInfo
  // the client decodes from the grpc-status-details-bin trailer.
  const std::string id = " --request-id python-client-reused";
  ASSERT_EQ(Client("examples/000_taluboh.json", test::TempPath("a.pdf"), id).exit_code, 0);
  auto reused = Client("examples/004_bueng_khla.json", test::TempPath("b.pdf"), id);
  EXPECT_EQ(reused.exit_code, 1) << reused.output;
  EXPECT_THAT(reused.output, HasSubstr("error: ALREADY_EXISTS"));
  EXPECT_THAT(reused.output, HasSubstr("reason: REQUEST_ID_REUSED"));
  EXPECT_THAT(reused.output, HasSubstr("domain: saraban"));
  EXPECT_THAT(reused.output, HasSubstr("field=request_id"));

  // A report the service refuses: listed, nothing rendered.
  const std::string bad = test::TempPath("bad.json");
  test::WriteFile(bad, R"({"agency": {"code": "NOT A CODE"}, "fiscalYear": 2566})");
  auto refused = Client(bad, test::TempPath("c.pdf"));
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("report.agency.code"));

  auto unreachable = test::RunCommand(kClient + " examples/004_bueng_khla.json --reports " +
                                      "127.0.0.1:1 --documents 127.0.0.1:1");
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.output;
  EXPECT_THAT(unreachable.output, HasSubstr("UNAVAILABLE"));
}

}  // namespace
}  // namespace saraban
