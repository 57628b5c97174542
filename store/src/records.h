// How agencies and reports are kept in their Redis hashes (the layout is
// in saraban/keyspace/keys.h) and read back, for the store's source files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "saraban/redis/client.h"
#include "saraban/status.h"
#include "saraban/store/report_store.h"

namespace saraban::store::internal {

// The hash fields read back for a stored agency or report, in this order.
inline const redis::Command kRecordFields = {"data", "revision", "create_ms", "update_ms"};

redis::Command HashGet(const std::string& key, const redis::Command& fields);

std::string Quoted(std::string_view s);

// Resources as the API names them (the service's names.h spells the same
// form), so that a message a caller reads names what it asked for.
std::string AgencyName(const std::string& code);
std::string ReportName(const std::string& code, int fiscal_year);

// "{code}:{fy}", the member of the report index sets, and back.
std::string Member(const std::string& code, int fiscal_year);
bool ParseMember(std::string_view m, std::string* code, int* fiscal_year);

// A stored agency from its [data, revision, create_ms, update_ms] reply;
// NOT_FOUND when the hash does not exist.
Result<StoredAgency> ParseAgency(const redis::Reply& r, const std::string& code);
// A report read back, with its agency filled from the stored one. With
// `summary_only`, without its measures, introduction and sign-off.
Result<StoredReport> ParseReport(const redis::Reply& report, const redis::Reply& agency,
                                 const std::string& code, int fiscal_year,
                                 bool summary_only = false);

}  // namespace saraban::store::internal
