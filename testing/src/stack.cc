#include "saraban/testing/stack.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace saraban::testing {

bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Stack::Stack(StackOptions options) : options_(std::move(options)), redis_(options_.redis) {}

Stack::~Stack() {
  for (pid_t pid : workers_) {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  for (pid_t pid : services_) {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  for (pid_t pid : workers_) {
    if (pid > 0 && WaitFor(pid, 15000) == -1) {
      ::kill(pid, SIGKILL);
      WaitFor(pid, 5000);
    }
  }
  for (pid_t pid : services_) {
    if (pid > 0 && WaitFor(pid, 15000) == -1) {
      ::kill(pid, SIGKILL);
      WaitFor(pid, 5000);
    }
  }
}

void Stack::Start() {
  redis_.Start();
  if (!options_.redis.password.empty()) {
    const std::string file = redis_.dir() + "/password";
    std::ofstream(file) << options_.redis.password << "\n";
    for (auto* args : {&options_.service_args, &options_.worker_args}) {
      args->insert(args->end(), {"--redis-password-file", file});
    }
  }
  const int reports_port = FreePort();
  const int documents_port = FreePort();
  reports_address_ = "127.0.0.1:" + std::to_string(reports_port);
  documents_address_ = "127.0.0.1:" + std::to_string(documents_port);
  auto service = [&](const std::string& path, const std::string& listen, const std::string& log) {
    std::vector<std::string> argv = {options_.bin_dir + path, "--listen", listen, "--redis",
                                     redis_.url()};
    argv.insert(argv.end(), options_.transport_args.begin(), options_.transport_args.end());
    argv.insert(argv.end(), options_.service_args.begin(), options_.service_args.end());
    if (options_.service_health) {
      service_health_.push_back("127.0.0.1:" + std::to_string(FreePort()));
      argv.insert(argv.end(), {"--health-listen", service_health_.back()});
    }
    if (options_.metrics) {
      const std::string address = "127.0.0.1:" + std::to_string(FreePort());
      argv.insert(argv.end(), {"--metrics", address});
      metrics_.emplace_back(path.substr(path.rfind('/') + 1), address);
    }
    services_.push_back(Spawn(argv, redis_.dir() + "/" + log));
  };
  service("/services/report_service/report-service", reports_address_, "report-service.log");
  service("/services/document_service/document-service", documents_address_, "document-service.log");
  for (int i = 0; i < options_.workers; ++i) StartWorker();
  for (int port : {reports_port, documents_port}) {
    if (!WaitForPort(port, std::chrono::seconds(30))) {
      std::fprintf(stderr, "stack: a service did not listen on %d; logs in %s\n", port,
                   redis_.dir().c_str());
      std::abort();
    }
  }
}

pid_t Stack::StartWorker() {
  std::vector<std::string> argv = {options_.bin_dir + "/worker/renderer", "--redis",
                                   redis_.url(), "--workers",
                                   std::to_string(options_.threads_per_worker)};
  argv.insert(argv.end(), options_.worker_args.begin(), options_.worker_args.end());
  const std::string name = "renderer-" + std::to_string(workers_.size());
  if (options_.metrics) {
    const std::string address = "127.0.0.1:" + std::to_string(FreePort());
    argv.insert(argv.end(), {"--metrics", address});
    metrics_.emplace_back(name, address);
  }
  if (options_.worker_health) {
    worker_health_.push_back("127.0.0.1:" + std::to_string(FreePort()));
    argv.insert(argv.end(), {"--health-listen", worker_health_.back()});
  }
  pid_t pid = Spawn(argv, redis_.dir() + "/" + name + ".log");
  workers_.push_back(pid);
  return pid;
}

namespace {

// Sends `signal` to the process in `slot` and reaps it; returns its exit
// status (-1 if it would not stop).
int SignalAndReap(pid_t& slot, int signal, int timeout_ms) {
  pid_t pid = slot;
  if (pid <= 0) return 0;
  ::kill(pid, signal);
  int status = WaitFor(pid, timeout_ms);
  if (status == -1) {
    ::kill(pid, SIGKILL);
    status = WaitFor(pid, 5000);
  }
  slot = -1;
  return status;
}

}  // namespace

int Stack::SignalService(size_t index, int signal, int timeout_ms) {
  return SignalAndReap(services_.at(index), signal, timeout_ms);
}

std::string Stack::metrics_address(const std::string& process) const {
  for (const auto& [name, address] : metrics_) {
    if (name == process) return address;
  }
  return {};
}

std::string Stack::worker_health_address(size_t index) const {
  return index < worker_health_.size() ? worker_health_[index] : std::string();
}

std::string Stack::service_health_address(size_t index) const {
  return index < service_health_.size() ? service_health_[index] : std::string();
}

int Stack::SignalWorker(size_t index, int signal, int timeout_ms) {
  return SignalAndReap(workers_.at(index), signal, timeout_ms);
}

}  // namespace saraban::testing
