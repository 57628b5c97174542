#include "saraban/testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

namespace saraban::testing {

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "redis test server: %s\n", message.c_str());
  std::abort();
}

bool CanListenOn(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) Die("socket failed");
  int on = 1;  // as the servers do: a port in TIME_WAIT is free to them
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::listen(fd, 1) == 0;
  ::close(fd);
  return free;
}

// The lowest port the kernel hands to outgoing connections.
int EphemeralLow() {
  int low = 32768, high = 60999;
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(f, "%d %d", &low, &high) != 2) low = 32768;
    std::fclose(f);
  }
  return low;
}

}  // namespace

// Asking the kernel for port 0 and closing the socket can give the same port
// to two calls in a row, so a service's API port and its health port once
// came out equal. Ports are handed out instead from a sequence below the
// ephemeral range (no outgoing connection holds one), never twice in one
// process, each process starting at its own point so that tests running side
// by side rarely meet.
int FreePort() {
  static std::mutex mutex;
  static int next = -1;
  const std::lock_guard<std::mutex> lock(mutex);
  const int high = EphemeralLow() - 1;
  const int low = std::max(1024, high - 12000);
  const int span = high - low + 1;
  if (next < 0) next = static_cast<int>((static_cast<uint64_t>(::getpid()) * 2654435761u) % span);
  for (int tried = 0; tried < span; ++tried) {
    const int port = low + next;
    next = (next + 1) % span;
    if (CanListenOn(port)) return port;
  }
  Die("no free port below the ephemeral range");
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_file) {
  pid_t pid = ::fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    if (!log_file.empty()) {
      int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    ::_exit(127);
  }
  return pid;
}

int WaitFor(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return 0;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

RedisServer::RedisServer(Options options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/saraban-redis-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
  dir_ = tmpl;
  port_ = FreePort();
}

RedisServer::~RedisServer() {
  if (running()) Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void RedisServer::Start() {
  if (running()) return;
  // The Redis settings the README recommends: AOF with
  // fsync every second, no eviction, and no AOF rewrite before the file
  // reaches 1 GB.
  std::vector<std::string> argv = {
      "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
      "--dir", dir_, "--save", "", "--appendonly", options_.appendonly ? "yes" : "no",
      "--appendfsync", "everysec", "--auto-aof-rewrite-min-size", "1gb",
      "--maxmemory-policy", "noeviction", "--daemonize", "no",
      "--logfile", dir_ + "/redis.log"};
  if (!options_.maxmemory.empty()) {
    argv.push_back("--maxmemory");
    argv.push_back(options_.maxmemory);
  }
  if (!options_.password.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(options_.password);
  }
  pid_ = Spawn(argv);
  WaitUntilReady();
}

void RedisServer::WaitUntilReady() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (WaitFor(pid_, 0) != -1) {
      pid_ = -1;
      Die("redis-server exited at start; see " + dir_ + "/redis.log (is it installed?)");
    }
    redis::Connection c(endpoint(), {std::chrono::milliseconds(200), std::chrono::milliseconds(500)});
    auto r = c.Run({"PING"});
    if (r.ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Die("redis-server did not answer PING within 20 s");
}

void RedisServer::Stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  if (WaitFor(pid_, 20000) == -1) {
    ::kill(pid_, SIGKILL);
    WaitFor(pid_, 5000);
  }
  pid_ = -1;
}

void RedisServer::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  WaitFor(pid_, 5000);
  pid_ = -1;
}

}  // namespace saraban::testing
