#include "scripts.h"

#include "saraban/digest.h"
#include "saraban/redis/clock.h"

namespace saraban::queue::internal {

namespace {

// Shared by the scripts that finish jobs.
constexpr const char* kPrelude = R"lua(
-- A client request id: the first request records what it created and gets
-- nil; a retry gets that record back and must write nothing.
local function recall_or_record(key, value, ttl)
  local existing = redis.call('GET', key)
  if existing then return existing end
  redis.call('SET', key, value, 'EX', ttl)
  return nil
end
local function is_final(s)
  return s == 'SUCCEEDED' or s == 'FAILED' or s == 'CANCELLED'
end
-- Acknowledged entries are deleted too: the group is the stream's only
-- reader, so nothing needs them, and the stream stays as long as the queue.
local function ack(stream, group, entry)
  redis.call('XACK', stream, group, entry)
  redis.call('XDEL', stream, entry)
end
-- Counts a job that became final; the batch is done (and starts to
-- expire) when every job is.
local function count_final(bkey, bjobs, field, now, ttl)
  if redis.call('EXISTS', bkey) == 0 then return end
  redis.call('HINCRBY', bkey, field, 1)
  local b = redis.call('HMGET', bkey, 'total', 'succeeded', 'failed', 'cancelled')
  local final = (tonumber(b[2]) or 0) + (tonumber(b[3]) or 0) + (tonumber(b[4]) or 0)
  if final >= (tonumber(b[1]) or 0) then
    redis.call('HSET', bkey, 'finish_ms', now)
    redis.call('EXPIRE', bkey, ttl)
    redis.call('EXPIRE', bjobs, ttl)
  end
end
local function fail_for_good(job, dead, bkey, bjobs, id, report, attempts, reason, batch, now, ttl)
  redis.call('HSET', job, 'state', 'FAILED', 'error', reason, 'finish_ms', now, 'token', '')
  redis.call('XADD', dead, '*', 'job', id, 'report', report or '', 'attempts', attempts,
             'reason', reason)
  if batch and batch ~= '' then count_final(bkey, bjobs, 'failed', now, ttl) end
  redis.call('EXPIRE', job, ttl)
end
)lua";

}  // namespace

Script::Script(std::string b)
    : body(std::string(redis::kClockLua) + kPrelude + b), sha1(Sha1Hex(body)) {}

redis::Command ScriptCommand(const Script& s, std::vector<std::string> keys,
                             std::vector<std::string> args) {
  redis::Command cmd;
  cmd.reserve(3 + keys.size() + args.size());
  cmd.push_back("EVAL");
  cmd.push_back(s.body);
  cmd.push_back(std::to_string(keys.size()));
  for (auto& k : keys) cmd.push_back(std::move(k));
  for (auto& a : args) cmd.push_back(std::move(a));
  return cmd;
}

Result<std::vector<redis::Reply>> RunCommands(redis::Connection& c,
                                              const std::vector<redis::Command>& commands,
                                              bool atomic) {
  return atomic ? c.Transaction(commands) : c.Pipeline(commands);
}

Result<redis::Reply> RunScript(redis::Connection& c, const Script& s,
                               std::vector<std::string> keys, std::vector<std::string> args) {
  redis::Command cmd = ScriptCommand(s, std::move(keys), std::move(args));
  cmd[0] = "EVALSHA";
  cmd[1] = s.sha1;
  auto r = c.Run(cmd);
  if (r.ok() || redis::KindOf(r.status()) != redis::ErrorKind::kNoScript) return r;
  cmd[0] = "EVAL";
  cmd[1] = s.body;
  return c.Run(cmd);
}

const Script& SubmitScript() {
  static const Script s(R"lua(
local earlier = ARGV[4] == '1' and recall_or_record(KEYS[3], ARGV[2], ARGV[3])
if earlier then
  redis.call('DEL', KEYS[1])
  return earlier
end
redis.call('HSET', KEYS[1], 'create_ms', now_ms(ARGV[5]))
redis.call('XADD', KEYS[2], '*', 'job', ARGV[1])
return false
)lua");
  return s;
}

const Script& CreateBatchScript() {
  static const Script s(R"lua(
local earlier = ARGV[3] == '1' and recall_or_record(KEYS[1], ARGV[1], ARGV[2])
if earlier then return earlier end
redis.call('HSET', KEYS[2], 'create_ms', now_ms(ARGV[4]), unpack(ARGV, 5))
return false
)lua");
  return s;
}

const Script& AppendBatchJobsScript() {
  static const Script s(R"lua(
-- A batch sealed by a submission that stopped, or written on by another
-- retry of the same request, takes nothing more: the chunk's job hashes
-- (written beside this script) are removed.
if redis.call('HEXISTS', KEYS[3], 'sealed') == 1 then
  redis.call('DEL', unpack(KEYS, 4))
  return redis.error_reply('CONFLICT the batch was sealed by a submission that stopped')
end
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then
  redis.call('DEL', unpack(KEYS, 4))
  return redis.error_reply('CONFLICT another submission is writing this batch')
end
local now = now_ms(ARGV[3])
for i = 4, #KEYS do
  redis.call('HSET', KEYS[i], 'create_ms', now)
  redis.call('XADD', KEYS[2], '*', 'job', ARGV[i], 'batch', ARGV[2])
  redis.call('RPUSH', KEYS[1], ARGV[i])
end
return #KEYS - 3
)lua");
  return s;
}

const Script& ClaimScript() {
  static const Script s(R"lua(
local j = redis.call('HMGET', KEYS[1], 'state', 'error', 'report', 'batch')
if not j[1] or is_final(j[1]) then
  ack(KEYS[2], ARGV[2], ARGV[1])
  return {'final'}
end
-- The batch keys come from the stream entry. An entry that does not name
-- the job's batch (written before entries carried it) changes nothing: the
-- caller runs the claim again with the batch returned here.
local batch = j[4] or ''
if batch ~= ARGV[7] then return {'batch', batch} end
local max = tonumber(ARGV[3])
local now = now_ms(ARGV[4])
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > max then
  -- Only a worker that died mid-render (or a lost Fail) gets here: the
  -- attempts were used up without a recorded final failure.
  local last = j[2]
  if not last or last == '' then last = 'the worker stopped during the render' end
  local reason = 'gave up after ' .. max .. ' attempts: ' .. last
  redis.call('HSET', KEYS[1], 'attempts', max)
  fail_for_good(KEYS[1], KEYS[3], KEYS[4], KEYS[5], ARGV[5], j[3], max, reason, j[4],
                now, ARGV[6])
  ack(KEYS[2], ARGV[2], ARGV[1])
  return {'dead', reason}
end
local token = ARGV[1] .. '/' .. attempts
redis.call('HSET', KEYS[1], 'state', 'RUNNING', 'start_ms', now, 'token', token)
return {'claimed', token, attempts, batch}
)lua");
  return s;
}

const Script& CompleteScript() {
  static const Script s(R"lua(
local j = redis.call('HMGET', KEYS[1], 'state', 'token', 'batch')
if not j[1] or is_final(j[1]) then
  ack(KEYS[2], ARGV[3], ARGV[2])
  return 'final'
end
if j[2] ~= ARGV[1] then return 'fenced' end
-- The PDF is written just before this script, but not in a transaction: a
-- failed write (Redis out of memory) must not leave a job SUCCEEDED without
-- its document.
if redis.call('EXISTS', KEYS[5]) == 0 then return 'nopdf' end
local now = now_ms(ARGV[7])
redis.call('HSET', KEYS[1], 'state', 'SUCCEEDED', 'sha256', ARGV[4], 'size', ARGV[5],
           'pages', ARGV[6], 'finish_ms', now, 'token', '')
redis.call('HDEL', KEYS[1], 'error')
if j[3] and j[3] ~= '' then count_final(KEYS[3], KEYS[4], 'succeeded', now, ARGV[8]) end
ack(KEYS[2], ARGV[3], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[8])
return 'ok'
)lua");
  return s;
}

const Script& FailScript() {
  static const Script s(R"lua(
local j = redis.call('HMGET', KEYS[1], 'state', 'token', 'attempts', 'report', 'batch')
if not j[1] or is_final(j[1]) then
  ack(KEYS[2], ARGV[3], ARGV[2])
  return 'final'
end
if j[2] ~= ARGV[1] then return 'fenced' end
local attempts = tonumber(j[3]) or 0
local now = now_ms(ARGV[7])
if ARGV[5] == '1' or attempts >= tonumber(ARGV[6]) then
  local reason = ARGV[4]
  if ARGV[5] ~= '1' then reason = 'gave up after ' .. attempts .. ' attempts: ' .. ARGV[4] end
  fail_for_good(KEYS[1], KEYS[4], KEYS[5], KEYS[6], ARGV[9], j[4], attempts, reason, j[5],
                now, ARGV[10])
  ack(KEYS[2], ARGV[3], ARGV[2])
  return 'dead'
end
local due = string.format('%d', tonumber(now) + tonumber(ARGV[8]))
redis.call('HSET', KEYS[1], 'state', 'QUEUED', 'error', ARGV[4], 'retry_ms', due, 'token', '')
redis.call('ZADD', KEYS[3], due, ARGV[9])
ack(KEYS[2], ARGV[3], ARGV[2])
return 'retry'
)lua");
  return s;
}

const Script& PromoteScript() {
  static const Script s(R"lua(
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(ARGV[1]), 'LIMIT', 0,
                      tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local batch = redis.call('HGET', ARGV[3] .. id, 'batch')
  if batch and batch ~= '' then
    redis.call('XADD', KEYS[2], '*', 'job', id, 'batch', batch)
  else
    redis.call('XADD', KEYS[2], '*', 'job', id)
  end
end
return #ids
)lua");
  return s;
}

const Script& SealBatchScript() {
  static const Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('LLEN', KEYS[2])
redis.call('HSET', KEYS[1], 'total', n, 'sealed', '1', 'error',
           'the submission stopped after ' .. n .. ' of ' .. ARGV[3] .. ' jobs: ' .. ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'succeeded', 'failed', 'cancelled')
if (tonumber(b[1]) or 0) + (tonumber(b[2]) or 0) + (tonumber(b[3]) or 0) >= n then
  redis.call('HSET', KEYS[1], 'finish_ms', now_ms(ARGV[1]))
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return n
)lua");
  return s;
}

const Script& CancelScript() {
  static const Script s(R"lua(
local n = 0
local now = now_ms(ARGV[1])
for i = 4, #KEYS do
  local j = redis.call('HMGET', KEYS[i], 'state', 'batch')
  if j[1] and not is_final(j[1]) then
    -- The stream entry stays: whoever reads or holds it sees a final job at
    -- Claim/Complete and acknowledges it.
    redis.call('HSET', KEYS[i], 'state', 'CANCELLED', 'finish_ms', now, 'token', '')
    redis.call('ZREM', KEYS[1], ARGV[i - 1])
    if j[2] and j[2] ~= '' then count_final(KEYS[2], KEYS[3], 'cancelled', now, ARGV[2]) end
    redis.call('EXPIRE', KEYS[i], ARGV[2])
    n = n + 1
  end
end
return n
)lua");
  return s;
}

}  // namespace saraban::queue::internal
