// Character classes of the Thai block (U+0E00..U+0E7F) shared by the text
// library's sources.
#pragma once

namespace saraban::text {

// ก..ฮ, including ฤ and ฦ, which carry marks like consonants.
constexpr bool IsThaiConsonant(char32_t cp) { return cp >= 0x0E01 && cp <= 0x0E2E; }

// MAI HAN-AKAT, the vowels above and below, PHINTHU, and U+0E47..U+0E4E.
constexpr bool IsThaiMark(char32_t cp) {
  return cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E);
}

// MAI EK, MAI THO, MAI TRI, MAI CHATTAWA.
constexpr bool IsThaiToneMark(char32_t cp) { return cp >= 0x0E48 && cp <= 0x0E4B; }

// Vowels drawn above the consonant (MAITAIKHU shortens and sits there too).
constexpr bool IsThaiAboveVowel(char32_t cp) {
  return cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E37) || cp == 0x0E47;
}

// SARA U, SARA UU and PHINTHU, drawn below the consonant.
constexpr bool IsThaiBelowVowel(char32_t cp) { return cp >= 0x0E38 && cp <= 0x0E3A; }

// ๐..๙
constexpr bool IsThaiDigit(char32_t cp) { return cp >= 0x0E50 && cp <= 0x0E59; }

constexpr bool IsThai(char32_t cp) { return cp >= 0x0E00 && cp <= 0x0E7F; }

}  // namespace saraban::text
