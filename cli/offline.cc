// The offline subcommands: render a report file to PDF, validate it. No
// network, no Redis.
#include <iostream>
#include <memory>

#include "cli.h"
#include "saraban/flags/render_flags.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/report/default_template.h"
#include "saraban/report/font_coverage.h"
#include "saraban/report/render.h"
#include "saraban/text/font.h"

namespace saraban::cli {

namespace {

struct OfflineArgs {
  std::string input, output, template_path;
  report::RenderOptions options;
  bool signature_fields = false;
};

// The template's name in messages.
std::string TemplateName(const std::string& path) {
  return path.empty() ? "built-in template" : path;
}

Result<v1::Template> LoadTemplate(const std::string& path) {
  if (path.empty()) return report::DefaultTemplate();
  return model::LoadTemplateFile(path);
}

int Run(const OfflineArgs& a, bool validate_only) {
  if (!validate_only) {
    if (Status s = CheckOutputIsNotInput(a.input, a.output); !s.ok()) {
      std::cerr << "saraban: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  Result<v1::Report> report = model::LoadReportFile(a.input);
  if (!report.ok()) return Fail(a.input, report.status());
  Result<v1::Template> tmpl = LoadTemplate(a.template_path);
  if (!tmpl.ok()) return Fail(TemplateName(a.template_path), tmpl.status());
  if (auto errors = model::ValidateTemplate(*tmpl); !errors.empty()) {
    std::cerr << "saraban: " << TemplateName(a.template_path) << ":\n"
              << model::FormatErrors(errors);
    return kExitInvalidInput;
  }

  if (validate_only) {
    if (auto errors = model::ValidateReport(&report.value()); !errors.empty()) {
      std::cerr << "saraban: " << a.input << ":\n" << model::FormatErrors(errors);
      return kExitInvalidInput;
    }
    // The fonts' check that render makes, so that validate passes only
    // what render prints.
    Result<std::shared_ptr<const text::Font>> regular = text::Font::Load(a.options.regular_font);
    if (!regular.ok()) return Fail(a.options.regular_font, regular.status());
    Result<std::shared_ptr<const text::Font>> bold = text::Font::Load(a.options.bold_font);
    if (!bold.ok()) return Fail(a.options.bold_font, bold.status());
    if (auto errors = report::CheckFontCoverage(*report, **regular, **bold); !errors.empty()) {
      std::cerr << "saraban: " << a.input << ":\n" << model::FormatErrors(errors);
      return kExitInvalidInput;
    }
    std::cout << a.input << ": valid, " << report->measures_size() << " measures\n";
    return kExitOk;
  }

  auto renderer = report::ReportRenderer::Create(a.options);
  if (!renderer.ok()) {
    // A font that cannot be read or is not a usable font: a file problem.
    std::cerr << "saraban: " << renderer.status().ToString() << "\n";
    return kExitIo;
  }
  Result<report::RenderedPdf> pdf = (*renderer)->Render(*report, *tmpl);
  if (!pdf.ok()) return Fail(a.input, pdf.status());
  if (a.signature_fields) {
    auto with_fields = report::WithSignatureFields(*pdf);
    if (!with_fields.ok()) return Fail(a.input, with_fields.status());
    pdf->bytes = std::move(with_fields).value();
  }
  if (Status s = WriteOutput(a.output, pdf->bytes); !s.ok()) return Fail(a.output, s);
  // With the PDF on standard output, the summary goes to standard error.
  (a.output == "-" ? std::cerr : std::cout)
      << a.output << ": " << pdf->page_count << " pages, " << pdf->bytes.size() << " bytes\n";
  return kExitOk;
}

}  // namespace

void AddOfflineCommands(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<OfflineArgs>();

  CLI::App* render = app.add_subcommand("render", "Render a report (JSON) to PDF, offline");
  render->add_option("report", args->input, "Report JSON (saraban.v1.Report)")->required();
  render->add_option("-o,--output", args->output,
                     "PDF file to write (a symbolic link is written through); - for standard output")
      ->required();
  render->add_option("-t,--template", args->template_path,
                     "Template JSON (saraban.v1.Template); default: the built-in A4 landscape");
  render->add_flag("--signature-fields", args->signature_fields,
                   "Add an empty signature field for each person of the sign-off (reporter, "
                   "reviewer-1, ..., executive), to sign with `saraban sign --field`");
  flags::AddRenderFlags(*render, &args->options);
  render->callback([args, exit_code] { *exit_code = Run(*args, false); });

  CLI::App* validate =
      app.add_subcommand("validate", "Check a report (JSON) without rendering, offline");
  validate->add_option("report", args->input, "Report JSON (saraban.v1.Report)")->required();
  validate->add_option("-t,--template", args->template_path, "Template JSON to check as well");
  flags::AddFontFlags(*validate, &args->options, " whose coverage is checked");
  validate->callback([args, exit_code] { *exit_code = Run(*args, true); });
}

}  // namespace saraban::cli
