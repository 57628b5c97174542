// The only door to libharu. Everything that touches its internal structures
// is behind these two functions, in hpdf_backend.cc.
#pragma once

#include <string>

#include "pdf_objects.h"
#include "saraban/status.h"

namespace saraban::pdf {

// The /Producer value (libharu writes the file).
std::string LibraryProducer();

// Builds the PDF/A-1b objects from `doc` with libharu and returns the bytes.
// libharu errors come back as Internal, never as an abort; no partial file is
// returned.
Result<std::string> AssemblePdf(const DocumentObjects& doc, bool compress);

}  // namespace saraban::pdf
