// Reports and templates to and from protobuf's canonical JSON mapping
// (lowerCamelCase field names, enums by name). Parsing only checks the JSON
// against the schema; ValidateReport checks the content.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "saraban/status.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::model {

// The largest report or template file LoadReportFile/LoadTemplateFile read.
inline constexpr std::uintmax_t kMaxJsonFileBytes = 8u * 1024 * 1024;

// Parses a report; unknown fields are an error. InvalidArgument on failure,
// with protobuf's explanation (or the byte offset of invalid UTF-8).
Result<v1::Report> ParseReportJson(std::string_view json);

// Reads and parses a report file: NotFound when it does not exist or cannot
// be opened or read (an I/O error), InvalidArgument for a directory,
// ResourceExhausted when it is larger than kMaxJsonFileBytes.
Result<v1::Report> LoadReportFile(const std::string& path);

// As ParseReportJson, for a document template.
Result<v1::Template> ParseTemplateJson(std::string_view json);

// As LoadReportFile, for a document template.
Result<v1::Template> LoadTemplateFile(const std::string& path);

// Pretty-printed JSON, the same bytes for the same report. Fields at their
// default value are left out. Empty only if protobuf cannot print the
// message (a string that is not UTF-8, which ValidateReport rules out).
std::string ReportToJson(const v1::Report& report);

// As ReportToJson, for a document template.
std::string TemplateToJson(const v1::Template& tmpl);

}  // namespace saraban::model
