// A throwaway certificate authority for signing tests, made with the
// openssl command: a root, an issuing CA under it, and one signer per name
// under that (RSA-2048, 30 days), plus a "stranger" under a root nobody
// trusts. Files in `dir`: root.pem; for each signer NAME: NAME.p12
// (password "secret", with the issuing CA), NAME.chain.pem (its
// certificate, then the issuing CA's), NAME.key; stranger.p12.
#pragma once

#include <string>
#include <vector>

namespace saraban::testing {

// Empty on success, else the commands' output.
std::string MakeTestCa(const std::string& dir, const std::vector<std::string>& signers);

}  // namespace saraban::testing
