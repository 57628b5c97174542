#include "saraban/digest.h"

#include <openssl/evp.h>

namespace saraban {

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  const auto digest = hash.Final();
  return ToHex({reinterpret_cast<const char*>(digest.data()), digest.size()});
}

std::string Sha1Hex(std::string_view bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return ToHex({reinterpret_cast<const char*>(digest), sizeof digest});
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  if (text.size() % 4 == 1) return false;
  std::string padded(text);
  for (char& c : padded) {
    if (c == '+' || c == '/' || c == '=') return false;  // not the URL alphabet
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  const size_t pad = (4 - padded.size() % 4) % 4;
  padded.append(pad, '=');
  bytes->assign(3 * padded.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes->data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return false;
  bytes->resize(static_cast<size_t>(n) - pad);  // EVP_DecodeBlock counts the padding as zeros
  return true;
}

}  // namespace saraban
