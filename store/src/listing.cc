// Listings: agencies and reports page by page in lexical order of their
// index sets, filtered by the agency's province and type, with page tokens
// bound to their query; and the matches of a bulk render.
#include <algorithm>
#include <limits>
#include <map>
#include <string_view>
#include <utility>

#include "records.h"
#include "saraban/model/validate.h"
#include "saraban/page_token.h"
#include "saraban/store/report_store.h"

namespace saraban::store {
namespace {

using namespace internal;  // the record format (records.h)
using redis::Command;
using redis::Connection;
using redis::Reply;

// Members read per ZRANGE while a filter has to look at agencies: large
// enough that a selective filter over ~8,000 reports takes a few round
// trips, small enough that one reply stays small.
constexpr size_t kScanBatch = 512;
// Members read per ZRANGE in MatchingReports, and commands per pipeline.
constexpr size_t kBulkBatch = 2000;

// What a listing's page token is bound to: the kind of listing and every
// filter. A token continues the query it came from, and no other.
std::string QueryOf(std::string_view kind, const ReportFilter& f) {
  return PageQuery({kind, f.agency_code, std::to_string(f.fiscal_year), f.province,
                    std::to_string(f.agency_type)});
}

// The member a page token names. Anything we did not hand out is refused
// rather than guessed at, and so is a token of another query.
Result<std::string> MemberOfToken(const std::string& token, std::string_view query,
                                  bool report_member) {
  auto member = DecodePageToken(token, query);
  if (!member.ok()) return member.status();
  std::string code;
  int fiscal_year = 0;
  const bool valid = report_member ? ParseMember(*member, &code, &fiscal_year)
                                   : model::ValidateAgencyCode(*member).ok();
  if (!valid) return ForeignPageToken();
  return member;
}

Result<size_t> PageSize(int page_size) {
  // AIP-158: 0 is the default, a negative size an error, more than the
  // maximum the maximum.
  if (page_size == 0) return static_cast<size_t>(kDefaultPageSize);
  if (page_size < 0) {
    return InvalidArgument("page size " + std::to_string(page_size) + " is negative", "page_size");
  }
  return static_cast<size_t>(std::min(page_size, kMaxPageSize));
}

// A lexical range of a sorted set whose scores are all 0.
struct LexRange {
  std::string key;
  std::string min = "-";  // ZRANGE BYLEX bounds: "-", "+", "[x" or "(x"
  std::string max = "+";
};

// Starts `range` after the member a page token names, but never before
// where it started: a token from another listing cannot widen a filter.
void StartAfter(LexRange* range, const std::string& member) {
  const std::string lowest = range->min == "-" ? std::string() : range->min.substr(1);
  if (member >= lowest) range->min = "(" + member;
}

// The agency fields filters look at, fetched once per agency per call.
class AgencyMatcher {
 public:
  AgencyMatcher(const keyspace::Keys& keys, const ReportFilter& filter) : keys_(keys), filter_(filter) {}

  bool active() const {
    return !filter_.province.empty() || filter_.agency_type != v1::AGENCY_TYPE_UNSPECIFIED;
  }

  // Whether each agency in `codes` matches, in one round trip for the codes
  // not seen before.
  Result<std::vector<bool>> Match(Connection& c, const std::vector<std::string>& codes) {
    std::vector<bool> out(codes.size(), true);
    if (!active()) return out;
    std::vector<std::string> unseen;
    for (const auto& code : codes) {
      if (!known_.contains(code) &&
          (unseen.empty() || std::find(unseen.begin(), unseen.end(), code) == unseen.end())) {
        unseen.push_back(code);
      }
    }
    for (size_t start = 0; start < unseen.size(); start += kBulkBatch) {
      const size_t end = std::min(unseen.size(), start + kBulkBatch);
      std::vector<Command> cmds;
      for (size_t i = start; i < end; ++i) {
        cmds.push_back({"HMGET", keys_.Agency(unseen[i]), "province", "type"});
      }
      auto replies = c.Pipeline(cmds);
      if (!replies.ok()) return replies.status();
      for (size_t i = start; i < end; ++i) {
        const Reply& r = (*replies)[i - start];
        const bool present = r.is_array() && r.elements.size() == 2 && !r.elements[0].is_nil();
        known_[unseen[i]] =
            present &&
            (filter_.province.empty() || r.elements[0].str == filter_.province) &&
            (filter_.agency_type == v1::AGENCY_TYPE_UNSPECIFIED ||
             r.elements[1].AsInteger() == static_cast<long long>(filter_.agency_type));
      }
    }
    for (size_t i = 0; i < codes.size(); ++i) out[i] = known_[codes[i]];
    return out;
  }

 private:
  const keyspace::Keys& keys_;
  const ReportFilter& filter_;
  std::map<std::string, bool> known_;
};

// Walks `range` in lexical order and keeps the members whose agency (the
// code `code_of` takes out of a member) `matcher` accepts, until `want` are
// kept or the range ends.
template <typename CodeOf>
Result<std::vector<std::string>> Scan(Connection& c, LexRange range, size_t want,
                                      size_t batch, AgencyMatcher& matcher, CodeOf code_of) {
  std::vector<std::string> kept;
  while (kept.size() < want) {
    // Without a filter every member is kept: read no more than needed.
    const size_t n = matcher.active() ? batch : std::min(batch, want - kept.size());
    auto r = c.Run({"ZRANGE", range.key, range.min, range.max, "BYLEX", "LIMIT", "0",
                    std::to_string(n)});
    if (!r.ok()) return r.status();
    const std::vector<Reply>& members = r->elements;
    if (members.empty()) break;
    std::vector<std::string> codes;
    codes.reserve(members.size());
    for (const Reply& m : members) codes.push_back(code_of(m.str));
    auto matches = matcher.Match(c, codes);
    if (!matches.ok()) return matches.status();
    for (size_t i = 0; i < members.size() && kept.size() < want; ++i) {
      if ((*matches)[i]) kept.push_back(members[i].str);
    }
    if (members.size() < n) break;
    range.min = "(" + members.back().str;
  }
  return kept;
}

std::string CodeOfMember(const std::string& member) {
  return member.substr(0, member.rfind(':'));
}

}  // namespace

Result<Page<StoredAgency>> ReportStore::ListAgencies(const ReportFilter& filter, int page_size,
                                                     const std::string& page_token) {
  auto size = PageSize(page_size);
  if (!size.ok()) return size.status();
  LexRange range{keys_.Agencies()};
  const std::string query = QueryOf("agencies", filter);
  if (!page_token.empty()) {
    auto member = MemberOfToken(page_token, query, /*report_member=*/false);
    if (!member.ok()) return member.status();
    StartAfter(&range, *member);
  }
  ReportFilter agency_filter;
  agency_filter.province = filter.province;
  agency_filter.agency_type = filter.agency_type;
  AgencyMatcher matcher(keys_, agency_filter);
  auto lease = pool_.Acquire();
  // One more than a page tells whether there is a next page.
  auto codes = Scan(*lease, range, *size + 1, std::max(*size + 1, kScanBatch), matcher,
                    [](const std::string& m) { return m; });
  if (!codes.ok()) return codes.status();
  Page<StoredAgency> page;
  if (codes->size() > *size) {
    codes->resize(*size);
    page.next = EncodePageToken(query, codes->back());
  }
  std::vector<Command> cmds;
  for (const auto& code : *codes) cmds.push_back(HashGet(keys_.Agency(code), kRecordFields));
  auto replies = lease->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < codes->size(); ++i) {
    auto a = ParseAgency((*replies)[i], (*codes)[i]);
    if (a.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!a.ok()) return a.status();
    page.items.push_back(std::move(a).value());
  }
  return page;
}

namespace {

// Where reports matching `filter` live: one year's index when the year is
// fixed, one agency's slice when the agency is.
LexRange ReportRange(const keyspace::Keys& keys, const ReportFilter& filter) {
  LexRange range{filter.fiscal_year != 0 ? keys.ReportsOfYear(filter.fiscal_year)
                                         : keys.Reports()};
  if (!filter.agency_code.empty()) {
    // ';' follows ':', so [code: .. (code; holds exactly "code:*".
    range.min = "[" + filter.agency_code + ":";
    range.max = "(" + filter.agency_code + ";";
  }
  return range;
}

}  // namespace

Result<Page<StoredReport>> ReportStore::ListReports(const ReportFilter& filter, int page_size,
                                                    const std::string& page_token,
                                                    bool summary_only) {
  auto size = PageSize(page_size);
  if (!size.ok()) return size.status();
  if (!filter.agency_code.empty()) {
    if (Status s = model::ValidateAgencyCode(filter.agency_code); !s.ok()) return s;
  }
  LexRange range = ReportRange(keys_, filter);
  const std::string query = QueryOf("reports", filter);
  if (!page_token.empty()) {
    auto member = MemberOfToken(page_token, query, /*report_member=*/true);
    if (!member.ok()) return member.status();
    StartAfter(&range, *member);
  }
  AgencyMatcher matcher(keys_, filter);
  auto lease = pool_.Acquire();
  auto members = Scan(*lease, range, *size + 1, std::max(*size + 1, kScanBatch), matcher,
                      CodeOfMember);
  if (!members.ok()) return members.status();
  Page<StoredReport> page;
  if (members->size() > *size) {
    members->resize(*size);
    page.next = EncodePageToken(query, members->back());
  }
  // One round trip for the page: every report, then each agency once.
  std::vector<Command> cmds;
  std::vector<std::string> codes;
  std::vector<int> years;
  std::map<std::string, size_t> agency_reply;  // code -> index of its reply
  for (const auto& m : *members) {
    std::string code;
    int fy = 0;
    if (!ParseMember(m, &code, &fy)) return Internal("malformed report index member " + Quoted(m));
    cmds.push_back(HashGet(keys_.Report(code, fy), kRecordFields));
    codes.push_back(code);
    years.push_back(fy);
  }
  for (const auto& code : codes) {
    if (agency_reply.contains(code)) continue;
    agency_reply[code] = cmds.size();
    cmds.push_back({"HGET", keys_.Agency(code), "data"});
  }
  auto replies = lease->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < members->size(); ++i) {
    auto r = ParseReport((*replies)[i], (*replies)[agency_reply[codes[i]]], codes[i], years[i],
                         summary_only);
    if (r.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!r.ok()) return r.status();
    page.items.push_back(std::move(r).value());
  }
  return page;
}

Result<std::vector<std::pair<std::string, int>>> ReportStore::MatchingReports(
    const ReportFilter& filter, size_t limit) {
  if (!filter.agency_code.empty()) {
    if (Status s = model::ValidateAgencyCode(filter.agency_code); !s.ok()) return s;
  }
  AgencyMatcher matcher(keys_, filter);
  auto lease = pool_.Acquire();
  // One past the limit tells that the limit was passed.
  const size_t want = limit == std::numeric_limits<size_t>::max() ? limit : limit + 1;
  auto members = Scan(*lease, ReportRange(keys_, filter), want, kBulkBatch, matcher, CodeOfMember);
  if (!members.ok()) return members.status();
  if (members->size() > limit) {
    return Status(StatusCode::kResourceExhausted,
                  "more than " + std::to_string(limit) +
                      " reports match; narrow the selection (fiscal year, province, agency type)");
  }
  std::vector<std::pair<std::string, int>> out;
  out.reserve(members->size());
  for (const auto& m : *members) {
    std::string code;
    int fy = 0;
    if (!ParseMember(m, &code, &fy)) return Internal("malformed report index member " + Quoted(m));
    out.emplace_back(std::move(code), fy);
  }
  return out;
}

}  // namespace saraban::store
