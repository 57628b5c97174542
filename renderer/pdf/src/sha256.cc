#include "sha256.h"

#include <openssl/evp.h>

#include <string>

#include "pdf_format.h"

namespace saraban::pdf {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }

void Sha256::UpdateNumber(double value) {
  std::string s;
  AppendNumber(s, value, 6);
  s.push_back(';');
  Update(s);
}

std::array<uint8_t, 32> Sha256::Final() {
  std::array<uint8_t, 32> digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, digest.data(), &len);
  return digest;
}

}  // namespace saraban::pdf
