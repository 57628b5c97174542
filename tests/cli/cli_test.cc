// The offline CLI as other systems script it: exit codes, messages naming
// the bad field, and no half-written output.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "saraban/model/json.h"
#include "test_support.h"

namespace saraban {
namespace {

const std::string kCli = std::string(SARABAN_BINARY_DIR) + "/cli/saraban";

test::CommandResult Cli(const std::string& args) { return test::RunCommand(kCli + " " + args); }

// Example 004 as JSON with `edit` applied to its text.
std::string EditedExample(const std::string& from, const std::string& to) {
  std::string json = test::ReadFile("examples/004_bueng_khla.json");
  const size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

TEST(CliTest, ValidateAndRenderExample) {
  const auto v = Cli("validate examples/004_bueng_khla.json");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("valid"), std::string::npos);
  const std::string out = test::TempPath("cli.pdf");
  const auto r = Cli("render examples/004_bueng_khla.json -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(test::ReadFile(out).rfind("%PDF-", 0), 0u);
}

TEST(CliTest, BrokenUtf8IsInvalidInputAndWritesNothing) {
  const std::string in = test::TempPath("broken.json");
  test::WriteFile(in, EditedExample("บึงคล้า", "\xE0\xB8"));
  const std::string out = test::TempPath("broken.pdf");
  const auto r = Cli("render " + in + " -o " + out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("UTF-8"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  // Nor a temporary file beside it.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(out).parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find("broken.pdf"), std::string::npos) << entry.path();
  }
}

TEST(CliTest, LoneMarkNamesTheField) {
  const std::string in = test::TempPath("mark.json");
  // A title that starts with a tone mark (U+0E48) has no consonant to carry it.
  v1::Report report = *model::LoadReportFile("examples/004_bueng_khla.json");
  report.mutable_measures(1)->set_title("\xE0\xB9\x88" "การมอบหมายงาน");
  test::WriteFile(in, model::ReportToJson(report));
  const auto r = Cli("validate " + in);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("measures[1].title"), std::string::npos) << r.output;
}

TEST(CliTest, EmptyRequiredFieldNamesTheField) {
  const std::string in = test::TempPath("empty.json");
  v1::Report report = *model::LoadReportFile("examples/004_bueng_khla.json");
  report.mutable_agency()->set_name("");
  test::WriteFile(in, model::ReportToJson(report));
  const auto r = Cli("render " + in + " -o " + test::TempPath("empty.pdf"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("agency.name"), std::string::npos) << r.output;
}

TEST(CliTest, TenThousandMeasuresIsRefusedClearly) {
  v1::Report report = *model::LoadReportFile("examples/004_bueng_khla.json");
  report.clear_measures();
  for (int i = 0; i < 10000; ++i) {
    v1::Measure* m = report.add_measures();
    m->set_number(i + 1);
    m->set_title("มาตรการที่ " + std::to_string(i + 1));
  }
  const std::string in = test::TempPath("huge.json");
  test::WriteFile(in, model::ReportToJson(report));
  const auto r = Cli("render " + in + " -o " + test::TempPath("huge.pdf"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("measures"), std::string::npos) << r.output.substr(0, 500);
  EXPECT_LT(r.output.size(), 2000u) << "one clear message, not ten thousand";
}

TEST(CliTest, OversizedFileIsRefusedBeforeParsing) {
  const std::string in = test::TempPath("oversized.json");
  test::WriteFile(in, "{\"title\": \"" + std::string(9 << 20, 'x') + "\"}");
  const auto r = Cli("validate " + in);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("limit"), std::string::npos) << r.output.substr(0, 300);
}

TEST(CliTest, MegabyteCellIsRefusedClearly) {
  v1::Report report = *model::LoadReportFile("examples/004_bueng_khla.json");
  std::string big;
  while (big.size() < (1 << 20)) big += "ผลการดำเนินงาน ";
  report.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph(big);
  const std::string in = test::TempPath("bigcell.json");
  test::WriteFile(in, model::ReportToJson(report));
  const auto r = Cli("render " + in + " -o " + test::TempPath("bigcell.pdf"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("measures[0].results"), std::string::npos) << r.output.substr(0, 500);
}

// The PDF gets the mode a plain create would give under the caller's umask,
// and a failed write leaves no temporary file behind.
TEST(CliTest, OutputModeFollowsUmask) {
  const std::string out = test::TempPath("umask.pdf");
  const auto r = test::RunCommand("umask 077 && " + kCli + " render examples/004_bueng_khla.json -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto perms = std::filesystem::status(out).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
}

TEST(CliTest, MissingFilesAndBadFlags) {
  EXPECT_EQ(Cli("render /nonexistent.json -o /tmp/x.pdf").exit_code, 3);
  EXPECT_EQ(Cli("render examples/004_bueng_khla.json -o " + test::TempPath("f.pdf") +
                " --font /nonexistent.ttf")
                .exit_code,
            3);
  EXPECT_EQ(Cli("render examples/004_bueng_khla.json").exit_code, 2);  // no -o
  EXPECT_EQ(Cli("frobnicate").exit_code, 2);
  EXPECT_EQ(Cli("render examples/004_bueng_khla.json -o " + test::TempPath("z.pdf") +
                " --size-factor 0")
                .exit_code,
            2);
  EXPECT_EQ(Cli("render examples/004_bueng_khla.json -o /nonexistent-dir/x.pdf").exit_code, 3);
}

// ---- what a new user meets ----

// validate makes render's check that every character is in the font, and
// names the field.
TEST(CliTest, ValidateReportsACharacterTheFontLacks) {
  for (const std::string& odd : {std::string("\xF0\x9F\x98\x80"), std::string("\xD8\xB9")}) {
    const std::string in = test::TempPath("coverage.json");
    v1::Report report = *model::LoadReportFile("examples/004_bueng_khla.json");
    report.mutable_measures(2)->set_title(report.measures(2).title() + " " + odd);
    test::WriteFile(in, model::ReportToJson(report));
    const auto v = Cli("validate " + in);
    EXPECT_EQ(v.exit_code, 1) << v.output;
    EXPECT_NE(v.output.find("measures[2].title"), std::string::npos) << v.output;
    EXPECT_NE(v.output.find("would print as a box"), std::string::npos) << v.output;
    const auto r = Cli("render " + in + " -o " + test::TempPath("coverage.pdf"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("measures[2].title"), std::string::npos) << r.output;
  }
}

TEST(CliTest, AByteOrderMarkIsAccepted) {
  const std::string in = test::TempPath("bom.json");
  test::WriteFile(in, "\xEF\xBB\xBF" + test::ReadFile("examples/004_bueng_khla.json"));
  const auto v = Cli("validate " + in);
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST(CliTest, ADuplicateKeyIsAnErrorNamingTheKey) {
  const std::string in = test::TempPath("duplicate.json");
  test::WriteFile(in, EditedExample("\"title\"", "\"title\": \"x\", \"title\""));
  const auto v = Cli("validate " + in);
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("duplicate key \"title\""), std::string::npos) << v.output;
}

TEST(CliTest, TheOutputIsNeverTheInput) {
  const std::string in = test::TempPath("same.json");
  test::WriteFile(in, test::ReadFile("examples/004_bueng_khla.json"));
  const auto r = Cli("render " + in + " -o " + in);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is the input file"), std::string::npos) << r.output;
  EXPECT_EQ(test::ReadFile(in), test::ReadFile("examples/004_bueng_khla.json"));
}

// A symbolic link is written through, never replaced; one to nothing is
// refused.
TEST(CliTest, AnOutputSymlinkIsWrittenThrough) {
  const std::string target = test::TempPath("target.pdf");
  const std::string link = test::TempPath("link.pdf");
  std::filesystem::remove(target);
  std::filesystem::remove(link);
  std::filesystem::create_symlink(target, link);
  const auto dangling = Cli("render examples/004_bueng_khla.json -o " + link);
  EXPECT_EQ(dangling.exit_code, 3) << dangling.output;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  test::WriteFile(target, "old");
  const auto r = Cli("render examples/004_bueng_khla.json -o " + link);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(test::ReadFile(target).rfind("%PDF-", 0), 0u);
}

TEST(CliTest, DashWritesThePdfToStandardOutput) {
  const std::string out = test::TempPath("stdout.pdf");
  // The summary goes to standard error, never into the PDF.
  const auto r = test::RunCommand("(" + kCli + " render examples/004_bueng_khla.json -o - > " + out +
                                  ")");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string file = test::TempPath("file.pdf");
  ASSERT_EQ(Cli("render examples/004_bueng_khla.json -o " + file).exit_code, 0);
  EXPECT_EQ(test::ReadFile(out), test::ReadFile(file));
}

}  // namespace
}  // namespace saraban
