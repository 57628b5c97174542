// Locale-independent formatting of the tokens the writer puts into content
// streams and CMaps: fixed-precision numbers and hexadecimal strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace saraban::pdf {

// Appends `value` rounded to `decimals` (0..6) places, without trailing
// zeros, never "-0" and never an exponent. `value` must be finite and small
// enough that value * 10^decimals fits in an int64.
void AppendNumber(std::string& out, double value, int decimals = 3);

// Appends an integer in decimal.
void AppendInt(std::string& out, int64_t value);

// Appends four uppercase hex digits (a glyph ID or a UTF-16 code unit).
void AppendHex4(std::string& out, uint32_t value);

// Appends the UTF-16BE code units of `utf8` as uppercase hex (no BOM, no
// angle brackets). `utf8` must be valid UTF-8.
void AppendUtf16BeHex(std::string& out, std::string_view utf8);

// Appends `b` as it goes inside a PDF literal string "(...)": the bytes
// raw, except \ ( ) and the end-of-line bytes, which are escaped (a raw CR
// or LF in a literal string reads back as LF). Half the size of hex.
void AppendLiteralByte(std::string& out, uint8_t b);
// A glyph ID as two bytes of a literal string (Identity-H code).
void AppendLiteralCode(std::string& out, uint32_t gid);
// UTF-16BE of `utf8` as bytes of a literal string (no BOM).
void AppendUtf16BeLiteral(std::string& out, std::string_view utf8);


// The UTF-16BE bytes of `utf8` with a byte order mark (for PDF text strings).
std::string Utf16BeWithBom(std::string_view utf8);

}  // namespace saraban::pdf
