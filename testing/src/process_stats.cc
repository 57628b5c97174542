#include "saraban/testing/process_stats.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace saraban::testing {

namespace {

// The text of /proc/PID/NAME (its first 4 KiB); empty if the process is gone.
std::string ProcFile(pid_t pid, const char* name) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/%s", static_cast<int>(pid), name);
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return {};
  char buf[4096];
  const size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  return std::string(buf, n);
}

}  // namespace

double CpuSeconds(pid_t pid) {
  const std::string stat = ProcFile(pid, "stat");
  // Fields after the command name (which is in parentheses): utime is the
  // 12th of those, stime the 13th.
  const size_t p = stat.rfind(')');
  if (p == std::string::npos || p + 2 > stat.size()) return 0;
  unsigned long utime = 0, stime = 0;
  std::sscanf(stat.c_str() + p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
              &stime);
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

int Threads(pid_t pid) {
  const std::string status = ProcFile(pid, "status");
  const size_t at = status.find("\nThreads:");
  int threads = 0;
  if (at != std::string::npos) std::sscanf(status.c_str() + at, "\nThreads: %d", &threads);
  return threads;
}

}  // namespace saraban::testing
