// The cost of the official record: publishes N distinct seed-size reports
// (examples/004 under N agency codes) into a fresh redis-server with AOF,
// through the publication store, and reports Redis's memory and AOF growth
// per publication, the projection for a national year (7,850), and the
// time per publish (render + store), and with --signatures the same with
// that many seals per publication.
//
//   publication_bench [--publications N]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "saraban/digest.h"

#include "saraban/model/json.h"
#include "saraban/publication/publication_store.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/sign/pades.h"
#include "saraban/testing/redis_server.h"
#include "saraban/testing/sample_reports.h"

namespace {

using Clock = std::chrono::steady_clock;

long long Info(saraban::redis::Pool& pool, const std::string& field) {
  auto r = saraban::redis::Run(pool, {"INFO", "memory"});
  const std::string& s = r->str;
  const size_t at = s.find(field + ":");
  return at == std::string::npos ? -1 : std::stoll(s.substr(at + field.size() + 1));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"publication_bench: Redis memory and time per publication"};
  int n = 500;
  int signatures = 0;
  app.add_option("--publications", n, "How many to publish")->check(CLI::Range(1, 100000));
  app.add_option("--signatures", signatures,
                 "Seal this many of each publication's fields (seed 004 has 4)")
      ->check(CLI::Range(0, 4));
  CLI11_PARSE(app, argc, argv);

  auto seed = saraban::model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) +
                                             "/examples/004_bueng_khla.json");
  if (!seed.ok()) return std::fprintf(stderr, "%s\n", seed.status().ToString().c_str()), 1;
  auto renderer = saraban::report::ReportRenderer::Create({});
  auto tmpl = saraban::report::DefaultTemplate();
  if (!renderer.ok() || !tmpl.ok()) return 1;
  // Distinct names, so that every PDF is distinct (PDFs are stored once
  // per SHA-256: copies that render the same would share one).
  auto reports = saraban::testing::SampleReports(*seed, n, "pub", 2567);
  for (size_t i = 0; i < reports.size(); ++i) {
    auto* agency = reports[i].mutable_agency();
    agency->set_name(agency->name() + " " + std::to_string(i + 1));
  }

  saraban::testing::RedisServer redis;
  redis.Start();
  saraban::redis::Pool pool(redis.endpoint(), {}, 2);
  saraban::publication::PublicationStore store(pool, saraban::keyspace::Keys());
  // A throwaway seal (RSA-2048) for --signatures.
  const std::string seal_dir = "/tmp/saraban-publication-bench-seal";
  const std::string make_seal =
      "mkdir -p " + seal_dir + " && cd " + seal_dir +
      " && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem 2>/dev/null"
      " && openssl req -x509 -new -key k.pem -subj /CN=seal -days 2 -out c.pem"
      " && openssl pkcs12 -export -inkey k.pem -in c.pem -passout pass:x -out s.p12";
  std::optional<saraban::sign::Identity> seal;
  if (signatures > 0) {
    if (std::system(make_seal.c_str()) != 0) return 1;
    std::ifstream in(seal_dir + "/s.p12", std::ios::binary);
    std::ostringstream p12;
    p12 << in.rdbuf();
    auto id = saraban::sign::Identity::FromPkcs12(p12.str(), "x");
    if (!id.ok()) return 1;
    seal.emplace(std::move(id).value());
  }
  const long long before = Info(pool, "used_memory");
  double seal_s = 0;

  std::set<std::string> distinct;
  double render_s = 0, store_s = 0;
  size_t pdf_bytes = 0, snapshot_bytes = 0;
  for (const auto& report : reports) {
    auto t0 = Clock::now();
    auto rendered = (*renderer)->Render(report, *tmpl);
    if (!rendered.ok()) return 1;
    auto pdf = saraban::report::WithSignatureFields(*rendered);
    auto t1 = Clock::now();
    if (!pdf.ok()) return std::fprintf(stderr, "%s\n", pdf.status().ToString().c_str()), 1;
    saraban::publication::NewPublication p;
    p.agency = report.agency().code();
    p.fiscal_year = report.fiscal_year();
    p.report_revision = 1;
    p.snapshot = report.SerializeAsString();
    p.template_used = *tmpl;
    p.pdf = std::move(pdf).value();
    p.page_count = rendered->page_count;
    for (const auto& place : rendered->signature_places) p.signature_fields.push_back(place.field);
    p.publisher = "bench";
    pdf_bytes += p.pdf.size();
    distinct.insert(saraban::Sha256Hex(p.pdf));
    snapshot_bytes += p.snapshot.size();
    bool created = false;
    auto published = store.Publish(p, &created);
    auto t2 = Clock::now();
    if (!published.ok() || !created) return 1;
    render_s += std::chrono::duration<double>(t1 - t0).count();
    store_s += std::chrono::duration<double>(t2 - t1).count();
    // Seal the first fields in order, as SealPublication does.
    std::string current = p.pdf;
    const auto ref = saraban::publication::ParsePublicationName(published->name(), "name");
    for (int i = 0; i < signatures && i < static_cast<int>(p.signature_fields.size()); ++i) {
      auto t3 = Clock::now();
      saraban::pdf::SignatureField field;
      field.name = p.signature_fields[i];
      field.signing_time = "D:20261207090000+00'00'";
      auto sealed = saraban::sign::Seal(current, field, *seal);
      auto t4 = Clock::now();
      if (!sealed.ok()) return std::fprintf(stderr, "%s\n", sealed.status().ToString().c_str()), 1;
      saraban::v1::Signature sig;
      sig.set_field(field.name);
      sig.set_sealed(true);
      auto added = store.AddSignature(*ref, saraban::Sha256Hex(current), *sealed, p.page_count,
                                      std::move(sig));
      if (!added.ok()) return std::fprintf(stderr, "%s\n", added.status().ToString().c_str()), 1;
      seal_s += std::chrono::duration<double>(t4 - t3).count();
      current = std::move(sealed).value();
    }
  }
  const long long after = Info(pool, "used_memory");
  saraban::redis::Run(pool, {"BGREWRITEAOF"});
  const double per = static_cast<double>(after - before) / n;
  std::printf("publications               %d, %zu distinct PDFs (PDF %.1f kB, snapshot %.1f kB)\n",
              n, distinct.size(), pdf_bytes / 1000.0 / n, snapshot_bytes / 1000.0 / n);
  std::printf("redis used_memory          +%.1f kB per publication\n", per / 1000.0);
  std::printf("national year (7,850)      %.0f MB of Redis memory\n", per * 7850 / 1e6);
  std::printf("publish, per publication   render %.1f ms, store %.2f ms (one transaction)\n",
              render_s * 1000 / n, store_s * 1000 / n);
  if (signatures > 0) {
    std::printf("seal, per signature        %.2f ms (%d per publication)\n",
                seal_s * 1000 / (static_cast<double>(n) * signatures), signatures);
  }
  return 0;
}
