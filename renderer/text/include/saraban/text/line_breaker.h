// Where a line may end, and how good each place is: ICU's and libthai's
// dictionary breaks compared, tightened by the rules of Thai typesetting
// practice and graded by a lexicon of official compounds
// (THAI_TYPESETTING.md section 4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace saraban::text {

// How good a line end is, best first. The layout turns grades into
// penalties of its optimal line breaking; a grapheme-cluster break inside a
// word is the emergency beyond the last grade, and the layout's own.
enum class BreakGrade : uint8_t {
  kSpace,          // after a space or a punctuation break, or a mandatory one
  kWord,           // between Thai words where ICU and libthai agree
  kOneDictionary,  // between Thai words where only ICU or only libthai sees one
  kUrl,            // inside a URL or e-mail address, after / . @ - ? (no hyphen added)
  kHyphen,         // at the hyphen inside a Latin word (E-|Service)
  kCompound,       // strictly inside a word of the compound lexicon (ดำเนิน|การ)
};
inline constexpr int kBreakGrades = 6;

// A place after which a line may end.
struct BreakOpportunity {
  size_t offset = 0;  // byte offset into the text, > 0
  BreakGrade grade = BreakGrade::kSpace;
  // How many lexicon compounds the break is strictly inside (ปี|งบประมาณ is
  // inside ปีงบประมาณ and ตลอดปีงบประมาณ: 2); > 0 only for kCompound.
  uint8_t compounds = 0;
  bool operator==(const BreakOpportunity&) const = default;
};

// The compound lexicon built into the library (renderer/text/data/compounds.txt),
// one word per entry.
const std::vector<std::string_view>& CompoundLexicon();

// Finds line-break opportunities. Wraps an ICU BreakIterator, which is not
// thread-safe: one LineBreaker per thread.
class LineBreaker {
 public:
  LineBreaker();
  ~LineBreaker();
  LineBreaker(const LineBreaker&) = delete;
  LineBreaker& operator=(const LineBreaker&) = delete;

  // Byte offsets (into `utf8`) after which a line may end, ascending, each
  // > 0; the last is utf8.size(). A break is never inside a Thai word, and
  // ICU's opportunities are removed where Thai practice forbids them:
  // - before ๆ (U+0E46) or ฯ (U+0E2F);
  // - after a personal title (นาย, นาง, นางสาว, ...) that precedes a name;
  // - between "พ.ศ." / "ค.ศ." and the year after it;
  // - between a number and the unit word after it (คะแนน, บาท, ราย, ...);
  // - between a date's day, month and year (๗ กุมภาพันธ์ ๒๕๖๘, ก.ย. ๖๖),
  //   and after ร้อยละ, วันที่, ครั้งที่ and the like before their number;
  // - strictly inside an unbreakable word (see AddUnbreakableWord).
  // A mandatory break (after a newline) is always kept.
  std::vector<size_t> Opportunities(std::string_view utf8);

  // The same opportunities and more, each with its grade: where libthai sees
  // a word boundary that ICU does not (นางสาว|กาญจนา|ภรณ์), kOneDictionary;
  // inside a URL or e-mail address, only after / . @ - ? and never right
  // after the scheme; strictly inside a lexicon compound, kCompound. The
  // offsets ascend; the last is utf8.size().
  std::vector<BreakOpportunity> Graded(std::string_view utf8);

  // Adds a word that is never split, for names ICU's dictionary cuts into
  // syllables. Built in: ตะลุโบะ, บึงคล้า, multi-word titles and a few
  // key report terms (ความโปร่งใส, รับผิดชอบ).
  void AddUnbreakableWord(std::string_view utf8);

  // ICU's raw opportunities for the same text (for tests: every returned
  // opportunity of Opportunities() is one of these).
  std::vector<size_t> IcuOpportunities(std::string_view utf8);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Byte offsets of extended grapheme cluster boundaries, ascending, each > 0,
// the last utf8.size(). A consonant and its marks are never separated. Used
// as the last resort for a word wider than its column.
std::vector<size_t> GraphemeBoundaries(std::string_view utf8);

}  // namespace saraban::text
