// Content digests as lowercase hex: documents are stored and checked under
// their SHA-256; Redis names Lua scripts by their SHA-1.
#pragma once

#include <string>
#include <string_view>

namespace saraban {

std::string Sha256Hex(std::string_view bytes);
std::string Sha1Hex(std::string_view bytes);

}  // namespace saraban
