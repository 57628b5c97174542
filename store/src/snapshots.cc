// Reports as render jobs keep them: many at once, pipelined, and never
// parsed or serialized again on the way.
#include <algorithm>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include "records.h"
#include "saraban/model/validate.h"
#include "saraban/store/report_store.h"

namespace saraban::store {

using internal::ReportName;
using redis::Reply;

Result<std::optional<size_t>> ReportStore::FindMissingReport(
    const std::vector<std::pair<std::string, int>>& refs) {
  constexpr size_t kChunk = 1024;  // EXISTS replies are tiny
  for (size_t begin = 0; begin < refs.size(); begin += kChunk) {
    const size_t end = std::min(refs.size(), begin + kChunk);
    std::vector<redis::Command> commands;
    commands.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      commands.push_back({"EXISTS", keys_.Report(refs[i].first, refs[i].second)});
    }
    Result<std::vector<redis::Reply>> replies = [&] {
      auto lease = pool_.Acquire();
      return lease->Pipeline(commands);
    }();
    if (!replies.ok()) return replies.status();
    for (size_t i = begin; i < end; ++i) {
      if ((*replies)[i - begin].AsInteger() == 0) return std::optional<size_t>(i);
    }
  }
  return std::optional<size_t>();
}

Result<std::vector<ReportSnapshot>> ReportStore::GetSnapshots(
    const std::vector<std::pair<std::string, int>>& refs, size_t* missing_index) {
  // Commands per round trip: enough to hide the latency, small enough that
  // one bulk request does not hold a connection (and Redis) for long.
  constexpr size_t kChunk = 256;
  std::vector<ReportSnapshot> out;
  out.reserve(refs.size());
  for (size_t begin = 0; begin < refs.size(); begin += kChunk) {
    const size_t end = std::min(refs.size(), begin + kChunk);
    std::vector<redis::Command> commands;
    commands.reserve(2 * (end - begin));
    for (size_t i = begin; i < end; ++i) {
      const auto& [code, fiscal_year] = refs[i];
      if (Status s = model::ValidateAgencyCode(code); !s.ok()) {
        if (missing_index != nullptr) *missing_index = i;
        return s;
      }
      commands.push_back({"HMGET", keys_.Report(code, fiscal_year), "data", "revision"});
      commands.push_back({"HGET", keys_.Agency(code), "data"});
    }
    Result<std::vector<redis::Reply>> replies = [&] {
      auto lease = pool_.Acquire();
      return lease->Pipeline(commands);
    }();
    if (!replies.ok()) return replies.status();
    for (size_t i = begin; i < end; ++i) {
      Reply& report = (*replies)[2 * (i - begin)];
      const Reply& agency = (*replies)[2 * (i - begin) + 1];
      const auto& [code, fiscal_year] = refs[i];
      if (!report.is_array() || report.elements.size() != 2 || report.elements[0].is_nil()) {
        if (missing_index != nullptr) *missing_index = i;
        return NotFound(ReportName(code, fiscal_year) + " does not exist")
            .WithReason("REPORT_NOT_FOUND");
      }
      if (agency.is_nil()) {
        if (missing_index != nullptr) *missing_index = i;
        return Internal("the agency of " + ReportName(code, fiscal_year) + " is missing in Redis");
      }
      ReportSnapshot snapshot;
      snapshot.report = std::move(report.elements[0].str);
      snapshot.revision = report.elements[1].AsInteger();
      {
        google::protobuf::io::StringOutputStream stream(&snapshot.report);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
            v1::Report::kAgencyFieldNumber,
            google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
        coded.WriteVarint32(static_cast<uint32_t>(agency.str.size()));
        coded.WriteRaw(agency.str.data(), static_cast<int>(agency.str.size()));
      }
      out.push_back(std::move(snapshot));
    }
  }
  return out;
}

}  // namespace saraban::store
