#pragma once
// `--log [FILE]`, the wire log option that run, replay, explore and serve share: without FILE
// console lines on stdout, with FILE JSON lines there (net/wire_log.hpp has both formats).
#include <CLI/CLI.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <variant>

#include "harness/target_factory.hpp"
#include "net/wire_log.hpp"

namespace pushsim::apps {

struct WireLogArg {
  bool given = false;
  std::string file;  // empty: the console
};

// Adds --log to the command; call wire_log_given() in its callback to fill `given`.
void add_wire_log_option(CLI::App& cmd, WireLogArg& arg);
void wire_log_given(const CLI::App& cmd, WireLogArg& arg);

// The log the option asks for, its format set from it, writing to stdout or to the file.
struct OpenedWireLog {
  std::unique_ptr<std::ofstream> file;
  std::unique_ptr<WireLog> log;
};

// nullopt log when the option was not given; a message for the user (exit 2) when the file
// cannot be written or names a scenario file or a folder (a likely slip: `--log x.yaml`).
std::variant<OpenedWireLog, std::string> open_wire_log(const WireLogArg& arg, WireLogOptions options);

// Live runs that the command makes itself, one target each (explore's seeds, generate's runs
// and shrink candidates): `inner`'s targets, each logging to a sink of its own on `log`, named
// `label` (or the scenario's id when empty) and the run's number, with times from `origin`
// (monotonic_now's clock: the command's start). The sinks live as long as the factory. `log`
// null: `inner` itself.
harness::TargetFactory logging_factory(harness::TargetFactory inner, WireLog* log, TimeNs origin,
                                       std::string label = {});

}  // namespace pushsim::apps
