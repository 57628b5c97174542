#include "saraban/text/line_breaker.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>
#include <thai/thbrk.h>
#include <thai/thwbrk.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_map>

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

// Thai months, full and abbreviated: a date (๗ กุมภาพันธ์ ๒๕๖๘, ต.ค. ๖๖)
// stays on one line, day with month and month with year.
constexpr std::string_view kMonths[] = {
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
    "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
};

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

// The compound lexicon by its first two code points (six bytes of Thai), so
// that a word start finds its few candidates in one look-up.
class Lexicon {
 public:
  Lexicon() {
    for (std::string_view w : CompoundLexicon()) {
      if (w.size() >= kKey) by_start_[w.substr(0, kKey)].push_back(w);
    }
  }
  // Calls `found(word)` for every lexicon word that starts at `begin`.
  template <typename F>
  void ForEachAt(std::string_view s, size_t begin, F&& found) const {
    if (begin + kKey > s.size()) return;
    const auto it = by_start_.find(s.substr(begin, kKey));
    if (it == by_start_.end()) return;
    for (std::string_view w : it->second) {
      if (s.compare(begin, w.size(), w) == 0) found(w);
    }
  }

 private:
  static constexpr size_t kKey = 6;
  std::unordered_map<std::string_view, std::vector<std::string_view>> by_start_;
};

const Lexicon& SharedLexicon() {
  static const Lexicon kLexicon;
  return kLexicon;
}

// libthai's word breaker (the one Pango uses for Thai), on UCS-4 text.
class ThaiBreaker {
 public:
  ThaiBreaker() : brk_(th_brk_new(nullptr)) {
    // Without its dictionary (libthai-data) the library cannot grade breaks.
    if (brk_ == nullptr) {
      std::fputs("saraban: libthai could not load its dictionary\n", stderr);
      std::abort();
    }
  }
  ~ThaiBreaker() { th_brk_delete(brk_); }
  ThaiBreaker(const ThaiBreaker&) = delete;
  ThaiBreaker& operator=(const ThaiBreaker&) = delete;

  // Byte offsets where libthai puts a word boundary, ascending.
  std::vector<size_t> Breaks(std::string_view utf8) {
    wide_.clear();
    byte_of_.clear();
    for (size_t i = 0; i < utf8.size();) {
      byte_of_.push_back(i);
      int32_t pos = static_cast<int32_t>(i);
      UChar32 c;
      U8_NEXT_OR_FFFD(reinterpret_cast<const uint8_t*>(utf8.data()), pos,
                      static_cast<int32_t>(utf8.size()), c);
      // A NUL would end libthai's string early.
      wide_.push_back(c == 0 ? static_cast<thwchar_t>(' ') : static_cast<thwchar_t>(c));
      i = static_cast<size_t>(pos);
    }
    wide_.push_back(0);
    positions_.resize(wide_.size());
    const int n = th_brk_wc_find_breaks(brk_, wide_.data(), positions_.data(), positions_.size());
    std::vector<size_t> out;
    out.reserve(static_cast<size_t>(std::max(n, 0)));
    for (int k = 0; k < n; ++k) {
      const auto at = static_cast<size_t>(positions_[static_cast<size_t>(k)]);
      if (at > 0 && at < byte_of_.size()) out.push_back(byte_of_[at]);
    }
    return out;
  }

 private:
  ThBrk* brk_;
  std::vector<thwchar_t> wide_;
  std::vector<size_t> byte_of_;
  std::vector<int> positions_;
};

}  // namespace

struct LineBreaker::Impl {
  Impl() : line(ClonePrototype(true)) {
    for (std::string_view w : kDefaultUnbreakableWords) unbreakable.emplace_back(w);
  }
  // Flags each of `candidates` (ascending byte offsets, the last the end of
  // the text) that Thai practice forbids (kByPractice) or that lies inside
  // an unbreakable word (kInUnbreakable); `words` are the dictionaries' word
  // boundaries, for the rules' word-start checks.
  void MarkForbidden(std::string_view utf8, const std::vector<size_t>& candidates,
                     const std::vector<size_t>& words, std::vector<uint8_t>& removed) const;

  static constexpr uint8_t kByPractice = 1;
  static constexpr uint8_t kInUnbreakable = 2;

  std::unique_ptr<icu::BreakIterator> line;
  ThaiBreaker thai;
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
    for (std::string_view month : kMonths) {
      if (EndsWithAt(s, before, month) && at_word_start(before - month.size())) return true;
    }
  }
  if (IsDigit(CodePointBefore(s, before))) {
    for (std::string_view month : kMonths) {
      if (StartsWithAt(s, after, month)) return true;
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

void LineBreaker::Impl::MarkForbidden(std::string_view utf8,
                                      const std::vector<size_t>& candidates,
                                      const std::vector<size_t>& words,
                                      std::vector<uint8_t>& removed) const {
  removed.assign(candidates.size(), 0);
  for (size_t k = 0; k + 1 < candidates.size(); ++k) {
    if (!IsHardBreak(utf8, candidates[k]) && GluedByPractice(utf8, candidates[k], words)) {
      removed[k] = kByPractice;
    }
  }
  for (const UnbreakableWord& w : unbreakable) {
    w.ForEachIn(utf8, [&](size_t begin) {
      const size_t end = begin + w.word.size();
      for (auto it = std::upper_bound(candidates.begin(), candidates.end(), begin);
           it != candidates.end() && *it < end; ++it) {
        removed[static_cast<size_t>(it - candidates.begin())] |= kInUnbreakable;
      }
    });
  }
}

std::vector<size_t> LineBreaker::Opportunities(std::string_view utf8) {
  std::vector<size_t> out;
  out.reserve(utf8.size() / 8 + 1);
  CollectBoundaries(*impl_->line, impl_->text, utf8, out);
  if (out.size() < 2) return out;

  // Flag first, compact once: the rules look at ICU's full list.
  std::vector<uint8_t>& removed = impl_->removed;
  impl_->MarkForbidden(utf8, out, out, removed);
  size_t kept = 0;
  for (size_t k = 0; k < out.size(); ++k) {
    if (!removed[k]) out[kept++] = out[k];
  }
  out.resize(kept);
  return out;
}

namespace {

// Thai letters, vowels and marks: the text both dictionaries segment.
bool IsThaiWordChar(char32_t cp) { return cp >= 0x0E01 && cp <= 0x0E4E && cp != 0x0E2F && cp != 0x0E46; }

bool IsAsciiLetter(char32_t cp) { return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'); }

bool IsUrlChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x80 || u <= ' ') return false;  // Thai, other scripts, spaces, controls
  return std::string_view("<>\"'()[]{}|\\^`").find(c) == std::string_view::npos;
}

bool IsEmailLocalChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// A URL or an e-mail address: [begin, end), and where its scheme ends
// ("https://" included; `begin` when there is none). Nothing breaks inside
// but after its separators.
struct LinkSpan {
  size_t begin = 0, end = 0, scheme_end = 0;
};

// Trailing punctuation belongs to the sentence, not the address.
size_t TrimLinkEnd(std::string_view s, size_t begin, size_t end) {
  while (end > begin && std::string_view(".,;:!?").find(s[end - 1]) != std::string_view::npos) --end;
  return end;
}

std::vector<LinkSpan> FindLinks(std::string_view s) {
  std::vector<LinkSpan> out;
  size_t covered = 0;  // links do not overlap
  for (size_t i = 0; i < s.size(); ++i) {
    if (i < covered) continue;
    size_t scheme_end = std::string_view::npos;
    if (s.compare(i, 7, "http://") == 0) scheme_end = i + 7;
    if (s.compare(i, 8, "https://") == 0) scheme_end = i + 8;
    if (s.compare(i, 4, "www.") == 0 && (i == 0 || !IsUrlChar(s[i - 1]))) scheme_end = i;
    if (scheme_end != std::string_view::npos) {
      size_t end = scheme_end;
      while (end < s.size() && IsUrlChar(s[end])) ++end;
      end = TrimLinkEnd(s, i, end);
      if (end > scheme_end) {
        out.push_back({i, end, scheme_end});
        covered = end;
      }
      continue;
    }
    if (s[i] == '@' && i > 0 && IsEmailLocalChar(s[i - 1])) {
      size_t begin = i;
      while (begin > covered && IsEmailLocalChar(s[begin - 1])) --begin;
      size_t end = i + 1;
      while (end < s.size() && (IsEmailLocalChar(s[end]) && s[end] != '%' && s[end] != '+')) ++end;
      end = TrimLinkEnd(s, i, end);
      if (s.substr(i, end - i).find('.') != std::string_view::npos) {
        out.push_back({begin, end, begin});
        covered = end;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<BreakOpportunity> LineBreaker::Graded(std::string_view utf8) {
  std::vector<size_t> icu;
  icu.reserve(utf8.size() / 8 + 1);
  CollectBoundaries(*impl_->line, impl_->text, utf8, icu);
  if (icu.empty()) return {};
  const std::vector<size_t> thai = impl_->thai.Breaks(utf8);
  const auto thai_context = [&](size_t p) {
    return IsThaiWordChar(CodePointBefore(utf8, p)) && IsThaiWordChar(CodePointAt(utf8, p));
  };

  // Every boundary either dictionary sees; libthai's only between Thai
  // letters, where it is a dictionary (elsewhere it knows no UAX #14).
  std::vector<size_t> words;
  words.reserve(icu.size() + thai.size());
  std::set_union(icu.begin(), icu.end(), thai.begin(), thai.end(), std::back_inserter(words));
  std::vector<size_t> candidates;
  candidates.reserve(words.size());
  for (size_t p : words) {
    if (p == utf8.size() || std::binary_search(icu.begin(), icu.end(), p) || thai_context(p)) {
      candidates.push_back(p);
    }
  }
  std::vector<uint8_t>& removed = impl_->removed;
  impl_->MarkForbidden(utf8, candidates, words, removed);

  std::vector<BreakOpportunity> out;
  out.reserve(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) {
    const size_t p = candidates[k];
    // The built-in unbreakable words that mend ICU's wrong cuts (การก|อง)
    // are short enough to span a real boundary (นายก|องค์การ): one both
    // dictionaries see stays.
    if (removed[k] == Impl::kInUnbreakable && thai_context(p) &&
        std::binary_search(icu.begin(), icu.end(), p) &&
        std::binary_search(thai.begin(), thai.end(), p)) {
      removed[k] = 0;
    }
    if (removed[k]) continue;
    BreakGrade grade = BreakGrade::kSpace;
    const char32_t before = CodePointBefore(utf8, p);
    const char32_t after = CodePointAt(utf8, p);
    if (thai_context(p)) {
      const bool by_icu = std::binary_search(icu.begin(), icu.end(), p);
      const bool by_thai = std::binary_search(thai.begin(), thai.end(), p);
      grade = by_icu && by_thai ? BreakGrade::kWord : BreakGrade::kOneDictionary;
    } else if (before == '-' && p >= 2 && IsAsciiLetter(CodePointBefore(utf8, p - 1)) &&
               IsAsciiLetter(after)) {
      grade = BreakGrade::kHyphen;
    } else if (before != ' ' && !IsHardBreak(utf8, p) && (IsThai(before) != IsThai(after))) {
      grade = BreakGrade::kWord;  // a change of script without a space ("ร้อยละ" + digits)
    }
    out.push_back({p, grade});
  }

  // Links: no break inside but after a separator, never right after the scheme.
  for (const LinkSpan& link : FindLinks(utf8)) {
    std::vector<BreakOpportunity> inside;
    for (size_t p = std::max(link.begin, link.scheme_end) + 1; p < link.end; ++p) {
      if (std::string_view("/.@-?").find(utf8[p - 1]) != std::string_view::npos &&
          utf8[p] != '/' && p > link.scheme_end) {
        inside.push_back({p, BreakGrade::kUrl});
      }
    }
    const auto first = std::upper_bound(out.begin(), out.end(), link.begin,
                                         [](size_t v, const BreakOpportunity& o) { return v < o.offset; });
    auto last = first;
    while (last != out.end() && last->offset < link.end) ++last;
    out.insert(out.erase(first, last), inside.begin(), inside.end());
  }

  // Compounds: a break strictly inside a lexicon word that stands whole
  // (starting and ending at word boundaries) is the last resort.
  const Lexicon& lexicon = SharedLexicon();
  const auto at_boundary = [&](size_t i) {
    return i == 0 || i == utf8.size() || !IsThaiWordChar(CodePointBefore(utf8, i)) ||
           !IsThaiWordChar(CodePointAt(utf8, i)) ||
           std::binary_search(words.begin(), words.end(), i);
  };
  const auto mark_inside = [&](size_t begin, size_t end) {
    for (auto it = std::upper_bound(out.begin(), out.end(), begin,
                                    [](size_t v, const BreakOpportunity& o) { return v < o.offset; });
         it != out.end() && it->offset < end; ++it) {
      it->grade = BreakGrade::kCompound;
      if (it->compounds < 255) ++it->compounds;
    }
  };
  const auto try_start = [&](size_t begin) {
    lexicon.ForEachAt(utf8, begin, [&](std::string_view w) {
      if (at_boundary(begin + w.size())) mark_inside(begin, begin + w.size());
    });
  };
  try_start(0);
  for (size_t p : words) {
    if (p < utf8.size()) try_start(p);
  }
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
