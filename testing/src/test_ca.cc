#include "saraban/testing/test_ca.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>

namespace saraban::testing {

namespace {

constexpr char kScript[] = R"sh(
set -e
cd "$1"
cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
[signer]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
CNF
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null; }
key root
openssl req -x509 -new -key root.key -subj "/CN=Test Root CA/O=saraban tests" -days 30 \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root.pem
key inter
openssl req -new -key inter.key -subj "/CN=Test Issuing CA/O=saraban tests" -out inter.csr
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 \
  -extfile ext.cnf -extensions ca -out inter.pem 2>/dev/null
shift
for who in "$@"; do
  key $who
  openssl req -new -key $who.key -subj "/CN=$who of Bueng Khla/O=saraban tests" -out $who.csr
  openssl x509 -req -in $who.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 \
    -extfile ext.cnf -extensions signer -out $who.pem 2>/dev/null
  openssl pkcs12 -export -inkey $who.key -in $who.pem -certfile inter.pem -passout pass:secret \
    -out $who.p12
  cat $who.pem inter.pem > $who.chain.pem
done
key stranger-root
openssl req -x509 -new -key stranger-root.key -subj "/CN=Someone Else CA" -days 30 \
  -addext "basicConstraints=critical,CA:true" -out stranger-root.pem
key stranger
openssl req -new -key stranger.key -subj "/CN=stranger" -out stranger.csr
openssl x509 -req -in stranger.csr -CA stranger-root.pem -CAkey stranger-root.key \
  -CAcreateserial -days 30 -extfile ext.cnf -extensions signer -out stranger.pem 2>/dev/null
openssl pkcs12 -export -inkey stranger.key -in stranger.pem -passout pass:secret -out stranger.p12
)sh";

}  // namespace

std::string MakeTestCa(const std::string& dir, const std::vector<std::string>& signers) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string script = dir + "/make-ca.sh";
  {
    std::ofstream out(script);
    out << kScript;
  }
  std::string command = "sh '" + script + "' '" + dir + "'";
  for (const std::string& who : signers) command += " '" + who + "'";
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "cannot run sh";
  std::string output;
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) output.append(buf.data(), n);
  const int status = pclose(pipe);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : output.empty() ? "failed" : output;
}

}  // namespace saraban::testing
