// Load on both services at once: many concurrent clients calling a mix of
// reads, writes and renders for a fixed time, with exact latency
// percentiles per method and per class and errors by gRPC status code.
//
//   load_bench [--agencies N] [--clients C] [--seconds S] [--channels K]
//              [--render-rate R] [--think-ms T] [--reports ADDR --documents ADDR]
//
// 1. Starts the whole stack on loopback from the build tree (redis-server,
//    report-service, document-service, renderer), or uses the services at
//    --reports and --documents (plaintext).
// 2. Imports N reports of seed size (examples/004 under N agency codes in
//    three provinces, fiscal year 2568) with one ImportReports stream.
// 3. Runs C client threads for --warmup seconds (not counted), then for
//    --seconds. Each client is a thread making blocking calls on one of K
//    channels per service (client i uses channel i mod K; every channel is
//    its own HTTP/2 connection). Each client picks its next call:
//      reads    GetReport 40 %, ListReports 15 % (fiscal year and province,
//               or one agency; 50 per page, summary only), GetAgency 15 %,
//               GetJob 10 % (a job some client submitted)
//      writes   20 %: GetReport then UpdateReport of introduction.ita_score
//               with the etag read; on ABORTED, back off (random, 2 ms
//               doubling), read again and retry, up to 8 attempts: counted
//               as "ABORTED retried", not as errors. A
//               fifth of the updates go to 10 hot reports, so conflicts
//               happen.
//      renders  RenderReport with a fresh request_id, at most --render-rate
//               per second over all clients (in place of a read when one is
//               due); every other one is then watched with WatchJob until
//               final, the rest are polled by the GetJob reads.
//    The GetReport before an update is counted with the reads.
// 4. Prints, per method and per class: calls, calls/s, p50/p99/p999 and max
//    latency (every latency kept and sorted, no bucketing), errors by code;
//    and the CPU each process of the stack used during the measured run.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "saraban/model/json.h"
#include "saraban/testing/sample_reports.h"
#include "saraban/testing/process_stats.h"
#include "saraban/testing/stack.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using saraban::testing::CpuSeconds;
using saraban::testing::Threads;
namespace v1 = saraban::v1;

constexpr int kFiscalYear = 2568;
constexpr const char* kProvinces[] = {"ขอนแก่น", "ปัตตานี", "เชียงใหม่"};  // as SampleReports
constexpr int kHotReports = 10;
constexpr int kUpdateAttempts = 8;

enum Method { kGetReport, kListReports, kGetAgency, kGetJob, kUpdateReport, kRenderReport,
              kWatchJob, kMethods };
constexpr const char* kMethodNames[] = {"GetReport",    "ListReports",  "GetAgency", "GetJob",
                                        "UpdateReport", "RenderReport", "WatchJob"};
enum Class { kReads, kWrites, kRenders, kClasses };
constexpr const char* kClassNames[] = {"reads", "writes", "renders"};
constexpr Class kClassOf[] = {kReads, kReads, kReads, kReads, kWrites, kRenders, kRenders};

// What one client saw of one method.
struct MethodStats {
  std::vector<double> ms;                // latency of every call, successful or not
  std::array<int64_t, 17> codes{};       // calls by grpc::StatusCode
  int64_t aborted_retried = 0;           // UpdateReport: ABORTED, then re-read and retried
};

struct ClientStats {
  std::array<MethodStats, kMethods> methods;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }



std::string AgencyCode(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "load-%05d", i);
  return b;
}

std::string ReportName(int i) {
  return "agencies/" + AgencyCode(i) + "/reports/" + std::to_string(kFiscalYear);
}

void SetDeadline(grpc::ClientContext& ctx, int seconds) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// Recently submitted jobs, for the GetJob reads: a ring every client shares.
class RecentJobs {
 public:
  void Add(std::string name) {
    std::lock_guard lock(mu_);
    ring_[next_++ % ring_.size()] = std::move(name);
  }
  std::optional<std::string> Pick(std::mt19937_64& rng) {
    std::lock_guard lock(mu_);
    const size_t n = std::min<size_t>(next_, ring_.size());
    if (n == 0) return std::nullopt;
    return ring_[rng() % n];
  }

 private:
  std::mutex mu_;
  std::array<std::string, 1024> ring_;
  size_t next_ = 0;
};

struct Shared {
  int agencies = 0;
  int call_deadline_s = 10;
  double render_rate = 0;
  std::chrono::milliseconds think{0};
  Clock::time_point start;     // load starts (warm-up included)
  Clock::time_point measure;   // counting starts
  Clock::time_point stop;
  std::atomic<int64_t> renders{0};  // submitted since start
  std::atomic<uint64_t> request_ids{0};
  uint64_t run_id = 0;
  RecentJobs jobs;
};

class Client {
 public:
  Client(int index, Shared& shared, v1::ReportService::Stub& reports,
         v1::DocumentService::Stub& docs)
      : shared_(shared), reports_(reports), docs_(docs), rng_(0x5eed + index) {}

  void Run() {
    while (Clock::now() < shared_.stop) {
      Step();
      if (shared_.think.count() > 0) std::this_thread::sleep_for(shared_.think);
    }
  }
  const ClientStats& stats() const { return stats_; }

 private:
  void Step() {
    if (RenderDue()) {
      Render();
      return;
    }
    const int roll = static_cast<int>(rng_() % 100);
    if (roll < 40) {
      GetReport(RandomReport(), nullptr);
    } else if (roll < 55) {
      ListReports();
    } else if (roll < 70) {
      GetAgency();
    } else if (roll < 80) {
      GetJob();
    } else {
      Update();
    }
  }

  // Takes a render slot if fewer than rate x elapsed renders were submitted.
  bool RenderDue() {
    if (shared_.render_rate <= 0) return false;
    const int64_t allowed =
        static_cast<int64_t>(Seconds(Clock::now() - shared_.start) * shared_.render_rate);
    int64_t done = shared_.renders.load(std::memory_order_relaxed);
    while (done < allowed) {
      if (shared_.renders.compare_exchange_weak(done, done + 1)) return true;
    }
    return false;
  }

  int RandomReport() { return static_cast<int>(rng_() % shared_.agencies); }

  // Records one call that ended at `end` after starting at `begin`, if it
  // started in the measured window.
  void Record(Method m, Clock::time_point begin, const grpc::Status& s) {
    if (begin < shared_.measure) return;
    MethodStats& st = stats_.methods[m];
    st.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
    st.codes[std::min<int>(s.error_code(), 16)]++;
  }

  grpc::Status GetReport(int i, v1::ReportResource* out) {
    grpc::ClientContext ctx;
    SetDeadline(ctx, shared_.call_deadline_s);
    v1::GetReportRequest req;
    req.set_name(ReportName(i));
    v1::ReportResource local;
    if (out == nullptr) out = &local;
    auto begin = Clock::now();
    grpc::Status s = reports_.GetReport(&ctx, req, out);
    Record(kGetReport, begin, s);
    return s;
  }

  void ListReports() {
    grpc::ClientContext ctx;
    SetDeadline(ctx, shared_.call_deadline_s);
    v1::ListReportsRequest req;
    if (rng_() % 2 == 0) {
      req.set_parent("agencies/-");
      req.set_fiscal_year(kFiscalYear);
      req.set_province(kProvinces[rng_() % 3]);
    } else {
      req.set_parent("agencies/" + AgencyCode(RandomReport()));
    }
    req.set_page_size(50);
    req.set_summary_only(true);
    v1::ListReportsResponse resp;
    auto begin = Clock::now();
    grpc::Status s = reports_.ListReports(&ctx, req, &resp);
    Record(kListReports, begin, s);
  }

  void GetAgency() {
    grpc::ClientContext ctx;
    SetDeadline(ctx, shared_.call_deadline_s);
    v1::GetAgencyRequest req;
    req.set_name("agencies/" + AgencyCode(RandomReport()));
    v1::AgencyResource resp;
    auto begin = Clock::now();
    grpc::Status s = reports_.GetAgency(&ctx, req, &resp);
    Record(kGetAgency, begin, s);
  }

  void GetJob() {
    auto name = shared_.jobs.Pick(rng_);
    if (!name) {  // nothing submitted yet
      GetReport(RandomReport(), nullptr);
      return;
    }
    grpc::ClientContext ctx;
    SetDeadline(ctx, shared_.call_deadline_s);
    v1::GetJobRequest req;
    req.set_name(*name);
    v1::Job job;
    auto begin = Clock::now();
    grpc::Status s = docs_.GetJob(&ctx, req, &job);
    Record(kGetJob, begin, s);
  }

  // Read, change the ITA score, write with the etag read; on a stale etag
  // read again and retry.
  void Update() {
    const int i = rng_() % 5 == 0 ? static_cast<int>(rng_() % kHotReports) : RandomReport();
    for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
      v1::ReportResource current;
      if (!GetReport(i, &current).ok()) return;
      grpc::ClientContext ctx;
      SetDeadline(ctx, shared_.call_deadline_s);
      v1::UpdateReportRequest req;
      v1::ReportResource* r = req.mutable_report();
      r->set_name(current.name());
      r->set_etag(current.etag());
      r->mutable_report()->mutable_introduction()->set_ita_score(80 + (rng_() % 2000) / 100.0);
      req.mutable_update_mask()->add_paths("introduction.ita_score");
      v1::ReportResource updated;
      auto begin = Clock::now();
      grpc::Status s = reports_.UpdateReport(&ctx, req, &updated);
      if (s.error_code() == grpc::StatusCode::ABORTED && attempt + 1 < kUpdateAttempts) {
        if (begin >= shared_.measure) {
          MethodStats& st = stats_.methods[kUpdateReport];
          st.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
          st.aborted_retried++;
        }
        // Jittered exponential backoff, as a caller sharing a hot report would.
        std::this_thread::sleep_for(std::chrono::microseconds(rng_() % (2000u << attempt)));
        continue;
      }
      Record(kUpdateReport, begin, s);
      return;
    }
  }

  void Render() {
    grpc::ClientContext ctx;
    SetDeadline(ctx, shared_.call_deadline_s);
    v1::RenderReportRequest req;
    req.set_report(ReportName(RandomReport()));
    char id[64];
    std::snprintf(id, sizeof id, "load-%016" PRIx64 "-%" PRIu64, shared_.run_id,
                  shared_.request_ids.fetch_add(1));
    req.set_request_id(id);
    v1::Job job;
    auto begin = Clock::now();
    grpc::Status s = docs_.RenderReport(&ctx, req, &job);
    Record(kRenderReport, begin, s);
    if (!s.ok()) return;
    shared_.jobs.Add(job.name());
    if (rng_() % 2 != 0) return;
    // Watched to the end: its latency is submission to the final state.
    grpc::ClientContext watch_ctx;
    SetDeadline(watch_ctx, 60);
    v1::WatchJobRequest w;
    w.set_name(job.name());
    auto reader = docs_.WatchJob(&watch_ctx, w);
    while (reader->Read(&job)) {
    }
    grpc::Status ws = reader->Finish();
    if (ws.ok() && job.state() != v1::JOB_STATE_SUCCEEDED) {
      ws = grpc::Status(grpc::StatusCode::INTERNAL, "job ended " + v1::JobState_Name(job.state()));
    }
    Record(kWatchJob, begin, ws);
  }

  Shared& shared_;
  v1::ReportService::Stub& reports_;
  v1::DocumentService::Stub& docs_;
  std::mt19937_64 rng_;
  ClientStats stats_;
};

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "?";
}

double At(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// One row of the table: latencies (sorted here), codes, retries.
void PrintRow(const char* name, std::vector<double> ms, const std::array<int64_t, 17>& codes,
              int64_t retried, double seconds) {
  std::sort(ms.begin(), ms.end());
  int64_t errors = 0;
  std::string by_code;
  for (int c = 1; c <= 16; ++c) {
    if (codes[c] == 0) continue;
    errors += codes[c];
    by_code += std::string(by_code.empty() ? "" : ", ") + CodeName(c) + " " +
               std::to_string(codes[c]);
  }
  if (retried > 0) {
    by_code += std::string(by_code.empty() ? "" : "; ") + "ABORTED retried " +
               std::to_string(retried);
  }
  std::printf("| %-13s | %9zu | %8.0f | %8.2f | %8.2f | %8.2f | %8.1f | %6" PRId64 " | %s |\n",
              name, ms.size(), static_cast<double>(ms.size()) / seconds, At(ms, 0.5),
              At(ms, 0.99), At(ms, 0.999), ms.empty() ? 0.0 : ms.back(), errors, by_code.c_str());
}

[[noreturn]] void Die(const std::string& what, const grpc::Status& s) {
  std::fprintf(stderr, "load_bench: %s: %s\n", what.c_str(), s.error_message().c_str());
  std::exit(1);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int index) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  // Channels with equal arguments would share one subchannel, so one TCP
  // connection; each channel here is its own connection, as separate
  // caller processes would have.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("saraban.load_bench.channel", index);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saraban load benchmark: concurrent reads, writes and renders on both services"};
  int agencies = 500, clients = 200, seconds = 30, warmup = 5, channels = 4, think_ms = 0;
  int workers = 1, worker_threads = 2, redis_connections = 0;
  double render_rate = 20;
  std::string reports_address, documents_address, bin_dir = SARABAN_BINARY_DIR;
  bool skip_import = false;
  app.add_option("--agencies", agencies, "Agencies (one report each) to import and use")
      ->capture_default_str();
  app.add_option("--clients", clients, "Concurrent clients (threads)")->capture_default_str();
  app.add_option("--seconds", seconds, "Measured run time")->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds of load before measuring")->capture_default_str();
  app.add_option("--channels", channels, "gRPC channels (connections) per service, shared by "
                 "the clients")->capture_default_str();
  app.add_option("--render-rate", render_rate, "RenderReport calls per second, all clients")
      ->capture_default_str();
  app.add_option("--think-ms", think_ms, "Pause of each client between calls (0: closed loop)")
      ->capture_default_str();
  app.add_option("--reports", reports_address, "report-service address; with --documents, no "
                 "stack is started (plaintext)");
  app.add_option("--documents", documents_address, "document-service address");
  app.add_flag("--skip-import", skip_import, "The reports are already stored (an earlier run)");
  app.add_option("--workers", workers, "Renderer processes (own stack)")->capture_default_str();
  app.add_option("--worker-threads", worker_threads, "Threads per renderer (own stack)")
      ->capture_default_str();
  app.add_option("--redis-connections", redis_connections,
                 "Redis pool size of each service (own stack; 0: the services' default)");
  CLI11_PARSE(app, argc, argv);
  if (reports_address.empty() != documents_address.empty()) {
    std::fprintf(stderr, "load_bench: give both --reports and --documents, or neither\n");
    return 2;
  }
  if (agencies < kHotReports || clients < 1 || seconds < 1 || channels < 1) {
    std::fprintf(stderr, "load_bench: need --agencies >= %d and positive --clients, --seconds, "
                 "--channels\n", kHotReports);
    return 2;
  }

  std::unique_ptr<saraban::testing::Stack> stack;
  if (reports_address.empty()) {
    saraban::testing::StackOptions options;
    options.bin_dir = bin_dir;
    options.workers = workers;
    options.threads_per_worker = worker_threads;
    if (redis_connections > 0) {
      options.service_args = {"--redis-connections", std::to_string(redis_connections)};
    }
    stack = std::make_unique<saraban::testing::Stack>(options);
    stack->Start();
    reports_address = stack->reports_address();
    documents_address = stack->documents_address();
  }
  std::vector<std::unique_ptr<v1::ReportService::Stub>> report_stubs;
  std::vector<std::unique_ptr<v1::DocumentService::Stub>> doc_stubs;
  for (int i = 0; i < channels; ++i) {
    report_stubs.push_back(v1::ReportService::NewStub(MakeChannel(reports_address, i)));
    doc_stubs.push_back(v1::DocumentService::NewStub(MakeChannel(documents_address, i)));
  }

  if (!skip_import) {
    auto seed = saraban::model::LoadReportFile(std::string(SARABAN_SOURCE_DIR) +
                                               "/examples/004_bueng_khla.json");
    if (!seed.ok()) {
      std::fprintf(stderr, "load_bench: %s\n", seed.status().ToString().c_str());
      return 1;
    }
    auto import_start = Clock::now();
    grpc::ClientContext ctx;
    SetDeadline(ctx, 600);
    v1::ImportReportsResponse resp;
    auto writer = report_stubs[0]->ImportReports(&ctx, &resp);
    for (const v1::Report& r : saraban::testing::SampleReports(*seed, agencies, "load",
                                                               kFiscalYear)) {
      v1::ImportReportsRequest req;
      *req.mutable_report() = r;
      req.set_upsert_agency(true);
      writer->Write(req);
    }
    writer->WritesDone();
    if (auto s = writer->Finish(); !s.ok()) Die("import", s);
    if (resp.failed() != 0) {
      std::fprintf(stderr, "load_bench: %d reports failed to import\n", resp.failed());
      return 1;
    }
    std::printf("imported %d reports in %.2f s\n", agencies, Seconds(Clock::now() - import_start));
  }

  Shared shared;
  shared.agencies = agencies;
  shared.render_rate = render_rate;
  shared.think = std::chrono::milliseconds(think_ms);
  shared.run_id = std::random_device{}() ^ static_cast<uint64_t>(::getpid()) << 32;
  shared.start = Clock::now();
  shared.measure = shared.start + std::chrono::seconds(warmup);
  shared.stop = shared.measure + std::chrono::seconds(seconds);

  std::vector<std::pair<std::string, pid_t>> processes;
  if (stack) {
    processes = {{"redis-server", stack->redis().pid()},
                 {"report-service", stack->services()[0]},
                 {"document-service", stack->services()[1]}};
    for (pid_t w : stack->workers()) processes.emplace_back("renderer", w);
  }
  processes.emplace_back("load_bench", ::getpid());

  std::vector<std::unique_ptr<Client>> pool;
  for (int i = 0; i < clients; ++i) {
    pool.push_back(std::make_unique<Client>(i, shared, *report_stubs[i % channels],
                                            *doc_stubs[i % channels]));
  }
  std::vector<std::thread> threads;
  for (auto& c : pool) threads.emplace_back([&c] { c->Run(); });

  // CPU and threads of every process over the measured window.
  std::this_thread::sleep_until(shared.measure);
  std::vector<double> cpu_before;
  for (const auto& [name, pid] : processes) cpu_before.push_back(CpuSeconds(pid));
  std::this_thread::sleep_until(shared.measure + std::chrono::seconds(seconds) / 2);
  std::vector<int> threads_mid;
  for (const auto& [name, pid] : processes) threads_mid.push_back(Threads(pid));
  std::this_thread::sleep_until(shared.stop);
  std::vector<double> cpu_used;
  for (size_t i = 0; i < processes.size(); ++i) {
    cpu_used.push_back(CpuSeconds(processes[i].second) - cpu_before[i]);
  }
  for (auto& t : threads) t.join();

  // Merge.
  std::array<MethodStats, kMethods> methods;
  for (const auto& c : pool) {
    for (int m = 0; m < kMethods; ++m) {
      const MethodStats& from = c->stats().methods[m];
      MethodStats& to = methods[m];
      to.ms.insert(to.ms.end(), from.ms.begin(), from.ms.end());
      for (int code = 0; code <= 16; ++code) to.codes[code] += from.codes[code];
      to.aborted_retried += from.aborted_retried;
    }
  }

  std::printf("load: %d clients (threads) on %d channels per service, %d s measured after %d s "
              "warm-up, %d agencies, renders %.0f/s (half watched), think %d ms\n",
              clients, channels, seconds, warmup, agencies, render_rate, think_ms);
  std::printf("| %-13s | %9s | %8s | %8s | %8s | %8s | %8s | %6s | %s |\n", "method", "calls",
              "calls/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "errors", "by code");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (int m = 0; m < kMethods; ++m) {
    PrintRow(kMethodNames[m], methods[m].ms, methods[m].codes, methods[m].aborted_retried,
             seconds);
  }
  int64_t total_errors = 0;
  for (int k = 0; k < kClasses; ++k) {
    std::vector<double> ms;
    std::array<int64_t, 17> codes{};
    int64_t retried = 0;
    for (int m = 0; m < kMethods; ++m) {
      if (kClassOf[m] != k) continue;
      ms.insert(ms.end(), methods[m].ms.begin(), methods[m].ms.end());
      for (int code = 0; code <= 16; ++code) codes[code] += methods[m].codes[code];
      retried += methods[m].aborted_retried;
    }
    for (int code = 1; code <= 16; ++code) total_errors += codes[code];
    const std::string label = std::string("**") + kClassNames[k] + "**";
    PrintRow(label.c_str(), std::move(ms), codes, retried, seconds);
  }
  std::printf("CPU during the measured run (s of %d s x %u cores): ", seconds,
              std::thread::hardware_concurrency());
  for (size_t i = 0; i < processes.size(); ++i) {
    std::printf("%s %.1f (%d threads)%s", processes[i].first.c_str(), cpu_used[i], threads_mid[i],
                i + 1 < processes.size() ? ", " : "\n");
  }
  std::fflush(stdout);
  return total_errors == 0 ? 0 : 1;
}
