// What a benchmark reads of a process from /proc: its CPU time and threads.
#pragma once

#include <sys/types.h>

namespace saraban::testing {

// CPU seconds (user + system) the process has used so far; 0 if it is gone.
double CpuSeconds(pid_t pid);

// Threads the process has now; 0 if it is gone.
int Threads(pid_t pid);

}  // namespace saraban::testing
