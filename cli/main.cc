// saraban: the offline command line. Parses flags, calls the libraries,
// maps their errors to messages and exit codes.
//
//   saraban render REPORT.json -o OUT.pdf [--template T.json] [--font F.ttf --bold-font F.ttf]
//   saraban validate REPORT.json
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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

// The template's name in messages.
std::string TemplateName(const std::string& path) {
  return path.empty() ? "built-in template" : path;
}

saraban::Result<saraban::v1::Template> LoadTemplate(const std::string& path) {
  if (path.empty()) return saraban::report::DefaultTemplate();
  return saraban::model::LoadTemplateFile(path);
}

// Writes `bytes` to `path` through a fresh temporary file in the same
// directory, flushed to disk, then renamed over `path`: a failure or a
// crash never leaves a half-written PDF, and two renders to the same path
// never write into each other's file.
saraban::Status WriteAtomically(const std::string& path, const std::string& bytes) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return {saraban::StatusCode::kNotFound,
            "cannot create a file in " + dir.string() + ": " + std::strerror(errno)};
  }
  auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    close(fd);
    std::remove(tmp.c_str());
    return saraban::Status(saraban::StatusCode::kNotFound, what + " " + tmp + ": " + reason);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  // mkstemp makes the file 0600; give it the mode a plain create would.
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) return fail("cannot flush");
  if (close(fd) != 0) {
    std::remove(tmp.c_str());
    return {saraban::StatusCode::kNotFound, "cannot close " + tmp};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
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
      ->check(CLI::Range(0.2, 5.0))
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
  if (!tmpl.ok()) return Fail(TemplateName(template_path), tmpl.status());
  if (auto errors = saraban::model::ValidateTemplate(*tmpl); !errors.empty()) {
    std::cerr << "saraban: " << TemplateName(template_path) << ":\n"
              << saraban::model::FormatErrors(errors);
    return kExitInvalidInput;
  }

  if (*validate) {
    if (auto errors = saraban::model::ValidateReport(&report.value()); !errors.empty()) {
      std::cerr << "saraban: " << input << ":\n" << saraban::model::FormatErrors(errors);
      return kExitInvalidInput;
    }
    std::cout << input << ": valid, " << report->measures_size() << " measures\n";
    return kExitOk;
  }

  auto renderer = saraban::report::ReportRenderer::Create(options);
  if (!renderer.ok()) {
    // A font that cannot be read or is not a usable font: a file problem.
    std::cerr << "saraban: " << renderer.status().ToString() << "\n";
    return kExitIo;
  }
  saraban::Result<saraban::report::RenderedPdf> pdf = (*renderer)->Render(*report, *tmpl);
  if (!pdf.ok()) return Fail(input, pdf.status());
  if (saraban::Status s = WriteAtomically(output, pdf->bytes); !s.ok()) return Fail(output, s);
  std::cout << output << ": " << pdf->page_count << " pages, " << pdf->bytes.size() << " bytes\n";
  return kExitOk;
}
