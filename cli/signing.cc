// The offline signing subcommands: seal a PDF with a PKCS#12 key, and
// verify a signed PDF's signatures. No network.
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli.h"
#include "saraban/sign/pades.h"

namespace saraban::cli {

namespace {

struct SigningArgs {
  std::string input, output;
  std::string p12, password_file;
  std::string field = "seal";
  std::string signing_time;  // D:YYYYMMDDHHmmSS+00'00'; default now
  std::vector<std::string> trust;
};

Result<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string Now() {
  char b[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(b, sizeof b, "D:%Y%m%d%H%M%S+00'00'", std::gmtime(&now));
  return b;
}

int Sign(const SigningArgs& a) {
  if (Status s = CheckOutputIsNotInput(a.input, a.output); !s.ok()) {
    std::cerr << "saraban: " << s.message() << "\n";
    return kExitUsage;
  }
  auto pdf = ReadBytes(a.input);
  if (!pdf.ok()) return Fail(a.input, pdf.status());
  auto p12 = ReadBytes(a.p12);
  if (!p12.ok()) return Fail(a.p12, p12.status());
  std::string password;
  if (!a.password_file.empty()) {
    auto read = ReadBytes(a.password_file);
    if (!read.ok()) return Fail(a.password_file, read.status());
    password = *read;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
  } else if (const char* env = std::getenv("SARABAN_P12_PASSWORD")) {
    password = env;
  }
  auto identity = sign::Identity::FromPkcs12(*p12, password);
  if (!identity.ok()) return Fail(a.p12, identity.status());
  pdf::SignatureField field;
  field.name = a.field;
  field.signing_time = a.signing_time.empty() ? Now() : a.signing_time;
  auto signed_pdf = sign::Seal(*pdf, field, *identity);
  if (!signed_pdf.ok()) return Fail(a.input, signed_pdf.status());
  if (Status s = WriteOutput(a.output, *signed_pdf); !s.ok()) return Fail(a.output, s);
  std::cerr << a.output << ": signed as " << a.field << " by " << identity->subject() << "\n";
  return kExitOk;
}

int Verify(const SigningArgs& a) {
  auto pdf = ReadBytes(a.input);
  if (!pdf.ok()) return Fail(a.input, pdf.status());
  std::string anchors;
  for (const std::string& path : a.trust) {
    auto pem = ReadBytes(path);
    if (!pem.ok()) return Fail(path, pem.status());
    anchors += *pem + "\n";
  }
  auto verdict = sign::VerifyPdf(*pdf, anchors);
  if (!verdict.ok()) return Fail(a.input, verdict.status());
  bool good = true;
  for (const sign::SignatureVerdict& v : verdict->signatures) {
    const bool ok = v.intact && (a.trust.empty() || v.trusted);
    good = good && ok;
    std::cout << v.field << ": " << (v.intact ? "intact" : "BROKEN") << ", "
              << (v.trusted ? "trusted" : a.trust.empty() ? "trust not checked" : "NOT TRUSTED")
              << ", signed by " << (v.signer.empty() ? "?" : v.signer) << " at "
              << v.signing_time << (v.whole_file ? ", covers the whole file" : "")
              << (v.problem.empty() || (a.trust.empty() && v.intact) ? "" : ": " + v.problem)
              << "\n";
  }
  if (verdict->signatures.empty()) std::cout << "no signatures\n";
  if (verdict->modified_after_last_signature) {
    good = false;
    std::cout << "MODIFIED after the last signature\n";
  }
  std::cout << "unsigned document: " << verdict->unsigned_size << " bytes, sha256 "
            << verdict->unsigned_sha256 << "\n";
  return good ? kExitOk : kExitInvalidInput;
}

}  // namespace

void AddSigningCommands(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SigningArgs>();

  CLI::App* sign = app.add_subcommand(
      "sign", "Seal a PDF with a PKCS#12 key: a PAdES B-B signature as an incremental update");
  sign->add_option("pdf", args->input, "The PDF to sign")->required();
  sign->add_option("-o,--output", args->output, "The signed PDF to write (- for standard output)")
      ->required();
  sign->add_option("--p12", args->p12, "PKCS#12 file with the key, certificate and chain")
      ->required();
  sign->add_option("--password-file", args->password_file,
                   "File holding the PKCS#12 password (default: $SARABAN_P12_PASSWORD)");
  sign->add_option("--field", args->field, "The signature field's name")->capture_default_str();
  sign->add_option("--time", args->signing_time, "Signing time as D:YYYYMMDDHHmmSS+00'00' (default: now)");
  sign->callback([args, exit_code] { *exit_code = Sign(*args); });

  CLI::App* verify = app.add_subcommand(
      "verify", "Check every signature of a PDF: integrity, the signer's chain, later changes");
  verify->add_option("pdf", args->input, "The PDF to check")->required();
  verify->add_option("--trust", args->trust,
                     "PEM file of trust anchors (repeat); without it trust is not checked");
  verify->callback([args, exit_code] { *exit_code = Verify(*args); });
}

}  // namespace saraban::cli
