// Incremental SHA-256 (OpenSSL's SHA256_*) for the file ID and the font subset tags.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

// OpenSSL 3 deprecates the one-algorithm API in favour of EVP, but EVP's
// first digest loads the provider machinery: about 5M instructions, a third
// of a whole one-report render. The SHA-256 code underneath is the same.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace saraban::pdf {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Hashes the decimal text of `value` and a separator, so that adjacent
  // fields cannot run into each other.
  void UpdateNumber(double value);
  std::array<uint8_t, 32> Final();

 private:
  SHA256_CTX ctx_;
};

}  // namespace saraban::pdf
