// The content rules a report must meet before it is stored or rendered.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "saraban/status.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::model {

// Size limits that keep one report from exhausting a worker. A report over a
// limit gets ResourceExhausted, reported once per limit.
struct Limits {
  int max_measures = 500;
  size_t max_field_bytes = 64 * 1024;  // any one string, in UTF-8 bytes
  int max_blocks_per_cell = 200;
  int max_list_items = 200;  // per list, sublists counted on their own
};

// The most problems ValidateReport returns; past it the last entry says how
// many more there were.
inline constexpr size_t kMaxReportedErrors = 100;

// Validates `report` and normalises every string in place
// (saraban::text::Normalize). Returns every problem found, each with its
// field as a JSON path in lowerCamelCase: "measures[2].results.blocks[0].paragraph",
// "agency.name", "fiscalYear". An empty vector means valid; on any error the
// report is partly normalised and must not be used.
std::vector<Status> ValidateReport(v1::Report* report, const Limits& limits = {});

// Checks that a template describes a usable page: positive sizes, margins
// that leave a printable area, positive column weights.
std::vector<Status> ValidateTemplate(const v1::Template& tmpl);

// One "path: message" per line, for a command-line user.
std::string FormatErrors(const std::vector<Status>& errors);

}  // namespace saraban::model
