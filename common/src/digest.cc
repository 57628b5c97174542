#include "saraban/digest.h"

#include <openssl/evp.h>

namespace saraban {

namespace {

std::string HexDigest(std::string_view bytes, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) { return HexDigest(bytes, EVP_sha256()); }
std::string Sha1Hex(std::string_view bytes) { return HexDigest(bytes, EVP_sha1()); }

}  // namespace saraban
