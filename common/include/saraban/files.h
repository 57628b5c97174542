// Reading whole files with a size limit.
#pragma once

#include <cstddef>
#include <string>

#include "saraban/status.h"

namespace saraban {

// The bytes of `path`, read in chunks and never more than `limit` + 1 bytes,
// so a file that grew since it was checked (or a device that never ends)
// cannot exhaust memory. NotFound when it cannot be opened or read
// ("cannot open PATH: reason"); ResourceExhausted past `limit`.
Result<std::string> ReadFileAtMost(const std::string& path, size_t limit);

}  // namespace saraban
