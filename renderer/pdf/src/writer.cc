// WritePdf, stage by stage: validate the pages, write their content streams
// (recording which glyphs each font needs and what text they stand for),
// embed the font subsets, build the metadata, derive the file ID from all of
// it, and let libharu assemble the file.
#include "saraban/pdf/writer.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "content_stream.h"
#include "font_embed.h"
#include "hpdf_backend.h"
#include "metadata.h"
#include "pdf_format.h"
#include "pdf_objects.h"
#include "saraban/digest.h"
#include "validate.h"

namespace saraban::pdf {
namespace {

// Content streams of all pages; `usage` collects the glyphs they show.
std::vector<PageObjects> WritePages(const Document& doc, std::vector<FontUsage>& usage) {
  std::vector<PageObjects> pages;
  pages.reserve(doc.pages.size());
  ContentWriter writer(usage);
  for (const Page& page : doc.pages) {
    PageObjects& p = pages.emplace_back();
    p.width = page.width;
    p.height = page.height;
    p.content = writer.WritePage(page, p.fonts);
  }
  return pages;
}

// Embeds the fonts that are used and points the pages at them (PageObjects
// hold Document::fonts indexes until then).
Status EmbedFonts(const std::vector<FontUsage>& usage, DocumentObjects& objects) {
  std::vector<int> embedded_index(usage.size(), -1);
  for (size_t i = 0; i < usage.size(); ++i) {
    if (usage[i].empty()) continue;
    Result<FontObjects> font = EmbedFont(usage[i], "F" + std::to_string(i + 1));
    if (!font.ok()) return font.status().WithFieldPrefix("fonts[" + std::to_string(i) + "]");
    embedded_index[i] = static_cast<int>(objects.fonts.size());
    objects.fonts.push_back(std::move(font).value());
  }
  for (PageObjects& page : objects.pages) {
    for (int& font : page.fonts) font = embedded_index[font];
  }
  return Status::Ok();
}

Result<std::string> ReadIccProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kNotFound, "cannot open ICC profile " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 128) return InvalidArgument("not an ICC profile: " + path);
  return bytes;
}

// Hashes the decimal text of `value` and a separator, so that adjacent
// fields cannot run into each other.
void HashNumber(Sha256& hash, double value) {
  std::string s;
  AppendNumber(s, value, 6);
  s.push_back(';');
  hash.Update(s);
}

// The trailer /ID: a digest of everything that goes into the file, so equal
// documents get equal IDs and no clock or random value is involved.
std::array<uint8_t, 16> FileId(const DocumentObjects& o, bool compress) {
  Sha256 hash;
  hash.Update(compress ? "saraban-pdf-1 compressed;" : "saraban-pdf-1 plain;");
  for (const PageObjects& p : o.pages) {
    HashNumber(hash, p.width);
    HashNumber(hash, p.height);
    HashNumber(hash, static_cast<double>(p.content.size()));
    hash.Update(p.content);
  }
  for (const FontObjects& f : o.fonts) {
    for (const std::string* s : {&f.base_font, &f.font_file, &f.to_unicode}) {
      HashNumber(hash, static_cast<double>(s->size()));
      hash.Update(*s);
    }
  }
  HashNumber(hash, static_cast<double>(o.xmp.size()));
  hash.Update(o.xmp);  // holds every /Info value
  HashNumber(hash, static_cast<double>(o.icc_profile.size()));
  hash.Update(o.icc_profile);
  const auto digest = hash.Final();
  std::array<uint8_t, 16> id{};
  std::copy_n(digest.begin(), id.size(), id.begin());
  return id;
}

}  // namespace

Result<std::string> WritePdf(const Document& doc, const WriteOptions& options) {
  if (Status s = ValidateDocument(doc); !s.ok()) return s;

  DocumentObjects objects;
  std::vector<FontUsage> usage;
  usage.reserve(doc.fonts.size());
  for (const auto& font : doc.fonts) usage.emplace_back(*font);
  objects.pages = WritePages(doc, usage);
  if (Status s = EmbedFonts(usage, objects); !s.ok()) return s;

  Result<InfoObjects> info = BuildInfo(doc.metadata, LibraryProducer());
  if (!info.ok()) return info.status();
  objects.info = std::move(info).value();
  objects.language = doc.metadata.language;
  objects.xmp = BuildXmp(objects.info, objects.language);
  Result<std::string> icc = ReadIccProfile(options.icc_profile_path);
  if (!icc.ok()) return icc.status();
  objects.icc_profile = std::move(icc).value();

  objects.file_id = FileId(objects, options.compress);
  return AssemblePdf(objects, options.compress);
}

}  // namespace saraban::pdf
