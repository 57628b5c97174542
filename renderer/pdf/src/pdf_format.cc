#include "pdf_format.h"

#include <charconv>
#include <cmath>

#include "saraban/text/normalize.h"

namespace saraban::pdf {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

void AppendUtf16Unit(std::string& out, uint32_t unit) { AppendHex4(out, unit); }

}  // namespace

void AppendInt(std::string& out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 chars always suffice for an int64
  out.append(buf, end);
}

void AppendNumber(std::string& out, double value, int decimals) {
  const int64_t scale = kPow10[decimals];
  const int64_t scaled = std::llround(value * static_cast<double>(scale));
  if (scaled == 0) {
    out.push_back('0');
    return;
  }
  const uint64_t magnitude = scaled < 0 ? static_cast<uint64_t>(-scaled) : scaled;
  if (scaled < 0) out.push_back('-');
  AppendInt(out, static_cast<int64_t>(magnitude / scale));
  uint64_t frac = magnitude % scale;
  if (frac == 0) return;
  int digits = decimals;
  while (frac % 10 == 0) {
    frac /= 10;
    --digits;
  }
  out.push_back('.');
  char buf[8];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(buf, digits);
}

void AppendHex4(std::string& out, uint32_t value) {
  const char digits[4] = {kHexDigits[(value >> 12) & 0xF], kHexDigits[(value >> 8) & 0xF],
                          kHexDigits[(value >> 4) & 0xF], kHexDigits[value & 0xF]};
  out.append(digits, 4);
}

namespace {

// Calls `unit` with each UTF-16 code unit of `utf8` (valid UTF-8).
template <typename Fn>
void ForEachUtf16Unit(std::string_view utf8, Fn unit) {
  size_t pos = 0;
  while (pos < utf8.size()) {
    const uint32_t cp = text::DecodeUtf8(utf8, pos);
    if (cp < 0x10000) {
      unit(cp);
    } else {
      const uint32_t v = cp - 0x10000;
      unit(0xD800 | (v >> 10));
      unit(0xDC00 | (v & 0x3FF));
    }
  }
}

}  // namespace

void AppendUtf16BeHex(std::string& out, std::string_view utf8) {
  ForEachUtf16Unit(utf8, [&out](uint32_t u) { AppendUtf16Unit(out, u); });
}

void AppendLiteralByte(std::string& out, uint8_t b) {
  switch (b) {
    case '\\': out += "\\\\"; break;
    case '(': out += "\\("; break;
    case ')': out += "\\)"; break;
    case '\r': out += "\\r"; break;
    case '\n': out += "\\n"; break;
    default: out.push_back(static_cast<char>(b));
  }
}

void AppendLiteralCode(std::string& out, uint32_t gid) {
  AppendLiteralByte(out, static_cast<uint8_t>(gid >> 8));
  AppendLiteralByte(out, static_cast<uint8_t>(gid));
}

void AppendUtf16BeLiteral(std::string& out, std::string_view utf8) {
  ForEachUtf16Unit(utf8, [&out](uint32_t u) {
    AppendLiteralByte(out, static_cast<uint8_t>(u >> 8));
    AppendLiteralByte(out, static_cast<uint8_t>(u));
  });
}

std::string Utf16BeWithBom(std::string_view utf8) {
  std::string out = "\xFE\xFF";
  ForEachUtf16Unit(utf8, [&out](uint32_t u) {
    out.push_back(static_cast<char>(u >> 8));
    out.push_back(static_cast<char>(u & 0xFF));
  });
  return out;
}

}  // namespace saraban::pdf
