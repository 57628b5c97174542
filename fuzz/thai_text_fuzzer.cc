// Thai text as every string of a report meets it: text::Normalize (the
// validation and normalisation gate), then text::LineBreaker (ICU's Thai
// dictionary plus the Thai typesetting rules) and text::GraphemeBoundaries
// on what it accepts. Checks the contracts the layout relies on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "saraban/text/line_breaker.h"
#include "saraban/text/normalize.h"

namespace {

// Offsets as the headers promise them: ascending, each > 0, the last the
// text's size (none for empty text), each at the start of a code point.
bool WellFormed(const std::vector<size_t>& offsets, std::string_view s) {
  if (s.empty()) return true;
  if (offsets.empty() || offsets.back() != s.size()) return false;
  size_t prev = 0;
  for (size_t o : offsets) {
    if (o <= prev) return false;
    if (o < s.size() && (static_cast<unsigned char>(s[o]) & 0xC0) == 0x80) return false;
    prev = o;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saraban;
  // One string field is at most 64 KiB (model::Limits).
  if (size > 64 * 1024) return -1;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static text::LineBreaker* breaker = new text::LineBreaker();  // one per thread, kept

  const bool utf8_ok = text::ValidateUtf8(input).ok();
  Result<std::string> normal = text::Normalize(input);
  if (!normal.ok()) return 0;
  SARABAN_FUZZ_CHECK(utf8_ok, "Normalize accepts only valid UTF-8");
  const std::string& s = *normal;
  SARABAN_FUZZ_CHECK(text::ValidateUtf8(s).ok(), "Normalize returns valid UTF-8");
  Result<std::string> twice = text::Normalize(s);
  SARABAN_FUZZ_CHECK(twice.ok() && *twice == s, "Normalize is idempotent");

  for (size_t pos = 0; pos < s.size();) (void)text::DecodeUtf8(s, pos);

  const std::vector<size_t> breaks = breaker->Opportunities(s);
  SARABAN_FUZZ_CHECK(WellFormed(breaks, s), "break opportunities are well formed");
  const std::vector<size_t> icu = breaker->IcuOpportunities(s);
  SARABAN_FUZZ_CHECK(WellFormed(icu, s), "ICU opportunities are well formed");
  SARABAN_FUZZ_CHECK(std::includes(icu.begin(), icu.end(), breaks.begin(), breaks.end()),
                     "every opportunity is one of ICU's");
  std::vector<size_t> graded;
  for (const text::BreakOpportunity& o : breaker->Graded(s)) {
    graded.push_back(o.offset);
    SARABAN_FUZZ_CHECK((o.compounds > 0) == (o.grade == text::BreakGrade::kCompound),
                       "a compound break counts its compounds");
  }
  SARABAN_FUZZ_CHECK(s.empty() || WellFormed(graded, s), "graded opportunities are well formed");
  const std::vector<size_t> clusters = text::GraphemeBoundaries(s);
  SARABAN_FUZZ_CHECK(WellFormed(clusters, s), "grapheme boundaries are well formed");
  return 0;
}
