// saraban: the offline command line. Parses flags, calls the libraries,
// maps their errors to messages and exit codes.
//
//   saraban render REPORT.json -o OUT.pdf [--template T.json] [--font F.ttf --bold-font F.ttf]
//   saraban validate REPORT.json
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"

namespace {

// Exit codes other systems script against.
constexpr int kExitOk = 0;
constexpr int kExitInvalidInput = 1;  // the report or template is wrong
constexpr int kExitUsage = 2;         // bad flags or arguments
constexpr int kExitIo = 3;            // a file could not be read or written
constexpr int kExitInternal = 4;

int ExitCodeFor(const saraban::Status& s) {
  switch (s.code()) {
    case saraban::StatusCode::kInvalidArgument:
    case saraban::StatusCode::kResourceExhausted:
      return kExitInvalidInput;
    case saraban::StatusCode::kNotFound:
      return kExitIo;
    default:
      return kExitInternal;
  }
}

int Fail(const std::string& file, const saraban::Status& s) {
  std::cerr << "saraban: " << file << ": " << s.ToString() << "\n";
  return ExitCodeFor(s);
}

saraban::Result<saraban::v1::Template> LoadTemplate(const std::string& path) {
  if (path.empty()) return saraban::report::DefaultTemplate();
  return saraban::model::LoadTemplateFile(path);
}

// Writes `bytes` to `path` through a temporary file and a rename, so a
// failure never leaves a half-written PDF behind.
saraban::Status WriteAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return {saraban::StatusCode::kNotFound, "cannot create " + tmp};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return {saraban::StatusCode::kNotFound, "cannot write " + tmp};
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return {saraban::StatusCode::kNotFound, "cannot rename to " + path + ": " + ec.message()};
  }
  return saraban::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saraban: Thai ITA reports from structured data to official PDFs"};
  app.require_subcommand(1);

  std::string input, output, template_path;
  saraban::report::RenderOptions options;

  CLI::App* render = app.add_subcommand("render", "Render a report (JSON) to PDF");
  render->add_option("report", input, "Report JSON (saraban.v1.Report)")->required();
  render->add_option("-o,--output", output, "PDF file to write")->required();
  render->add_option("-t,--template", template_path,
                     "Template JSON (saraban.v1.Template); default: the built-in A4 landscape");
  render->add_option("--font", options.regular_font, "Regular TrueType font")
      ->capture_default_str();
  render->add_option("--bold-font", options.bold_font, "Bold TrueType font")->capture_default_str();
  render->add_option("--size-factor", options.size_factor,
                     "Multiply every template size (corrects an unknown font's scale)")
      ->capture_default_str();

  CLI::App* validate = app.add_subcommand("validate", "Check a report (JSON) without rendering");
  validate->add_option("report", input, "Report JSON (saraban.v1.Report)")->required();
  validate->add_option("-t,--template", template_path, "Template JSON to check as well");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  saraban::Result<saraban::v1::Report> report = saraban::model::LoadReportFile(input);
  if (!report.ok()) return Fail(input, report.status());
  saraban::Result<saraban::v1::Template> tmpl = LoadTemplate(template_path);
  if (!tmpl.ok()) return Fail(template_path, tmpl.status());

  if (*validate) {
    std::vector<saraban::Status> errors = saraban::model::ValidateReport(&report.value());
    for (const auto& e : saraban::model::ValidateTemplate(*tmpl)) errors.push_back(e);
    if (!errors.empty()) {
      std::cerr << saraban::model::FormatErrors(errors);
      return kExitInvalidInput;
    }
    std::cout << input << ": valid, " << report->measures_size() << " measures\n";
    return kExitOk;
  }

  auto renderer = saraban::report::ReportRenderer::Create(options);
  if (!renderer.ok()) return Fail("font", renderer.status());
  saraban::Result<saraban::report::RenderedPdf> pdf = (*renderer)->Render(*report, *tmpl);
  if (!pdf.ok()) return Fail(input, pdf.status());
  if (saraban::Status s = WriteAtomically(output, pdf->bytes); !s.ok()) return Fail(output, s);
  std::cout << output << ": " << pdf->page_count << " pages, " << pdf->bytes.size() << " bytes\n";
  return kExitOk;
}
