#include "records.h"

#include <charconv>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "saraban/model/validate.h"

namespace saraban::store::internal {

using redis::Command;
using redis::Reply;

namespace {

// The wire bytes of a stored report without its measures, introduction
// and sign-off: a summary listing then parses (and checks the UTF-8 of) a
// few hundred bytes of each report instead of all of it. False if the bytes
// are not a well-formed message.
bool SummaryBytes(std::string_view data, std::string* out) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()),
                                            static_cast<int>(data.size()));
  out->clear();
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return static_cast<size_t>(start) == data.size();
    if (!WireFormatLite::SkipField(&in, tag)) return false;
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if (field == v1::Report::kMeasuresFieldNumber ||
        field == v1::Report::kIntroductionFieldNumber ||
        field == v1::Report::kSignOffFieldNumber) {
      continue;
    }
    out->append(data.substr(start, in.CurrentPosition() - start));
  }
}

// Reads a [data, revision, create_ms, update_ms] reply; false when the hash
// does not exist.
template <typename Message>
Result<bool> ParseRecord(const Reply& r, Message* message, int64_t* revision, int64_t* create_ms,
                         int64_t* update_ms, bool summary_only = false) {
  if (!r.is_array() || r.elements.size() != 4 || r.elements[0].is_nil()) return false;
  std::string_view data = r.elements[0].str;
  std::string summary;
  bool well_formed = true;
  if (summary_only) {  // a report listed without its bulk
    well_formed = SummaryBytes(data, &summary);
    data = summary;
  }
  if (!well_formed || !message->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Internal("stored " + std::string(Message::descriptor()->name()) +
                    " does not parse; the data in Redis is damaged");
  }
  *revision = r.elements[1].AsInteger();
  *create_ms = r.elements[2].AsInteger();
  *update_ms = r.elements[3].AsInteger();
  return true;
}

}  // namespace

Command HashGet(const std::string& key, const Command& fields) {
  Command c{"HMGET", key};
  c.insert(c.end(), fields.begin(), fields.end());
  return c;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Resources as the API names them (the service's names.h spells the same
// form), so that a message a caller reads names what it asked for.
std::string AgencyName(const std::string& code) { return "agencies/" + code; }
std::string ReportName(const std::string& code, int fiscal_year) {
  return AgencyName(code) + "/reports/" + std::to_string(fiscal_year);
}

std::string Member(const std::string& code, int fiscal_year) {
  return code + ":" + std::to_string(fiscal_year);
}

bool ParseMember(std::string_view m, std::string* code, int* fiscal_year) {
  const size_t colon = m.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view year = m.substr(colon + 1);
  auto [end, ec] = std::from_chars(year.data(), year.data() + year.size(), *fiscal_year);
  if (ec != std::errc() || end != year.data() + year.size() || year.empty()) return false;
  *code = std::string(m.substr(0, colon));
  return model::ValidateAgencyCode(*code).ok();
}

Result<StoredAgency> ParseAgency(const Reply& r, const std::string& code) {
  StoredAgency a;
  auto found = ParseRecord(r, &a.agency, &a.revision, &a.create_ms, &a.update_ms);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound(AgencyName(code) + " does not exist").WithReason("AGENCY_NOT_FOUND");
  return a;
}

Result<StoredReport> ParseReport(const Reply& report, const Reply& agency, const std::string& code,
                                 int fiscal_year, bool summary_only) {
  StoredReport out;
  auto found = ParseRecord(report, &out.report, &out.revision, &out.create_ms, &out.update_ms,
                           summary_only);
  if (!found.ok()) return found.status();
  if (!*found) {
    return NotFound(ReportName(code, fiscal_year) + " does not exist").WithReason("REPORT_NOT_FOUND");
  }
  if (agency.is_nil() || !out.report.mutable_agency()->ParseFromString(agency.str)) {
    return Internal("the agency of " + ReportName(code, fiscal_year) +
                    " is missing or damaged in Redis");
  }
  return out;
}

}  // namespace saraban::store::internal
