#include "saraban/testing/sample_reports.h"

#include <cstdio>
#include <string>

namespace saraban::testing {

std::vector<v1::Report> SampleReports(const v1::Report& seed, int count, std::string_view prefix,
                                      int fiscal_year) {
  static constexpr const char* kProvinces[] = {"ขอนแก่น", "ปัตตานี", "เชียงใหม่"};
  std::vector<v1::Report> reports;
  reports.reserve(count);
  for (int i = 0; i < count; ++i) {
    v1::Report& r = reports.emplace_back(seed);
    char number[16];
    std::snprintf(number, sizeof number, "-%05d", i);
    r.mutable_agency()->set_code(std::string(prefix) + number);
    r.mutable_agency()->set_province(kProvinces[i % 3]);
    r.set_fiscal_year(fiscal_year);
  }
  return reports;
}

}  // namespace saraban::testing
