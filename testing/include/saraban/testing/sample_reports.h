// Many reports from one: copies of a seed report under agency codes
// `{prefix}-00000`, `{prefix}-00001`, ..., spread over three provinces, all
// for one fiscal year. Each copy is a distinct report with its own PDF, of
// the seed's size: what bulk tests and benchmarks render.
#pragma once

#include <string_view>
#include <vector>

#include "saraban/v1/report.pb.h"

namespace saraban::testing {

std::vector<v1::Report> SampleReports(const v1::Report& seed, int count, std::string_view prefix,
                                      int fiscal_year);

}  // namespace saraban::testing
