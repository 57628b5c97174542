#include "saraban/redis/client.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <atomic>
#include <charconv>
#include <utility>

namespace saraban::redis {

std::string Endpoint::ToString() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string user = username.empty() ? "" : username + "@";
  return "redis://" + user + host_part + ":" + std::to_string(port) + "/" + std::to_string(db);
}

namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Reply Copy(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

// Maps a Redis error reply to the status a caller can act on.
std::atomic<uint64_t> connection_errors{0};
std::atomic<uint64_t> refusals{0};

// The prefix of the message of every status made from an error reply.
constexpr std::string_view kReplyPrefix = "redis: ";
constexpr std::string_view kOomPrefix = "Redis is out of memory";

Status ErrorStatus(std::string_view message) {
  std::string text = std::string(kReplyPrefix) + std::string(message);
  auto starts = [&](std::string_view p) { return message.substr(0, p.size()) == p; };
  if (starts("OOM")) {
    ++refusals;
    return {StatusCode::kResourceExhausted,
            std::string(kOomPrefix) + " (its maxmemory is reached): nothing was written; retry once "
            "memory is freed or maxmemory raised (" + text + ")"};
  }
  if (starts("LOADING") || starts("BUSY") || starts("MASTERDOWN") || starts("TRYAGAIN") ||
      starts("READONLY") || starts("NOAUTH")) {
    ++refusals;
    return {StatusCode::kUnavailable, text};
  }
  return {StatusCode::kInternal, text};
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

Result<Endpoint> ParseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("must look like redis://HOST:PORT[/DB], got \"" + std::string(url) + "\"");
  }
  std::string_view rest = url.substr(kScheme.size());
  Endpoint e;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = credentials.find(':'); colon != std::string_view::npos) {
      e.password = std::string(credentials.substr(colon + 1));
      credentials = credentials.substr(0, colon);
    }
    e.username = std::string(credentials);
    url = e.password.empty() ? url : std::string_view("redis://USER:***@...");
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!ParseInt(db, &e.db) || e.db < 0 || e.db > 15)) {
      return InvalidArgument("database must be 0..15, got \"" + std::string(db) + "\"");
    }
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return InvalidArgument("unclosed [ in host");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return InvalidArgument("expected :PORT after ]");
      port = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return InvalidArgument("missing host in \"" + std::string(url) + "\"");
  e.host = std::string(host);
  if (!port.empty() && (!ParseInt(port, &e.port) || e.port < 1 || e.port > 65535)) {
    return InvalidArgument("port must be 1..65535, got \"" + std::string(port) + "\"");
  }
  return e;
}

long long Reply::AsInteger() const {
  if (type == Type::kInteger) return integer;
  long long v = 0;
  std::from_chars(str.data(), str.data() + str.size(), v);
  return v;
}

ErrorCounts GetErrorCounts() { return {connection_errors.load(), refusals.load()}; }

Status Reply::ErrorStatus() const { return redis::ErrorStatus(str); }

ErrorKind KindOf(const Status& status) {
  std::string_view m = status.message();
  if (m.substr(0, kOomPrefix.size()) == kOomPrefix) return ErrorKind::kOom;
  if (m.substr(0, kReplyPrefix.size()) != kReplyPrefix) return ErrorKind::kNone;
  m.remove_prefix(kReplyPrefix.size());
  const std::string_view word = m.substr(0, m.find(' '));
  if (word == "OOM") return ErrorKind::kOom;
  if (word == "NOSCRIPT") return ErrorKind::kNoScript;
  if (word == "BUSYGROUP") return ErrorKind::kBusyGroup;
  if (word == "NOGROUP") return ErrorKind::kNoGroup;
  if (word == "CONFLICT") return ErrorKind::kConflict;
  return ErrorKind::kOther;
}

Connection::Connection(Endpoint endpoint, Options options)
    : endpoint_(std::move(endpoint)), options_(options) {}

Connection::~Connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void Connection::Drop(const std::string&) {
  ++connection_errors;
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

void Connection::SetTimeout(std::chrono::milliseconds timeout) {
  redisSetTimeout(ctx_, ToTimeval(timeout));
}

Status Connection::EnsureConnected() {
  if (ctx_ != nullptr) {
    // An idle connection never has anything to read (no pub/sub here): if
    // the socket is readable, the server closed it (a restart, a timeout).
    // Reconnect now, before sending, so a write is never sent into a dead
    // socket and left in doubt.
    pollfd p{ctx_->fd, POLLIN, 0};
    if (::poll(&p, 1, 0) == 0) return Status::Ok();
    Drop("closed by server");
  }
  redisContext* c = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                            ToTimeval(options_.connect_timeout));
  if (c == nullptr) return Unavailable("redis: out of memory connecting to " + endpoint_.ToString());
  if (c->err) {
    ++connection_errors;
    std::string why = c->errstr;
    redisFree(c);
    return Unavailable("redis unreachable at " + endpoint_.ToString() + ": " + why);
  }
  ctx_ = c;
  redisEnableKeepAlive(ctx_);
  SetTimeout(options_.command_timeout);
  if (!endpoint_.password.empty()) {
    Command auth = {"AUTH"};
    if (!endpoint_.username.empty()) auth.push_back(endpoint_.username);
    auth.push_back(endpoint_.password);
    if (Status sent = Send(auth); !sent.ok()) return sent;
    auto r = ReceiveReply();
    if (!r.ok()) return r.status();
    if (r->type == Reply::Type::kError) {
      // Redis's own words (WRONGPASS ...) never include the password.
      ++connection_errors;
      std::string why = r->str;
      Drop(why);
      return Unavailable("redis at " + endpoint_.ToString() + " refused the credentials: " + why);
    }
  }
  if (endpoint_.db != 0) {
    auto r = Run({"SELECT", std::to_string(endpoint_.db)});
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status Connection::Send(const Command& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(command.size());
  lens.reserve(command.size());
  for (const auto& a : command) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
      REDIS_OK) {
    std::string why = ctx_->errstr;
    Drop(why);
    return Unavailable("redis: " + why);
  }
  return Status::Ok();
}

Result<Reply> Connection::ReceiveReply() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    std::string why = ctx_->err == REDIS_ERR_IO ? "connection lost" : ctx_->errstr;
    if (ctx_->err == REDIS_ERR_IO && errno == EAGAIN) why = "timed out waiting for a reply";
    Drop(why);
    return Unavailable("redis at " + endpoint_.ToString() + ": " + why);
  }
  auto* r = static_cast<redisReply*>(raw);
  Reply out = Copy(r);
  freeReplyObject(r);
  return out;
}

Result<Reply> Connection::Receive() {
  Result<Reply> r = ReceiveReply();
  if (r.ok() && r->type == Reply::Type::kError) return r->ErrorStatus();
  return r;
}

Result<Reply> Connection::Run(const Command& command) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  if (Status s = Send(command); !s.ok()) return s;
  return Receive();
}

Result<Reply> Connection::RunBlocking(const Command& command, std::chrono::milliseconds extra) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  SetTimeout(options_.command_timeout + extra);
  Result<Reply> r = [&]() -> Result<Reply> {
    if (Status s = Send(command); !s.ok()) return s;
    return Receive();
  }();
  if (ctx_ != nullptr) SetTimeout(options_.command_timeout);
  return r;
}

Result<std::vector<Reply>> Connection::PipelineEach(const std::vector<Command>& commands) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  for (const auto& c : commands) {
    if (Status s = Send(c); !s.ok()) return s;
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    Result<Reply> r = ReceiveReply();
    if (!r.ok()) return r.status();  // the connection is gone
    replies.push_back(std::move(r).value());
  }
  return replies;
}

Result<std::vector<Reply>> Connection::Pipeline(const std::vector<Command>& commands) {
  auto replies = PipelineEach(commands);
  if (!replies.ok()) return replies.status();
  for (const Reply& r : *replies) {
    if (r.type == Reply::Type::kError) return r.ErrorStatus();
  }
  return replies;
}

Result<std::vector<Reply>> Connection::Transaction(const std::vector<Command>& commands) {
  std::vector<Command> all;
  all.reserve(commands.size() + 2);
  all.push_back({"MULTI"});
  all.insert(all.end(), commands.begin(), commands.end());
  all.push_back({"EXEC"});
  auto replies = Pipeline(all);
  if (!replies.ok()) return replies.status();
  Reply& exec = replies->back();
  if (!exec.is_array() || exec.elements.size() != commands.size()) {
    return Internal("redis: unexpected reply to EXEC");
  }
  for (const Reply& r : exec.elements) {
    if (r.type == Reply::Type::kError) return r.ErrorStatus();
  }
  return std::move(exec.elements);
}

Pool::Pool(Endpoint endpoint, Options options, int size)
    : endpoint_(std::move(endpoint)), options_(options), size_(size < 1 ? 1 : size) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
  if (c_) pool_->Release(std::move(c_));
}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || created_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++created_;
  return Lease(this, std::make_unique<Connection>(endpoint_, options_));
}

void Pool::Release(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

Result<Reply> Run(Pool& pool, const Command& command) {
  auto lease = pool.Acquire();
  return lease->Run(command);
}

Status CheckDurability(Connection& connection) {
  auto aof = connection.Run({"CONFIG", "GET", "appendonly"});
  if (!aof.ok()) return aof.status();
  if (aof->elements.size() < 2 || aof->elements[1].str != "yes") {
    return {StatusCode::kFailedPrecondition,
            "redis at " + connection.endpoint().ToString() +
                " has appendonly off: acknowledged jobs and reports would be lost on restart "
                "(set appendonly yes)"};
  }
  auto policy = connection.Run({"CONFIG", "GET", "maxmemory-policy"});
  if (!policy.ok()) return policy.status();
  if (policy->elements.size() < 2 || policy->elements[1].str != "noeviction") {
    return {StatusCode::kFailedPrecondition,
            "redis at " + connection.endpoint().ToString() + " has maxmemory-policy " +
                (policy->elements.size() < 2 ? std::string("?") : policy->elements[1].str) +
                ": keys (jobs, reports) could be evicted (set maxmemory-policy noeviction)"};
  }
  return Status::Ok();
}

}  // namespace saraban::redis
