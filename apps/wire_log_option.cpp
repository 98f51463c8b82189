#include "apps/wire_log_option.hpp"

#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <vector>

#include "harness/scenario.hpp"
#include "harness/target.hpp"

namespace pushsim::apps {

void add_wire_log_option(CLI::App& cmd, WireLogArg& arg) {
  cmd.add_option("--log", arg.file,
                 "the wire log: every frame each client sends and receives, every REST call and answer, every "
                 "webhook, as it happens, secrets masked; console lines on stdout, or JSON lines in FILE")
      ->expected(0, 1)
      ->type_name("[FILE]");
}

void wire_log_given(const CLI::App& cmd, WireLogArg& arg) { arg.given = cmd.count("--log") > 0; }

std::variant<OpenedWireLog, std::string> open_wire_log(const WireLogArg& arg, WireLogOptions options) {
  OpenedWireLog opened;
  if (!arg.given) return opened;
  if (arg.file.empty()) {
    options.format = WireLogFormat::kConsole;
    opened.log = std::make_unique<WireLog>(std::cout, std::move(options));
    return opened;
  }
  const std::filesystem::path path(arg.file);
  if (path.extension() == ".yaml" || path.extension() == ".yml") {
    return "--log " + arg.file +
           ": that looks like a scenario, not a log file (write --log=FILE, or put --log "
           "after the scenario paths)";
  }
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) return "--log " + arg.file + ": is a folder, not a file";
  opened.file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*opened.file) return "--log " + arg.file + ": cannot write it: " + std::strerror(errno);
  options.format = WireLogFormat::kJsonLines;
  opened.log = std::make_unique<WireLog>(*opened.file, std::move(options));
  return opened;
}

harness::TargetFactory logging_factory(harness::TargetFactory inner, WireLog* log, TimeNs origin, std::string label) {
  if (log == nullptr) return inner;
  struct Sinks {
    std::mutex mutex;
    std::vector<std::unique_ptr<WireSink>> kept;  // a target may log until it is destroyed
  };
  auto sinks = std::make_shared<Sinks>();
  return [inner = std::move(inner), log, origin, label = std::move(label), sinks](const harness::Scenario& scenario,
                                                                                  std::uint64_t seed) {
    auto target = inner(scenario, seed);
    std::lock_guard lock(sinks->mutex);
    const std::size_t run = sinks->kept.size() + 1;
    const std::string name = (label.empty() ? scenario.id : label) + " run " + std::to_string(run);
    sinks->kept.push_back(log->scenario(run - 1, name, origin));
    if (target) target->set_wire_log(sinks->kept.back().get());
    return target;
  };
}

}  // namespace pushsim::apps
