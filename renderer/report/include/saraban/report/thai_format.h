// How numbers and dates are written in a Thai official report: Thai digits,
// Buddhist-era years, fixed wordings computed from data.
#pragma once

#include <string>

#include "saraban/v1/report.pb.h"

namespace saraban::report {

// 91.67 -> "๙๑.๖๗" (always `decimals` places, Thai digits).
std::string ThaiNumber(double value, int decimals);

// An integer in Thai digits: 2567 -> "๒๕๖๗".
std::string ThaiInteger(long long value);

// A period cell: "ตลอดปีงบประมาณ", "๑ ต.ค. ๖๖ – ๓๐ ก.ย. ๖๗" (day precision) or
// "ต.ค. ๖๕ – ก.ย. ๖๖" (month precision), with ICU's Buddhist calendar; empty
// when the period is not given.
std::string ThaiPeriod(const v1::Period& period);

// The computed sentence of a score comparison:
// "ผลคะแนนการประเมิน ITA ในประเด็น “๑๓ ...” ลดลงจากปีงบประมาณ พ.ศ. ๒๕๖๕ จำนวน ๑.๓๑ คะแนน
//  (ปีงบประมาณ พ.ศ. ๒๕๖๕ ได้ ๘๔.๒๕ คะแนน และในปีงบประมาณ พ.ศ. ๒๕๖๖ ได้ ๘๒.๙๔ คะแนน)".
std::string ScoreSentence(const v1::ScoreComparison& score);

}  // namespace saraban::report
