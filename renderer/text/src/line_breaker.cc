#include "saraban/text/line_breaker.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <string>

#include "thai_chars.h"

namespace saraban::text {
namespace {

// Titles that stay on the line of the name they precede.
constexpr std::string_view kTitles[] = {
    "นาย",  "นาง",  "นางสาว", "น.ส.",     "เด็กชาย",   "เด็กหญิง",
    "ด.ช.", "ด.ญ.", "ดร.",    "ว่าที่ร้อยตรี", "ว่าที่ ร.ต.",
};

// Which bytes end a title: most opportunities are rejected by one look-up.
constexpr std::array<bool, 256> kTitleLastBytes = [] {
  std::array<bool, 256> last{};
  for (std::string_view title : kTitles) last[static_cast<uint8_t>(title.back())] = true;
  return last;
}();

// Counting words that stay with the number before them ("๑๒ คน").
constexpr std::string_view kUnits[] = {
    "คะแนน", "บาท", "ล้าน", "ราย",   "คน",  "ครั้ง",     "วัน",   "เดือน",
    "ปี",     "แห่ง", "%",   "ชั่วโมง", "นาที", "โครงการ", "เรื่อง", "ฉบับ",
};

constexpr std::string_view kEras[] = {"พ.ศ.", "ค.ศ."};

// Words ICU 72's dictionary splits: place names it cuts into syllables
// (THAI_TYPESETTING.md 4), the titles made of several words, the key terms
// of an ITA report that it cuts at a compound boundary (ความ|โปร่งใส,
// ผู้รับ|ผิด|ชอบ, ขั้น|ตอน), and words it cuts wrongly after a word that can
// swallow their first letter (ผลอ|ย่าง for ผล|อย่าง, การก|อง for การ|กอง).
// Listing a word only ever removes opportunities strictly inside it, so a
// short word costs at most a correct break (จาก|องค์การ), never adds a
// wrong one.
constexpr std::string_view kDefaultUnbreakableWords[] = {
    "ตะลุโบะ", "บึงคล้า", "ว่าที่ร้อยตรี", "เด็กชาย", "เด็กหญิง", "ความโปร่งใส", "รับผิดชอบ",
    "ขั้นตอน", "อย่าง", "กอง",
};

// The code point starting at byte `i` (U+FFFD for a bad sequence), or 0 at
// the end of the text.
char32_t CodePointAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  const auto b = static_cast<uint8_t>(s[i]);
  if (b < 0x80) return b;
  int32_t pos = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT_OR_FFFD(reinterpret_cast<const uint8_t*>(s.data()), pos, static_cast<int32_t>(s.size()),
                  c);
  return static_cast<char32_t>(c);
}

// The code point ending just before byte `i`, or 0 at the start.
char32_t CodePointBefore(std::string_view s, size_t i) {
  if (i == 0) return 0;
  const auto b = static_cast<uint8_t>(s[i - 1]);
  if (b < 0x80) return b;
  int32_t pos = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV_OR_FFFD(reinterpret_cast<const uint8_t*>(s.data()), 0, pos, c);
  return static_cast<char32_t>(c);
}

bool IsDigit(char32_t cp) { return (cp >= '0' && cp <= '9') || IsThaiDigit(cp); }

bool IsLetter(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || IsThaiConsonant(cp) ||
         (cp >= 0x0E40 && cp <= 0x0E44);  // the vowels written before the consonant
}

size_t SkipSpacesBack(std::string_view s, size_t i) {
  while (i > 0 && s[i - 1] == ' ') --i;
  return i;
}

size_t SkipSpacesForward(std::string_view s, size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

bool EndsWithAt(std::string_view s, size_t end, std::string_view suffix) {
  return end >= suffix.size() && s.substr(end - suffix.size(), suffix.size()) == suffix;
}

bool StartsWithAt(std::string_view s, size_t begin, std::string_view prefix) {
  return s.substr(begin, prefix.size()) == prefix;
}

const icu::BreakIterator& Prototype(bool line) {
  static const auto make = [](bool for_lines) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(
        for_lines ? icu::BreakIterator::createLineInstance(icu::Locale("th"), status)
                  : icu::BreakIterator::createCharacterInstance(icu::Locale("th"), status));
    // Without ICU's data the library cannot work at all.
    if (U_FAILURE(status) || !it) std::abort();
    return it;
  };
  static const std::unique_ptr<icu::BreakIterator> kLine = make(true);
  static const std::unique_ptr<icu::BreakIterator> kCharacter = make(false);
  return line ? *kLine : *kCharacter;
}

std::unique_ptr<icu::BreakIterator> ClonePrototype(bool line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  return std::unique_ptr<icu::BreakIterator>(Prototype(line).clone());
}

// The text handed to ICU: UTF-16, because ICU's break iterators run about a
// third faster on it than on a UTF-8 UText, with the byte offset of each
// UTF-16 unit to map boundaries back. Buffers keep their capacity.
struct Utf16Text {
  ~Utf16Text() { utext_close(&text); }

  // Converts `utf8` (a bad sequence becomes U+FFFD) and points `text` at it.
  UText* Reset(std::string_view utf8) {
    const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
    const auto n = static_cast<int32_t>(utf8.size());
    units.resize(utf8.size());
    byte_of.resize(utf8.size() + 1);
    size_t k = 0;
    for (int32_t i = 0; i < n;) {
      const auto start = static_cast<uint32_t>(i);
      if (s[i] < 0x80) {
        byte_of[k] = start;
        units[k++] = s[i++];
        continue;
      }
      UChar32 c;
      U8_NEXT_OR_FFFD(s, i, n, c);
      if (c <= 0xFFFF) {
        byte_of[k] = start;
        units[k++] = static_cast<char16_t>(c);
      } else {
        byte_of[k] = byte_of[k + 1] = start;
        units[k++] = U16_LEAD(c);
        units[k++] = U16_TRAIL(c);
      }
    }
    byte_of[k] = static_cast<uint32_t>(utf8.size());
    UErrorCode status = U_ZERO_ERROR;
    utext_openUChars(&text, units.data(), static_cast<int64_t>(k), &status);
    return &text;
  }

  UText text = UTEXT_INITIALIZER;
  std::vector<char16_t> units;
  std::vector<uint32_t> byte_of;  // byte offset of each unit, and the end
};

// Runs `it` over `utf8`, appending each boundary > 0 (a byte offset) to
// `out`.
void CollectBoundaries(icu::BreakIterator& it, Utf16Text& text, std::string_view utf8,
                       std::vector<size_t>& out) {
  UErrorCode status = U_ZERO_ERROR;
  it.setText(text.Reset(utf8), status);
  if (U_FAILURE(status)) std::abort();
  it.first();
  for (int32_t b = it.next(); b != icu::BreakIterator::DONE; b = it.next()) {
    out.push_back(text.byte_of[static_cast<size_t>(b)]);
  }
}

// True when a break at `p` is mandatory (UAX #14 classes BK, CR, LF, NL).
// Cheaper than asking ICU for the rule status of every boundary.
bool IsHardBreak(std::string_view s, size_t p) {
  const char32_t prev = CodePointBefore(s, p);
  return prev == '\n' || prev == '\r' || prev == '\v' || prev == '\f' || prev == 0x85 ||
         prev == 0x2028 || prev == 0x2029;
}

// A word with its Horspool skip table, for a fast search in long text.
struct UnbreakableWord {
  explicit UnbreakableWord(std::string_view w) : word(w) {
    skip.fill(word.size());
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      skip[static_cast<uint8_t>(word[i])] = word.size() - 1 - i;
    }
  }
  // Calls `found(begin)` for every occurrence in `s`.
  template <typename F>
  void ForEachIn(std::string_view s, F&& found) const {
    const size_t m = word.size();
    if (m == 0) return;
    const uint8_t last = static_cast<uint8_t>(word[m - 1]);
    for (size_t i = 0; i + m <= s.size();) {
      const uint8_t c = static_cast<uint8_t>(s[i + m - 1]);
      if (c == last && s.compare(i, m - 1, word, 0, m - 1) == 0) found(i);
      i += skip[c];
    }
  }
  std::string word;
  std::array<size_t, 256> skip;
};

}  // namespace

struct LineBreaker::Impl {
  Impl() : line(ClonePrototype(true)) {
    for (std::string_view w : kDefaultUnbreakableWords) unbreakable.emplace_back(w);
  }
  std::unique_ptr<icu::BreakIterator> line;
  Utf16Text text;
  std::vector<uint8_t> removed;  // scratch: one flag per boundary
  std::vector<UnbreakableWord> unbreakable;
};

LineBreaker::LineBreaker() : impl_(std::make_unique<Impl>()) {}
LineBreaker::~LineBreaker() = default;

void LineBreaker::AddUnbreakableWord(std::string_view utf8) {
  if (!utf8.empty()) impl_->unbreakable.emplace_back(utf8);
}

std::vector<size_t> LineBreaker::IcuOpportunities(std::string_view utf8) {
  std::vector<size_t> out;
  out.reserve(utf8.size() / 8 + 1);
  CollectBoundaries(*impl_->line, impl_->text, utf8, out);
  return out;
}

namespace {

// True when an opportunity at `p` (a soft break of ICU) must go.
// `icu` holds all of ICU's opportunities, for word-end checks.
bool GluedByPractice(std::string_view s, size_t p, const std::vector<size_t>& icu) {
  const size_t before = SkipSpacesBack(s, p);
  const size_t after = SkipSpacesForward(s, p);
  const char32_t next = CodePointAt(s, after);

  // A line never starts with MAI YAMOK or PAIYANNOI, even when a space
  // separates it from its word ("ต่าง ๆ").
  if (next == 0x0E46 || next == 0x0E2F) return true;

  const auto at_word_start = [&](size_t i) {
    if (i == 0) return true;
    const char32_t prev = CodePointBefore(s, i);
    return !IsLetter(prev) || std::binary_search(icu.begin(), icu.end(), i);
  };
  const auto at_word_end = [&](size_t i) {
    return i == s.size() || !IsLetter(CodePointAt(s, i)) ||
           std::binary_search(icu.begin(), icu.end(), i);
  };

  if (IsLetter(next) && before > 0 && kTitleLastBytes[static_cast<uint8_t>(s[before - 1])]) {
    for (std::string_view title : kTitles) {
      if (EndsWithAt(s, before, title) && at_word_start(before - title.size())) return true;
    }
  }
  if (IsDigit(next)) {
    for (std::string_view era : kEras) {
      if (EndsWithAt(s, before, era)) return true;
    }
  }
  if (IsDigit(CodePointBefore(s, before))) {
    for (std::string_view unit : kUnits) {
      if (StartsWithAt(s, after, unit) && at_word_end(after + unit.size())) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<size_t> LineBreaker::Opportunities(std::string_view utf8) {
  std::vector<size_t> out;
  out.reserve(utf8.size() / 8 + 1);
  CollectBoundaries(*impl_->line, impl_->text, utf8, out);
  if (out.size() < 2) return out;

  // Flag first, compact once: the rules look at ICU's full list.
  std::vector<uint8_t>& removed = impl_->removed;
  removed.assign(out.size(), 0);
  for (size_t k = 0; k + 1 < out.size(); ++k) {
    if (!IsHardBreak(utf8, out[k]) && GluedByPractice(utf8, out[k], out)) removed[k] = 1;
  }
  for (const UnbreakableWord& w : impl_->unbreakable) {
    w.ForEachIn(utf8, [&](size_t begin) {
      const size_t end = begin + w.word.size();
      for (auto it = std::upper_bound(out.begin(), out.end(), begin); it != out.end() && *it < end;
           ++it) {
        removed[static_cast<size_t>(it - out.begin())] = 1;
      }
    });
  }
  size_t kept = 0;
  for (size_t k = 0; k < out.size(); ++k) {
    if (!removed[k]) out[kept++] = out[k];
  }
  out.resize(kept);
  return out;
}

std::vector<size_t> GraphemeBoundaries(std::string_view utf8) {
  thread_local std::unique_ptr<icu::BreakIterator> it = ClonePrototype(false);
  thread_local Utf16Text text;
  std::vector<size_t> out;
  out.reserve(utf8.size() / 2 + 1);
  CollectBoundaries(*it, text, utf8, out);
  return out;
}

}  // namespace saraban::text
