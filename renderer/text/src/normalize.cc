#include "saraban/text/normalize.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "thai_chars.h"

namespace saraban::text {
namespace {

constexpr char32_t kNikhahit = 0x0E4D;
constexpr char32_t kSaraAa = 0x0E32;
constexpr char32_t kSaraAm = 0x0E33;
// Enough for every well-formed cluster; a longer run of marks on one
// consonant necessarily repeats one, which is an error anyway.
constexpr size_t kMaxMarks = 12;

std::string CodePointName(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

std::string At(size_t offset) { return " at byte " + std::to_string(offset); }

Status MarkError(char32_t cp, size_t offset, const std::string& what) {
  const std::string name = cp == kSaraAm ? "SARA AM " : "Thai mark ";
  return InvalidArgument(name + CodePointName(cp) + At(offset) + " " + what);
}

// Explains why the bytes at `offset` are not UTF-8. Called only after
// U8_NEXT rejected them, so one of the cases applies.
std::string DescribeBadUtf8(std::string_view s, size_t offset) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = b(offset);
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", lead);
  const std::string prefix = "invalid UTF-8" + At(offset) + ": ";
  if (lead >= 0x80 && lead <= 0xBF) return prefix + "unexpected continuation byte " + hex;
  if (lead >= 0xF5) return prefix + "byte " + hex + " never occurs in UTF-8";
  if (lead == 0xC0 || lead == 0xC1) return prefix + "overlong encoding";
  const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  for (size_t k = 1; k < need; ++k) {
    if (offset + k >= s.size() || (b(offset + k) & 0xC0) != 0x80) {
      return prefix + "truncated sequence";
    }
  }
  const uint8_t second = b(offset + 1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xF0 && second < 0x90)) {
    return prefix + "overlong encoding";
  }
  if (lead == 0xED && second >= 0xA0) {
    const char32_t cp = ((lead & 0x0F) << 12) | ((second & 0x3F) << 6) | (b(offset + 2) & 0x3F);
    return prefix + "surrogate " + CodePointName(cp) + " is not a character";
  }
  if (lead == 0xF4 && second >= 0x90) return prefix + "code point above U+10FFFF";
  return prefix + "malformed sequence";
}

bool IsNoncharacter(char32_t cp) {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// Vowels above or below (and the vowel-like MAITAIKHU, PHINTHU) come before
// tone marks and the other signs above.
int MarkRank(char32_t cp) { return (cp >= 0x0E48 && cp <= 0x0E4E) ? 1 : 0; }

struct Mark {
  char32_t cp;
  size_t offset;  // in the input
};

void AppendUtf8(std::string& out, char32_t cp) {
  char buf[4];
  int32_t len = 0;
  U8_APPEND_UNSAFE(buf, len, cp);  // cp is a decoded Thai mark
  out.append(buf, static_cast<size_t>(len));
}

// Builds the output lazily: as long as nothing changes, nothing is copied
// and the caller returns the input as is.
class Patcher {
 public:
  explicit Patcher(std::string_view in) : in_(in) {}
  // Replaces in_[begin, end) with `replacement`.
  void Replace(size_t begin, size_t end, std::string_view replacement) {
    if (!changed_) {
      out_.reserve(in_.size());
      changed_ = true;
    }
    out_.append(in_.substr(flushed_, begin - flushed_));
    out_.append(replacement);
    flushed_ = end;
  }
  std::string Finish() && {
    if (!changed_) return std::string(in_);
    out_.append(in_.substr(flushed_));
    return std::move(out_);
  }

 private:
  std::string_view in_;
  std::string out_;
  size_t flushed_ = 0;
  bool changed_ = false;
};

// Decodes the code point at `i` of text that ValidateUtf8 accepted, advancing `i`.
inline char32_t Next(std::string_view s, size_t& i) {
  UChar32 c;
  U8_NEXT_UNSAFE(reinterpret_cast<const uint8_t*>(s.data()), i, c);
  return static_cast<char32_t>(c);
}

// Validates the marks that follow the consonant ending at `marks_begin` and
// puts them in canonical order. On return `i` is just past the cluster.
Status NormalizeCluster(std::string_view s, size_t marks_begin, size_t& i, Patcher& patch) {
  std::array<Mark, kMaxMarks> marks;
  size_t count = 0;
  bool changed = false;
  bool has_sara_am = false;
  size_t end = marks_begin;

  const auto add_mark = [&](char32_t cp, size_t offset) -> Status {
    for (size_t k = 0; k < count; ++k) {
      const char32_t prev = marks[k].cp;
      if (prev == cp) return MarkError(cp, offset, "repeats a mark already on the same consonant");
      if (IsThaiToneMark(prev) && IsThaiToneMark(cp)) {
        return MarkError(cp, offset, "is a second tone mark on the same consonant");
      }
      if (IsThaiAboveVowel(prev) && IsThaiAboveVowel(cp)) {
        return MarkError(cp, offset, "is a second vowel above the same consonant");
      }
      if (IsThaiBelowVowel(prev) && IsThaiBelowVowel(cp)) {
        return MarkError(cp, offset, "is a second vowel below the same consonant");
      }
    }
    if (count == kMaxMarks) return MarkError(cp, offset, "is one mark too many on one consonant");
    if (count > 0 && MarkRank(marks[count - 1].cp) > MarkRank(cp)) changed = true;
    marks[count++] = {cp, offset};
    return Status::Ok();
  };

  // SARA AM carries the NIKHAHIT above, so only a tone mark can share the
  // consonant with it; a vowel above or below makes no Thai syllable.
  const auto check_sara_am = [&](size_t offset) -> Status {
    for (size_t k = 0; k < count; ++k) {
      if (!IsThaiToneMark(marks[k].cp)) {
        return MarkError(kSaraAm, offset,
                         "cannot share a consonant with " + CodePointName(marks[k].cp));
      }
    }
    has_sara_am = true;
    return Status::Ok();
  };

  while (i < s.size()) {
    const size_t offset = i;
    size_t next = i;
    const char32_t cp = Next(s, next);
    if (has_sara_am) {
      // A tone typed after SARA AM ("นำ้") is the same syllable as "น้ำ".
      if (!IsThaiCombiningMark(cp)) break;
      if (!IsThaiToneMark(cp)) return MarkError(cp, offset, "cannot follow SARA AM U+0E33");
      if (Status st = add_mark(cp, offset); !st.ok()) return st;
      changed = true;
      i = end = next;
      break;
    }
    if (IsThaiCombiningMark(cp)) {
      if (Status st = add_mark(cp, offset); !st.ok()) return st;
      i = end = next;
      continue;
    }
    if (cp == kSaraAm) {
      if (Status st = check_sara_am(offset); !st.ok()) return st;
      i = end = next;
      continue;
    }
    // NIKHAHIT + SARA AA, possibly with a tone mark after the NIKHAHIT, is
    // the decomposed spelling of SARA AM. Decided in the canonical order
    // the marks are put in below: a vowel typed after the NIKHAHIT moves
    // before it, so "ก" NIKHAHIT MAITAIKHU SARA AA is SARA AM too (and an
    // error), as its canonical form would be when normalised again.
    if (cp == kSaraAa && count > 0) {
      size_t k = count;
      while (k > 0 && (IsThaiToneMark(marks[k - 1].cp) || MarkRank(marks[k - 1].cp) == 0)) --k;
      if (k > 0 && marks[k - 1].cp == kNikhahit) {
        const size_t nikhahit_offset = marks[k - 1].offset;
        std::copy(marks.begin() + k, marks.begin() + count, marks.begin() + k - 1);
        --count;
        if (Status st = check_sara_am(nikhahit_offset); !st.ok()) return st;
        changed = true;
        i = end = next;
        continue;
      }
    }
    break;
  }
  if (!changed) return Status::Ok();

  std::stable_sort(marks.begin(), marks.begin() + count,
                   [](const Mark& a, const Mark& b) { return MarkRank(a.cp) < MarkRank(b.cp); });
  std::string canonical;
  for (size_t k = 0; k < count; ++k) AppendUtf8(canonical, marks[k].cp);
  if (has_sara_am) AppendUtf8(canonical, kSaraAm);
  patch.Replace(marks_begin, end, canonical);
  return Status::Ok();
}

}  // namespace

bool IsThaiCombiningMark(char32_t cp) { return IsThaiMark(cp); }

char32_t DecodeUtf8(std::string_view s, size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  const size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
  char32_t cp = len == 1 ? b0 : b0 & (0xFF >> (len + 1));
  for (size_t i = 1; i < len && pos + i < s.size(); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3F);
  }
  pos += len;
  return cp;
}

Status ValidateUtf8(std::string_view utf8, size_t* bad_offset) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t n = utf8.size();
  size_t i = 0;
  while (i < n) {
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, n, c);  // the macro works with size_t offsets too
    if (c < 0) {
      if (bad_offset) *bad_offset = start;
      return InvalidArgument(DescribeBadUtf8(utf8, start));
    }
  }
  return Status::Ok();
}

namespace {

// The explicit bidirectional formatting characters: LRM, RLM, ALM, the
// embeddings and overrides U+202A..U+202E, the isolates U+2066..U+2069.
bool IsBidiControl(char32_t cp) {
  return cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

Result<std::string> Normalize(std::string_view utf8) {
  if (Status st = ValidateUtf8(utf8); !st.ok()) return st;
  Patcher patch(utf8);
  size_t i = 0;
  const size_t n = utf8.size();
  while (i < n) {
    const auto byte = static_cast<uint8_t>(utf8[i]);
    if (byte >= 0x20 && byte < 0x80) {
      ++i;
      continue;
    }
    if (byte < 0x20) {
      if (byte == '\n') {
        ++i;
      } else if (byte == '\t') {
        patch.Replace(i, i + 1, " ");
        ++i;
      } else if (byte == '\r') {
        const size_t end = (i + 1 < n && utf8[i + 1] == '\n') ? i + 2 : i + 1;
        patch.Replace(i, end, "\n");
        i = end;
      } else {
        return InvalidArgument("control character " + CodePointName(byte) + At(i) +
                               " is not allowed");
      }
      continue;
    }
    const size_t offset = i;
    const char32_t cp = Next(utf8, i);
    if (IsThaiConsonant(cp)) {
      if (Status st = NormalizeCluster(utf8, i, i, patch); !st.ok()) return st;
    } else if (IsThaiMark(cp) || cp == kSaraAm) {
      return MarkError(cp, offset, "has no consonant before it");
    } else if (IsNoncharacter(cp)) {
      return InvalidArgument("noncharacter " + CodePointName(cp) + At(offset) + " is not allowed");
    } else if (IsBidiControl(cp)) {
      return InvalidArgument("bidirectional control " + CodePointName(cp) + At(offset) +
                             " is not allowed: it makes text show in another order than it is "
                             "stored");
    } else if (cp == 0x200B || cp == 0xFEFF) {
      // Invisible: pasted from web pages as word hints (ZERO WIDTH SPACE)
      // or left by an editor (ZERO WIDTH NO-BREAK SPACE, a byte-order mark
      // inside text). Removed: the fonts have no glyph, and the text reads
      // the same without them.
      patch.Replace(offset, i, "");
    }
  }
  return std::move(patch).Finish();
}

int ThaiIndexAt(std::string_view s, size_t p) {
  if (p + 3 > s.size() || static_cast<uint8_t>(s[p]) != 0xE0) return -1;
  const auto b1 = static_cast<uint8_t>(s[p + 1]);
  if (b1 != 0xB8 && b1 != 0xB9) return -1;
  return ((b1 & 1) << 6) | (static_cast<uint8_t>(s[p + 2]) & 0x3F);
}

}  // namespace saraban::text
