#include "saraban/page_token.h"

#include "saraban/digest.h"

namespace saraban {

namespace {

constexpr char kTokenVersion = '1';
constexpr size_t kQueryBytes = 16;        // hex digits of the query digest
constexpr size_t kMaxPageTokenBytes = 256;

}  // namespace

std::string PageQuery(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (std::string_view p : parts) {
    joined += p;
    joined += '\0';
  }
  return Sha256Hex(joined).substr(0, kQueryBytes);
}

std::string EncodePageToken(std::string_view query, std::string_view position) {
  return Base64UrlEncode(std::string(1, kTokenVersion) + std::string(query) +
                         std::string(position));
}

Status ForeignPageToken() {
  return InvalidArgument(
      "page token is not one this service returned; pass next_page_token unchanged, or leave it "
      "empty for the first page",
      "page_token");
}

Result<std::string> DecodePageToken(std::string_view token, std::string_view query) {
  std::string bytes;
  if (token.size() > kMaxPageTokenBytes || !Base64UrlDecode(token, &bytes)) {
    return ForeignPageToken();
  }
  if (bytes.size() <= 1 + query.size() || bytes[0] != kTokenVersion) return ForeignPageToken();
  if (bytes.compare(1, query.size(), query) != 0) {
    return InvalidArgument(
        "page token belongs to another query (another parent, batch or filter); a listing must "
        "keep its filters from page to page, or start again without a token",
        "page_token");
  }
  return bytes.substr(1 + query.size());
}

}  // namespace saraban
