// Fonts: what the layout and the PDF writer rely on, and bad font files.
#include <gtest/gtest.h>

#include <string>

#include "saraban/text/font.h"
#include "test_support.h"

namespace saraban::text {
namespace {

constexpr const char* kLaksaman = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf";
constexpr const char* kGaruda = "/usr/share/fonts/truetype/tlwg/Garuda.ttf";

TEST(FontTest, LaksamanIsScaledLikeThSarabun) {
  auto font = Font::Load(kLaksaman);
  ASSERT_TRUE(font.ok()) << font.status().ToString();
  EXPECT_EQ((*font)->family_name(), "Laksaman");
  // Debian's fontconfig draws "TH Sarabun" 16 pt as Laksaman 10.56 pt.
  EXPECT_DOUBLE_EQ((*font)->th_sarabun_scale(), 0.66);
  EXPECT_EQ((*font)->units_per_em(), 1000);
  EXPECT_GT((*font)->ascender(), 0);
  EXPECT_LT((*font)->descender(), 0);
  EXPECT_GT((*font)->cap_height(), 0);
  EXPECT_GT((*font)->glyph_count(), 100);
  EXPECT_EQ((*font)->bytes().size(), test::ReadFile(kLaksaman).size());
}

TEST(FontTest, OtherFontsKeepTheirSizes) {
  auto font = Font::Load(kGaruda);
  ASSERT_TRUE(font.ok()) << font.status().ToString();
  EXPECT_EQ((*font)->family_name(), "Garuda");
  EXPECT_DOUBLE_EQ((*font)->th_sarabun_scale(), 1.0);
}

TEST(FontTest, BadFontFilesAreRefused) {
  auto missing = Font::Load("/nonexistent/font.ttf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  EXPECT_FALSE(Font::Load("/dev/zero").ok());  // not a regular file; must not hang
  EXPECT_FALSE(Font::Load("/tmp").ok());

  const std::string text_file = test::TempPath("not-a-font.ttf");
  test::WriteFile(text_file, "this is not a font, just some text that is long enough");
  auto not_font = Font::Load(text_file);
  ASSERT_FALSE(not_font.ok());
  EXPECT_EQ(not_font.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace saraban::text
