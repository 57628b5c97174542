// What the subcommands of the saraban command line share: exit codes,
// error printing and atomic file output.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "saraban/status.h"

namespace saraban::cli {

// Exit codes other systems script against.
constexpr int kExitOk = 0;
constexpr int kExitInvalidInput = 1;  // the report, template or request is wrong
constexpr int kExitUsage = 2;         // bad flags or arguments
constexpr int kExitIo = 3;            // a file could not be read or written
constexpr int kExitInternal = 4;
constexpr int kExitUnavailable = 5;   // a service or Redis cannot be reached; retry later
constexpr int kExitJobsFailed = 6;    // the request ran, but some documents failed
constexpr int kExitDenied = 7;        // no credential the service knows, or not allowed
constexpr int kExitNotFound = 8;      // the service has no such agency, report, job or batch

int ExitCodeFor(const Status& s);
// Prints "saraban: WHAT: field: message" and returns the exit code.
int Fail(const std::string& what, const Status& s);

// Writes `bytes` to `path` through a temporary file in the same directory,
// fsynced, then renamed: never a half-written file. A symbolic link is
// written through (the file it names is replaced, not the link); one that
// names nothing is an error.
Status WriteAtomically(const std::string& path, const std::string& bytes);
// WriteAtomically, or standard output for "-".
Status WriteOutput(const std::string& path, const std::string& bytes);
// InvalidArgument when `output` is the file `input` (by name or inode).
Status CheckOutputIsNotInput(const std::string& input, const std::string& output);

// The offline subcommands: render, validate.
struct OfflineCommands {
  CLI::App* render = nullptr;
  CLI::App* validate = nullptr;
};
// The client subcommands: import, submit, bulk, get (in saraban-client).
inline constexpr const char* kClientCommandNames[] = {
    "import",      "submit",   "bulk",     "get",  "health",          "publish",
    "publications", "download", "withdraw", "seal", "sign-publication", "verify-document"};
struct ClientCommands {
  CLI::App* import = nullptr;
  CLI::App* submit = nullptr;
  CLI::App* bulk = nullptr;
  CLI::App* get = nullptr;
};

// Each Add* registers its subcommands and their flags on `app`, with
// callbacks that run the command and store its exit code in *exit_code.
// sign and verify (cli/signing.cc).
void AddSigningCommands(CLI::App& app, int* exit_code);
void AddOfflineCommands(CLI::App& app, int* exit_code);
void AddClientCommands(CLI::App& app, int* exit_code);

}  // namespace saraban::cli
