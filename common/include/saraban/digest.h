// Content digests as lowercase hex: documents are stored and checked under
// their SHA-256; Redis names Lua scripts by their SHA-1. And base64url, the
// spelling of opaque page tokens.
#pragma once

#include <string>
#include <string_view>

namespace saraban {

std::string Sha256Hex(std::string_view bytes);
std::string Sha1Hex(std::string_view bytes);

// Base64url without padding (RFC 4648 section 5), for opaque tokens.
std::string Base64UrlEncode(std::string_view bytes);
// The bytes of `text`; false when it is not base64url without padding.
bool Base64UrlDecode(std::string_view text, std::string* bytes);

}  // namespace saraban
