// The queue flag group of the programs that put jobs on the queue and take
// them off (the document service and the renderer): they must agree, so
// both take the same flags with the same ranges.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include "saraban/queue/job_queue.h"

namespace saraban::flags {

// --max-attempts (SARABAN_MAX_ATTEMPTS) and --document-ttl-s
// (SARABAN_DOCUMENT_TTL_S).
inline void AddQueueFlags(CLI::App& app, queue::QueueOptions* options) {
  app.add_option("--max-attempts", options->max_attempts,
                 "Deliveries before a job is failed and dead-lettered")
      ->envname("SARABAN_MAX_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option_function<int64_t>(
         "--document-ttl-s",
         [options](int64_t s) { options->document_ttl = std::chrono::seconds(s); },
         "How long finished PDFs are kept, in seconds")
      ->envname("SARABAN_DOCUMENT_TTL_S")
      ->check(CLI::Range(int64_t{60}, int64_t{10} * 365 * 86400))
      ->default_str(std::to_string(options->document_ttl.count()));
}

}  // namespace saraban::flags
