// What laid-out lines must give back: the input text, apart from the spaces
// and line breaks a line may end at (and so drop). Shared by the layout
// tests and the layout fuzz target.
#pragma once

#include <string>

namespace saraban::testing {

// `s` without the spaces, NBSPs and line breaks a line may end at.
inline std::string WithoutSpaces(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' || s[i] == '\n') continue;
    if (s.compare(i, 2, "\xC2\xA0") == 0) {  // NBSP may end a line too
      ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace saraban::testing
