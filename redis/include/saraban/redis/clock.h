// The clock of everything saraban keeps in Redis: Redis's own, read inside
// the scripts that write times, so that every service replica and worker
// agrees on them whatever its host's clock says. The report store and the
// job queue both use it; a queue test passes its own time instead, to move
// time forward without sleeping.
#pragma once

#include <string_view>

namespace saraban::redis {

// Lua that defines `now_ms(given)`: `given` when it is not empty (a test's
// clock), else Redis's TIME, as milliseconds in a decimal string (a Lua
// number passed to redis.call may be formatted with an exponent).
inline constexpr std::string_view kClockLua = R"lua(
local function now_ms(given)
  if given and given ~= '' then return given end
  local t = redis.call('TIME')
  return string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
end
)lua";

}  // namespace saraban::redis
