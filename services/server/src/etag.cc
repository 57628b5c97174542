#include "saraban/server/etag.h"

#include <charconv>

namespace saraban::server {

std::string EtagOf(int64_t revision) { return "\"" + std::to_string(revision) + "\""; }

Result<int64_t> RevisionOf(const std::string& etag) {
  if (etag.empty()) return int64_t{0};
  const Status bad = InvalidArgument(
      "etag " + etag + " is not one this service returned; pass the etag of the resource as read",
      "etag");
  if (etag.size() < 3 || etag.front() != '"' || etag.back() != '"') return bad;
  int64_t revision = 0;
  const char* first = etag.data() + 1;
  const char* last = etag.data() + etag.size() - 1;
  auto [end, ec] = std::from_chars(first, last, revision);
  if (ec != std::errc() || end != last || revision < 1) return bad;
  return revision;
}

}  // namespace saraban::server
