// Thai text validation and normalisation: the gate every string passes
// before it is stored or rendered.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "saraban/status.h"

namespace saraban::text {

// Validates `utf8` and returns it in the canonical form the renderer expects:
// - invalid UTF-8 (bad sequences, overlongs, surrogates, > U+10FFFF) is an
//   error naming the byte offset;
// - a Thai combining mark (U+0E31, U+0E34..U+0E3A, U+0E47..U+0E4E) with no
//   Thai consonant (or a preceding allowed mark) before it is an error;
// - NIKHAHIT + SARA AA (U+0E4D U+0E32) becomes SARA AM (U+0E33), also when a
//   tone mark sits between: "น" U+0E49 U+0E4D U+0E32 -> "น้ำ";
// - marks above a consonant are put in the order vowel-above-or-below, then
//   tone mark (U+0E48..U+0E4B), e.g. U+0E48 U+0E34 -> U+0E34 U+0E48;
// - a repeated identical mark on one consonant is an error, and so are a
//   second tone mark and a second vowel above (or below) one consonant;
// - SARA AM (U+0E33) needs a consonant and shares it with a tone mark only
//   (its NIKHAHIT takes the place above): after a vowel mark it is an error,
//   and a tone mark typed after it moves before it ("นำ้" -> "น้ำ");
// - C0 controls other than TAB and LF and the Unicode noncharacters are
//   errors; CR LF and CR become LF; TAB becomes a space (U+0020), because
//   the Thai fonts have no glyph for it and would draw a box; NBSP and other
//   spaces stay;
// - the bidirectional controls (U+200E, U+200F, U+061C, U+202A..U+202E,
//   U+2066..U+2069) are errors: they make text show in another order than
//   it is stored ("Trojan Source"); ZERO WIDTH SPACE (U+200B) and ZERO
//   WIDTH NO-BREAK SPACE (U+FEFF, a byte-order mark inside text) are
//   removed.
// The message says what is wrong in words a clerk understands (English) and
// where: "Thai mark U+0E48 at byte 4 has no consonant before it".
Result<std::string> Normalize(std::string_view utf8);

// Checks that `utf8` is well-formed UTF-8 (no bad sequences, overlongs,
// surrogates or code points past U+10FFFF); any code point, control or
// noncharacter, is accepted. On failure: InvalidArgument with the message
// Normalize gives, "invalid UTF-8 at byte 3: truncated sequence", and the
// offset of the first bad byte in `*bad_offset` when it is not null.
Status ValidateUtf8(std::string_view utf8, size_t* bad_offset = nullptr);

// Decodes the code point at byte `pos` of well-formed UTF-8 (checked
// before, e.g. by ValidateUtf8) and moves `pos` past it.
char32_t DecodeUtf8(std::string_view valid_utf8, size_t& pos);

// The index (0..127) in the Thai block U+0E00..U+0E7F of the character
// whose three UTF-8 bytes start at byte `pos`, or -1 for any other
// character or a text too short: a look-up key for Thai words without a
// full decode.
int ThaiIndexAt(std::string_view utf8, size_t pos);

// True when `cp` is a Thai mark that combines with the preceding character.
bool IsThaiCombiningMark(char32_t cp);

}  // namespace saraban::text
