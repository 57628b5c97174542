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

#include "saraban/text/normalize.h"
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

// Words that stay with the number after them ("ร้อยละ ๙๕.๕๐").
constexpr std::string_view kNumberPrefixes[] = {"ร้อยละ", "เป็นเงิน", "จำนวนเงิน", "ลำดับที่",
                                                "ครั้งที่", "วันที่", "ข้อ", "หมู่ที่"};

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

// The compound lexicon by its first two letters, so that a word start finds
// its few candidates by indexing an array (every lexicon word is Thai).
class Lexicon {
 public:
  Lexicon() : by_start_(128 * 128) {
    for (std::string_view w : CompoundLexicon()) {
      const int a = ThaiIndexAt(w, 0), b = ThaiIndexAt(w, 3);
      if (a >= 0 && b >= 0) by_start_[static_cast<size_t>(a * 128 + b)].push_back(w);
    }
  }
  // Calls `found(word)` for every lexicon word that starts at `begin`.
  template <typename F>
  void ForEachAt(std::string_view s, size_t begin, F&& found) const {
    const int a = ThaiIndexAt(s, begin), b = ThaiIndexAt(s, begin + 3);
    if (a < 0 || b < 0) return;
    for (std::string_view w : by_start_[static_cast<size_t>(a * 128 + b)]) {
      if (s.compare(begin, w.size(), w) == 0) found(w);
    }
  }

 private:
  std::vector<std::vector<std::string_view>> by_start_;
};

const Lexicon& SharedLexicon() {
  static const Lexicon kLexicon;
  return kLexicon;
}

// libthai's word breaker (the one Pango uses for Thai), on UCS-4 text.
class ThaiBreaker {
 public:
  ThaiBreaker() = default;
  ThaiBreaker(const ThaiBreaker&) = delete;
  ThaiBreaker& operator=(const ThaiBreaker&) = delete;

  // Byte offsets where libthai puts a word boundary inside a run of Thai
  // letters, ascending (at a run's edges the text changes script, which is
  // ICU's business). Each run is segmented alone, as libthai segments each
  // Thai chunk of a text alone, and remembered: official text repeats its
  // phrases, and libthai's dictionary walk is its dearest step.
  void Breaks(std::string_view utf8, std::vector<size_t>* breaks) {
    std::vector<size_t>& out = *breaks;
    out.clear();
    size_t run = std::string_view::npos;  // start of the current Thai run
    for (size_t i = 0; i <= utf8.size();) {
      size_t next = i;
      char32_t cp = 0;
      if (const int thai_index = ThaiIndexAt(utf8, i); thai_index >= 0) {
        cp = 0x0E00 + static_cast<char32_t>(thai_index);
        next = i + 3;
      } else if (i < utf8.size()) {
        int32_t pos = static_cast<int32_t>(i);
        UChar32 c;
        U8_NEXT_OR_FFFD(reinterpret_cast<const uint8_t*>(utf8.data()), pos,
                        static_cast<int32_t>(utf8.size()), c);
        cp = static_cast<char32_t>(c);
        next = static_cast<size_t>(pos);
      }
      const bool thai = i < utf8.size() && cp >= 0x0E01 && cp <= 0x0E4E && cp != 0x0E2F &&
                        cp != 0x0E46;
      if (thai && run == std::string_view::npos) run = i;
      if (!thai && run != std::string_view::npos) {
        for (uint32_t b : RunBreaks(utf8.substr(run, i - run))) out.push_back(run + b);
        run = std::string_view::npos;
      }
      if (i == utf8.size()) break;
      i = next;
    }
  }

 private:
  // The byte offsets inside one run of Thai letters where libthai breaks.
  const std::vector<uint32_t>& RunBreaks(std::string_view run) {
    if (auto found = cache_.find(run); found != cache_.end()) return found->second;
    if (cache_.size() > kMaxCachedRuns) cache_.clear();
    auto it = cache_.try_emplace(std::string(run)).first;
    wide_.clear();
    byte_of_.clear();
    for (size_t i = 0; i < run.size();) {
      byte_of_.push_back(static_cast<uint32_t>(i));
      int32_t pos = static_cast<int32_t>(i);
      UChar32 c;
      U8_NEXT_OR_FFFD(reinterpret_cast<const uint8_t*>(run.data()), pos,
                      static_cast<int32_t>(run.size()), c);
      wide_.push_back(static_cast<thwchar_t>(c));
      i = static_cast<size_t>(pos);
    }
    wide_.push_back(0);
    positions_.resize(wide_.size());
    const int n = Shared().FindBreaks(wide_.data(), positions_.data(), positions_.size());
    for (int k = 0; k < n; ++k) {
      const auto at = static_cast<size_t>(positions_[static_cast<size_t>(k)]);
      if (at > 0 && at + 1 < wide_.size()) it->second.push_back(byte_of_[at]);
    }
    return it->second;
  }

  // Past this many remembered runs the cache starts again, so that a
  // long-running worker's memory stays bounded.
  static constexpr size_t kMaxCachedRuns = 100000;

  // One dictionary for the process: loading it reads a 1 MB trie (31 M
  // instructions, more than a whole render), and Pango, libthai's main
  // user, also shares one breaker behind a lock. Calls are serialised: only
  // runs a thread has not seen before reach it.
  class Dictionary {
   public:
    Dictionary() : brk_(th_brk_new(nullptr)) {
      // Without its dictionary (libthai-data) the library cannot grade breaks.
      if (brk_ == nullptr) {
        std::fputs("saraban: libthai could not load its dictionary\n", stderr);
        std::abort();
      }
    }
    int FindBreaks(const thwchar_t* s, int* pos, size_t n) {
      std::lock_guard<std::mutex> lock(mu_);
      return th_brk_wc_find_breaks(brk_, s, pos, n);
    }

   private:
    std::mutex mu_;
    ThBrk* brk_;  // never freed: it lives as long as the process
  };
  static Dictionary& Shared() {
    static Dictionary* const kDictionary = new Dictionary();
    return *kDictionary;
  }

  std::vector<thwchar_t> wide_;
  std::vector<uint32_t> byte_of_;
  std::vector<int> positions_;
  // Looked up by string_view: a hit allocates nothing.
  struct RunHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::vector<uint32_t>, RunHash, std::equal_to<>> cache_;
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
  static constexpr uint8_t kKeepTogether = 4;  // not removed: graded as a compound

  std::unique_ptr<icu::BreakIterator> line;
  ThaiBreaker thai;
  Utf16Text text;
  // Scratch of Graded, kept for their capacity.
  std::vector<size_t> icu, thai_breaks, words, candidates;
  std::vector<uint8_t> source;
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
// What Thai practice says of a break: free, forbidden, or to be avoided
// where the line can hold what it would split (a date, an amount).
enum class Practice { kFree, kForbidden, kKeepTogether };

// The number (digits, separators) that ends just before byte `end`: its start.
size_t NumberStart(std::string_view s, size_t end) {
  size_t i = end;
  while (i > 0) {
    const char32_t cp = CodePointBefore(s, i);
    if (!IsDigit(cp) && cp != ',' && cp != '.') break;
    i -= cp < 0x80 ? 1 : 3;
  }
  return i;
}

Practice GluedByPractice(std::string_view s, size_t p, const std::vector<size_t>& icu) {
  const size_t before = SkipSpacesBack(s, p);
  const size_t after = SkipSpacesForward(s, p);
  const char32_t next = CodePointAt(s, after);

  // A line never starts with MAI YAMOK or PAIYANNOI, even when a space
  // separates it from its word ("ต่าง ๆ").
  if (next == 0x0E46 || next == 0x0E2F) return Practice::kForbidden;

  const auto at_word_start = [&](size_t i) {
    if (i == 0) return true;
    const char32_t prev = CodePointBefore(s, i);
    return !IsLetter(prev) || std::binary_search(icu.begin(), icu.end(), i);
  };
  const auto at_word_end = [&](size_t i) {
    return i == s.size() || !IsLetter(CodePointAt(s, i)) ||
           std::binary_search(icu.begin(), icu.end(), i);
  };
  const auto after_month = [&](size_t i) {
    for (std::string_view month : kMonths) {
      if (EndsWithAt(s, i, month) && at_word_start(i - month.size())) return true;
    }
    return false;
  };

  if (IsLetter(next) && before > 0 && kTitleLastBytes[static_cast<uint8_t>(s[before - 1])]) {
    for (std::string_view title : kTitles) {
      if (EndsWithAt(s, before, title) && at_word_start(before - title.size())) {
        return Practice::kForbidden;
      }
    }
  }
  if (IsDigit(next)) {
    for (std::string_view era : kEras) {
      if (EndsWithAt(s, before, era)) return Practice::kForbidden;
    }
    // A date's month and year, a number and the word that introduces it.
    if (after_month(before)) return Practice::kKeepTogether;
    for (std::string_view prefix : kNumberPrefixes) {
      if (EndsWithAt(s, before, prefix) && at_word_start(before - prefix.size())) {
        return Practice::kKeepTogether;
      }
    }
  }
  if (IsDigit(CodePointBefore(s, before))) {
    for (std::string_view month : kMonths) {
      if (StartsWithAt(s, after, month)) return Practice::kKeepTogether;  // a day and its month
    }
    // A number and its unit, unless the number is a year (๒๕๖๘ เรื่อง...).
    const size_t number = SkipSpacesBack(s, NumberStart(s, before));
    bool year = after_month(number);
    for (std::string_view era : kEras) year = year || EndsWithAt(s, number, era);
    if (!year) {
      for (std::string_view unit : kUnits) {
        if (StartsWithAt(s, after, unit) && at_word_end(after + unit.size())) {
          return Practice::kForbidden;
        }
      }
    }
  }
  return Practice::kFree;
}

}  // namespace

void LineBreaker::Impl::MarkForbidden(std::string_view utf8,
                                      const std::vector<size_t>& candidates,
                                      const std::vector<size_t>& words,
                                      std::vector<uint8_t>& removed) const {
  removed.assign(candidates.size(), 0);
  for (size_t k = 0; k + 1 < candidates.size(); ++k) {
    if (IsHardBreak(utf8, candidates[k])) continue;
    switch (GluedByPractice(utf8, candidates[k], words)) {
      case Practice::kForbidden: removed[k] = kByPractice; break;
      case Practice::kKeepTogether: removed[k] = kKeepTogether; break;
      case Practice::kFree: break;
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
  // Most text has none: three fast scans say so.
  if (s.find("://") == std::string_view::npos && s.find("www.") == std::string_view::npos &&
      s.find('@') == std::string_view::npos) {
    return out;
  }
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
  Impl& m = *impl_;
  m.icu.clear();
  CollectBoundaries(*m.line, m.text, utf8, m.icu);
  if (m.icu.empty()) return {};
  m.thai.Breaks(utf8, &m.thai_breaks);
  const auto thai_context = [&](size_t p) {
    return IsThaiWordChar(CodePointBefore(utf8, p)) && IsThaiWordChar(CodePointAt(utf8, p));
  };

  // Every boundary either dictionary sees, and which one does: libthai's
  // count only between Thai letters, where it is a dictionary (elsewhere it
  // knows no UAX #14).
  constexpr uint8_t kByIcu = 1, kByThai = 2, kThaiContext = 4;
  std::vector<size_t>& words = m.words;
  std::vector<size_t>& candidates = m.candidates;
  std::vector<uint8_t>& source = m.source;  // of each candidate
  words.clear();
  candidates.clear();
  source.clear();
  for (size_t i = 0, j = 0; i < m.icu.size() || j < m.thai_breaks.size();) {
    size_t p;
    uint8_t from = 0;
    if (j == m.thai_breaks.size() || (i < m.icu.size() && m.icu[i] < m.thai_breaks[j])) {
      p = m.icu[i++];
      from = kByIcu;
    } else if (i == m.icu.size() || m.thai_breaks[j] < m.icu[i]) {
      p = m.thai_breaks[j++];
      from = kByThai;
    } else {
      p = m.icu[i++];
      ++j;
      from = kByIcu | kByThai;
    }
    words.push_back(p);
    if (p < utf8.size() && thai_context(p)) from |= kThaiContext;
    if ((from & kByIcu) || (from & kThaiContext)) {
      candidates.push_back(p);
      source.push_back(from);
    }
  }
  std::vector<uint8_t>& removed = m.removed;
  m.MarkForbidden(utf8, candidates, words, removed);

  std::vector<BreakOpportunity> out;
  out.reserve(candidates.size());
  for (size_t k = 0; k < candidates.size(); ++k) {
    const size_t p = candidates[k];
    const uint8_t from = source[k];
    const bool both = (from & kByIcu) && (from & kByThai);
    // The built-in unbreakable words that mend ICU's wrong cuts (การก|อง)
    // are short enough to span a real boundary (นายก|องค์การ): one both
    // dictionaries see stays.
    if (removed[k] == Impl::kInUnbreakable && (from & kThaiContext) && both) removed[k] = 0;
    const bool keep_together = removed[k] == Impl::kKeepTogether;
    if (removed[k] && !keep_together) continue;
    BreakGrade grade = BreakGrade::kSpace;
    const char32_t before = CodePointBefore(utf8, p);
    const char32_t after = CodePointAt(utf8, p);
    if (from & kThaiContext) {
      grade = both ? BreakGrade::kWord : BreakGrade::kOneDictionary;
    } else if (before == '-' && p >= 2 && IsAsciiLetter(CodePointBefore(utf8, p - 1)) &&
               IsAsciiLetter(after)) {
      grade = BreakGrade::kHyphen;
    } else if (before != ' ' && !IsHardBreak(utf8, p) && (IsThai(before) != IsThai(after))) {
      grade = BreakGrade::kWord;  // a change of script without a space ("ร้อยละ" + digits)
    }
    // Inside a date or an amount: as inside a compound.
    if (keep_together) {
      out.push_back({p, BreakGrade::kCompound, 1});
    } else {
      out.push_back({p, grade});
    }
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
