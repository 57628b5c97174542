// What saraban makes of Redis's replies. Parsing is not separable from the
// connection (hiredis reads the protocol into its own reply objects, which
// redis::Connection copies into redis::Reply), so this target runs the real
// client against a fake server on loopback that answers every command with
// the fuzz input's bytes (RESP, as Redis would send them) and then closes.
// The first input byte picks the caller, the rest is what the server says:
//   - redis::Connection: Run, PipelineEach, Transaction, CheckDurability;
//   - queue::JobQueue: the job and batch hashes (GetJob, GetBatch,
//     ListBatchJobs), stream entries (Read, Reclaim), the claim script's
//     reply with the snapshot (Claim), queue stats;
//   - store::ReportStore: agency and report records (GetAgency, GetReport,
//     ListReports, GetSnapshots);
//   - the pure parsers redis::ParseUrl and server::RevisionOf on the bytes.
// Any reply may be refused with an error; none may crash, hang or leak.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "fuzz_check.h"
#include "saraban/queue/job_queue.h"
#include "saraban/redis/client.h"
#include "saraban/server/etag.h"
#include "saraban/store/report_store.h"

namespace {

using namespace saraban;

// A loopback listener for the whole process; returns its port.
int ListenFd(int* port) {
  static int fd = -1;
  static int bound_port = 0;
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd, 64) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("fuzz: loopback listener");
      std::abort();
    }
    bound_port = ntohs(addr.sin_port);
  }
  *port = bound_port;
  return fd;
}

// Serves one input: the first connection gets `reply` and then EOF, any
// later one (the client reconnects after EOF) EOF at once. Reads and drops
// whatever the client sends, until `stop` becomes readable.
void Serve(int listen_fd, int stop, std::string reply) {
  std::vector<pollfd> fds = {{stop, POLLIN, 0}, {listen_fd, POLLIN, 0}};
  bool first = true;
  char buf[4096];
  while (true) {
    if (::poll(fds.data(), fds.size(), 5000) <= 0) break;  // 5 s: the client is stuck
    if (fds[0].revents != 0) break;
    if (fds[1].revents != 0) {
      const int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        if (first) {
          for (size_t off = 0; off < reply.size();) {
            const ssize_t n = ::send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
            if (n <= 0) break;
            off += static_cast<size_t>(n);
          }
          first = false;
        }
        ::shutdown(c, SHUT_WR);
        fds.push_back({c, POLLIN, 0});
      }
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (::recv(fds[i].fd, buf, sizeof buf, 0) <= 0) {
        ::close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        --i;
      }
    }
  }
  for (size_t i = 2; i < fds.size(); ++i) ::close(fds[i].fd);
}

// Exercises what a caller reads from a reply: its integer and error views.
void Touch(const redis::Reply& r, int depth = 0) {
  (void)r.AsInteger();
  if (r.type == redis::Reply::Type::kError) (void)r.ErrorStatus();
  if (depth < 8) {
    for (const auto& e : r.elements) Touch(e, depth + 1);
  }
}

void Client(uint8_t mode, int port) {
  redis::Endpoint endpoint;
  endpoint.port = port;
  redis::Options options;
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.command_timeout = std::chrono::milliseconds(2000);
  redis::Pool pool(endpoint, options, 1);
  queue::JobQueue jobs(pool, keyspace::Keys(), queue::QueueOptions());
  store::ReportStore reports(pool, keyspace::Keys());
  const std::vector<std::pair<std::string, int>> refs = {{"bueng-khla", 2567}, {"taluboh", 2566}};

  switch (mode % 19) {
    case 0: {
      auto r = redis::Run(pool, {"GET", "k"});
      if (r.ok()) Touch(*r);
      break;
    }
    case 1: {
      auto c = pool.Acquire();
      auto r = c->PipelineEach({{"GET", "a"}, {"HGETALL", "b"}, {"XLEN", "c"}});
      if (r.ok()) for (const auto& e : *r) Touch(e);
      break;
    }
    case 2: {
      auto c = pool.Acquire();
      auto r = c->Transaction({{"SET", "a", "1"}, {"INCR", "b"}});
      if (r.ok()) for (const auto& e : *r) Touch(e);
      break;
    }
    case 3: {
      auto c = pool.Acquire();
      (void)redis::CheckDurability(*c);
      break;
    }
    case 4: (void)jobs.GetJob("01JOB"); break;
    case 5: (void)jobs.GetBatch("01BATCH"); break;
    case 6: {
      int64_t next = 0;
      (void)jobs.ListBatchJobs("01BATCH", 0, 3, v1::JOB_STATE_UNSPECIFIED, &next);
      break;
    }
    case 7: (void)jobs.Read("worker-1", 4, std::chrono::milliseconds(1)); break;
    case 8: (void)jobs.Reclaim("worker-1", 4); break;
    case 9: {
      queue::ClaimedJob job;
      (void)jobs.Claim({"1-0", "01JOB", "01BATCH"}, &job);
      break;
    }
    case 10: (void)jobs.Stats(); break;
    case 11: (void)jobs.PendingCount(); break;
    case 12: (void)jobs.CancelJob("01JOB"); break;
    case 13: (void)reports.GetAgency("bueng-khla"); break;
    case 14: (void)reports.GetReport("bueng-khla", 2567); break;
    case 15: (void)reports.ListReports(store::ReportFilter(), 3, "", false); break;
    case 16: (void)reports.ListAgencies(store::ReportFilter(), 3, ""); break;
    case 17: (void)reports.GetSnapshots(refs); break;
    case 18: (void)reports.MatchingReports(store::ReportFilter(), 10); break;
  }
}

}  // namespace

// hiredis 0.14 allocates an array reply's element pointers as soon as it
// reads the count, before any element arrives: "*64372002\r\n" alone costs
// 512 MB and seconds to free. Redis is trusted not to send that; skip such
// inputs rather than time out on them.
bool AnnouncesHugeArray(std::string_view s) {
  for (size_t i = s.find('*'); i != std::string_view::npos; i = s.find('*', i + 1)) {
    size_t digits = 0;
    while (i + 1 + digits < s.size() && s[i + 1 + digits] >= '0' && s[i + 1 + digits] <= '9') {
      ++digits;
    }
    if (digits > 5) return true;  // 100,000 elements and more
  }
  return false;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Stored records that do not parse are expected here; protobuf would log
  // each one.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return -1;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (AnnouncesHugeArray(rest)) return -1;

  // The parsers of what a user or a client hands in (a --redis URL, an etag).
  (void)redis::ParseUrl(rest);
  (void)server::RevisionOf(std::string(rest));

  int port = 0;
  const int listen_fd = ListenFd(&port);
  int stop[2];
  SARABAN_FUZZ_CHECK(::pipe2(stop, O_CLOEXEC) == 0, "pipe");
  std::thread server(Serve, listen_fd, stop[0], std::string(rest));
  Client(data[0], port);
  ::close(stop[1]);  // wakes the server: POLLHUP on stop[0]
  server.join();
  ::close(stop[0]);
  return 0;
}
