#include "saraban/model/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "saraban/model/json.h"

namespace saraban::model {
namespace {

using ::testing::HasSubstr;

// The smallest report that passes validation.
v1::Report ValidReport() {
  v1::Report r;
  r.mutable_agency()->set_code("test");
  r.mutable_agency()->set_name("องค์การบริหารส่วนตำบลทดสอบ");
  r.mutable_agency()->set_type(v1::AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION);
  r.mutable_agency()->set_province("ปัตตานี");
  r.set_fiscal_year(2567);
  r.set_title("รายงานผลการดำเนินการ");
  auto* col = r.mutable_layout()->add_columns();
  col->set_kind(v1::COLUMN_KIND_MEASURE);
  col->set_heading("มาตรการ");
  r.mutable_layout()->add_columns()->set_kind(v1::COLUMN_KIND_RESULTS);
  v1::Measure* m = r.add_measures();
  m->set_number(1);
  m->set_title("มาตรการหนึ่ง");
  return r;
}

v1::Measure* AddMeasure(v1::Report* r, int number) {
  v1::Measure* m = r->add_measures();
  m->set_number(number);
  m->set_title("มาตรการ");
  return m;
}

std::vector<Status> Validate(v1::Report r, const Limits& limits = {}) {
  return ValidateReport(&r, limits);
}

// The errors must be exactly one, at `field`, with `code`.
void ExpectOneError(const std::vector<Status>& errors, const std::string& field,
                    StatusCode code = StatusCode::kInvalidArgument) {
  ASSERT_EQ(errors.size(), 1u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), field) << FormatErrors(errors);
  EXPECT_EQ(errors[0].code(), code) << FormatErrors(errors);
  EXPECT_FALSE(errors[0].message().empty());
}

TEST(ValidateReportTest, ValidReportHasNoErrors) {
  EXPECT_TRUE(Validate(ValidReport()).empty()) << FormatErrors(Validate(ValidReport()));
}

TEST(ValidateReportTest, AgencyNameRequired) {
  v1::Report r = ValidReport();
  r.mutable_agency()->clear_name();
  ExpectOneError(Validate(r), "agency.name");
  r.mutable_agency()->set_name("  ");
  ExpectOneError(Validate(r), "agency.name");
}

TEST(ValidateReportTest, AgencyTypeRequired) {
  v1::Report r = ValidReport();
  r.mutable_agency()->set_type(v1::AGENCY_TYPE_UNSPECIFIED);
  ExpectOneError(Validate(r), "agency.type");
  r.mutable_agency()->set_type(static_cast<v1::AgencyType>(42));  // open enum from binary
  const auto errors = Validate(r);
  ExpectOneError(errors, "agency.type");
  // An unknown value is named as such, not as a missing one.
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message().find("unknown agency type 42"), std::string::npos)
      << errors[0].message();
}

TEST(ValidateReportTest, AgencyProvinceRequired) {
  v1::Report r = ValidReport();
  r.mutable_agency()->clear_province();
  ExpectOneError(Validate(r), "agency.province");
}

TEST(ValidateReportTest, AgencyCodeAndDistrictOptional) {
  v1::Report r = ValidReport();
  r.mutable_agency()->clear_code();
  r.mutable_agency()->clear_district();
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, FiscalYearInBuddhistEraRange) {
  for (int year : {0, 2023, 2499, 2701}) {
    v1::Report r = ValidReport();
    r.set_fiscal_year(year);
    ExpectOneError(Validate(r), "fiscalYear");
  }
  for (int year : {2500, 2566, 2700}) {
    v1::Report r = ValidReport();
    r.set_fiscal_year(year);
    EXPECT_TRUE(Validate(r).empty()) << year;
  }
  v1::Report r = ValidReport();
  r.set_fiscal_year(2024);
  EXPECT_THAT(Validate(r)[0].message(), HasSubstr("Buddhist"));
}

TEST(ValidateReportTest, TitleRequired) {
  v1::Report r = ValidReport();
  r.clear_title();
  ExpectOneError(Validate(r), "title");
}

TEST(ValidateReportTest, LayoutNeedsMeasureColumn) {
  v1::Report r = ValidReport();
  r.mutable_layout()->mutable_columns(0)->set_kind(v1::COLUMN_KIND_METHOD);
  ExpectOneError(Validate(r), "layout.columns");
  r.mutable_layout()->clear_columns();
  ExpectOneError(Validate(r), "layout.columns");
}

TEST(ValidateReportTest, LayoutColumnsNotDuplicated) {
  v1::Report r = ValidReport();
  r.mutable_layout()->add_columns()->set_kind(v1::COLUMN_KIND_MEASURE);
  const auto errors = Validate(r);
  ExpectOneError(errors, "layout.columns[2].kind");
  EXPECT_THAT(errors[0].message(), HasSubstr("layout.columns[0]"));
}

TEST(ValidateReportTest, LayoutColumnKindRequired) {
  v1::Report r = ValidReport();
  r.mutable_layout()->add_columns()->set_heading("ว่าง");
  ExpectOneError(Validate(r), "layout.columns[2].kind");
}

TEST(ValidateReportTest, AtLeastOneMeasure) {
  v1::Report r = ValidReport();
  r.clear_measures();
  ExpectOneError(Validate(r), "measures");
}

TEST(ValidateReportTest, MeasureTitleRequired) {
  v1::Report r = ValidReport();
  AddMeasure(&r, 2)->clear_title();
  ExpectOneError(Validate(r), "measures[1].title");
}

TEST(ValidateReportTest, MeasureNumberPositive) {
  for (int n : {0, -3}) {
    v1::Report r = ValidReport();
    r.mutable_measures(0)->set_number(n);
    ExpectOneError(Validate(r), "measures[0].number");
  }
}

TEST(ValidateReportTest, MeasureNumbersUnique) {
  v1::Report r = ValidReport();
  AddMeasure(&r, 2);
  AddMeasure(&r, 1);
  const auto errors = Validate(r);
  ExpectOneError(errors, "measures[2].number");
  EXPECT_THAT(errors[0].message(), HasSubstr("measures[0]"));
}

v1::DateRange* Range(v1::Report* r, int y1, int m1, int d1, int y2, int m2, int d2) {
  v1::DateRange* range = r->mutable_measures(0)->mutable_period()->mutable_range();
  range->mutable_start()->set_year(y1);
  range->mutable_start()->set_month(m1);
  range->mutable_start()->set_day(d1);
  range->mutable_end()->set_year(y2);
  range->mutable_end()->set_month(m2);
  range->mutable_end()->set_day(d2);
  return range;
}

TEST(ValidateReportTest, PeriodValidRanges) {
  v1::Report r = ValidReport();
  Range(&r, 2023, 10, 1, 2024, 9, 30);
  EXPECT_TRUE(Validate(r).empty());
  Range(&r, 2022, 10, 0, 2023, 9, 0);
  EXPECT_TRUE(Validate(r).empty());
  Range(&r, 2024, 2, 29, 2024, 2, 29);  // leap day
  EXPECT_TRUE(Validate(r).empty());
  Range(&r, 2023, 10, 0, 2023, 10, 15);  // month precision, same month
  EXPECT_TRUE(Validate(r).empty());
  r.mutable_measures(0)->mutable_period()->set_throughout_fiscal_year(true);
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, PeriodMonthOutOfRange) {
  v1::Report r = ValidReport();
  Range(&r, 2023, 13, 1, 2024, 9, 30);
  ExpectOneError(Validate(r), "measures[0].period.range.start.month");
  Range(&r, 2023, 10, 1, 2024, 0, 30);
  ExpectOneError(Validate(r), "measures[0].period.range.end.month");
}

TEST(ValidateReportTest, PeriodDayValidForMonth) {
  v1::Report r = ValidReport();
  Range(&r, 2023, 4, 31, 2023, 9, 30);
  ExpectOneError(Validate(r), "measures[0].period.range.start.day");
  Range(&r, 2023, 1, 1, 2023, 2, 29);  // 2023 is not a leap year
  ExpectOneError(Validate(r), "measures[0].period.range.end.day");
  Range(&r, 2023, 1, -1, 2023, 2, 1);
  ExpectOneError(Validate(r), "measures[0].period.range.start.day");
  Range(&r, 2023, 1, 32, 2023, 2, 1);
  ExpectOneError(Validate(r), "measures[0].period.range.start.day");
}

TEST(ValidateReportTest, PeriodStartNotAfterEnd) {
  v1::Report r = ValidReport();
  Range(&r, 2024, 9, 30, 2023, 10, 1);
  ExpectOneError(Validate(r), "measures[0].period.range");
  Range(&r, 2023, 10, 2, 2023, 10, 1);
  ExpectOneError(Validate(r), "measures[0].period.range");
  Range(&r, 2023, 11, 0, 2023, 10, 31);
  ExpectOneError(Validate(r), "measures[0].period.range");
}

TEST(ValidateReportTest, PeriodBuddhistEraYearInDateIsCaught) {
  v1::Report r = ValidReport();
  Range(&r, 2566, 10, 1, 2567, 9, 30);
  const auto errors = Validate(r);
  ASSERT_EQ(errors.size(), 2u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), "measures[0].period.range.start.year");
  EXPECT_THAT(errors[0].message(), HasSubstr("2023"));
  EXPECT_EQ(errors[1].field(), "measures[0].period.range.end.year");
}

TEST(ValidateReportTest, PeriodRangeNeedsBothEnds) {
  v1::Report r = ValidReport();
  Range(&r, 2023, 10, 1, 2024, 9, 30)->clear_end();
  ExpectOneError(Validate(r), "measures[0].period.range.end");
}

// The order of two dates is only checked when both are valid: a bad year
// is reported once, and a year near INT_MAX must not overflow the
// comparison (UBSan found (year * 13 + month) * 32 overflowing int).
TEST(ValidateReportTest, PeriodOrderIsNotCheckedForABadDate) {
  v1::Report r = ValidReport();
  Range(&r, 2024, 1, 1, std::numeric_limits<int>::max(), 1, 0);
  ExpectOneError(Validate(r), "measures[0].period.range.end.year");
  Range(&r, std::numeric_limits<int>::max(), 12, 31, std::numeric_limits<int>::max(), 1, 1);
  auto errors = Validate(r);
  ASSERT_EQ(errors.size(), 2u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), "measures[0].period.range.start.year");
  EXPECT_EQ(errors[1].field(), "measures[0].period.range.end.year");
  Range(&r, std::numeric_limits<int>::min(), 1, 1, 2024, 1, 1);
  ExpectOneError(Validate(r), "measures[0].period.range.start.year");
  // A Buddhist-era start year typed by mistake: only the year is wrong.
  Range(&r, 2566, 10, 1, 2024, 9, 30);
  ExpectOneError(Validate(r), "measures[0].period.range.start.year");
  Range(&r, 2023, 10, 1, 2024, 2, 30);
  ExpectOneError(Validate(r), "measures[0].period.range.end.day");
}

TEST(ValidateReportTest, IntroductionScoreInRange) {
  for (double score : {-0.5, 100.01, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
    v1::Report r = ValidReport();
    r.mutable_introduction()->set_ita_score(score);
    ExpectOneError(Validate(r), "introduction.itaScore");
  }
  v1::Report r = ValidReport();
  r.mutable_introduction()->set_ita_score(100);
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, AssessedFiscalYearSensible) {
  v1::Report r = ValidReport();
  r.mutable_introduction()->set_assessed_fiscal_year(2022);
  ExpectOneError(Validate(r), "introduction.assessedFiscalYear");
  r.mutable_introduction()->set_assessed_fiscal_year(2568);  // after the report's 2567
  ExpectOneError(Validate(r), "introduction.assessedFiscalYear");
  r.mutable_introduction()->set_assessed_fiscal_year(2566);
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, UnknownPlaceholder) {
  v1::Report r = ValidReport();
  r.mutable_introduction()->add_paragraphs("ของ{agency} ปี {year}");
  const auto errors = Validate(r);
  ExpectOneError(errors, "introduction.paragraphs[0]");
  EXPECT_THAT(errors[0].message(), HasSubstr("{year}"));
  r = ValidReport();
  r.set_heading("{agancy}");
  ExpectOneError(Validate(r), "heading");
}

TEST(ValidateReportTest, PlaceholderNeedsItsValue) {
  v1::Report r = ValidReport();
  r.mutable_introduction()->add_paragraphs("ได้คะแนน {ita_score} อยู่ในระดับ {ita_level}");
  const auto errors = Validate(r);
  ASSERT_EQ(errors.size(), 2u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), "introduction.paragraphs[0]");
  r.mutable_introduction()->set_ita_score(91.67);
  r.mutable_introduction()->set_ita_level("ผ่าน");
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, EmptyIntroductionParagraph) {
  v1::Report r = ValidReport();
  r.mutable_introduction()->add_paragraphs("ย่อหน้า");
  r.mutable_introduction()->add_paragraphs("");
  ExpectOneError(Validate(r), "introduction.paragraphs[1]");
}

v1::ScoreComparison* AddScore(v1::Report* r) {
  v1::ScoreComparison* s = r->mutable_measures(0)->mutable_outcomes()->add_blocks()->mutable_score();
  s->set_question_code("13");
  s->set_question("ท่านได้รับมอบหมายงานอย่างเป็นธรรมมากน้อยเพียงใด");
  s->set_previous_fiscal_year(2565);
  s->set_previous_score(84.25);
  s->set_current_fiscal_year(2566);
  s->set_current_score(82.94);
  return s;
}

TEST(ValidateReportTest, ScoreComparisonValid) {
  v1::Report r = ValidReport();
  AddScore(&r);
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
}

TEST(ValidateReportTest, ScoreComparisonScoresInRange) {
  v1::Report r = ValidReport();
  AddScore(&r)->set_previous_score(-1);
  ExpectOneError(Validate(r), "measures[0].outcomes.blocks[0].score.previousScore");
  r = ValidReport();
  AddScore(&r)->set_current_score(120);
  ExpectOneError(Validate(r), "measures[0].outcomes.blocks[0].score.currentScore");
}

TEST(ValidateReportTest, ScoreComparisonYearsSensible) {
  v1::Report r = ValidReport();
  AddScore(&r)->set_previous_fiscal_year(2566);
  ExpectOneError(Validate(r), "measures[0].outcomes.blocks[0].score.previousFiscalYear");
  r = ValidReport();
  v1::ScoreComparison* s = AddScore(&r);
  s->set_previous_fiscal_year(2022);
  s->set_current_fiscal_year(2023);
  const auto errors = Validate(r);
  ASSERT_EQ(errors.size(), 2u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), "measures[0].outcomes.blocks[0].score.previousFiscalYear");
  EXPECT_EQ(errors[1].field(), "measures[0].outcomes.blocks[0].score.currentFiscalYear");
}

TEST(ValidateReportTest, ScoreComparisonQuestionRequired) {
  v1::Report r = ValidReport();
  AddScore(&r)->clear_question();
  ExpectOneError(Validate(r), "measures[0].outcomes.blocks[0].score.question");
}

v1::TextList* AddList(v1::Report* r, v1::ListStyle style, int items) {
  v1::TextList* list = r->mutable_measures(0)->mutable_method()->add_blocks()->mutable_list();
  list->set_style(style);
  for (int i = 0; i < items; ++i) list->add_items()->set_text("ขั้นตอน");
  return list;
}

TEST(ValidateReportTest, ListNestingOneLevel) {
  v1::Report r = ValidReport();
  v1::TextList* list = AddList(&r, v1::LIST_STYLE_NUMBERED, 2);
  v1::TextList* sub = list->mutable_items(1)->mutable_sublist();
  sub->set_style(v1::LIST_STYLE_DASH);
  sub->add_items()->set_text("ไตรมาส ๑");
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  v1::TextList* subsub = sub->mutable_items(0)->mutable_sublist();
  subsub->set_style(v1::LIST_STYLE_DASH);
  subsub->add_items()->set_text("ลึกเกินไป");
  const auto errors = Validate(r);
  ExpectOneError(errors, "measures[0].method.blocks[0].list.items[1].sublist.items[0].sublist");
  EXPECT_THAT(errors[0].message(), HasSubstr("one level"));
}

TEST(ValidateReportTest, ListStyleAndItemsRequired) {
  v1::Report r = ValidReport();
  AddList(&r, v1::LIST_STYLE_UNSPECIFIED, 1);
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.style");
  r = ValidReport();
  AddList(&r, v1::LIST_STYLE_BULLET, 0);
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.items");
  r = ValidReport();
  AddList(&r, v1::LIST_STYLE_NUMBERED, 3)->mutable_items(2)->clear_text();
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.items[2].text");
  r = ValidReport();
  AddList(&r, v1::LIST_STYLE_NUMBERED, 1)->set_start(-1);
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.start");
}

// The renderer counts items from start; a huge start overflowed its counter.
TEST(ValidateReportTest, ListStartAtMost9999) {
  v1::Report r = ValidReport();
  v1::TextList* list = AddList(&r, v1::LIST_STYLE_NUMBERED, 2);
  list->set_start(9999);
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  list->set_start(0);
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  for (int start : {10000, std::numeric_limits<int>::max()}) {
    list->set_start(start);
    const auto errors = Validate(r);
    ASSERT_NO_FATAL_FAILURE(ExpectOneError(errors, "measures[0].method.blocks[0].list.start"));
    EXPECT_EQ(errors[0].message(), "start must be at most 9999, got " + std::to_string(start));
  }
  Limits limits;
  limits.max_list_start = 99;
  list->set_start(100);
  ExpectOneError(Validate(r, limits), "measures[0].method.blocks[0].list.start");
}

// The agency's name goes into the PDF's title and author metadata too.
TEST(ValidateReportTest, AgencyNameAtMost1000Bytes) {
  v1::Report r = ValidReport();
  r.mutable_agency()->set_name(std::string(1000, 'a'));
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  r.mutable_agency()->set_name(std::string(1001, 'a'));
  ExpectOneError(Validate(r), "agency.name", StatusCode::kResourceExhausted);
}

TEST(ValidateReportTest, TitleAndHeadingAtMost1000Bytes) {
  v1::Report r = ValidReport();
  r.set_title(std::string(1000, 'a'));
  r.set_heading(std::string(1000, 'a'));
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  r.set_title(std::string(1001, 'a'));
  auto errors = Validate(r);
  ASSERT_NO_FATAL_FAILURE(ExpectOneError(errors, "title", StatusCode::kResourceExhausted));
  EXPECT_EQ(errors[0].message(), "text is 1001 bytes; the limit for this field is 1000 bytes");
  r = ValidReport();
  r.set_heading(std::string(999, 'a') + "ก");
  ExpectOneError(Validate(r), "heading", StatusCode::kResourceExhausted);
  // The normalised text counts: CR LF becomes LF.
  r = ValidReport();
  r.set_title(std::string(999, 'a') + "\r\n");
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
}

TEST(ValidateReportTest, ColumnHeadingAtMost300Bytes) {
  v1::Report r = ValidReport();
  r.mutable_layout()->mutable_columns(1)->set_heading(std::string(300, 'a'));
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  r.mutable_layout()->mutable_columns(1)->set_heading(std::string(100, 'a') + std::string(201, 'b'));
  ExpectOneError(Validate(r), "layout.columns[1].heading", StatusCode::kResourceExhausted);
  Limits limits;
  limits.max_column_heading_bytes = 10;
  r = ValidReport();
  ExpectOneError(Validate(r, limits), "layout.columns[0].heading", StatusCode::kResourceExhausted);
}

// 60,000 newlines in one field made a 21,000-page PDF.
TEST(ValidateReportTest, FieldAtMost400Lines) {
  v1::Report r = ValidReport();
  auto* blocks = r.mutable_measures(0)->mutable_results();
  blocks->add_blocks()->set_paragraph("ผล" + std::string(399, '\n'));
  EXPECT_TRUE(Validate(r).empty()) << FormatErrors(Validate(r));
  blocks->mutable_blocks(0)->set_paragraph("ผล" + std::string(400, '\n'));
  auto errors = Validate(r);
  ASSERT_NO_FATAL_FAILURE(
      ExpectOneError(errors, "measures[0].results.blocks[0].paragraph", StatusCode::kResourceExhausted));
  EXPECT_EQ(errors[0].message(), "text has 401 lines; the limit for one field is 400 lines");
  blocks->mutable_blocks(0)->set_paragraph(std::string(60000, '\n') + "ผล");
  ExpectOneError(Validate(r), "measures[0].results.blocks[0].paragraph", StatusCode::kResourceExhausted);
  // CR and CR LF are line ends too.
  r = ValidReport();
  r.mutable_agency()->set_name("อบต." + std::string(250, '\r') + std::string(300, '\n'));
  ExpectOneError(Validate(r), "agency.name", StatusCode::kResourceExhausted);
  Limits limits;
  limits.max_field_lines = 2;
  r = ValidReport();
  r.set_title("a\nb\nc");
  ExpectOneError(Validate(r, limits), "title", StatusCode::kResourceExhausted);
}

TEST(ValidateReportTest, EmptyBlockAndEmptyParagraph) {
  v1::Report r = ValidReport();
  r.mutable_measures(0)->mutable_results()->add_blocks();
  ExpectOneError(Validate(r), "measures[0].results.blocks[0]");
  r = ValidReport();
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph("ผล");
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph("");
  ExpectOneError(Validate(r), "measures[0].results.blocks[1].paragraph");
}

TEST(ValidateReportTest, FindingIndicatorIsAsciiNumber) {
  v1::Report r = ValidReport();
  v1::Finding* f = r.mutable_measures(0)->mutable_finding();
  f->set_indicator("9.4");
  EXPECT_TRUE(Validate(r).empty());
  for (const char* bad : {"๙.๔", "9.", "", "ตัวชี้วัด 9"}) {
    f->set_indicator(bad);
    ExpectOneError(Validate(r), "measures[0].finding.indicator");
  }
}

TEST(ValidateReportTest, ResponsibleUnitRequired) {
  v1::Report r = ValidReport();
  r.mutable_measures(0)->add_responsible()->set_unit("กองคลัง");
  r.mutable_measures(0)->add_responsible()->set_sub_unit("งานพัสดุ");
  ExpectOneError(Validate(r), "measures[0].responsible[1].unit");
}

TEST(ValidateReportTest, SignOffPeopleNeedNames) {
  v1::Report r = ValidReport();
  v1::SignOff* s = r.mutable_sign_off();
  s->set_reporting_unit("งานวางแผนสถิติและวิชาการ");
  s->mutable_reporter()->set_name("นางกัญญารัตน์ สิงห์สา");
  s->add_reviewers()->set_name("นางสาวศศิธร บัวทอง");
  s->add_reviewers()->set_position("ปลัดองค์การบริหารส่วนตำบล");
  ExpectOneError(Validate(r), "signOff.reviewers[1].name");
  s->mutable_reviewers(1)->set_name("นางสาวพรชนก พลเดช");
  s->mutable_acknowledged_by()->set_position("นายก");
  ExpectOneError(Validate(r), "signOff.acknowledgedBy.name");
  s->mutable_acknowledged_by()->set_name("นายชัยณฤทธิ์ สิงห์ทอง");
  s->mutable_date()->set_year(2023);
  s->mutable_date()->set_month(2);
  s->mutable_date()->set_day(30);
  ExpectOneError(Validate(r), "signOff.date.day");
}

TEST(ValidateReportTest, ReportsEveryProblemNotJustTheFirst) {
  v1::Report r = ValidReport();
  r.mutable_agency()->clear_name();
  r.set_fiscal_year(1);
  r.clear_title();
  AddMeasure(&r, 1)->clear_title();
  const auto errors = Validate(r);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field());
  EXPECT_EQ(fields, (std::vector<std::string>{"agency.name", "fiscalYear", "title", "measures[1].number",
                                              "measures[1].title"}));
}

// --- normalisation ---

TEST(ValidateReportTest, BrokenUtf8InAStringSetDirectly) {
  // Proto setters accept any bytes; validation is the gate.
  v1::Report r = ValidReport();
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph(std::string("ผล\xE0\xB8", 8));
  const auto errors = Validate(r);
  ExpectOneError(errors, "measures[0].results.blocks[0].paragraph");
}

TEST(ValidateReportTest, LoneCombiningMarkInTitle) {
  v1::Report r = ValidReport();
  r.set_title("\u0E34รายงาน");  // SARA I with no consonant before it
  ExpectOneError(Validate(r), "title");
}

TEST(ValidateReportTest, LoneCombiningMarkInDeepField) {
  v1::Report r = ValidReport();
  AddList(&r, v1::LIST_STYLE_NUMBERED, 2)->mutable_items(1)->set_text("ขั้นตอน \u0E48");  // tone mark after a space
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.items[1].text");
}

TEST(ValidateReportTest, NormalisesStringsInPlace) {
  v1::Report r = ValidReport();
  r.set_title("\u0E19\u0E49\u0E4D\u0E32");  // NIKHAHIT + SARA AA with a tone mark between
  r.mutable_measures(0)->set_title("บรรทัด\r\nใหม่");
  ASSERT_TRUE(ValidateReport(&r).empty());
  EXPECT_EQ(r.title(), "น้ำ");
  EXPECT_EQ(r.measures(0).title(), "บรรทัด\nใหม่");
}

// --- limits ---

TEST(ValidateReportTest, TenThousandMeasuresIsOneResourceExhausted) {
  v1::Report r = ValidReport();
  r.clear_measures();
  for (int i = 1; i <= 10000; ++i) AddMeasure(&r, i)->clear_title();  // bad titles must not be listed
  const auto errors = Validate(r);
  ExpectOneError(errors, "measures", StatusCode::kResourceExhausted);
  EXPECT_THAT(errors[0].message(), HasSubstr("10000"));
  EXPECT_THAT(errors[0].message(), HasSubstr("500"));
}

TEST(ValidateReportTest, MeasureLimitIsConfigurable) {
  v1::Report r = ValidReport();
  AddMeasure(&r, 2);
  Limits limits;
  limits.max_measures = 2;
  EXPECT_TRUE(Validate(r, limits).empty());
  limits.max_measures = 1;
  ExpectOneError(Validate(r, limits), "measures", StatusCode::kResourceExhausted);
}

TEST(ValidateReportTest, OneMegabyteCellIsResourceExhausted) {
  v1::Report r = ValidReport();
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph("ผล");
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph(std::string(1 << 20, 'a'));
  const auto errors = Validate(r);
  ExpectOneError(errors, "measures[0].results.blocks[1].paragraph", StatusCode::kResourceExhausted);
  EXPECT_THAT(errors[0].message(), HasSubstr("1048576"));
  EXPECT_THAT(errors[0].message(), HasSubstr("65536"));
}

TEST(ValidateReportTest, FieldAtTheByteLimitPasses) {
  v1::Report r = ValidReport();
  r.mutable_measures(0)->mutable_results()->add_blocks()->set_paragraph(std::string(64 * 1024, 'a'));
  EXPECT_TRUE(Validate(r).empty());
}

TEST(ValidateReportTest, TooManyBlocksInACell) {
  v1::Report r = ValidReport();
  for (int i = 0; i < 3; ++i) r.mutable_measures(0)->mutable_outcomes()->add_blocks();  // each also empty
  Limits limits;
  limits.max_blocks_per_cell = 2;
  ExpectOneError(Validate(r, limits), "measures[0].outcomes.blocks", StatusCode::kResourceExhausted);
}

TEST(ValidateReportTest, TooManyListItems) {
  v1::Report r = ValidReport();
  AddList(&r, v1::LIST_STYLE_NUMBERED, 201);
  ExpectOneError(Validate(r), "measures[0].method.blocks[0].list.items", StatusCode::kResourceExhausted);
}

TEST(ValidateReportTest, ErrorListIsCappedWithASummary) {
  v1::Report r = ValidReport();
  r.clear_measures();
  for (int i = 1; i <= 300; ++i) AddMeasure(&r, i)->clear_title();
  const auto errors = Validate(r);
  ASSERT_EQ(errors.size(), kMaxReportedErrors);
  EXPECT_EQ(errors[0].field(), "measures[0].title");
  EXPECT_EQ(errors[98].field(), "measures[98].title");
  EXPECT_EQ(errors.back().message(), "... and 201 more problems");
}

TEST(ValidateReportTest, ExactlyOneHundredErrorsAreAllKept) {
  v1::Report r = ValidReport();
  r.clear_measures();
  for (int i = 1; i <= 100; ++i) AddMeasure(&r, i)->clear_title();
  const auto errors = Validate(r);
  ASSERT_EQ(errors.size(), 100u);
  EXPECT_EQ(errors.back().field(), "measures[99].title");
}

TEST(FormatErrorsTest, OnePathAndMessagePerLine) {
  const std::vector<Status> errors = {InvalidArgument("is required", "agency.name"),
                                      InvalidArgument("fiscal year 1 is wrong", "fiscalYear"),
                                      InvalidArgument("no field")};
  EXPECT_EQ(FormatErrors(errors), "agency.name: is required\nfiscalYear: fiscal year 1 is wrong\nno field\n");
  EXPECT_EQ(FormatErrors({}), "");
}

// --- templates ---

v1::Template ValidTemplate() {
  v1::Template t;
  t.set_name("t");
  t.set_page_width_mm(297);
  t.set_page_height_mm(210);
  for (auto set : {&v1::Template::set_margin_top_mm, &v1::Template::set_margin_bottom_mm,
                   &v1::Template::set_margin_left_mm, &v1::Template::set_margin_right_mm}) {
    (t.*set)(15);
  }
  t.set_title_size(18);
  t.set_body_size(16);
  t.set_table_size(14);
  t.set_footer_size(14);
  t.set_line_spacing(1);
  t.set_cell_padding_mm(1.5);
  t.set_list_indent_mm(5);
  t.set_paragraph_indent_mm(12.5);
  t.set_min_column_em(2);
  t.set_header_gray(0.88);
  t.set_page_number_format("หน้า {page}/{pages}");
  auto* c = t.add_columns();
  c->set_kind(v1::COLUMN_KIND_MEASURE);
  c->set_weight(1.6);
  return t;
}

void ExpectOneTemplateError(const v1::Template& t, const std::string& field) {
  const auto errors = ValidateTemplate(t);
  ASSERT_EQ(errors.size(), 1u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), field);
  EXPECT_EQ(errors[0].code(), StatusCode::kInvalidArgument);
}

TEST(ValidateTemplateTest, ValidTemplate) {
  EXPECT_TRUE(ValidateTemplate(ValidTemplate()).empty()) << FormatErrors(ValidateTemplate(ValidTemplate()));
}

TEST(ValidateTemplateTest, SizesPositive) {
  v1::Template t = ValidTemplate();
  t.set_body_size(0);
  ExpectOneTemplateError(t, "bodySize");
  t = ValidTemplate();
  t.set_table_size(-14);
  ExpectOneTemplateError(t, "tableSize");
  t = ValidTemplate();
  t.set_line_spacing(std::numeric_limits<double>::quiet_NaN());
  ExpectOneTemplateError(t, "lineSpacing");
  t = ValidTemplate();
  t.set_page_height_mm(0);
  const auto errors = ValidateTemplate(t);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field(), "pageHeightMm");
}

// Each bound is the layout's: a template inside them renders, one outside
// is refused by `saraban validate` already.
TEST(ValidateTemplateTest, NumbersWithinTheLayoutsBounds) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  using Setter = void (v1::Template::*)(double);
  struct Case {
    Setter set;
    std::string field;
    std::vector<double> good;
    std::vector<double> bad;
  };
  const std::vector<Case> cases = {
      {&v1::Template::set_page_width_mm, "pageWidthMm", {55.4, 5080}, {49.9, 5080.1, 0, kNaN, kInf}},
      {&v1::Template::set_page_height_mm, "pageHeightMm", {55.4, 5080}, {49, 1e6, -kInf, kNaN}},
      {&v1::Template::set_title_size, "titleSize", {4, 72}, {3.9, 72.5, 0, kNaN}},
      {&v1::Template::set_body_size, "bodySize", {4, 16, 72}, {0, -16, 1000, kInf}},
      {&v1::Template::set_table_size, "tableSize", {4, 72}, {3, 73, kNaN}},
      {&v1::Template::set_footer_size, "footerSize", {4, 72}, {2, 100, kNaN}},
      {&v1::Template::set_line_spacing, "lineSpacing", {0.51, 1, 3.99}, {0, 0.5, 4, -1, kNaN, kInf}},
      {&v1::Template::set_cell_padding_mm, "cellPaddingMm", {0, 10}, {-0.1, 10.1, kNaN}},
      {&v1::Template::set_list_indent_mm, "listIndentMm", {0, 30}, {-1, 30.5, kInf}},
      {&v1::Template::set_paragraph_indent_mm, "paragraphIndentMm", {0, 50}, {-1, 51, kNaN}},
      {&v1::Template::set_min_column_em, "minColumnEm", {1, 10}, {0, 0.9, 10.1, kNaN}},
      {&v1::Template::set_header_gray, "headerGray", {0, 1}, {-0.1, 1.1, kNaN}},
      {&v1::Template::set_margin_left_mm, "marginLeftMm", {0}, {-1, kNaN, kInf}},
      {&v1::Template::set_margin_top_mm, "marginTopMm", {0}, {-kInf, kNaN}},
  };
  for (const Case& c : cases) {
    for (double v : c.good) {
      v1::Template t = ValidTemplate();
      (t.*c.set)(v);
      EXPECT_TRUE(ValidateTemplate(t).empty()) << c.field << " = " << v << "\n"
                                               << FormatErrors(ValidateTemplate(t));
    }
    for (double v : c.bad) {
      SCOPED_TRACE(c.field + " = " + std::to_string(v));
      v1::Template t = ValidTemplate();
      (t.*c.set)(v);
      ExpectOneTemplateError(t, c.field);
    }
  }
}

TEST(ValidateTemplateTest, BoundsAreNamedInTheMessage) {
  v1::Template t = ValidTemplate();
  t.set_page_width_mm(6000);
  auto errors = ValidateTemplate(t);
  ASSERT_EQ(errors.size(), 1u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].message(), "must be between 50 and 5080 mm, got 6000");
  t = ValidTemplate();
  t.set_line_spacing(4);
  errors = ValidateTemplate(t);
  ASSERT_EQ(errors.size(), 1u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].message(), "must be greater than 0.5 and less than 4, got 4");
  t = ValidTemplate();
  t.set_margin_bottom_mm(std::numeric_limits<double>::infinity());
  errors = ValidateTemplate(t);
  ASSERT_EQ(errors.size(), 1u) << FormatErrors(errors);
  EXPECT_EQ(errors[0].field(), "marginBottomMm");
  EXPECT_EQ(errors[0].message(), "must be a number, got inf");
}

// The layout needs one inch of text area; 20 mm used to pass validation and
// then fail to render.
TEST(ValidateTemplateTest, PrintableAreaAtLeastOneInch) {
  v1::Template t = ValidTemplate();
  t.set_margin_left_mm(135.8);
  t.set_margin_right_mm(135.8);  // 297 - 271.6 leaves 25.39999999999998 mm
  EXPECT_TRUE(ValidateTemplate(t).empty()) << FormatErrors(ValidateTemplate(t));
  t.set_margin_right_mm(136);  // 25.2 mm
  ASSERT_NO_FATAL_FAILURE(ExpectOneTemplateError(t, "marginLeftMm"));
  EXPECT_THAT(ValidateTemplate(t)[0].message(), HasSubstr("at least 25.4 mm (one inch)"));
  t = ValidTemplate();
  t.set_margin_top_mm(92);
  t.set_margin_bottom_mm(92.6);  // 25.4 mm
  EXPECT_TRUE(ValidateTemplate(t).empty()) << FormatErrors(ValidateTemplate(t));
  t.set_margin_bottom_mm(95);  // 23 mm
  ExpectOneTemplateError(t, "marginTopMm");
  // The smallest page with no margins is printable.
  t = ValidTemplate();
  t.set_page_width_mm(50);
  t.set_page_height_mm(50);
  for (auto set : {&v1::Template::set_margin_top_mm, &v1::Template::set_margin_bottom_mm,
                   &v1::Template::set_margin_left_mm, &v1::Template::set_margin_right_mm}) {
    (t.*set)(0);
  }
  EXPECT_TRUE(ValidateTemplate(t).empty()) << FormatErrors(ValidateTemplate(t));
}

TEST(ValidateTemplateTest, ColumnWeightFinite) {
  for (double w : {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                   -1.0}) {
    v1::Template t = ValidTemplate();
    t.mutable_columns(0)->set_weight(w);
    ExpectOneTemplateError(t, "columns[0].weight");
  }
}

TEST(ValidateTemplateTest, MarginsLeaveAPrintableArea) {
  v1::Template t = ValidTemplate();
  t.set_margin_left_mm(150);
  t.set_margin_right_mm(150);
  ExpectOneTemplateError(t, "marginLeftMm");
  t = ValidTemplate();
  t.set_margin_top_mm(100);
  t.set_margin_bottom_mm(100);
  ExpectOneTemplateError(t, "marginTopMm");
  t = ValidTemplate();
  t.set_margin_right_mm(-1);
  ExpectOneTemplateError(t, "marginRightMm");
}

TEST(ValidateTemplateTest, ColumnWeightsPositive) {
  v1::Template t = ValidTemplate();
  auto* c = t.add_columns();
  c->set_kind(v1::COLUMN_KIND_METHOD);
  c->set_weight(0);
  ExpectOneTemplateError(t, "columns[1].weight");
  c->set_weight(2.6);
  c->set_kind(v1::COLUMN_KIND_MEASURE);
  ExpectOneTemplateError(t, "columns[1].kind");
}

TEST(ValidateTemplateTest, HeaderGrayAndPageNumberFormat) {
  v1::Template t = ValidTemplate();
  t.set_header_gray(1.5);
  ExpectOneTemplateError(t, "headerGray");
  t = ValidTemplate();
  t.set_page_number_format("หน้า {page} จาก {total}");
  ExpectOneTemplateError(t, "pageNumberFormat");
}

TEST(ValidateTemplateTest, ContinuationMarkMustBeValidText) {
  v1::Template t = ValidTemplate();
  t.set_continuation_mark(std::string("(\xFF)", 3));
  ExpectOneTemplateError(t, "continuationMark");
}

TEST(AgencyCodeTest, AllowsOnlyKeySafeCharacters) {
  EXPECT_TRUE(ValidateAgencyCode("6940101").ok());
  EXPECT_TRUE(ValidateAgencyCode("bueng-khla").ok());
  for (const std::string& bad : std::vector<std::string>{"", "A", "a:b", "a b", "a/b", std::string(65, 'a'), "ก"}) {
    EXPECT_FALSE(ValidateAgencyCode(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace saraban::model
