#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "saraban/queue/job_queue.h"

namespace saraban::queue {

namespace {
// Crockford's base32: no I, L, O, U, so ids read aloud and typed by hand
// are unambiguous; ASCII order equals numeric order, so ids sort by time.
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}  // namespace

std::string NewId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  std::string id(26, '0');
  // 10 characters of time (50 bits, ms), then 16 of randomness (80 bits).
  for (int i = 9; i >= 0; --i) id[i] = kCrockford[(ms >> (5 * (9 - i))) & 31];
  uint64_t hi = rng(), lo = rng();
  for (int i = 10; i < 26; ++i) {
    id[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | (hi << 59);
    hi >>= 5;
  }
  return id;
}

}  // namespace saraban::queue
