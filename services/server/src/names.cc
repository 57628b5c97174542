#include "saraban/server/names.h"

#include <algorithm>

#include <charconv>
#include <string_view>

namespace saraban::server {

namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

bool IsAgencyCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool IsId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

std::string Quoted(std::string_view s) {
  constexpr size_t kShown = 80;
  std::string out = "\"" + std::string(s.substr(0, kShown));
  if (s.size() > kShown) out += "...";
  return out + "\"";
}

Result<std::string> ParseSimple(const std::string& name, std::string_view collection,
                                const std::string& field) {
  std::string_view n(name);
  if (n.substr(0, collection.size()) != collection || !IsId(n.substr(collection.size()))) {
    return InvalidArgument("must look like " + std::string(collection) + "{id}, got " + Quoted(n),
                           field);
  }
  return std::string(n.substr(collection.size()));
}

}  // namespace

Result<std::string> ParseAgencyName(const std::string& name, const std::string& field) {
  std::string_view n(name);
  constexpr std::string_view kPrefix = "agencies/";
  if (n.substr(0, kPrefix.size()) != kPrefix || !IsAgencyCode(n.substr(kPrefix.size()))) {
    return InvalidArgument(
        "must look like agencies/{agency} with a code of a-z, 0-9 and -, got " + Quoted(n), field);
  }
  return std::string(n.substr(kPrefix.size()));
}

Result<ReportRef> ParseReportName(const std::string& name, const std::string& field) {
  std::string_view n(name);
  constexpr std::string_view kPrefix = "agencies/";
  constexpr std::string_view kMiddle = "/reports/";
  auto bad = [&] {
    return InvalidArgument(
        "must look like agencies/{agency}/reports/{fiscal_year}, e.g. "
        "agencies/bueng-khla/reports/2567, got " + Quoted(n),
        field);
  };
  if (n.substr(0, kPrefix.size()) != kPrefix) return bad();
  n.remove_prefix(kPrefix.size());
  auto mid = n.find(kMiddle);
  if (mid == std::string_view::npos || !IsAgencyCode(n.substr(0, mid))) return bad();
  std::string_view year = n.substr(mid + kMiddle.size());
  ReportRef out;
  out.agency = std::string(n.substr(0, mid));
  auto [p, ec] = std::from_chars(year.data(), year.data() + year.size(), out.fiscal_year);
  if (year.empty() || ec != std::errc() || p != year.data() + year.size() ||
      out.fiscal_year < 2400 || out.fiscal_year > 2700) {
    return bad();
  }
  return out;
}

Result<std::string> ParseJobName(const std::string& name, const std::string& field) {
  return ParseSimple(name, "jobs/", field);
}

Result<std::string> ParseBatchName(const std::string& name, const std::string& field) {
  return ParseSimple(name, "batches/", field);
}

std::string AgencyResourceName(const std::string& code) { return "agencies/" + code; }

std::string ReportResourceName(const std::string& code, int fiscal_year) {
  return "agencies/" + code + "/reports/" + std::to_string(fiscal_year);
}

Result<int> CheckPageSize(int page_size) {
  // AIP-158: 0 is the default, a negative size is an error, more than the
  // maximum is the maximum.
  if (page_size == 0) return kDefaultPageSize;
  if (page_size < 0) {
    return InvalidArgument("must not be negative (0 means 100; at most 1000), got " +
                               std::to_string(page_size),
                           "page_size");
  }
  return std::min(page_size, kMaxPageSize);
}

}  // namespace saraban::server
