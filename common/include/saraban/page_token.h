// Page tokens of every listing (AIP-158): opaque to callers, and bound to
// the query they continue. A token is base64url of a version byte, a digest
// of the query (the kind of listing and every filter) and the position the
// next page starts after. A token of another query, or one no listing
// issued, is INVALID_ARGUMENT on "page_token".
#pragma once

#include <string>
#include <string_view>

#include "saraban/status.h"

namespace saraban {

// The digest a token is bound to, of the parts of a query (kind first).
std::string PageQuery(std::initializer_list<std::string_view> parts);

std::string EncodePageToken(std::string_view query, std::string_view position);

// The position `token` names, if it was issued for `query`. The caller
// still checks that the position is one it could have issued.
Result<std::string> DecodePageToken(std::string_view token, std::string_view query);

// The error for a token whose position is not one the listing issues.
Status ForeignPageToken();

}  // namespace saraban
