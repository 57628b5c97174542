// Incremental SHA-256 (OpenSSL) for the file ID and the font subset tags.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

struct evp_md_ctx_st;

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
  evp_md_ctx_st* ctx_;
};

}  // namespace saraban::pdf
