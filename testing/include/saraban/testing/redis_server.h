// A real redis-server for tests and benchmarks: started on a free loopback
// port in its own temporary directory, with AOF on and noeviction, and
// stopped (and its directory removed) on destruction.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "saraban/redis/client.h"

namespace saraban::testing {

class RedisServer {
 public:
  struct Options {
    bool appendonly = true;
    std::string maxmemory;  // e.g. "64mb"; empty means no limit
    std::string password;   // --requirepass; empty means none
  };
  RedisServer() : RedisServer(Options{}) {}
  explicit RedisServer(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server and waits until it answers PING. Aborts the test
  // process with a message if redis-server cannot start.
  void Start();
  // SIGTERM and wait (Redis flushes the AOF on a clean shutdown).
  void Stop();
  // SIGKILL and wait: nothing flushed beyond what fsync wrote.
  void Kill();
  // Start again on the same port and directory (the AOF is replayed).
  void Restart() { Stop(); Start(); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // With the password, if any (url() never carries it).
  redis::Endpoint endpoint() const { return {"127.0.0.1", port_, 0, "", options_.password}; }
  const std::string& dir() const { return dir_; }

 private:
  void WaitUntilReady();

  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on right now and that no
// earlier call in this process returned.
int FreePort();

// Runs `argv` as a child process in its own process group; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_file = {});
// Waits for `pid` up to `timeout_ms`; returns its exit status, or -1 if it
// is still running.
int WaitFor(pid_t pid, int timeout_ms);

}  // namespace saraban::testing
