// Signature fields added to a finished PDF as an incremental update (ISO
// 32000-1, 7.5.6): the earlier bytes stay an exact prefix of the new file,
// so every earlier signature stays valid and the unsigned render can be
// found again inside a signed file. No libharu and no cryptography here:
// this writes and reads the PDF objects; saraban/sign makes and checks the
// CMS signatures that go into them.
//
// It reads what saraban's writer makes, and what it appended itself:
// classic cross-reference tables (with /Prev chains), no cross-reference
// streams, object streams or encryption; anything else is refused with a
// message rather than guessed at.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/status.h"

namespace saraban::pdf {

// A signature field for the last page, filled in the same update.
struct SignatureField {
  // The field's name, unique in the document: letters, digits, '-', '_'.
  std::string name;
  // Where its widget sits on the last page, in points from the lower
  // left: {x1, y1, x2, y2}. All zero: the next free 150 x 50 box along the
  // bottom margin, from the right.
  std::array<double, 4> rect{};
  // The claimed signing time, /M (PAdES puts it here, not in the CMS):
  // "D:YYYYMMDDHHmmSS+00'00'".
  std::string signing_time;
  // DER bytes the /Contents placeholder holds.
  size_t contents_capacity = 8192;
};

// A signature field without a signature yet, for a signer to fill later.
struct EmptySignatureField {
  std::string name;             // as SignatureField::name
  std::array<double, 4> rect{};  // on the last page, as SignatureField::rect
};

// Adds empty signature fields to the last page in one incremental update:
// widgets with a plain border (PDF/A wants an appearance), in the
// AcroForm. What a publication carries, so that each signer signs into the
// field made for them.
Result<std::string> AddSignatureFields(std::string_view pdf,
                                       const std::vector<EmptySignatureField>& fields);

// A PDF with one more revision whose signature /Contents is still zeros.
struct PreparedSignature {
  std::string bytes;                 // the earlier file, unchanged, then the update
  size_t prefix_size = 0;            // the earlier file's size
  std::array<size_t, 4> byte_range{};  // [0, a, b, c]: all but the <...> of /Contents
  size_t capacity = 0;               // DER bytes that fit
};

// Signs into the empty field named `field.name` when the document has one
// (its box stays where it is), else appends a new field with a plain
// appearance (a border: PDF/A wants one) to the last page; either way with
// its signature dictionary and the AcroForm. INVALID_ARGUMENT for a PDF it
// cannot read or a field that is already signed.
Result<PreparedSignature> PrepareSignature(std::string_view pdf, const SignatureField& field);
// The bytes a signature of `prepared` covers (its two byte ranges).
std::string SignedBytes(const PreparedSignature& prepared);
// Writes `der` (a CMS SignedData) into the placeholder, zero padded;
// RESOURCE_EXHAUSTED when it does not fit.
Status EmbedSignature(PreparedSignature* prepared, std::string_view der);

// A signature found in a PDF.
struct FoundSignature {
  std::string field;         // the field's name (/T)
  std::string signing_time;  // /M as written
  std::string sub_filter;    // e.g. ETSI.CAdES.detached
  std::array<int64_t, 4> byte_range{};
  std::string der;          // the CMS SignedData, without the padding
  bool padding_zero = true;  // every byte after the DER in /Contents is zero
  // The file as it was when this signature was made: bytes [0, b + c).
  size_t revision_end = 0;
};

// Every signature of the document's AcroForm, in field order; empty for
// an unsigned PDF. INVALID_ARGUMENT for a PDF it cannot read.
Result<std::vector<FoundSignature>> FindSignatures(std::string_view pdf);
// The bytes a found signature covers; empty when its byte range does not
// lie inside `pdf`.
std::string SignedBytes(std::string_view pdf, const FoundSignature& signature);

}  // namespace saraban::pdf
