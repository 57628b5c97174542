// A small synchronous Redis client over hiredis: one connection that
// reconnects by itself, and a pool of them for servers with many threads.
// Transport failures are kUnavailable, never a crash; the caller decides
// whether to retry.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/status.h"

struct redisContext;

namespace saraban::redis {

// Where Redis is: redis://HOST:PORT[/DB].
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  // Sent with AUTH on every new connection when the password is set (an ACL
  // user when `username` is too, else the default user).
  std::string username;
  std::string password;

  // redis://[USER@]HOST:PORT/DB: never the password, so it is safe to log.
  std::string ToString() const;
};

// Parses redis://[USER[:PASSWORD]@]HOST:PORT[/DB] (host may be [IPv6]); the
// port defaults to 6379 and the database to 0. Errors never repeat the URL
// when it carries a password.
Result<Endpoint> ParseUrl(std::string_view url);

struct Options {
  std::chrono::milliseconds connect_timeout{1000};
  // How long one command may take; blocking reads add their own block time.
  std::chrono::milliseconds command_timeout{5000};
};

// One Redis reply, copied out of hiredis.
struct Reply {
  // kError only inside an array (EXEC's replies) or from PipelineEach: an
  // error reply on its own is a Status.
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;          // kString, kStatus and kError
  long long integer = 0;    // kInteger
  std::vector<Reply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
  // The integer, or the string parsed as one (Lua returns numbers both ways).
  long long AsInteger() const;
  // A kError reply as a Status: OOM is kResourceExhausted,
  // LOADING/BUSY/MASTERDOWN/... kUnavailable, the rest kInternal.
  Status ErrorStatus() const;
};

// The kinds of Redis error reply the code acts on, named by the reply's
// first word ("NOGROUP No such key ..."). Everything else is kOther.
enum class ErrorKind {
  kNone,       // not an error reply of Redis (OK, or a connection failure)
  kOom,        // OOM: maxmemory reached (the status is kResourceExhausted)
  kNoScript,   // NOSCRIPT: EVALSHA of a script Redis does not have
  kBusyGroup,  // BUSYGROUP: XGROUP CREATE of a group that exists
  kNoGroup,    // NOGROUP: the stream or its group does not exist
  kConflict,   // CONFLICT: saraban's own scripts refusing a competing write
  kOther,
};

// The kind of the error reply `status` was made from (by Reply::ErrorStatus
// or a command that failed with an error reply).
ErrorKind KindOf(const Status& status);

// A command as its arguments, binary-safe.
using Command = std::vector<std::string>;

// One connection. Not thread-safe: give each thread its own, or use Pool.
class Connection {
 public:
  Connection(Endpoint endpoint, Options options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one command and waits for its reply. A Redis error reply is a
  // Status: OOM is kResourceExhausted, LOADING/BUSY/MASTERDOWN are
  // kUnavailable, the rest kInternal with Redis's message. A lost
  // connection is kUnavailable; the next call reconnects.
  Result<Reply> Run(const Command& command);
  // Like Run, but waits up to `extra` longer for the reply (BLOCK reads).
  Result<Reply> RunBlocking(const Command& command, std::chrono::milliseconds extra);
  // Sends the commands in one round trip; the first error fails the whole
  // call (replies already read are dropped). Not a transaction.
  Result<std::vector<Reply>> Pipeline(const std::vector<Command>& commands);
  // Like Pipeline, but an error reply is kept in its place (as kError) and
  // only a lost connection fails the call: callers that must see every
  // reply, such as a read sent after a write that may fail.
  Result<std::vector<Reply>> PipelineEach(const std::vector<Command>& commands);
  // Runs the commands as one MULTI/EXEC transaction, in one round trip:
  // no other client runs anything between them. Returns their replies; the
  // first error among them fails the call (Redis does not roll back the
  // commands before it, so scripts in a transaction undo their own).
  Result<std::vector<Reply>> Transaction(const std::vector<Command>& commands);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Status EnsureConnected();
  Status Send(const Command& command);
  Result<Reply> Receive();       // an error reply becomes a Status
  Result<Reply> ReceiveReply();  // an error reply stays a kError Reply
  void Drop(const std::string& why);
  void SetTimeout(std::chrono::milliseconds timeout);

  Endpoint endpoint_;
  Options options_;
  redisContext* ctx_ = nullptr;
};

// A fixed number of lazily opened connections shared by threads.
class Pool {
 public:
  Pool(Endpoint endpoint, Options options, int size);
  ~Pool();

  // A connection borrowed for one scope.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection* operator->() { return c_.get(); }
    Connection& operator*() { return *c_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  // Waits for a free connection.
  Lease Acquire();
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  void Release(std::unique_ptr<Connection> c);

  Endpoint endpoint_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int created_ = 0;
  int size_;
};

// What went wrong with Redis in this process so far, for metrics:
// connections lost, timed out or refused, and commands Redis refused for
// its own state (out of memory, loading, read-only). Error replies to a
// command itself (a script's CONFLICT) are not counted.
struct ErrorCounts {
  uint64_t connection = 0;
  uint64_t refused = 0;
};
ErrorCounts GetErrorCounts();

// Runs `command` on a pooled connection.
Result<Reply> Run(Pool& pool, const Command& command);

// Checks that Redis keeps what it acknowledged and never evicts: AOF on and
// maxmemory-policy noeviction. A queue whose keys can be evicted or lost on
// restart loses jobs. Returns kFailedPrecondition naming the setting.
Status CheckDurability(Connection& connection);

}  // namespace saraban::redis
