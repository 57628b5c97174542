// The API's etags: a resource's store revision, quoted ("\"7\""), and
// opaque to callers. The store speaks revisions; this is the one place the
// etag format lives.
#pragma once

#include <cstdint>
#include <string>

#include "saraban/status.h"

namespace saraban::server {

// The etag of a revision, as callers see it.
std::string EtagOf(int64_t revision);
// The revision an etag names; kInvalidArgument (field "etag") if malformed.
// An empty etag is revision 0: "whatever is stored".
Result<int64_t> RevisionOf(const std::string& etag);

}  // namespace saraban::server
