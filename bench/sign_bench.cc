// Seal signing and verifying one seed-size PDF in-process (PAdES B-B, no
// timestamp): the cost a national publish-and-seal run adds per report.
// Makes a throwaway RSA-2048 and P-256 signer with the openssl command at
// start. Run: build/bench/sign_bench (from the source root).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "saraban/model/json.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/sign/pades.h"

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A self-signed signer of `algorithm` ("rsa" or "ec") as PKCS#12 bytes.
std::string MakeSigner(const std::string& algorithm) {
  const std::string dir = "/tmp/saraban-sign-bench-" + algorithm;
  const std::string key = algorithm == "rsa"
                              ? "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
                              : "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  const std::string cmd = "mkdir -p " + dir + " && cd " + dir + " && openssl genpkey " + key +
                          " -out k.pem 2>/dev/null && openssl req -x509 -new -key k.pem "
                          "-subj /CN=bench -days 2 -out c.pem && openssl pkcs12 -export "
                          "-inkey k.pem -in c.pem -passout pass:x -out s.p12";
  if (std::system(cmd.c_str()) != 0) std::abort();
  return Read(dir + "/s.p12");
}

const std::string& SeedPdf() {
  static const std::string pdf = [] {
    auto report = saraban::model::LoadReportFile("examples/004_bueng_khla.json");
    auto renderer = saraban::report::ReportRenderer::Create();
    if (!report.ok() || !renderer.ok()) std::abort();
    auto out = (*renderer)->Render(*report, *saraban::report::DefaultTemplate());
    if (!out.ok()) std::abort();
    return out->bytes;
  }();
  return pdf;
}

saraban::pdf::SignatureField Field() {
  saraban::pdf::SignatureField f;
  f.name = "seal";
  f.signing_time = "D:20261207090000+00'00'";
  return f;
}

void BM_Seal(benchmark::State& state, const std::string& algorithm) {
  auto id = saraban::sign::Identity::FromPkcs12(MakeSigner(algorithm), "x");
  if (!id.ok()) std::abort();
  for (auto _ : state) {
    auto signed_pdf = saraban::sign::Seal(SeedPdf(), Field(), *id);
    if (!signed_pdf.ok()) std::abort();
    benchmark::DoNotOptimize(signed_pdf->data());
  }
}

void BM_Verify(benchmark::State& state, const std::string& algorithm) {
  auto id = saraban::sign::Identity::FromPkcs12(MakeSigner(algorithm), "x");
  if (!id.ok()) std::abort();
  auto signed_pdf = saraban::sign::Seal(SeedPdf(), Field(), *id);
  if (!signed_pdf.ok()) std::abort();
  const std::string anchors = Read("/tmp/saraban-sign-bench-" + algorithm + "/c.pem");
  for (auto _ : state) {
    auto verdict = saraban::sign::VerifyPdf(*signed_pdf, anchors);
    if (!verdict.ok() || !verdict->signatures.at(0).trusted) std::abort();
    benchmark::DoNotOptimize(verdict->unsigned_sha256.data());
  }
}

BENCHMARK_CAPTURE(BM_Seal, rsa2048, std::string("rsa"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Seal, p256, std::string("ec"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Verify, rsa2048, std::string("rsa"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Verify, p256, std::string("ec"))->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
