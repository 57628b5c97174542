#include "sha256.h"

#include <string>

#include "pdf_format.h"

namespace saraban::pdf {

Sha256::Sha256() { SHA256_Init(&ctx_); }

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) { SHA256_Update(&ctx_, bytes.data(), bytes.size()); }

void Sha256::UpdateNumber(double value) {
  std::string s;
  AppendNumber(s, value, 6);
  s.push_back(';');
  Update(s);
}

std::array<uint8_t, 32> Sha256::Final() {
  std::array<uint8_t, 32> digest{};
  SHA256_Final(digest.data(), &ctx_);
  return digest;
}

}  // namespace saraban::pdf
