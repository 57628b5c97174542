// Content digests as lowercase hex: documents are stored and checked under
// their SHA-256; Redis names Lua scripts by their SHA-1. And base64url, the
// spelling of opaque page tokens.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

// OpenSSL 3 deprecates the one-algorithm API in favour of EVP, but EVP's
// first digest loads the provider machinery: about 5M instructions, a third
// of a whole one-report render. The SHA-256 code underneath is the same.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace saraban {

// Incremental SHA-256: the one implementation of every digest saraban
// makes (documents, request fingerprints, page tokens, the PDF file ID and
// font subset tags).
class Sha256 {
 public:
  Sha256() { SHA256_Init(&ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes) { SHA256_Update(&ctx_, bytes.data(), bytes.size()); }
  std::array<uint8_t, 32> Final() {
    std::array<uint8_t, 32> digest{};
    SHA256_Final(digest.data(), &ctx_);
    return digest;
  }

 private:
  SHA256_CTX ctx_;
};

// Lowercase hex of `bytes`.
std::string ToHex(std::string_view bytes);

std::string Sha256Hex(std::string_view bytes);
std::string Sha1Hex(std::string_view bytes);

// Base64url without padding (RFC 4648 section 5), for opaque tokens.
std::string Base64UrlEncode(std::string_view bytes);
// The bytes of `text`; false when it is not base64url without padding.
bool Base64UrlDecode(std::string_view text, std::string* bytes);

}  // namespace saraban
