// Stage: a report and a template become layout blocks. All wording that is
// computed rather than typed (titles with the agency and year, the finding
// sentence, score sentences, sign-off labels) is made here.
#pragma once

#include <string_view>

#include "saraban/layout/layout.h"
#include "saraban/status.h"
#include "saraban/v1/report.pb.h"
#include "saraban/v1/template.pb.h"

namespace saraban::report {

struct ComposeOptions {
  // Multiplies every template size; 1.0 keeps the font's own TH Sarabun
  // scale. Lets a caller correct the scale of an unknown font.
  double size_factor = 1.0;
};

// The column widths (pt) of `report`'s table under `tmpl`, checked: each
// column at least tmpl.min_column_em wide. Errors name the template field.
Result<std::vector<double>> ColumnWidths(const v1::Report& report, const v1::Template& tmpl);

// Builds the document. `report` must be validated and normalised.
Result<layout::DocumentLayout> Compose(const v1::Report& report, const v1::Template& tmpl,
                                       const ComposeOptions& options = {});

// The title written into the PDF's metadata.
std::string DocumentTitle(const v1::Report& report);

// Fills {agency}, {fiscal_year}, {assessed_fiscal_year}, {ita_score} and
// {ita_level} in `text` from `report`.
std::string FillPlaceholders(std::string text, const v1::Report& report);

// The line a signer signs on in a sign-off of blocks (the line form draws
// a dotted rule instead).
inline constexpr std::string_view kSignHere =
    "ลงชื่อ ..................................................";

}  // namespace saraban::report
