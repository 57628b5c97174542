// libharu keeps the file structure (document, pages, cross-reference table,
// compression, trailer); the objects it cannot make correctly are built here
// from its internal object API:
//  - fonts: its public API draws code points, not glyph IDs (Thai needs
//    glyphs that have no code point), so the Type0/CIDFontType2 objects come
//    ready-made from font_embed;
//  - /Info: HPDF_SetInfoAttr writes raw UTF-8; text strings go in here as
//    UTF-16BE with a byte order mark;
//  - PDF/A: HPDF_PDFA_SetPDFAConformance writes /SubType instead of /Subtype,
//    does not escape XML and hashes time(NULL) into /ID; HPDF_OutputIntent_New
//    writes /S /GTS_PDFX and the key "DestOutputProfile " with a trailing
//    space. The XMP stream, the output intent and /ID are built here instead.
// The structures used below changed in 2.4 (HPDF_PageAttr_Rec among others).
#include "hpdf_backend.h"

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>

#include <zlib.h>

#include <cstdio>
#include <memory>

#include "pdf_format.h"

#if HPDF_VERSION_ID != 20300
#error "hpdf_backend.cc uses libharu 2.3.0 internals; check them against this version"
#endif

namespace saraban::pdf {
namespace {

// Streams are compressed here, not by libharu, whose deflate always runs at
// zlib's default level 6: that was half the time of rendering a report.
// Page contents (glyph codes and numbers) lose little at level 3 and take
// half the time; fonts and profiles are small and keep level 6. zlib's
// output is a pure function of input and level: files stay byte-identical.
constexpr int kContentDeflateLevel = 3;
constexpr int kDataDeflateLevel = 6;

bool Deflate(const std::string& in, std::string* out, int level) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  out->resize(size);
  const int rc = compress2(reinterpret_cast<Bytef*>(out->data()), &size,
                           reinterpret_cast<const Bytef*>(in.data()),
                           static_cast<uLong>(in.size()), level);
  out->resize(size);
  return rc == Z_OK;
}

// Writes the /Filter entry of a stream whose bytes are already compressed;
// libharu drops any /Filter of its own when its filter field is NONE.
HPDF_STATUS WriteFlateFilter(HPDF_Dict, HPDF_Stream stream) {
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}


struct ErrorRecord {
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = HPDF_OK;
};

// libharu reports errors through this callback and then returns an error
// code: keep the first one, never abort or jump.
void RecordError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* record = static_cast<ErrorRecord*>(user_data);
  if (record->error == HPDF_OK) {
    record->error = error_no;
    record->detail = detail_no;
  }
}

struct DocDeleter {
  void operator()(HPDF_Doc pdf) const { HPDF_Free(pdf); }
};

bool IsPrintableAscii(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Builds objects into one libharu document. Every call checks its result;
// after the first failure the remaining calls are skipped.
class Builder {
 public:
  explicit Builder(HPDF_Doc pdf) : pdf_(pdf), mmgr_(pdf->mmgr), xref_(pdf->xref) {}

  bool ok() const { return ok_; }

  void AddFonts(const std::vector<FontObjects>& fonts, bool compress) {
    type0_.reserve(fonts.size());
    for (const FontObjects& f : fonts) {
      type0_.push_back(AddFont(f, compress));
      resource_names_.push_back(f.resource_name);
    }
  }

  void AddPages(const std::vector<PageObjects>& pages, bool compress) {
    for (const PageObjects& p : pages) AddPage(p, compress);
  }

  void SetInfo(const InfoObjects& info) {
    // HPDF_NewDoc already set /Producer, so the dictionary exists.
    HPDF_Dict dict = pdf_->info;
    if (!Require(dict != nullptr)) return;
    AddText(dict, "Title", info.title);
    AddText(dict, "Author", info.author);
    AddText(dict, "Subject", info.subject);
    AddText(dict, "Keywords", info.keywords);
    AddText(dict, "Creator", info.creator);
    AddText(dict, "Producer", info.producer);
    if (!info.pdf_date.empty()) {
      Add(dict, "CreationDate", HPDF_String_New(mmgr_, info.pdf_date.c_str(), nullptr));
      Add(dict, "ModDate", HPDF_String_New(mmgr_, info.pdf_date.c_str(), nullptr));
    }
  }

  void SetCatalogEntries(const DocumentObjects& doc, bool compress) {
    HPDF_Dict catalog = pdf_->catalog;
    // PDF/A-1 is based on PDF 1.4.
    pdf_->pdf_version = HPDF_VER_14;

    HPDF_Dict xmp = NewStream(doc.xmp, /*compress=*/false);
    AddName(xmp, "Type", "Metadata");
    AddName(xmp, "Subtype", "XML");
    Add(catalog, "Metadata", xmp);

    if (!doc.language.empty()) {
      Add(catalog, "Lang", HPDF_String_New(mmgr_, doc.language.c_str(), nullptr));
    }

    HPDF_Dict icc = NewStream(doc.icc_profile, compress);
    AddNumber(icc, "N", 3);
    HPDF_Dict intent = HPDF_Dict_New(mmgr_);
    if (!Require(intent != nullptr)) return;
    AddName(intent, "Type", "OutputIntent");
    AddName(intent, "S", "GTS_PDFA1");
    static constexpr char kSrgb[] = "sRGB IEC61966-2.1";
    Add(intent, "OutputConditionIdentifier", HPDF_String_New(mmgr_, kSrgb, nullptr));
    Add(intent, "Info", HPDF_String_New(mmgr_, kSrgb, nullptr));
    Add(intent, "RegistryName", HPDF_String_New(mmgr_, "http://www.color.org", nullptr));
    Add(intent, "DestOutputProfile", icc);
    HPDF_Array intents = HPDF_Array_New(mmgr_);
    Add(catalog, "OutputIntents", intents);
    if (ok_) Check(HPDF_Array_Add(intents, intent));
  }

  void SetFileId(const std::array<uint8_t, 16>& id) {
    HPDF_Array array = HPDF_Array_New(mmgr_);
    Add(pdf_->trailer, "ID", array);
    for (int i = 0; i < 2 && ok_; ++i) {
      Check(HPDF_Array_Add(array, HPDF_Binary_New(mmgr_, const_cast<HPDF_BYTE*>(id.data()),
                                                  static_cast<HPDF_UINT>(id.size()))));
    }
  }

 private:
  bool Require(bool condition) {
    if (!condition) ok_ = false;
    return ok_;
  }
  void Check(HPDF_STATUS status) {
    if (status != HPDF_OK) ok_ = false;
  }
  void Add(HPDF_Dict dict, const char* key, void* value) {
    if (!ok_ || !Require(dict != nullptr && value != nullptr)) return;
    Check(HPDF_Dict_Add(dict, key, value));
  }
  void AddName(HPDF_Dict dict, const char* key, const char* value) {
    if (!ok_ || !Require(dict != nullptr)) return;
    Check(HPDF_Dict_AddName(dict, key, value));
  }
  void AddNumber(HPDF_Dict dict, const char* key, int32_t value) {
    if (!ok_ || !Require(dict != nullptr)) return;
    Check(HPDF_Dict_AddNumber(dict, key, value));
  }
  // A text string: PDFDocEncoding when plain ASCII, else UTF-16BE with BOM.
  void AddText(HPDF_Dict dict, const char* key, const std::string& utf8) {
    if (!ok_ || utf8.empty()) return;
    if (IsPrintableAscii(utf8)) {
      Add(dict, key, HPDF_String_New(mmgr_, utf8.c_str(), nullptr));
      return;
    }
    const std::string utf16 = Utf16BeWithBom(utf8);
    Add(dict, key,
        HPDF_Binary_New(mmgr_, reinterpret_cast<HPDF_BYTE*>(const_cast<char*>(utf16.data())),
                        static_cast<HPDF_UINT>(utf16.size())));
  }

  HPDF_Dict NewDict() {
    if (!ok_) return nullptr;
    HPDF_Dict dict = HPDF_Dict_New(mmgr_);
    if (!Require(dict != nullptr)) return nullptr;
    Check(HPDF_Xref_Add(xref_, dict));
    return ok_ ? dict : nullptr;
  }

  // An indirect stream object holding `bytes`.
  HPDF_Dict NewStream(const std::string& bytes, bool compress) {
    if (!ok_) return nullptr;
    HPDF_Dict dict = HPDF_DictStream_New(mmgr_, xref_);
    if (!Require(dict != nullptr)) return nullptr;
    WriteStream(dict, bytes, compress);
    return ok_ ? dict : nullptr;
  }

  // Puts `bytes` into the stream of `dict`, deflated if `compress`.
  void WriteStream(HPDF_Dict dict, const std::string& bytes, bool compress, bool content = false) {
    if (!ok_) return;
    dict->filter = HPDF_STREAM_FILTER_NONE;
    const std::string* data = &bytes;
    std::string deflated;
    if (compress && !bytes.empty()) {
      if (!Require(Deflate(bytes, &deflated, content ? kContentDeflateLevel : kDataDeflateLevel))) return;
      data = &deflated;
      dict->write_fn = WriteFlateFilter;
    }
    if (!data->empty()) {
      Check(HPDF_Stream_Write(dict->stream, reinterpret_cast<const HPDF_BYTE*>(data->data()),
                              static_cast<HPDF_UINT>(data->size())));
    }
  }

  HPDF_Array NumberArray(std::initializer_list<int32_t> values) {
    HPDF_Array array = HPDF_Array_New(mmgr_);
    if (!Require(array != nullptr)) return nullptr;
    for (int32_t v : values) Check(HPDF_Array_AddNumber(array, v));
    return array;
  }

  HPDF_Dict AddFont(const FontObjects& f, bool compress) {
    HPDF_Dict file = NewStream(f.font_file, compress);
    AddNumber(file, "Length1", static_cast<int32_t>(f.font_file.size()));
    HPDF_Dict cid_set = NewStream(f.cid_set, compress);

    HPDF_Dict descriptor = NewDict();
    AddName(descriptor, "Type", "FontDescriptor");
    AddName(descriptor, "FontName", f.base_font.c_str());
    AddNumber(descriptor, "Flags", f.flags);
    Add(descriptor, "FontBBox", NumberArray({f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3]}));
    AddNumber(descriptor, "ItalicAngle", f.italic_angle);
    AddNumber(descriptor, "Ascent", f.ascent);
    AddNumber(descriptor, "Descent", f.descent);
    AddNumber(descriptor, "CapHeight", f.cap_height);
    AddNumber(descriptor, "StemV", f.stem_v);
    Add(descriptor, "FontFile2", file);
    Add(descriptor, "CIDSet", cid_set);

    HPDF_Dict system_info = HPDF_Dict_New(mmgr_);
    Add(system_info, "Registry", HPDF_String_New(mmgr_, "Adobe", nullptr));
    Add(system_info, "Ordering", HPDF_String_New(mmgr_, "Identity", nullptr));
    AddNumber(system_info, "Supplement", 0);

    HPDF_Array widths = HPDF_Array_New(mmgr_);
    Require(widths != nullptr);
    for (const WidthRange& range : f.widths) {
      if (!ok_) break;
      Check(HPDF_Array_AddNumber(widths, static_cast<HPDF_INT32>(range.first)));
      HPDF_Array values = HPDF_Array_New(mmgr_);
      if (!Require(values != nullptr)) break;
      for (int32_t w : range.widths) Check(HPDF_Array_AddNumber(values, w));
      Check(HPDF_Array_Add(widths, values));
    }

    HPDF_Dict cid_font = NewDict();
    AddName(cid_font, "Type", "Font");
    AddName(cid_font, "Subtype", "CIDFontType2");
    AddName(cid_font, "BaseFont", f.base_font.c_str());
    Add(cid_font, "CIDSystemInfo", system_info);
    Add(cid_font, "FontDescriptor", descriptor);
    Add(cid_font, "W", widths);
    AddName(cid_font, "CIDToGIDMap", "Identity");

    HPDF_Dict to_unicode = NewStream(f.to_unicode, compress);

    HPDF_Dict type0 = NewDict();
    AddName(type0, "Type", "Font");
    AddName(type0, "Subtype", "Type0");
    AddName(type0, "BaseFont", f.base_font.c_str());
    AddName(type0, "Encoding", "Identity-H");
    HPDF_Array descendants = HPDF_Array_New(mmgr_);
    Add(type0, "DescendantFonts", descendants);
    if (ok_) Check(HPDF_Array_Add(descendants, cid_font));
    Add(type0, "ToUnicode", to_unicode);
    return type0;
  }

  void AddPage(const PageObjects& p, bool compress) {
    if (!ok_) return;
    HPDF_Page page = HPDF_AddPage(pdf_);
    if (!Require(page != nullptr)) return;
    Check(HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(p.width)));
    Check(HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(p.height)));
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    WriteStream(attr->contents, p.content, compress, /*content=*/true);
    if (p.fonts.empty() || !ok_) return;
    auto resources = static_cast<HPDF_Dict>(
        HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT));
    HPDF_Dict fonts = HPDF_Dict_New(mmgr_);
    Add(resources, "Font", fonts);
    attr->fonts = fonts;  // libharu's own record of the page's font resources
    for (int index : p.fonts) {
      if (!ok_ || !Require(index >= 0 && static_cast<size_t>(index) < type0_.size())) return;
      Add(fonts, resource_names_[index].c_str(), type0_[index]);
    }
  }

  HPDF_Doc pdf_;
  HPDF_MMgr mmgr_;
  HPDF_Xref xref_;
  bool ok_ = true;
  std::vector<HPDF_Dict> type0_;
  std::vector<std::string> resource_names_;
};

Result<std::string> ReadAll(HPDF_Doc pdf) {
  const HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
  std::string out(size, '\0');
  HPDF_UINT32 done = 0;
  while (done < size) {
    HPDF_UINT32 len = size - done;
    const HPDF_STATUS status =
        HPDF_ReadFromStream(pdf, reinterpret_cast<HPDF_BYTE*>(out.data()) + done, &len);
    done += len;
    if (status == HPDF_STREAM_EOF || len == 0) break;
    if (status != HPDF_OK) return Internal("libharu could not read back the PDF");
  }
  if (done != size) return Internal("libharu returned a truncated PDF");
  return out;
}

std::string DescribeError(const ErrorRecord& record) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "libharu error 0x%04X (detail %u)",
                static_cast<unsigned>(record.error), static_cast<unsigned>(record.detail));
  return buf;
}

}  // namespace

std::string LibraryProducer() { return "saraban with Haru Free PDF Library " HPDF_VERSION_TEXT; }

Result<std::string> AssemblePdf(const DocumentObjects& doc, bool compress) {
  ErrorRecord errors;
  // No memory pool: libharu 2.3.0's pool hands out unaligned blocks
  // (HPDF_ALINMENT_SIZ is not defined in its build).
  std::unique_ptr<HPDF_Doc_Rec, DocDeleter> pdf(HPDF_New(RecordError, &errors));
  if (!pdf) return Internal("libharu could not create a document");
  if (HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_NONE) != HPDF_OK) {
    return Internal(DescribeError(errors));
  }

  Builder builder(pdf.get());
  builder.AddFonts(doc.fonts, compress);
  builder.AddPages(doc.pages, compress);
  builder.SetInfo(doc.info);
  builder.SetCatalogEntries(doc, compress);
  builder.SetFileId(doc.file_id);
  if (!builder.ok() || errors.error != HPDF_OK) {
    return Internal("building the PDF objects failed: " + DescribeError(errors));
  }
  if (HPDF_SaveToStream(pdf.get()) != HPDF_OK || errors.error != HPDF_OK) {
    return Internal("saving the PDF failed: " + DescribeError(errors));
  }
  return ReadAll(pdf.get());
}

}  // namespace saraban::pdf
