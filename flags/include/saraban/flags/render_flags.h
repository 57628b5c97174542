// The render flag group, defined once for every program that renders or
// lays reports out (the worker, the document service's dry runs, the CLI):
// the same names, environment variables, ranges and defaults everywhere.
#pragma once

#include <CLI/CLI.hpp>

#include "saraban/report/render.h"

namespace saraban::flags {

// --font and --bold-font (SARABAN_FONT, SARABAN_BOLD_FONT).
inline void AddFontFlags(CLI::App& app, report::RenderOptions* options,
                         const std::string& what = "") {
  app.add_option("--font", options->regular_font, "Regular TrueType font" + what)
      ->envname("SARABAN_FONT")
      ->capture_default_str();
  app.add_option("--bold-font", options->bold_font, "Bold TrueType font" + what)
      ->envname("SARABAN_BOLD_FONT")
      ->capture_default_str();
}

// The fonts and --size-factor (SARABAN_SIZE_FACTOR).
inline void AddRenderFlags(CLI::App& app, report::RenderOptions* options) {
  AddFontFlags(app, options);
  app.add_option("--size-factor", options->size_factor,
                 "Multiply every template size (corrects an unknown font's scale)")
      ->envname("SARABAN_SIZE_FACTOR")
      ->check(CLI::Range(0.2, 5.0))
      ->capture_default_str();
}

}  // namespace saraban::flags
