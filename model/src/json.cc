#include "saraban/model/json.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <vector>
#include <system_error>

#include "saraban/files.h"
#include "saraban/text/normalize.h"

namespace saraban::model {
namespace {

namespace pbu = google::protobuf::util;

// "line 3, column 5" (counted from 1, columns in bytes) for a byte offset
// (counted from 0): protobuf's own message for
// bad UTF-8 does not say where, and a clerk editing a file by hand needs the line.
std::string Line(std::string_view s, size_t offset) {
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (s[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

// Protobuf 3.21 puts the code name in front of some messages
// ("INVALID_ARGUMENT:..."); the caller already has the code. Syntax errors
// come as three lines (message, input excerpt, caret); they are folded into
// one so that FormatErrors keeps one problem per line.
std::string CleanProtobufMessage(std::string_view message) {
  constexpr std::string_view kPrefix = "INVALID_ARGUMENT:";
  if (message.substr(0, kPrefix.size()) == kPrefix) message.remove_prefix(kPrefix.size());
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  const size_t nl = message.find('\n');
  std::string out(message.substr(0, nl));
  if (nl == std::string_view::npos) return out;
  std::string_view rest = message.substr(nl + 1);
  std::string_view excerpt = rest.substr(0, rest.find('\n'));
  if (!excerpt.empty()) out += " (near \"" + std::string(excerpt) + "\")";
  return out;
}

// The first key that an object of `json` (well-formed UTF-8) holds twice,
// as "measures[2].title" with where it is. protobuf's parser keeps the last
// value of a repeated key without a word, so a report edited by hand could
// lose the first silently. Only what a duplicate check needs is scanned:
// strings, the nesting of objects and arrays, and where keys stand; syntax
// errors are left to the parser, which names them.
Status FindDuplicateKey(std::string_view json) {
  struct Level {
    bool object = false;
    std::vector<std::string> keys;  // an object's keys so far
    std::string path;               // of this object or array
    size_t index = 0;               // an array's next element
    bool expect_key = true;         // an object: the next string is a key
    std::string last_key;
  };
  std::vector<Level> stack;
  auto child_path = [&]() -> std::string {
    if (stack.empty()) return "";
    const Level& top = stack.back();
    if (top.object) return top.path.empty() ? top.last_key : top.path + "." + top.last_key;
    return top.path + "[" + std::to_string(top.index) + "]";
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      const size_t start = i + 1;
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        Level& top = stack.back();
        std::string key(json.substr(start, i - start));
        if (std::find(top.keys.begin(), top.keys.end(), key) != top.keys.end()) {
          return InvalidArgument("duplicate key \"" + key + "\"" +
                                     (top.path.empty() ? "" : " in " + top.path) + " (" +
                                     Line(json, start - 1) + "); each key may appear once",
                                 top.path.empty() ? key : top.path + "." + key);
        }
        top.keys.push_back(key);
        top.last_key = std::move(key);
        top.expect_key = false;
      }
    } else if (c == '{' || c == '[') {
      std::string path = child_path();
      stack.push_back({});
      stack.back().object = c == '{';
      stack.back().path = std::move(path);
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      if (stack.back().object) {
        stack.back().expect_key = true;
      } else {
        ++stack.back().index;
      }
    }
  }
  return Status::Ok();
}

// A UTF-8 byte-order mark, which Windows editors put at the start of a file.
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

template <typename Message>
Result<Message> ParseJson(std::string_view json, std::string_view what) {
  if (json.substr(0, kUtf8Bom.size()) == kUtf8Bom) json.remove_prefix(kUtf8Bom.size());
  size_t bad = 0;
  if (Status utf8 = text::ValidateUtf8(json, &bad); !utf8.ok()) {
    return InvalidArgument("the " + std::string(what) + " JSON has " + utf8.message() + " (" +
                           Line(json, bad) + "); save the file as UTF-8");
  }
  if (Status dup = FindDuplicateKey(json); !dup.ok()) {
    return Status(dup.code(), "invalid " + std::string(what) + " JSON: " + dup.message(),
                  dup.field());
  }
  Message message;
  pbu::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const pbu::Status status = pbu::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message, options);
  if (!status.ok()) {
    return InvalidArgument("invalid " + std::string(what) + " JSON: " +
                           CleanProtobufMessage(std::string_view(status.message().data(),
                                                                 status.message().size())));
  }
  return message;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    return Status(StatusCode::kNotFound, "no such file: " + path);
  }
  if (std::filesystem::is_directory(st)) {
    return InvalidArgument(path + " is a directory, not a JSON file");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxJsonFileBytes) {
    return Status(StatusCode::kResourceExhausted,
                  path + " is " + std::to_string(size) + " bytes; the limit is " +
                      std::to_string(kMaxJsonFileBytes) + " bytes (8 MiB)");
  }
  // Exists but cannot be opened (permissions, a socket): an I/O error, so
  // NotFound like a missing file, not a fault in the JSON.
  return ReadFileAtMost(path, kMaxJsonFileBytes);
}

template <typename Message>
Result<Message> LoadJsonFile(const std::string& path, std::string_view what) {
  Result<std::string> data = ReadSmallFile(path);
  if (!data.ok()) return data.status();
  Result<Message> message = ParseJson<Message>(*data, what);
  if (!message.ok()) {
    return Status(message.status().code(), path + ": " + message.status().message());
  }
  return message;
}

std::string ToJson(const google::protobuf::Message& message) {
  pbu::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = false;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  std::string out;
  if (!pbu::MessageToJsonString(message, &out, options).ok()) return {};
  return out;
}

}  // namespace

Result<v1::Report> ParseReportJson(std::string_view json) {
  return ParseJson<v1::Report>(json, "report");
}

Result<v1::Report> LoadReportFile(const std::string& path) {
  return LoadJsonFile<v1::Report>(path, "report");
}

Result<v1::Template> ParseTemplateJson(std::string_view json) {
  return ParseJson<v1::Template>(json, "template");
}

Result<v1::Template> LoadTemplateFile(const std::string& path) {
  return LoadJsonFile<v1::Template>(path, "template");
}

std::string ReportToJson(const v1::Report& report) { return ToJson(report); }

std::string TemplateToJson(const v1::Template& tmpl) { return ToJson(tmpl); }

}  // namespace saraban::model
