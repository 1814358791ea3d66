// sluice: one binary, one subcommand per job (see cli/commands.h).
//
// Exit codes: 0 success; 2 usage error (any CLI11 parse or validation error,
// printed with its message and, for a mistyped subcommand or option, a
// "did you mean ...?" suggestion); otherwise what the subcommand returns.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/suggest.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"  // set from project(VERSION) by src/CMakeLists.txt
#endif

int main(int argc, char** argv) {
  CLI::App app{"sluice: a local, durable Kinesis Data Streams / Firehose / S3 pipeline"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
  sluice::cli::AddServeCommand(app);
  sluice::cli::AddProduceCommand(app);
  sluice::cli::AddConsumeCommand(app);
  sluice::cli::AddFirehoseCommand(app);
  sluice::cli::AddDemoCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0.
    int code = app.exit(e);
    if (e.get_exit_code() == 0) return code;
    std::string hint = sluice::cli::SuggestionFor(app, argc, argv);
    if (!hint.empty()) std::cerr << hint << "\n";
    return sluice::cli::kUsageExitCode;
  }
  return sluice::cli::ExitCode();
}
