// Logs of the long-running binaries: plain text for a terminal, or JSON
// lines for a log collector, one event per line:
//   {"time":"2026-11-28T10:00:00.123Z","level":"info","component":"renderer",
//    "msg":"...","job":"...","agency":"..."}
// The fields of the scope a thread is in (a job, a request) are added to
// every line that thread writes, so call sites only write the message.
// Report contents never go to the log at info level: only names and ids.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::observe {

struct LogOptions {
  std::string format = "auto";  // --log-format: text | json | auto (json unless a terminal)
  std::string level = "info";   // --log-level: trace | debug | info | warn | error
};

// Adds --log-format and --log-level (SARABAN_LOG_FORMAT, SARABAN_LOG_LEVEL).
void AddLogFlags(CLI::App& app, LogOptions* options);

// Sets the default logger of the process: stderr, with `component` on every
// line. Call once, first thing after parsing flags.
Status SetUpLogging(std::string_view component, const LogOptions& options);

// One event as a JSON line (no newline), the way the JSON format writes it;
// exposed for tests. Invalid UTF-8 in any value becomes U+FFFD.
std::string JsonLine(std::string_view time, std::string_view level, std::string_view component,
                     std::string_view message,
                     const std::vector<std::pair<std::string, std::string>>& fields);

// Adds fields (such as {"job", id}) to every line this thread logs while
// the object lives. Scopes nest; an inner field of the same name wins.
class LogScope {
 public:
  LogScope(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  size_t added_ = 0;
};

}  // namespace saraban::observe
