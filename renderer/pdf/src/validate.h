// Checks a Document against everything the writer relies on, so that bad
// input gives InvalidArgument (with the field) instead of a broken file.
#pragma once

#include "saraban/pdf/document.h"
#include "saraban/status.h"

namespace saraban::pdf {

Status ValidateDocument(const Document& doc);

}  // namespace saraban::pdf
