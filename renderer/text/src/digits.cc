#include "saraban/text/digits.h"

namespace saraban::text {

std::string ThaiDigits(std::string_view ascii) {
  std::string out;
  out.reserve(ascii.size() * 3);
  for (char c : ascii) {
    if (c >= '0' && c <= '9') {
      // U+0E50 + digit, in UTF-8: E0 B9 90+digit.
      out += "\xE0\xB9";
      out += static_cast<char>(0x90 + (c - '0'));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace saraban::text
