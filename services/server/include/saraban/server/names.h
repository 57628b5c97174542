// Resource names of the API ("agencies/{agency}",
// "agencies/{agency}/reports/{fiscal_year}", "jobs/{job}", "batches/{batch}")
// parsed and built in one place. Parse errors are kInvalidArgument naming
// `field`.
#pragma once

#include <string>

#include "saraban/status.h"

namespace saraban::server {

struct ReportRef {
  std::string agency;
  int fiscal_year = 0;
};

Result<std::string> ParseAgencyName(const std::string& name, const std::string& field);
Result<ReportRef> ParseReportName(const std::string& name, const std::string& field);
// The id of "jobs/{id}" / "batches/{id}" (ids are [0-9A-Za-z]{1,64}).
Result<std::string> ParseJobName(const std::string& name, const std::string& field);
Result<std::string> ParseBatchName(const std::string& name, const std::string& field);

std::string AgencyResourceName(const std::string& code);
std::string ReportResourceName(const std::string& code, int fiscal_year);

// The page size a List call uses: 0 means 100; above 1000 is an error.
Result<int> CheckPageSize(int page_size);

}  // namespace saraban::server
