#include "saraban/report/thai_format.h"

#include <unicode/calendar.h>
#include <unicode/datefmt.h>
#include <unicode/gregocal.h>
#include <unicode/smpdtfmt.h>
#include <unicode/unistr.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "saraban/text/digits.h"

namespace saraban::report {
namespace {

constexpr const char* kThaiLocale = "th_TH@calendar=buddhist;numbers=thai";

// ICU formatters are costly to create and not thread-safe: one per thread.
class DateFormatter {
 public:
  static DateFormatter& ForThread() {
    thread_local DateFormatter f;
    return f;
  }

  std::string Format(const v1::Date& d) {
    UErrorCode status = U_ZERO_ERROR;
    gregorian_->clear();
    gregorian_->set(d.year(), d.month() - 1, d.day() > 0 ? d.day() : 1, 12, 0, 0);
    const UDate when = gregorian_->getTime(status);
    icu::UnicodeString out;
    (d.day() > 0 ? day_ : month_)->format(when, out);
    std::string utf8;
    out.toUTF8String(utf8);
    return U_SUCCESS(status) ? utf8 : std::string();
  }

 private:
  DateFormatter() {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Locale thai(kThaiLocale);
    gregorian_ = std::make_unique<icu::GregorianCalendar>(icu::TimeZone::getGMT()->clone(),
                                                          status);
    day_ = std::make_unique<icu::SimpleDateFormat>(icu::UnicodeString("d MMM yy"), thai, status);
    month_ = std::make_unique<icu::SimpleDateFormat>(icu::UnicodeString("MMM yy"), thai, status);
    day_->setTimeZone(*icu::TimeZone::getGMT());
    month_->setTimeZone(*icu::TimeZone::getGMT());
  }
  std::unique_ptr<icu::GregorianCalendar> gregorian_;
  std::unique_ptr<icu::SimpleDateFormat> day_;
  std::unique_ptr<icu::SimpleDateFormat> month_;
};

// Scores are kept to hundredths; comparing rounded hundredths avoids
// binary floating-point surprises such as 82.94 - 84.25 = -1.3100000000000023.
long long Hundredths(double v) { return std::llround(v * 100); }

}  // namespace

std::string ThaiNumber(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return text::ThaiDigits(buf);
}

std::string ThaiInteger(long long value) { return text::ThaiDigits(std::to_string(value)); }

std::string ThaiPeriod(const v1::Period& period) {
  if (period.has_range()) {
    DateFormatter& f = DateFormatter::ForThread();
    return f.Format(period.range().start()) + " – " + f.Format(period.range().end());
  }
  return period.throughout_fiscal_year() ? "ตลอดปีงบประมาณ" : "";
}

std::string ScoreSentence(const v1::ScoreComparison& s) {
  const long long prev = Hundredths(s.previous_score());
  const long long cur = Hundredths(s.current_score());
  const std::string prev_year = ThaiInteger(s.previous_fiscal_year());
  const std::string cur_year = ThaiInteger(s.current_fiscal_year());
  std::string question = s.question();
  if (!s.question_code().empty()) question = text::ThaiDigits(s.question_code()) + " " + question;

  std::string change;
  if (cur == prev) {
    change = "เท่ากับปีงบประมาณ พ.ศ. " + prev_year;
  } else {
    change = std::string(cur > prev ? "เพิ่มขึ้น" : "ลดลง") + "จากปีงบประมาณ พ.ศ. " + prev_year +
             " จำนวน " + ThaiNumber(std::llabs(cur - prev) / 100.0, 2) + " คะแนน";
  }
  return "ผลคะแนนการประเมิน ITA ในประเด็น “" + question + "” " + change + " (ปีงบประมาณ พ.ศ. " +
         prev_year + " ได้ " + ThaiNumber(prev / 100.0, 2) + " คะแนน และในปีงบประมาณ พ.ศ. " +
         cur_year + " ได้ " + ThaiNumber(cur / 100.0, 2) + " คะแนน)";
}

}  // namespace saraban::report
