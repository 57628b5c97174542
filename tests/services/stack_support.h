// What the tests of the running stack share: call deadlines, the CLI, and
// a health check.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/testing/stack.h"
#include "saraban/v1/report_service.grpc.pb.h"

namespace saraban::test {

// The CLI as a shell command, in plaintext like the test stacks (the TLS
// tests give their own flags to kCliPath).
inline const std::string kCliPath = std::string(SARABAN_BINARY_DIR) + "/cli/saraban";
inline const std::string kCli = "SARABAN_PLAINTEXT=true " + kCliPath;

// The google.rpc.ErrorInfo of a failed call ("grpc-status-details-bin"):
// what a program switches on. Empty when there is none.
inline google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& s) {
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  if (!rich.ParseFromString(s.error_details())) return info;
  for (const auto& any : rich.details()) {
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) return info;
  }
  return info;
}

// A client context whose call must end within `seconds`.
inline std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 30) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

// grpc.health.v1 Check of `service` at `address`; UNKNOWN if the call fails.
inline grpc::health::v1::HealthCheckResponse::ServingStatus Health(
    const std::string& address, const std::string& service = "") {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(Ctx(5).get(), req, &resp);
  return s.ok() ? resp.status() : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

// Reads a server stream to its end (expecting OK); its last message, e.g.
// the final state of a watched job or batch.
template <typename Message>
Message ReadToEnd(grpc::ClientReader<Message>& reader) {
  Message last;
  while (reader.Read(&last)) {
  }
  grpc::Status s = reader.Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  return last;
}

// Polls `batch` every 10 ms until at least `n` of its jobs have succeeded
// or `seconds` have passed, leaving its last state in `batch`. False if a
// GetBatch failed.
inline bool WaitForSucceeded(v1::DocumentService::Stub& docs, int n, v1::Batch* batch,
                             int seconds) {
  v1::GetBatchRequest get;
  get.set_name(batch->name());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (batch->succeeded() < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!docs.GetBatch(Ctx().get(), get, batch).ok()) return false;
  }
  return true;
}

// Imports `reports` in one ImportReports stream, creating their agencies.
inline v1::ImportReportsResponse ImportReports(v1::ReportService::Stub& stub,
                                               const std::vector<v1::Report>& reports) {
  auto ctx = Ctx(120);
  v1::ImportReportsResponse resp;
  auto writer = stub.ImportReports(ctx.get(), &resp);
  for (const auto& r : reports) {
    v1::ImportReportsRequest req;
    *req.mutable_report() = r;
    req.set_upsert_agency(true);
    if (!writer->Write(req)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

// The stack most suites share, started: one worker of two threads, the
// built binaries, and `worker_args` for the renderer.
inline testing::Stack* StartSharedStack(std::vector<std::string> worker_args = {}) {
  testing::StackOptions o;
  o.bin_dir = SARABAN_BINARY_DIR;
  o.workers = 1;
  o.threads_per_worker = 2;
  o.worker_args = std::move(worker_args);
  auto* stack = new testing::Stack(o);
  stack->Start();
  return stack;
}

}  // namespace saraban::test
