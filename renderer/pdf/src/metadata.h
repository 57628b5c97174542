// Document information for /Info and the XMP packet PDF/A-1b requires, from
// one source so that the two always agree.
#pragma once

#include <string>

#include "pdf_objects.h"
#include "saraban/pdf/document.h"
#include "saraban/status.h"

namespace saraban::pdf {

// The /Info values of `metadata`. A creation date must look like
// "2024-09-30T12:00:00+07:00" (or end in "Z"); anything else is
// InvalidArgument. No date is invented when it is empty.
Result<InfoObjects> BuildInfo(const Metadata& metadata, std::string producer);

// The XMP packet (PDF/A-1b identification included) matching `info`.
std::string BuildXmp(const InfoObjects& info, const std::string& language);

}  // namespace saraban::pdf
