// saraban-client: the client commands of `saraban` (import, submit, bulk,
// get), which `saraban` hands over to it. Run directly it takes the same
// arguments: `saraban-client bulk --fiscal-year 2567 --out DIR`.
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "cli.h"

int main(int argc, char** argv) {
  // gRPC's own log lines ("E1202 ... Handshake failed") are not for a
  // command line's user: every error is reported as one line of ours.
  // GRPC_VERBOSITY set by the caller still wins.
  setenv("GRPC_VERBOSITY", "NONE", /*overwrite=*/0);
  CLI::App app{"saraban: Thai ITA reports from structured data to official PDFs"};
  app.name("saraban");
  app.require_subcommand(1);
  int exit_code = saraban::cli::kExitOk;
  saraban::cli::AddClientCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? saraban::cli::kExitOk : saraban::cli::kExitUsage;
  }
  return exit_code;
}
