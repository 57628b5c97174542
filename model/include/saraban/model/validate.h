// The content rules a report must meet before it is stored or rendered.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "saraban/status.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::model {

// Size limits that keep one report from exhausting a worker or breaking the
// renderer. A report over a size limit gets ResourceExhausted naming the
// field; a list start out of range gets InvalidArgument.
struct Limits {
  int max_measures = 500;
  size_t max_field_bytes = 64 * 1024;  // any one string, in UTF-8 bytes
  // Lines in any one string (newlines + 1): each line is at least one line
  // of the PDF, and 60,000 newlines made a 21,000-page document.
  int max_field_lines = 400;
  // Report.title, Report.heading and Agency.name, normalised: the title and
  // the agency name also go into the PDF's metadata.
  size_t max_title_bytes = 1000;
  // Column.heading, normalised: the table header repeats on every page and
  // must fit on one.
  size_t max_column_heading_bytes = 300;
  int max_blocks_per_cell = 200;
  int max_list_items = 200;  // per list, sublists counted on their own
  int max_list_start = 9999;  // TextList.start is in 0..max_list_start
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

// An agency code: 1..kMaxAgencyCodeBytes bytes of [a-z0-9-], so that it is
// safe in Redis keys and resource names.
inline constexpr size_t kMaxAgencyCodeBytes = 64;
// INVALID_ARGUMENT without a field when `code` is not one: the caller knows
// where the code came from (a resource name, "agency.code").
Status ValidateAgencyCode(const std::string& code);

// Validates `agency` with the rules a report's agency is printed under (the
// agency rules of ValidateReport) plus ValidateAgencyCode, and normalises
// its text in place. Returns every problem, fields like "agency.name";
// empty means valid.
std::vector<Status> ValidateAgency(v1::Agency* agency, const Limits& limits = {});

// Checks each template value against the bounds the layout works within.
// Combinations can still fail at layout (an indent wider than a narrow page,
// a header taller than a third of a short page); those errors say which.
// Every number must be finite and:
//   pageWidthMm, pageHeightMm       50..5080 (PDF/A-1 allows 200 in a side)
//   margin*Mm                       >= 0, leaving at least 25.4 mm (one inch)
//                                   printable across and down
//   titleSize, bodySize, tableSize, footerSize   4..72 (TH Sarabun pt)
//   lineSpacing                     greater than 0.5 and less than 4
//   cellPaddingMm 0..10, listIndentMm 0..30, paragraphIndentMm 0..50,
//   minColumnEm 1..10, headerGray 0..1, columns[i].weight > 0.
// Each problem is InvalidArgument naming its field ("lineSpacing",
// "columns[2].weight").
std::vector<Status> ValidateTemplate(const v1::Template& tmpl);

// One "path: message" per line, for a command-line user.
std::string FormatErrors(const std::vector<Status>& errors);

}  // namespace saraban::model
