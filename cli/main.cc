// saraban: the command line. Offline it renders and validates report files;
// as a client it imports reports into the report service and renders them
// through the document service.
//
//   saraban render REPORT.json -o OUT.pdf [--template T.json] [--font F.ttf --bold-font F.ttf]
//   saraban validate REPORT.json
//   saraban import REPORT.json... [--reports HOST:PORT]
//   saraban submit agencies/A/reports/FY [--wait] [-o OUT.pdf] [--documents HOST:PORT]
//   saraban bulk --fiscal-year FY [--province P] --out DIR [--documents HOST:PORT]
//   saraban get NAME [--reports HOST:PORT --documents HOST:PORT]
//
// The client commands run in saraban-client (next to this program), so that
// an offline render loads no gRPC: this program hands them over with exec.
#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "cli.h"
#include "saraban/report/render.h"

namespace {

bool IsClientCommand(std::string_view name) {
  for (std::string_view c : saraban::cli::kClientCommandNames) {
    if (name == c) return true;
  }
  return false;
}

// Replaces this process with saraban-client from the same directory.
int RunClient(char** argv) {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) {
    std::cerr << "saraban: cannot find my own path: " << std::strerror(errno) << "\n";
    return saraban::cli::kExitInternal;
  }
  std::string path(self, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/') + 1) + "saraban-client";
  ::execv(path.c_str(), argv);
  std::cerr << "saraban: " << argv[1] << " needs " << path << ": " << std::strerror(errno)
            << "\n";
  return saraban::cli::kExitInternal;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && IsClientCommand(argv[1])) return RunClient(argv);
  saraban::report::KeepFreedMemory();
  CLI::App app{"saraban: Thai ITA reports from structured data to official PDFs"};
  app.require_subcommand(1);
  app.footer(
      "Client commands (the services): import, submit, bulk, get, health, publish,\n"
      "publications, download, withdraw, seal, sign-publication, verify-document.\n"
      "`saraban COMMAND --help` describes each.");
  int exit_code = saraban::cli::kExitOk;
  saraban::cli::AddOfflineCommands(app, &exit_code);
  saraban::cli::AddSigningCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? saraban::cli::kExitOk : saraban::cli::kExitUsage;
  }
  return exit_code;
}
