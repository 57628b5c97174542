// Random text through normalisation and layout: whatever comes in, the
// result is an error or lines that stay inside their box and give the text
// back. Seeded, so every run checks the same cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "saraban/layout/layout.h"
#include "saraban/testing/shown_text.h"
#include "saraban/text/font.h"
#include "saraban/text/normalize.h"

namespace saraban::layout {
namespace {

// Random text is mostly Thai syllables (consonant, vowel, tone mark, also
// in the swapped order Normalize fixes), with digits, Latin, spaces, line
// breaks, zero-width characters and Thai rules' cases (ๆ, พ.ศ., นาย) between,
// and now and then something invalid: a lone mark, broken UTF-8, a
// character Laksaman lacks.
const std::vector<std::string> kConsonants = {"ก", "ข", "ป", "ฝ", "ฟ", "ญ", "ฐ", "ฎ", "ฏ",
                                              "น", "ม", "ร", "ส", "อ", "ท", "ผ"};
const std::vector<std::string> kVowels = {"ิ", "ี", "ึ", "ื", "ุ", "ู", "ั", "็"};
const std::vector<std::string> kTones = {"่", "้", "๊", "๋", "์"};
const std::vector<std::string> kOthers = {"ะ", "า", "ำ", "เ", "แ", "โ", "ไ", "ๆ", "ฯ", "๑", "๒",
                                          "1", "9", ".", "-", "(", ")", "a", "Z", " ", " ",
                                          "  ", "\n", "\u200B", "\u00A0", "พ.ศ. ๒๕๖๗",
                                          "นาย", "๑๒ คะแนน", "\t"};
const std::vector<std::string> kBad = {"\u0E48", "\u0E38", "\xE0\xB8", "漢", "\U0001F600"};

std::string RandomText(std::mt19937& rng) {
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  std::uniform_real_distribution<double> p(0, 1);
  std::string s;
  for (int n = std::uniform_int_distribution<int>(0, 40)(rng); n > 0; --n) {
    const double r = p(rng);
    if (r < 0.012) {
      s += pick(kBad);
    } else if (r < 0.3) {
      s += pick(kOthers);
    } else {
      s += pick(kConsonants);
      const std::string vowel = p(rng) < 0.4 ? pick(kVowels) : "";
      const std::string tone = p(rng) < 0.3 ? pick(kTones) : "";
      s += p(rng) < 0.1 ? tone + vowel : vowel + tone;  // swapped order now and then
    }
  }
  return s;
}

TEST(RobustnessTest, RandomTextIsLaidOutOrRefused) {
  auto regular = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  auto bold = text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
  ASSERT_TRUE(regular.ok() && bold.ok());
  Typesetter ts({*regular, *bold});
  std::mt19937 rng(20261122);
  std::uniform_real_distribution<double> width(80, 400);
  int laid_out = 0, refused_by_normalize = 0, refused_by_layout = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::string raw = RandomText(rng);
    Result<std::string> text = text::Normalize(raw);
    if (!text.ok()) {
      ++refused_by_normalize;
      EXPECT_FALSE(text.status().message().empty());
      continue;
    }
    const double w = width(rng);
    DocumentLayout doc;
    doc.setup.margin_right = doc.setup.width - doc.setup.margin_left - w;
    doc.blocks.push_back(Paragraph{*text, {FontRole::kRegular, 16, Align::kLeft}});
    auto pages = ts.Layout(doc);
    if (!pages.ok()) {
      ++refused_by_layout;
      EXPECT_EQ(pages.status().code(), StatusCode::kInvalidArgument) << pages.status().ToString();
      continue;
    }
    ++laid_out;
    std::string joined;
    for (const auto& page : *pages) {
      for (const auto& run : page.runs) {
        double advance = 0;
        for (const auto& g : run.glyphs) advance += g.x_advance;
        EXPECT_LE(run.x + advance * run.size / 1000, doc.setup.margin_left + w + 0.01)
            << "case " << i << ": " << run.text;
        joined += run.text;
      }
    }
    EXPECT_EQ(testing::WithoutSpaces(joined), testing::WithoutSpaces(*text)) << "case " << i;
  }
  std::printf("laid out %d, refused by Normalize %d, by layout %d\n", laid_out, refused_by_normalize,
              refused_by_layout);
  // The alphabet makes all three outcomes common; if one disappears the
  // test has stopped testing it.
  EXPECT_GT(laid_out, 500);
  EXPECT_GT(refused_by_normalize, 50);
  EXPECT_GT(refused_by_layout, 50);
}

}  // namespace
}  // namespace saraban::layout
