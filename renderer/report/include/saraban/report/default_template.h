// The built-in template (templates/ita_landscape.json, compiled in), so the
// CLI and the worker need no data files beside the binary.
#pragma once

#include "saraban/status.h"
#include "saraban/v1/template.pb.h"

namespace saraban::report {

// A4 landscape ITA measures table; parsed once.
Result<v1::Template> DefaultTemplate();

}  // namespace saraban::report
