// The cost of the official record: publishes N distinct seed-size reports
// (examples/004 under N agency codes) into a fresh redis-server with AOF,
// through the publication store, and reports Redis's memory and AOF growth
// per publication, the projection for a national year (7,850), and the
// time per publish (render + store).
//
//   publication_bench [--publications N]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <set>

#include "saraban/digest.h"

#include "saraban/model/json.h"
#include "saraban/publication/publication_store.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
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
  app.add_option("--publications", n, "How many to publish")->check(CLI::Range(1, 100000));
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
  const long long before = Info(pool, "used_memory");

  std::set<std::string> distinct;
  double render_s = 0, store_s = 0;
  size_t pdf_bytes = 0, snapshot_bytes = 0;
  for (const auto& report : reports) {
    auto t0 = Clock::now();
    auto pdf = (*renderer)->Render(report, *tmpl);
    auto t1 = Clock::now();
    if (!pdf.ok()) return std::fprintf(stderr, "%s\n", pdf.status().ToString().c_str()), 1;
    saraban::publication::NewPublication p;
    p.agency = report.agency().code();
    p.fiscal_year = report.fiscal_year();
    p.report_revision = 1;
    p.snapshot = report.SerializeAsString();
    p.template_used = *tmpl;
    p.pdf = std::move(pdf->bytes);
    p.page_count = pdf->page_count;
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
  return 0;
}
