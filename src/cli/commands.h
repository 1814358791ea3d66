// Each subcommand registers itself on the CLI11 app and records its exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

void AddServeCommand(CLI::App& app);
void AddProduceCommand(CLI::App& app);
void AddConsumeCommand(CLI::App& app);
void AddFirehoseCommand(CLI::App& app);
void AddDemoCommands(CLI::App& app);

// Exit code set by the subcommand that ran.
int ExitCode();
void SetExitCode(int code);

}  // namespace sluice::cli
