// End-to-end throughput of the service path against the in-process
// renderer, on one machine:
//
//   service_bench [--reports N] [--workers P] [--threads T] [--worker-threads W]
//                 [--single K]
//
// 1. Starts the whole stack on loopback (redis-server, both services, P
//    renderer processes of W threads, T by default) from the build tree.
// 2. Imports N reports of seed size (examples/004 under N agency codes in
//    three provinces) with one ImportReports stream.
// 3. In-process: renders the same N reports with the library on T threads
//    (with the renderer process's allocator setting).
// 4. Service path: one RenderBulk for the fiscal year, watched until done:
//    gRPC submit -> Redis -> workers -> PDF stored. Job latency is the job's
//    create_time to finish_time.
// 5. Single renders on the idle stack: K times RenderReport then WatchJob
//    until final, measured at the client.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include <unistd.h>

#include "saraban/model/json.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/testing/sample_reports.h"
#include "saraban/testing/process_stats.h"
#include "saraban/testing/stack.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using saraban::testing::CpuSeconds;
using saraban::v1::Report;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Ms(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000.0 + t.nanos() / 1e6;
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}


[[noreturn]] void Die(const std::string& what, const grpc::Status& s) {
  std::fprintf(stderr, "service_bench: %s: %s\n", what.c_str(), s.error_message().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saraban service path benchmark"};
  int n = 1000, workers = 1, threads = 2, worker_threads = 0, single = 200;
  std::string bin_dir = SARABAN_BINARY_DIR;
  app.add_option("--reports", n, "Reports to render in bulk")->capture_default_str();
  app.add_option("--workers", workers, "Renderer processes")->capture_default_str();
  app.add_option("--threads", threads, "Threads in-process (and per renderer unless --worker-threads)")
      ->capture_default_str();
  app.add_option("--worker-threads", worker_threads, "Threads per renderer process (default: --threads)");
  app.add_option("--single", single, "Single renders for the latency")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  // The allocator setting the renderer processes use, so the in-process
  // baseline is measured like for like.
  saraban::report::KeepFreedMemory();

  auto base = saraban::model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) +
                                             "/examples/004_bueng_khla.json");
  if (!base.ok()) return 1;
  const std::vector<Report> reports = saraban::testing::SampleReports(*base, n, "lao", 2568);

  // In-process baseline: the same reports, T threads, one renderer each.
  double in_process_s = 0, in_process_cpu_s = 0;
  {
    std::atomic<int> next{0};
    auto tmpl = *saraban::report::DefaultTemplate();
    auto start = Clock::now();
    const double cpu_start = CpuSeconds(::getpid());
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        auto renderer = saraban::report::ReportRenderer::Create({});
        for (int i; (i = next++) < n;) {
          Report r = reports[i];
          auto pdf = (*renderer)->Render(r, tmpl);
          if (!pdf.ok()) std::abort();
        }
      });
    }
    for (auto& t : pool) t.join();
    in_process_s = Seconds(Clock::now() - start);
    in_process_cpu_s = CpuSeconds(::getpid()) - cpu_start;
  }

  saraban::testing::StackOptions options;
  options.bin_dir = bin_dir;
  options.workers = workers;
  if (worker_threads < 1) worker_threads = threads;
  options.threads_per_worker = worker_threads;
  saraban::testing::Stack stack(options);
  stack.Start();
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  auto reports_stub = saraban::v1::ReportService::NewStub(grpc::CreateCustomChannel(
      stack.reports_address(), grpc::InsecureChannelCredentials(), args));
  auto docs = saraban::v1::DocumentService::NewStub(grpc::CreateCustomChannel(
      stack.documents_address(), grpc::InsecureChannelCredentials(), args));

  auto import_start = Clock::now();
  {
    auto ctx = Ctx(600);
    saraban::v1::ImportReportsResponse resp;
    auto writer = reports_stub->ImportReports(ctx.get(), &resp);
    for (const auto& r : reports) {
      saraban::v1::ImportReportsRequest req;
      *req.mutable_report() = r;
      req.set_upsert_agency(true);
      writer->Write(req);
    }
    writer->WritesDone();
    if (auto s = writer->Finish(); !s.ok()) Die("import", s);
    if (resp.failed() != 0) {
      std::fprintf(stderr, "service_bench: %d reports failed to import\n", resp.failed());
      return 1;
    }
  }
  const double import_s = Seconds(Clock::now() - import_start);

  // Bulk.
  std::vector<std::pair<std::string, pid_t>> processes = {
      {"redis-server", stack.redis().pid()},
      {"report-service", stack.services()[0]},
      {"document-service", stack.services()[1]}};
  for (pid_t w : stack.workers()) processes.emplace_back("renderer", w);
  std::vector<double> cpu_before;
  for (const auto& [name, pid] : processes) cpu_before.push_back(CpuSeconds(pid));
  auto bulk_start = Clock::now();
  saraban::v1::RenderBulkRequest bulk;
  bulk.mutable_filter()->set_fiscal_year(2568);
  saraban::v1::Batch batch;
  if (auto s = docs->RenderBulk(Ctx(600).get(), bulk, &batch); !s.ok()) Die("bulk", s);
  const double submit_s = Seconds(Clock::now() - bulk_start);
  {
    auto ctx = Ctx(3600);
    saraban::v1::WatchBatchRequest w;
    w.set_name(batch.name());
    auto reader = docs->WatchBatch(ctx.get(), w);
    while (reader->Read(&batch)) {
    }
    if (auto s = reader->Finish(); !s.ok()) Die("watch", s);
  }
  const double bulk_s = Seconds(Clock::now() - bulk_start);
  std::vector<double> cpu_used;
  for (size_t i = 0; i < processes.size(); ++i) {
    cpu_used.push_back(CpuSeconds(processes[i].second) - cpu_before[i]);
  }
  std::vector<double> latencies;
  int64_t pages = 0;
  // Where the wall time went: from the first job queued to the first
  // started, and the time the workers spent holding jobs (claim to
  // complete, summed over jobs).
  double first_create = 1e300, first_start = 1e300, last_finish = 0, held_ms = 0;
  std::string token;
  do {
    saraban::v1::ListJobsRequest list;
    list.set_batch(batch.name());
    list.set_page_size(1000);
    list.set_page_token(token);
    saraban::v1::ListJobsResponse page;
    if (auto s = docs->ListJobs(Ctx(60).get(), list, &page); !s.ok()) Die("list", s);
    for (const auto& job : page.jobs()) {
      latencies.push_back(Ms(job.finish_time()) - Ms(job.create_time()));
      first_create = std::min(first_create, Ms(job.create_time()));
      first_start = std::min(first_start, Ms(job.start_time()));
      last_finish = std::max(last_finish, Ms(job.finish_time()));
      held_ms += Ms(job.finish_time()) - Ms(job.start_time());
      pages += job.document().page_count();
    }
    token = page.next_page_token();
  } while (!token.empty());

  // Single renders on the idle stack.
  std::vector<double> single_ms;
  for (int i = 0; i < single; ++i) {
    auto start = Clock::now();
    saraban::v1::RenderReportRequest req;
    req.set_report("agencies/lao-" + [&] {
      char b[8];
      std::snprintf(b, sizeof b, "%05d", i % n);
      return std::string(b);
    }() + "/reports/2568");
    saraban::v1::Job job;
    if (auto s = docs->RenderReport(Ctx(60).get(), req, &job); !s.ok()) Die("render", s);
    auto ctx = Ctx(60);
    saraban::v1::WatchJobRequest w;
    w.set_name(job.name());
    auto reader = docs->WatchJob(ctx.get(), w);
    while (reader->Read(&job)) {
    }
    reader->Finish();
    single_ms.push_back(Seconds(Clock::now() - start) * 1000);
  }

  std::printf("reports                     %d (seed 004 size), %d renderer x %d threads, "
              "in-process %d threads\n",
              n, workers, worker_threads, threads);
  std::printf("import (one stream)         %.2f s  (%.0f reports/s)\n", import_s, n / import_s);
  std::printf("in-process render           %.2f s  (%.0f reports/s)\n", in_process_s,
              n / in_process_s);
  std::printf("service bulk, submit        %.2f s\n", submit_s);
  std::printf("service bulk, submit->done  %.2f s  (%.0f reports/s, %.0f pages/s), %d ok %d failed\n",
              bulk_s, n / bulk_s, pages / bulk_s, batch.succeeded(), batch.failed());
  std::printf("service overhead            %+.0f %% over in-process\n",
              (bulk_s / in_process_s - 1) * 100);
  std::printf("CPU during the bulk run      ");
  double service_cpu_s = 0;
  for (size_t i = 0; i < processes.size(); ++i) {
    service_cpu_s += cpu_used[i];
    std::printf("%s %.2f s%s", processes[i].first.c_str(), cpu_used[i],
                i + 1 < processes.size() ? ", " : "\n");
  }
  std::printf("CPU overhead                %.2f s in all against %.2f s in-process: %+.0f %%\n",
              service_cpu_s, in_process_cpu_s, (service_cpu_s / in_process_cpu_s - 1) * 100);
  std::printf("bulk timeline               first job started %.0f ms after the first was queued, "
              "last finished %.2f s after; jobs held %.2f s per worker thread\n",
              first_start - first_create, (last_finish - first_create) / 1000,
              held_ms / 1000 / (workers * worker_threads));
  std::printf("bulk job latency            p50 %.0f ms  p99 %.0f ms (queued behind the batch)\n",
              Percentile(latencies, 0.5), Percentile(latencies, 0.99));
  std::printf("single render, idle stack   p50 %.1f ms  p99 %.1f ms  (%d renders, submit to final)\n",
              Percentile(single_ms, 0.5), Percentile(single_ms, 0.99), single);
  return batch.succeeded() == n ? 0 : 1;
}
