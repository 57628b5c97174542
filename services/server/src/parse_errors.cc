// Requests that do not parse. protobuf refuses a string field holding
// invalid UTF-8 and says which field only in its log; gRPC then answers a
// unary call with INTERNAL and no message, and ends a client stream as if
// the caller had finished. Here the log line is kept per thread (gRPC's sync
// server parses on the thread that runs the method), a server interceptor
// sees the missing message and rewrites the status, and streaming methods
// ask TakeStreamParseError.
#include <google/protobuf/stubs/logging.h>
#include <grpcpp/support/server_interceptor.h>

#include <google/protobuf/descriptor.h>

#include <deque>
#include <mutex>
#include <set>

#include "interceptors.h"
#include "saraban/server/errors.h"
#include "saraban/server/parse_errors.h"

namespace saraban::server {

namespace {

thread_local std::string bad_utf8_field;  // the field of the last refused parse

google::protobuf::LogHandler* previous_handler = nullptr;

void CaptureParseErrors(google::protobuf::LogLevel level, const char* file, int line,
                        const std::string& message) {
  // "String field 'saraban.v1.Report.title' contains invalid UTF-8 data when
  // parsing a protocol buffer. ..."
  constexpr std::string_view kParsing = "invalid UTF-8 data when parsing";
  if (message.find(kParsing) != std::string::npos) {
    auto open = message.find('\'');
    auto close = open == std::string::npos ? open : message.find('\'', open + 1);
    bad_utf8_field = close == std::string::npos ? "" : message.substr(open + 1, close - open - 1);
    return;  // the caller gets it as a status
  }
  if (previous_handler != nullptr) previous_handler(level, file, line, message);
}

void InstallLogHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    previous_handler = google::protobuf::SetLogHandler(&CaptureParseErrors);
  });
}

// The path in `method`'s request of the field protobuf names by its full
// name ("saraban.v1.Measure.title" in CreateReport: "report.measures[*].title"):
// the shortest one when its message occurs in several places. gRPC's
// synchronous server keeps no copy of bytes that did not parse, so the
// index of a repeated element is not known: it is given as [*]. The full
// name when the field is not found.
std::string RequestPath(const std::string& method, const std::string& full_name) {
  namespace pb = google::protobuf;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  const pb::FieldDescriptor* field = pool->FindFieldByName(full_name);
  // "/saraban.v1.ReportService/CreateReport" -> "saraban.v1.ReportService.CreateReport"
  std::string dotted = method.substr(method.empty() || method[0] != '/' ? 0 : 1);
  if (auto slash = dotted.find('/'); slash != std::string::npos) dotted[slash] = '.';
  const pb::MethodDescriptor* rpc = pool->FindMethodByName(dotted);
  if (field == nullptr || rpc == nullptr) return full_name;
  std::deque<std::pair<const pb::Descriptor*, std::string>> queue{{rpc->input_type(), ""}};
  std::set<const pb::Descriptor*> seen{rpc->input_type()};
  while (!queue.empty()) {
    auto [message, path] = queue.front();
    queue.pop_front();
    const std::string prefix = path.empty() ? "" : path + ".";
    if (message == field->containing_type()) return prefix + field->name();
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* f = message->field(i);
      if (f->message_type() == nullptr || !seen.insert(f->message_type()).second) continue;
      queue.emplace_back(f->message_type(), prefix + f->name() + (f->is_repeated() ? "[*]" : ""));
    }
  }
  return full_name;
}

grpc::Status ParseError(const std::string& method) {
  std::string field = bad_utf8_field.empty() ? "" : RequestPath(method, bad_utf8_field);
  bad_utf8_field.clear();
  std::string text =
      field.empty()
          ? "the request to " + method + " is not a valid protobuf message"
          : field + ": holds invalid UTF-8; every text field must be UTF-8 (Thai as UTF-8, not "
                    "TIS-620 or a cut-off sequence)";
  if (field.empty()) return ToGrpc(InvalidArgument(text).WithReason("MALFORMED_REQUEST"));
  // The message is the field's already: as ToGrpc words a field error.
  grpc::Status s = ToGrpc(InvalidArgument("holds invalid UTF-8", field).WithReason("INVALID_UTF8"));
  return {s.error_code(), text, s.error_details()};
}

class ParseErrorInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ParseErrorInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method()), unary_(info->type() ==
                                        grpc::experimental::ServerRpcInfo::Type::UNARY ||
                                        info->type() ==
                                            grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr && unary_) {
      failed_ = true;
      error_ = ParseError(method_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && failed_ &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      methods->ModifySendStatus(error_);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  bool unary_;
  bool failed_ = false;
  grpc::Status error_;
};

class ParseErrorInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ParseErrorInterceptor(info);
  }
};

}  // namespace

namespace internal {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> ParseErrorInterceptors() {
  InstallLogHandler();
  return std::make_unique<ParseErrorInterceptorFactory>();
}

}  // namespace internal

void TranslateParseErrors(grpc::ServerBuilder& builder) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(internal::ParseErrorInterceptors());
  builder.experimental().SetInterceptorCreators(std::move(creators));
}

grpc::Status TakeStreamParseError(const std::string& method) {
  if (bad_utf8_field.empty()) return grpc::Status::OK;
  return ParseError(method);
}

}  // namespace saraban::server
