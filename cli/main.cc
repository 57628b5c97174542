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
#include <CLI/CLI.hpp>

#include "cli.h"

int main(int argc, char** argv) {
  CLI::App app{"saraban: Thai ITA reports from structured data to official PDFs"};
  app.require_subcommand(1);
  int exit_code = saraban::cli::kExitOk;
  saraban::cli::AddOfflineCommands(app, &exit_code);
  saraban::cli::AddClientCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? saraban::cli::kExitOk : saraban::cli::kExitUsage;
  }
  return exit_code;
}
