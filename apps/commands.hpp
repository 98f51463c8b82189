#pragma once
// The subcommands built so far, each in its own file; main registers them and runs the one
// chosen. Each add_* sets `exit_code` from its callback.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pushsim::apps {

inline constexpr int kExitUsage = 2;

// The bundled suite: env PUSHSIM_SCENARIOS, else the compile-time source folder.
std::filesystem::path bundled_scenarios();

void add_run_command(CLI::App& app, int& exit_code);       // cmd_run.cpp
void add_lint_command(CLI::App& app, int& exit_code);      // cmd_lint.cpp
void add_selftest_command(CLI::App& app, int& exit_code);  // cmd_selftest.cpp
void add_bench_command(CLI::App& app, int& exit_code);     // cmd_bench.cpp

}  // namespace pushsim::apps
