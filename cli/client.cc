// The client subcommands: talk to report-service and document-service over
// gRPC. Every call has a deadline; a service that cannot be reached is exit
// code 5, so scripts can retry.
#include <grpcpp/grpcpp.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "cli.h"
#include "saraban/model/json.h"
#include "saraban/server/credentials.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "saraban/v1/document_service.grpc.pb.h"
#include "saraban/sign/pades.h"
#include "saraban/v1/publication_service.grpc.pb.h"
#include "saraban/v1/report_service.grpc.pb.h"

namespace saraban::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct ClientArgs {
  std::string reports_address = "127.0.0.1:50051";
  std::string documents_address = "127.0.0.1:50052";
  int timeout_s = 60;
  server::ClientTlsOptions tls;  // --tls-ca, --tls-cert, --tls-key, --token-file, --plaintext
  // import
  std::vector<std::string> files;
  bool no_upsert_agency = false;
  // submit / get
  std::string name;
  std::string request_id;
  std::string template_path;
  std::string output;
  bool wait = false;
  // bulk
  int fiscal_year = 0;
  std::vector<std::string> reports;  // or these, named
  std::string province;
  std::string agency_type;
  std::string out_dir;
  bool no_progress = false;
  // publish / withdraw / seal / sign-publication
  std::string etag;
  std::string reason;
  std::string field;
  std::string p12, password_file;
  // health
  std::string health_service;  // "" for the server as a whole
  int wait_s = 0;
  bool health_documents = false;
};

Status FromGrpc(const grpc::Status& s) {
  StatusCode code = StatusCode::kInternal;
  switch (s.error_code()) {
    case grpc::StatusCode::OK: return Status::Ok();
    case grpc::StatusCode::INVALID_ARGUMENT: code = StatusCode::kInvalidArgument; break;
    case grpc::StatusCode::OUT_OF_RANGE: code = StatusCode::kInvalidArgument; break;
    case grpc::StatusCode::NOT_FOUND: code = StatusCode::kNotFound; break;
    case grpc::StatusCode::ALREADY_EXISTS: code = StatusCode::kAlreadyExists; break;
    case grpc::StatusCode::ABORTED: code = StatusCode::kAborted; break;
    case grpc::StatusCode::FAILED_PRECONDITION: code = StatusCode::kFailedPrecondition; break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: code = StatusCode::kResourceExhausted; break;
    case grpc::StatusCode::UNAVAILABLE: code = StatusCode::kUnavailable; break;
    case grpc::StatusCode::DEADLINE_EXCEEDED: code = StatusCode::kDeadlineExceeded; break;
    case grpc::StatusCode::CANCELLED: code = StatusCode::kCancelled; break;
    case grpc::StatusCode::UNAUTHENTICATED: code = StatusCode::kUnauthenticated; break;
    case grpc::StatusCode::PERMISSION_DENIED: code = StatusCode::kPermissionDenied; break;
    default: break;
  }
  return {code, s.error_message()};
}

// A service's error, printed as Fail prints it. Its exit code is Fail's,
// but for two: NOT_FOUND (no such agency, report, job or batch) has a code
// of its own, apart from a file that cannot be read (3); and a failed TLS
// handshake is a configuration error (2), not "retry later" (5).
int FailRpc(const std::string& what, const Status& s) {
  if (s.code() == StatusCode::kUnavailable &&
      s.message().find("andshake failed") != std::string::npos) {
    std::cerr << "saraban: " << what << ": the TLS handshake with the service failed: if it serves "
              << "plaintext (local development), pass --plaintext; otherwise check --tls-ca and "
              << "--tls-server-name\n";
    return kExitUsage;
  }
  const int code = Fail(what, s);
  return s.code() == StatusCode::kNotFound ? kExitNotFound : code;
}

// A channel secured as the TLS flags say; INVALID_ARGUMENT naming the flag
// when they are incomplete or a file cannot be read.
Result<std::shared_ptr<grpc::Channel>> Channel(const ClientArgs& a, const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return server::MakeChannel(address, a.tls, args);
}

void SetDeadline(grpc::ClientContext* ctx, int seconds) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

// One Get{Agency,Report,Job,Batch} call by resource name; the resource as
// JSON in `json` when it succeeds.
template <typename Request, typename Resource, typename Stub, typename Method>
grpc::Status GetAsJson(Stub& stub, Method method, grpc::ClientContext* ctx,
                       const std::string& name, std::string* json) {
  Request req;
  req.set_name(name);
  Resource resource;
  grpc::Status s = (stub.*method)(ctx, req, &resource);
  if (s.ok()) *json = ToJson(resource);
  return s;
}

// A request id unique enough for one caller's retries.
std::string RandomRequestId() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[40];
  std::snprintf(buf, sizeof buf, "cli-%016llx%016llx", static_cast<unsigned long long>(gen()),
                static_cast<unsigned long long>(gen()));
  return buf;
}

// "agencies/a/reports/2567" -> "a-2567.pdf"
std::string FileNameFor(const std::string& report_name) {
  std::string s = report_name;
  constexpr std::string_view kPrefix = "agencies/";
  if (s.rfind(kPrefix, 0) == 0) s = s.substr(kPrefix.size());
  auto pos = s.find("/reports/");
  if (pos != std::string::npos) s = s.substr(0, pos) + "-" + s.substr(pos + 9);
  for (char& c : s) {
    if (c == '/') c = '-';
  }
  return s + ".pdf";
}

// Reads a stream of DocumentChunk into `*bytes`, checking the order and
// the size the first chunk announced.
template <typename Reader>
Status ReadChunks(Reader& reader, const std::string& what, std::string* bytes,
                  v1::Document* info) {
  v1::DocumentChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_document()) *info = chunk.document();
    if (static_cast<size_t>(chunk.offset()) != bytes->size()) {
      return Internal("chunks out of order downloading " + what);
    }
    *bytes += chunk.data();
  }
  if (grpc::Status s = reader->Finish(); !s.ok()) return FromGrpc(s);
  if (static_cast<int64_t>(bytes->size()) != info->size_bytes()) {
    return Internal("downloaded " + std::to_string(bytes->size()) + " bytes of " + what +
                    ", expected " + std::to_string(info->size_bytes()));
  }
  return Status::Ok();
}

Status Download(v1::DocumentService::Stub& docs, const std::string& job, const std::string& path,
                int timeout_s, v1::Document* info) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, timeout_s);
  v1::DownloadDocumentRequest req;
  req.set_job(job);
  req.set_chunk_size(1 << 20);
  auto reader = docs.DownloadDocument(&ctx, req);
  std::string bytes;
  if (Status s = ReadChunks(reader, job, &bytes, info); !s.ok()) return s;
  return WriteAtomically(path, bytes);
}

Status DownloadPublication(v1::PublicationService::Stub& stub, const std::string& name,
                           const std::string& path, int timeout_s) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, timeout_s);
  v1::DownloadPublicationRequest req;
  req.set_name(name);
  req.set_chunk_size(1 << 20);
  auto reader = stub.DownloadPublication(&ctx, req);
  std::string bytes;
  v1::Document info;
  if (Status s = ReadChunks(reader, name, &bytes, &info); !s.ok()) return s;
  return WriteOutput(path, bytes);
}

// One line a publication: its name, state, the revision and the PDF.
void PrintPublication(const v1::Publication& p) {
  std::cout << p.name() << "  " << v1::PublicationState_Name(p.state()) << "  revision "
            << p.report_revision() << "  " << p.document().page_count() << " pages  sha256 "
            << p.document().sha256() << "\n";
}

int Publish(const ClientArgs& a) {
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  v1::PublishReportRequest req;
  req.set_report(a.name);
  req.set_etag(a.etag);
  v1::Publication p;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  if (grpc::Status s = stub->PublishReport(&ctx, req, &p); !s.ok()) {
    return FailRpc(a.name, FromGrpc(s));
  }
  PrintPublication(p);
  if (!a.output.empty()) {
    if (Status s = DownloadPublication(*stub, p.name(), a.output, a.timeout_s); !s.ok()) {
      return Fail(a.output, s);
    }
  }
  return kExitOk;
}

int ListPublications(const ClientArgs& a) {
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  std::string token;
  do {
    v1::ListPublicationsRequest req;
    req.set_parent(a.name);
    req.set_page_token(token);
    v1::ListPublicationsResponse page;
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s);
    if (grpc::Status s = stub->ListPublications(&ctx, req, &page); !s.ok()) {
      return FailRpc(a.name, FromGrpc(s));
    }
    for (const auto& p : page.publications()) PrintPublication(p);
    token = page.next_page_token();
  } while (!token.empty());
  return kExitOk;
}

int Withdraw(const ClientArgs& a) {
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  v1::WithdrawPublicationRequest req;
  req.set_name(a.name);
  req.set_reason(a.reason);
  v1::Publication p;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  if (grpc::Status s = stub->WithdrawPublication(&ctx, req, &p); !s.ok()) {
    return FailRpc(a.name, FromGrpc(s));
  }
  PrintPublication(p);
  return kExitOk;
}

void PrintSignatures(const v1::Publication& p) {
  PrintPublication(p);
  for (const auto& s : p.signatures()) {
    std::cout << "  " << s.field() << ": " << (s.sealed() ? "sealed" : "signed") << " by "
              << s.signer() << "\n";
  }
}

int Seal(const ClientArgs& a) {
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  v1::SealPublicationRequest req;
  req.set_name(a.name);
  req.set_field(a.field);
  v1::Publication p;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  if (grpc::Status s = stub->SealPublication(&ctx, req, &p); !s.ok()) {
    return FailRpc(a.name, FromGrpc(s));
  }
  PrintSignatures(p);
  return kExitOk;
}

// External signing as a signer's own software does it: the service gives
// the digest, the key (here a PKCS#12 file on this machine) signs it, and
// only the signature value goes back.
int SignPublication(const ClientArgs& a) {
  std::ifstream in(a.p12, std::ios::binary);
  if (!in) return Fail(a.p12, NotFound("cannot read " + a.p12));
  std::ostringstream p12;
  p12 << in.rdbuf();
  std::string password;
  if (!a.password_file.empty()) {
    std::ifstream pw(a.password_file);
    std::getline(pw, password);
  } else if (const char* env = std::getenv("SARABAN_P12_PASSWORD")) {
    password = env;
  }
  auto signer = sign::Identity::FromPkcs12(p12.str(), password);
  if (!signer.ok()) return Fail(a.p12, signer.status());
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  v1::PrepareSignatureRequest prepare;
  prepare.set_name(a.name);
  prepare.set_field(a.field);
  prepare.set_certificate_chain_pem(signer->CertificateChainPem());
  v1::SignaturePreparation prepared;
  {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s);
    if (grpc::Status s = stub->PrepareSignature(&ctx, prepare, &prepared); !s.ok()) {
      return FailRpc(a.name, FromGrpc(s));
    }
  }
  auto value = sign::SignDigest(*signer, prepared.digest());
  if (!value.ok()) return Fail(a.p12, value.status());
  v1::CompleteSignatureRequest complete;
  complete.set_name(a.name);
  complete.set_preparation(prepared.preparation());
  complete.set_signature_value(*value);
  v1::Publication p;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  if (grpc::Status s = stub->CompleteSignature(&ctx, complete, &p); !s.ok()) {
    return FailRpc(a.name, FromGrpc(s));
  }
  PrintSignatures(p);
  return kExitOk;
}

int VerifyDocument(const ClientArgs& a) {
  std::ifstream in(a.name, std::ios::binary);
  if (!in) return Fail(a.name, NotFound("cannot read " + a.name));
  std::ostringstream pdf;
  pdf << in.rdbuf();
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  v1::VerifyDocumentRequest req;
  req.set_pdf(pdf.str());
  v1::DocumentVerdict v;
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  if (grpc::Status s = stub->VerifyDocument(&ctx, req, &v); !s.ok()) {
    return FailRpc(a.name, FromGrpc(s));
  }
  for (const auto& s : v.signatures()) {
    std::cout << s.field() << ": " << (s.intact() ? "intact" : "BROKEN") << ", "
              << (s.trusted() ? "trusted" : "NOT TRUSTED") << ", signed by " << s.signer()
              << (s.problem().empty() ? "" : ": " + s.problem()) << "\n";
  }
  if (v.modified_after_last_signature()) std::cout << "MODIFIED after the last signature\n";
  if (v.publication().empty()) {
    std::cout << "not a publication's document: " << v.content_problem() << "\n";
  } else {
    std::cout << v.publication() << " (" << v1::PublicationState_Name(v.publication_state())
              << "): "
              << (v.content_matches_data() ? "content matches the data"
                                           : "content DOES NOT match the data: " +
                                                 v.content_problem())
              << "\n";
  }
  std::cout << (v.valid() ? "VALID" : "NOT VALID") << "\n";
  return v.valid() ? kExitOk : kExitInvalidInput;
}

int Download(const ClientArgs& a) {
  auto channel = Channel(a, a.documents_address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = v1::PublicationService::NewStub(*channel);
  if (Status s = DownloadPublication(*stub, a.name, a.output, a.timeout_s); !s.ok()) {
    return Fail(a.name, s);
  }
  return kExitOk;
}

int Import(const ClientArgs& a) {
  auto stub_channel = Channel(a, a.reports_address);
  if (!stub_channel.ok()) return Fail("connection", stub_channel.status());
  auto stub = v1::ReportService::NewStub(*stub_channel);
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  v1::ImportReportsResponse resp;
  auto writer = stub->ImportReports(&ctx, &resp);
  int local_failures = 0;
  std::vector<std::string> sent_files;
  for (const std::string& file : a.files) {
    auto report = model::LoadReportFile(file);
    if (!report.ok()) {
      Fail(file, report.status());
      ++local_failures;
      continue;
    }
    v1::ImportReportsRequest req;
    *req.mutable_report() = std::move(report).value();
    req.set_upsert_agency(!a.no_upsert_agency);
    if (!writer->Write(req)) break;
    sent_files.push_back(file);
  }
  writer->WritesDone();
  if (grpc::Status s = writer->Finish(); !s.ok()) return FailRpc("import", FromGrpc(s));
  for (const auto& r : resp.results()) {
    if (r.outcome() != v1::ImportReportsResponse::OUTCOME_FAILED) continue;
    const std::string file = r.index() < static_cast<int>(sent_files.size())
                                 ? sent_files[r.index()]
                                 : "report " + std::to_string(r.index());
    for (const auto& v : r.violations()) {
      std::cerr << "saraban: " << file << ": " << (v.field().empty() ? "" : v.field() + ": ")
                << v.description() << "\n";
    }
  }
  std::cout << "imported: " << resp.created() << " created, " << resp.updated() << " updated, "
            << resp.failed() + local_failures << " failed\n";
  return resp.failed() + local_failures > 0 ? kExitInvalidInput : kExitOk;
}

Result<v1::Job> WaitForJob(v1::DocumentService::Stub& docs, const std::string& job,
                           int timeout_s) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, timeout_s);
  v1::WatchJobRequest req;
  req.set_name(job);
  auto reader = docs.WatchJob(&ctx, req);
  v1::Job last;
  while (reader->Read(&last)) {
  }
  if (grpc::Status s = reader->Finish(); !s.ok()) return FromGrpc(s);
  return last;
}

int Submit(const ClientArgs& a) {
  auto docs_channel = Channel(a, a.documents_address);
  if (!docs_channel.ok()) return Fail("connection", docs_channel.status());
  auto docs = v1::DocumentService::NewStub(*docs_channel);
  v1::RenderReportRequest req;
  req.set_report(a.name);
  req.set_request_id(a.request_id.empty() ? RandomRequestId() : a.request_id);
  if (!a.template_path.empty()) {
    auto tmpl = model::LoadTemplateFile(a.template_path);
    if (!tmpl.ok()) return Fail(a.template_path, tmpl.status());
    *req.mutable_template_() = *tmpl;
  }
  v1::Job job;
  {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s);
    if (grpc::Status s = docs->RenderReport(&ctx, req, &job); !s.ok()) {
      return FailRpc(a.name, FromGrpc(s));
    }
  }
  std::cout << job.name() << "\n";
  if (!a.wait && a.output.empty()) return kExitOk;
  auto done = WaitForJob(*docs, job.name(), a.timeout_s);
  if (!done.ok()) return FailRpc(job.name(), done.status());
  if (done->state() != v1::JOB_STATE_SUCCEEDED) {
    std::cerr << "saraban: " << job.name() << ": " << v1::JobState_Name(done->state())
              << (done->error().empty() ? "" : ": " + done->error()) << "\n";
    return kExitJobsFailed;
  }
  if (a.output.empty()) {
    std::cout << done->document().sha256() << " " << done->document().page_count() << " pages\n";
    return kExitOk;
  }
  v1::Document info;
  if (Status s = Download(*docs, job.name(), a.output, a.timeout_s, &info); !s.ok()) {
    return Fail(a.output, s);
  }
  std::cout << a.output << ": " << info.page_count() << " pages, " << info.size_bytes()
            << " bytes, sha256 " << info.sha256() << "\n";
  return kExitOk;
}

// After this long with no job finished, bulk says what may be wrong.
constexpr int kNoProgressHintS = 15;

// One line of progress, redrawn in place on a terminal (and the rest of
// the old line erased).
void DrawProgress(const v1::Batch& b, Clock::time_point start, bool tty) {
  const int done = b.succeeded() + b.failed() + b.cancelled();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  constexpr int kWidth = 30;
  const int filled = b.total() == 0 ? kWidth : done * kWidth / b.total();
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "%s[%s] %d/%d  ok %d  failed %d  cancelled %d  %.0f/s%s",
               tty ? "\r\033[K" : "", bar.c_str(), done, b.total(), b.succeeded(), b.failed(),
               b.cancelled(), seconds > 0 ? done / seconds : 0.0, tty ? "" : "\n");
  std::fflush(stderr);
}

int Bulk(const ClientArgs& a) {
  auto docs_channel = Channel(a, a.documents_address);
  if (!docs_channel.ok()) return Fail("connection", docs_channel.status());
  auto docs = v1::DocumentService::NewStub(*docs_channel);
  v1::RenderBulkRequest req;
  if (a.reports.empty() == (a.fiscal_year == 0)) {
    std::cerr << "saraban: bulk: give --fiscal-year (with --province, --type) or --report, one of "
                 "them\n";
    return kExitUsage;
  }
  if (!a.reports.empty()) {
    if (!a.province.empty() || !a.agency_type.empty()) {
      std::cerr << "saraban: bulk: --province and --type filter a fiscal year, not --report\n";
      return kExitUsage;
    }
    for (const std::string& name : a.reports) req.mutable_reports()->add_reports(name);
  } else {
    req.mutable_filter()->set_fiscal_year(a.fiscal_year);
    req.mutable_filter()->set_province(a.province);
  }
  if (!a.agency_type.empty()) {
    v1::AgencyType type;
    // The enum value's name, with or without its AGENCY_TYPE_ prefix.
    if (!v1::AgencyType_Parse(a.agency_type, &type) &&
        !v1::AgencyType_Parse("AGENCY_TYPE_" + a.agency_type, &type)) {
      std::cerr << "saraban: --type: unknown agency type " << a.agency_type << "\n";
      return kExitUsage;
    }
    req.mutable_filter()->set_agency_type(type);
  }
  req.set_request_id(a.request_id.empty() ? RandomRequestId() : a.request_id);
  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec) return Fail(a.out_dir, {StatusCode::kNotFound, ec.message()});

  const auto start = Clock::now();
  v1::Batch batch;
  {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s);
    if (grpc::Status s = docs->RenderBulk(&ctx, req, &batch); !s.ok()) {
      return FailRpc("bulk", FromGrpc(s));
    }
  }
  std::cerr << batch.name() << ": " << batch.total() << " reports\n";
  const bool tty = !a.no_progress && isatty(STDERR_FILENO);
  {
    // The watch ends when every job is final; it has no deadline of its own
    // beyond a generous one per job.
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s + batch.total());
    v1::WatchBatchRequest w;
    w.set_name(batch.name());
    auto reader = docs->WatchBatch(&ctx, w);
    // A batch that does not move says nothing: say why it may not.
    std::atomic<bool> moved{false}, over{false};
    std::thread hint([&] {
      for (int s = 0; s < kNoProgressHintS * 10 && !over; ++s) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!over && !moved) {
        std::fprintf(stderr, "%sno job of %s has finished in %d s: is a renderer running? "
                             "(`saraban get %s` shows the batch)\n",
                     tty ? "\r\033[K" : "", batch.name().c_str(), kNoProgressHintS,
                     batch.name().c_str());
      }
    });
    while (reader->Read(&batch)) {
      if (batch.succeeded() + batch.failed() + batch.cancelled() > 0) moved = true;
      if (!a.no_progress) DrawProgress(batch, start, tty);
    }
    over = true;
    hint.join();
    if (tty) std::fputc('\n', stderr);
    if (grpc::Status s = reader->Finish(); !s.ok()) return FailRpc(batch.name(), FromGrpc(s));
  }

  // Download what succeeded, list what did not.
  int written = 0;
  int failed = 0;
  std::string token;
  do {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, a.timeout_s);
    v1::ListJobsRequest list;
    list.set_batch(batch.name());
    list.set_page_size(1000);
    list.set_page_token(token);
    v1::ListJobsResponse page;
    if (grpc::Status s = docs->ListJobs(&ctx, list, &page); !s.ok()) {
      return FailRpc(batch.name(), FromGrpc(s));
    }
    for (const v1::Job& job : page.jobs()) {
      if (job.state() != v1::JOB_STATE_SUCCEEDED) {
        ++failed;
        std::cerr << "saraban: " << job.report() << " (" << job.name()
                  << "): " << v1::JobState_Name(job.state()) << ": " << job.error() << "\n";
        continue;
      }
      const std::string path = (std::filesystem::path(a.out_dir) / FileNameFor(job.report()));
      v1::Document info;
      if (Status s = Download(*docs, job.name(), path, a.timeout_s, &info); !s.ok()) {
        ++failed;
        Fail(path, s);
        continue;
      }
      ++written;
    }
    token = page.next_page_token();
  } while (!token.empty());
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << batch.name() << ": " << written << " PDFs written to " << a.out_dir << ", "
            << failed << " failed, " << seconds << " s\n";
  return failed > 0 ? kExitJobsFailed : kExitOk;
}

// Asks grpc.health.v1 of the service at `address` until it answers
// SERVING or `wait_s` pass: what a script starting the stack waits on.
int Health(const ClientArgs& a, const std::string& address) {
  auto channel = Channel(a, address);
  if (!channel.ok()) return Fail("connection", channel.status());
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  const auto until = Clock::now() + std::chrono::seconds(a.wait_s);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(a.health_service);
  while (true) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, std::max(1, std::min(a.timeout_s, a.wait_s > 0 ? a.wait_s : a.timeout_s)));
    grpc::health::v1::HealthCheckResponse resp;
    const grpc::Status s = stub->Check(&ctx, req, &resp);
    if (s.ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::cout << address << ": SERVING\n";
      return kExitOk;
    }
    if (Clock::now() >= until) {
      if (!s.ok()) return FailRpc(address, FromGrpc(s));
      std::cerr << "saraban: " << address << ": "
                << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()) << "\n";
      return kExitUnavailable;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int Get(const ClientArgs& a) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, a.timeout_s);
  grpc::Status s;
  std::string json;
  auto is = [&](std::string_view p) { return a.name.rfind(p, 0) == 0; };
  if (is("agencies/") && a.name.find("/publications/") != std::string::npos) {
    auto stub_channel = Channel(a, a.documents_address);
    if (!stub_channel.ok()) return Fail("connection", stub_channel.status());
    auto stub = v1::PublicationService::NewStub(*stub_channel);
    s = GetAsJson<v1::GetPublicationRequest, v1::Publication>(
        *stub, &v1::PublicationService::Stub::GetPublication, &ctx, a.name, &json);
  } else if (is("agencies/")) {
    auto stub_channel = Channel(a, a.reports_address);
    if (!stub_channel.ok()) return Fail("connection", stub_channel.status());
    auto stub = v1::ReportService::NewStub(*stub_channel);
    if (a.name.find("/reports/") != std::string::npos) {
      s = GetAsJson<v1::GetReportRequest, v1::ReportResource>(
          *stub, &v1::ReportService::Stub::GetReport, &ctx, a.name, &json);
    } else {
      s = GetAsJson<v1::GetAgencyRequest, v1::AgencyResource>(
          *stub, &v1::ReportService::Stub::GetAgency, &ctx, a.name, &json);
    }
  } else if (is("jobs/") || is("batches/")) {
    auto stub_channel = Channel(a, a.documents_address);
    if (!stub_channel.ok()) return Fail("connection", stub_channel.status());
    auto stub = v1::DocumentService::NewStub(*stub_channel);
    if (is("jobs/")) {
      s = GetAsJson<v1::GetJobRequest, v1::Job>(*stub, &v1::DocumentService::Stub::GetJob, &ctx,
                                                a.name, &json);
    } else {
      s = GetAsJson<v1::GetBatchRequest, v1::Batch>(*stub, &v1::DocumentService::Stub::GetBatch,
                                                    &ctx, a.name, &json);
    }
  } else {
    std::cerr << "saraban: get: NAME must start with agencies/, jobs/ or batches/\n";
    return kExitUsage;
  }
  if (!s.ok()) return FailRpc(a.name, FromGrpc(s));
  std::cout << json;
  return kExitOk;
}

void AddAddresses(CLI::App* cmd, ClientArgs* a, bool reports, bool documents) {
  if (reports) {
    cmd->add_option("--reports", a->reports_address, "report-service address, HOST:PORT")
        ->envname("SARABAN_REPORTS")
        ->capture_default_str();
  }
  if (documents) {
    cmd->add_option("--documents", a->documents_address, "document-service address, HOST:PORT")
        ->envname("SARABAN_DOCUMENTS")
        ->capture_default_str();
  }
  server::AddClientTlsFlags(*cmd, &a->tls);
  cmd->add_option("--timeout", a->timeout_s, "Deadline of each call, in seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
}

}  // namespace

void AddClientCommands(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<ClientArgs>();

  CLI::App* import = app.add_subcommand("import", "Store report files in the report service");
  import->add_option("reports", a->files, "Report JSON files")->required();
  import->add_flag("--no-upsert-agency", a->no_upsert_agency,
                   "Fail reports whose agency does not exist instead of creating it");
  AddAddresses(import, a.get(), true, false);
  import->callback([a, exit_code] { *exit_code = Import(*a); });

  CLI::App* submit = app.add_subcommand("submit", "Render one stored report through the queue");
  submit->add_option("report", a->name, "agencies/{agency}/reports/{fiscal_year}")->required();
  submit->add_option("--request-id", a->request_id, "Idempotency key (default: random)");
  submit->add_option("-t,--template", a->template_path, "Template JSON (default: built-in)");
  submit->add_flag("--wait", a->wait, "Wait until the job is final");
  submit->add_option("-o,--output", a->output, "Wait, then download the PDF to this file");
  AddAddresses(submit, a.get(), false, true);
  submit->callback([a, exit_code] { *exit_code = Submit(*a); });

  CLI::App* bulk = app.add_subcommand(
      "bulk",
      "Render every stored report of a fiscal year (and province), or the reports named, into a "
      "directory");
  bulk->add_option("--fiscal-year", a->fiscal_year, "Fiscal year, Buddhist era (e.g. 2567)")
      ->check(CLI::Range(2500, 2700));
  bulk->add_option("--province", a->province, "Only this province (as stored, e.g. ปัตตานี)");
  bulk->add_option("--type", a->agency_type, "Only this agency type (e.g. SUBDISTRICT_MUNICIPALITY)");
  bulk->add_option("--report", a->reports,
                   "Only these reports (agencies/{agency}/reports/{fiscal_year}; repeat the flag), "
                   "instead of --fiscal-year: what an agency's own system may render");
  bulk->add_option("--out", a->out_dir, "Directory to write {agency}-{year}.pdf into")->required();
  bulk->add_option("--request-id", a->request_id, "Idempotency key (default: random)");
  bulk->add_flag("--no-progress", a->no_progress, "Do not draw the progress bar");
  AddAddresses(bulk, a.get(), false, true);
  bulk->callback([a, exit_code] { *exit_code = Bulk(*a); });

  CLI::App* health =
      app.add_subcommand("health", "Ask a service's grpc.health.v1 whether it is SERVING");
  health->add_flag("--document-service", a->health_documents,
                   "Ask the document service (default: the report service)");
  health->add_option("--service", a->health_service,
                     "The service to ask about (default: the server as a whole; liveness, or "
                     "saraban.v1.ReportService ...)");
  health->add_option("--wait-s", a->wait_s, "Ask again until SERVING for this long")
      ->check(CLI::Range(0, 3600));
  AddAddresses(health, a.get(), true, true);
  health->callback([a, exit_code] {
    *exit_code = Health(*a, a->health_documents ? a->documents_address : a->reports_address);
  });

  CLI::App* publish = app.add_subcommand(
      "publish", "Publish a stored report: render its revision and keep it for good");
  publish->add_option("report", a->name, "agencies/{agency}/reports/{fiscal_year}")->required();
  publish->add_option("--etag", a->etag,
                      "Publish only if the report is still at this etag (as reviewed)");
  publish->add_option("-o,--output", a->output, "Download the published PDF to this file");
  AddAddresses(publish, a.get(), false, true);
  publish->callback([a, exit_code] { *exit_code = Publish(*a); });

  CLI::App* publications =
      app.add_subcommand("publications", "List a report's publications, newest first");
  publications->add_option("report", a->name, "agencies/{agency}/reports/{fiscal_year}")
      ->required();
  AddAddresses(publications, a.get(), false, true);
  publications->callback([a, exit_code] { *exit_code = ListPublications(*a); });

  CLI::App* download = app.add_subcommand("download", "Download a publication's PDF");
  download->add_option("publication", a->name,
                       "agencies/{agency}/reports/{fiscal_year}/publications/{n}")
      ->required();
  download->add_option("-o,--output", a->output, "The file to write (- for standard output)")
      ->required();
  AddAddresses(download, a.get(), false, true);
  download->callback([a, exit_code] { *exit_code = Download(*a); });

  CLI::App* withdraw = app.add_subcommand(
      "withdraw", "Withdraw a publication (operators only; it stays readable, marked)");
  withdraw->add_option("publication", a->name,
                       "agencies/{agency}/reports/{fiscal_year}/publications/{n}")
      ->required();
  withdraw->add_option("--reason", a->reason, "Why it is withdrawn (kept with it)")->required();
  AddAddresses(withdraw, a.get(), false, true);
  withdraw->callback([a, exit_code] { *exit_code = Withdraw(*a); });

  CLI::App* seal = app.add_subcommand(
      "seal", "Sign a publication's next signature field with the service's seal");
  seal->add_option("publication", a->name,
                   "agencies/{agency}/reports/{fiscal_year}/publications/{n}")
      ->required();
  seal->add_option("--field", a->field, "The field: reporter, reviewer-1, ..., executive")
      ->required();
  AddAddresses(seal, a.get(), false, true);
  seal->callback([a, exit_code] { *exit_code = Seal(*a); });

  CLI::App* sign_publication = app.add_subcommand(
      "sign-publication",
      "Sign a publication's next field with your own key: the service sends the digest, only "
      "the signature goes back");
  sign_publication
      ->add_option("publication", a->name,
                   "agencies/{agency}/reports/{fiscal_year}/publications/{n}")
      ->required();
  sign_publication->add_option("--field", a->field, "The field you sign")->required();
  sign_publication->add_option("--p12", a->p12, "Your PKCS#12 file")->required();
  sign_publication->add_option("--password-file", a->password_file,
                               "File holding its password (default: $SARABAN_P12_PASSWORD)");
  AddAddresses(sign_publication, a.get(), false, true);
  sign_publication->callback([a, exit_code] { *exit_code = SignPublication(*a); });

  CLI::App* verify_document = app.add_subcommand(
      "verify-document",
      "Ask the service to verify a PDF: its signatures, the publication it is, and whether a "
      "fresh render of that publication's data gives it exactly");
  verify_document->add_option("pdf", a->name, "The PDF")->required();
  AddAddresses(verify_document, a.get(), false, true);
  verify_document->callback([a, exit_code] { *exit_code = VerifyDocument(*a); });

  CLI::App* get = app.add_subcommand(
      "get", "Print an agency, report, publication, job or batch as JSON");
  get->add_option("name", a->name,
                  "agencies/{a}, agencies/{a}/reports/{fy}[/publications/{n}], jobs/{id} or "
                  "batches/{id}")
      ->required();
  AddAddresses(get, a.get(), true, true);
  get->callback([a, exit_code] { *exit_code = Get(*a); });
}

}  // namespace saraban::cli
