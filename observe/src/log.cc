#include "saraban/observe/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>

namespace saraban::observe {

namespace {

// The fields of the scopes this thread is in, innermost last.
thread_local std::vector<std::pair<std::string, std::string>> scope_fields;

// Length of the well-formed UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                          : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
  if (n <= 1 || i + n > s.size()) return n == 1 ? 1 : 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  // No overlongs, surrogates or code points past U+10FFFF.
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;
  if (c == 0xED && b(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;
  if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
  return n;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    } else if (size_t n = Utf8Length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
}

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// 2026-11-28T10:00:00.123Z
std::string Iso8601(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

// Writes each event as a JSON line, or as "time level component: message
// key=value ..." for a terminal.
class Formatter final : public spdlog::formatter {
 public:
  Formatter(std::string component, bool json) : component_(std::move(component)), json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line;
    if (json_) {
      line = JsonLine(Iso8601(msg.time), LevelName(msg.level), component_, text, scope_fields);
    } else {
      line = Iso8601(msg.time) + " " + std::string(LevelName(msg.level)) + " " + component_ +
             ": " + std::string(text);
      for (const auto& [k, v] : scope_fields) line += " " + k + "=" + v;
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<Formatter>(component_, json_);
  }

 private:
  std::string component_;
  bool json_;
};

}  // namespace

std::string JsonLine(std::string_view time, std::string_view level, std::string_view component,
                     std::string_view message,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{\"time\":";
  AppendJsonString(out, time);
  out += ",\"level\":";
  AppendJsonString(out, level);
  out += ",\"component\":";
  AppendJsonString(out, component);
  out += ",\"msg\":";
  AppendJsonString(out, message);
  // An inner scope's field hides an outer one of the same name.
  for (size_t i = 0; i < fields.size(); ++i) {
    bool hidden = false;
    for (size_t j = i + 1; j < fields.size() && !hidden; ++j) {
      hidden = fields[j].first == fields[i].first;
    }
    if (hidden) continue;
    out += ',';
    AppendJsonString(out, fields[i].first);
    out += ':';
    AppendJsonString(out, fields[i].second);
  }
  out += '}';
  return out;
}

void AddLogFlags(CLI::App& app, LogOptions* o) {
  app.add_option("--log-format", o->format,
                 "Log lines as text, or as JSON lines (auto: JSON unless stderr is a terminal)")
      ->envname("SARABAN_LOG_FORMAT")
      ->check(CLI::IsMember({"auto", "text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", o->level, "Least severe level logged")
      ->envname("SARABAN_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
}

Status SetUpLogging(std::string_view component, const LogOptions& options) {
  const bool json =
      options.format == "json" || (options.format == "auto" && ::isatty(STDERR_FILENO) == 0);
  auto logger = std::make_shared<spdlog::logger>(
      std::string(component), std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::make_unique<Formatter>(std::string(component), json));
  const auto level = spdlog::level::from_str(options.level == "warn" ? "warning" : options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return InvalidArgument("unknown log level \"" + options.level + "\"", "--log-level");
  }
  logger->set_level(level);
  // Warnings and errors reach the collector at once; the rest in batches.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

LogScope::LogScope(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;
    scope_fields.emplace_back(std::string(k), std::string(v));
    ++added_;
  }
}

LogScope::~LogScope() { scope_fields.resize(scope_fields.size() - added_); }

}  // namespace saraban::observe
