// Small helpers shared by the tests: running external programs, temporary
// files, comparing extracted text.
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace saraban::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh; output captured.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A path in a directory private to this test process.
inline std::string TempPath(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/saraban-test-XXXXXX";
    const char* d = mkdtemp(tmpl);
    return std::string(d ? d : "/tmp");
  }();
  return dir + "/" + name;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `s` without ASCII whitespace: extraction puts line breaks and spaces
// where lines were broken; the words themselves must be identical.
inline std::string StripSpaces(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f') out += c;
  }
  return out;
}

// Letters of `utf8`: code points that are not Thai combining marks or
// spaces ("การ" has 3, "ธรรม" 4); a short syllable has 3 or fewer.
inline int LetterCount(const std::string& utf8) {
  int n = 0;
  for (size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? b : 0;
    if (len == 3 && i + 2 < utf8.size()) {
      cp = ((b & 0x0F) << 12) | ((static_cast<unsigned char>(utf8[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(utf8[i + 2]) & 0x3F);
    }
    const bool mark = cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E);
    if (!mark && cp != ' ') ++n;
    i += len;
  }
  return n;
}

// True if `utf8` holds a code point of the Private Use Area (U+E000..U+F8FF),
// which is what broken Thai extraction produces.
inline bool HasPrivateUseCharacter(const std::string& utf8) {
  for (size_t i = 0; i + 2 < utf8.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    const auto b1 = static_cast<unsigned char>(utf8[i + 1]);
    // U+E000..U+F8FF is EE 80 80 .. EF A3 BF in UTF-8.
    if (b0 == 0xEE || (b0 == 0xEF && b1 <= 0xA3)) return true;
  }
  return false;
}

}  // namespace saraban::test
