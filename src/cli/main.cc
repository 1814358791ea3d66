// sluice: one binary, one subcommand per job (see cli/commands.h).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

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
  CLI11_PARSE(app, argc, argv);
  return sluice::cli::ExitCode();
}
