// Small string helpers shared by the modules.
#pragma once

#include <string>
#include <string_view>

namespace saraban {

// `s` with every occurrence of `from` replaced by `to` (left to right,
// replacements are not searched again). `from` must not be empty.
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

}  // namespace saraban
