// `pushsim generate`: generated workloads (harness/workload.hpp) run in simulation, seed after
// seed; the first that fails is shrunk and written out as a scenario file to commit.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "apps/generate_live.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/workload_check.hpp"

namespace pushsim::apps {
namespace {

struct GenerateArgs {
  std::uint64_t seed = 1;
  std::uint64_t seeds = 1;
  int clients = 4;
  int steps = 40;
  int nodes = 1;
  bool should = false;
  std::vector<std::string> defects;
  std::string out = "generated";
  std::size_t shrink_max = 600;
  bool emit = false;       // write each seed's scenario without running it
  bool no_shrink = false;  // write the failing workload as generated
  std::string target = "sim";
  std::string live_wait_cap = "10s";
  std::string live_advance_budget = "60s";
  unsigned live_runs = 2;
  std::string live_shrink_budget = "180s";
  std::size_t live_shrink_max = 200;
  std::string webhook_listen;
  WireLogArg log;  // --log [FILE]
};

std::string joined_defects(const std::vector<std::string>& names, const std::string& separator = "+") {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
  return out;
}

std::variant<std::filesystem::path, std::string> write_scenario_file(const GenerateArgs& args, const std::string& file,
                                                                     const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(args.out, error);
  if (error) return "cannot create " + args.out + ": " + error.message();
  const auto path = std::filesystem::path(args.out) / file;
  std::ofstream stream(path, std::ios::binary);
  stream << text;
  stream.close();
  if (!stream) return "cannot write " + path.string();
  return path;
}

harness::WorkloadOptions options_for(const GenerateArgs& args, std::uint64_t seed) {
  harness::WorkloadOptions options;
  options.seed = seed;
  options.clients = args.clients;
  options.steps = args.steps;
  options.live = args.target != "sim";
  options.nodes = args.nodes;
  options.should = args.should;
  return options;
}

int emit_only(const GenerateArgs& args) {
  for (std::uint64_t k = 0; k < args.seeds; ++k) {
    const std::uint64_t seed = args.seed + k;
    const auto rendered = harness::render_workload(harness::generate_workload(options_for(args, seed)));
    auto written = write_scenario_file(args, "generated_" + std::to_string(seed) + ".yaml", rendered.yaml);
    if (auto* message = std::get_if<std::string>(&written)) {
      std::cerr << "pushsim generate: " << *message << "\n";
      return kExitUsage;
    }
    std::cout << "wrote " << std::get<std::filesystem::path>(written).string() << " (" << rendered.steps << " steps, "
              << rendered.clients << " clients)\n";
  }
  return 0;
}

int report_failure(const GenerateArgs& args, const Defects& defects, std::uint64_t seed, std::uint64_t index,
                   const harness::Workload& workload, const harness::WorkloadRun& run) {
  const std::string engine = args.defects.empty() ? "the reference engine" : "defect " + joined_defects(args.defects);
  // Under --should the scenario is level should: its failure may be a SHOULD choice or a MUST
  // (the workload holds both), so a MUST run first tells them apart (scripts/generate-table.sh).
  std::cout << "FAIL seed " << seed << " (seed " << index << " of this run) on " << engine
            << (args.should ? " (a level-should workload: without --should it may pass)" : "") << ": "
            << first_line(run.failure) << "\n";
  harness::Workload written = workload;
  // A written scenario is named after its defect too, so that several can sit in one suite;
  // the id is part of the run, so the renamed one must still fail and pass as it should.
  if (!args.defects.empty()) {
    harness::Workload renamed = workload;
    renamed.id = "generated." + joined_defects(args.defects, "-") + "-" + std::to_string(seed);
    if (harness::run_workload(renamed, defects).failed && !harness::run_workload(renamed, {}).failed) {
      written = renamed;
    }
  }
  harness::RenderedWorkload rendered;
  std::string how = "as generated";
  if (!args.no_shrink && run.loaded) {
    const auto shrunk = harness::shrink_workload(written, defects, args.shrink_max);
    written = shrunk.workload;
    rendered = shrunk.rendered;
    how = "shrunk in " + std::to_string(shrunk.attempts) + " attempts";
    std::cout << "  shrunk: " << shrunk.rendered.ops_kept << " operations, " << shrunk.rendered.steps << " steps, "
              << shrunk.rendered.clients << " clients (from " << workload.ops.size() << " operations); "
              << first_line(shrunk.run.failure) << "\n";
  } else {
    rendered = harness::render_workload(written);
  }
  std::string flags;
  for (const auto& name : args.defects) flags += " --defect " + name;
  const std::string suffix = args.defects.empty() ? "reference" : joined_defects(args.defects, "_");
  const std::string file = "generated_" + std::to_string(seed) + "_" + suffix + ".yaml";
  // The failure as the written file gives it (its own name and lines): the comment has as many
  // lines whatever the failure says, so a first rendering tells where the steps are.
  auto comment_for = [&](const std::string& failure) {
    return std::vector<std::string>{
        "Generated by: pushsim generate --seed " + std::to_string(seed) + " --clients " + std::to_string(args.clients) +
            " --steps " + std::to_string(args.steps) +
            (args.nodes > 1 ? " --nodes " + std::to_string(args.nodes) : std::string()) +
            (args.should ? " --should" : "") + flags + " (" + how + ")",
        "Fails" + (args.defects.empty() ? std::string(" on the reference engine") : " on" + flags) + ": " +
            first_line(failure),
        "Check: pushsim run " + file + flags + (flags.empty() ? "" : "   (without" + flags + " it passes)"),
    };
  };
  rendered = harness::render_workload(written, comment_for(run.failure));
  const auto final_run = harness::run_workload_text(rendered.yaml, defects, file);
  rendered = harness::render_workload(written, comment_for(final_run.failure));
  auto path = write_scenario_file(args, file, rendered.yaml);
  if (auto* message = std::get_if<std::string>(&path)) {
    std::cerr << "pushsim generate: " << *message << "\n";
    return kExitUsage;
  }
  const auto& written_path = std::get<std::filesystem::path>(path);
  std::cout << "  wrote " << written_path.string() << " (" << rendered.steps << " steps, " << rendered.clients
            << " clients)\n  reproduce: pushsim run " << written_path.string() << flags << "\n";
  if (args.log.given) {
    // The written scenario run once more with the log on: the same run, since the simulation
    // is deterministic (the file was checked before any seed ran).
    auto opened = open_wire_log(args.log, {});
    auto& log = std::get<OpenedWireLog>(opened).log;
    std::cout << "wire log of " << file << (args.log.file.empty() ? ":" : " in " + args.log.file) << "\n" << std::flush;
    auto sink = log->scenario(0, written.id, kSimulationEpoch);
    harness::run_workload_text(rendered.yaml, defects, file, sink.get());
  }
  return 1;
}

int generate(const GenerateArgs& args) {
  Defects defects;
  for (const auto& name : args.defects) {
    const auto defect = parse_defect(name);
    if (!defect) {
      std::cerr << "pushsim generate: no defect '" << name << "' (see protocol/server/defects.hpp)\n";
      return kExitUsage;
    }
    defects.add(*defect);
  }
  if (args.emit) return emit_only(args);
  if (args.target != "sim" && (args.nodes > 1 || args.should)) {
    std::cerr << "pushsim generate: --nodes and --should are for simulation only (--target sim)\n";
    return kExitUsage;
  }
  if (args.log.given) {
    const auto checked = open_wire_log(args.log, {});
    if (const auto* error = std::get_if<std::string>(&checked)) {
      std::cerr << "pushsim generate: " << *error << "\n";
      return kExitUsage;
    }
  }
  if (args.target != "sim") {
    // Live runs are not deterministic: every run (seeds, shrink candidates, re-runs) is logged
    // as it happens, each under its workload's id and run number.
    WireLogOptions log_options;
    log_options.scenario_ids = true;
    auto opened = open_wire_log(args.log, log_options);
    LiveGenerateArgs live{args.target,
                          args.seed,
                          args.seeds,
                          args.clients,
                          args.steps,
                          args.defects,
                          args.out,
                          args.no_shrink,
                          args.live_wait_cap,
                          args.live_advance_budget,
                          args.live_runs,
                          args.live_shrink_budget,
                          args.live_shrink_max,
                          args.webhook_listen,
                          std::get<OpenedWireLog>(opened).log.get()};
    return generate_live(live);
  }
  const std::string engine = args.defects.empty() ? "reference engine" : "defect " + joined_defects(args.defects);
  std::cout << "pushsim generate: seeds " << args.seed << ".." << args.seed + args.seeds - 1 << ", " << args.clients
            << " clients, " << args.steps << " operations, "
            << (args.nodes > 1 ? std::to_string(args.nodes) + " nodes, " : std::string())
            << (args.should ? "MUST and SHOULD, " : "") << engine << "\n";
  for (std::uint64_t k = 0; k < args.seeds; ++k) {
    const std::uint64_t seed = args.seed + k;
    const auto workload = harness::generate_workload(options_for(args, seed));
    const auto run = harness::run_workload(workload, defects);
    if (run.failed) return report_failure(args, defects, seed, k + 1, workload, run);
  }
  std::cout << args.seeds << " seeds passed\n";
  return 0;
}

}  // namespace

void add_generate_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "generate",
      "run generated workloads in simulation (or live: --target); shrink the first failing one and write it as a "
      "scenario");
  auto args = std::make_shared<GenerateArgs>();
  cmd->add_option("--seed", args->seed, "first workload seed")->capture_default_str();
  cmd->add_option("--seeds", args->seeds, "how many seeds to run, from --seed on")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}))
      ->capture_default_str();
  cmd->add_option("--clients", args->clients, "clients per workload")->check(CLI::Range(1, 16))->capture_default_str();
  cmd->add_option("--steps", args->steps, "operations per workload")->check(CLI::Range(1, 150))->capture_default_str();
  cmd->add_option("--nodes", args->nodes,
                  "a cluster of this many reference nodes (docs/cluster.md): clients on any node, REST to any "
                  "node, nodes crashing and restarting, the bus between two cut")
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  cmd->add_flag("--should", args->should,
                "also expect the reference's documented SHOULD choices (the scenario is level: should, a failure "
                "a SHOULD finding)");
  cmd->add_option("--defect", args->defects,
                  "run against this deliberately broken engine (protocol/server/defects.hpp; repeatable)");
  cmd->add_option("--out", args->out, "folder the scenario files go to")->capture_default_str();
  cmd->add_option("--shrink-max", args->shrink_max, "candidates the shrinker may try")->capture_default_str();
  cmd->add_option("--target", args->target,
                  "sim, or live: serve (an in-process pushsim serve per run; --defect for a broken one) or "
                  "ws://HOST:PORT (PUSHER_APP_ID, PUSHER_APP_KEY, PUSHER_APP_SECRET)")
      ->capture_default_str();
  cmd->add_option("--live-wait-cap", args->live_wait_cap,
                  "live: the wall time one wait may take; a longer `within` is cut to it")
      ->capture_default_str();
  cmd->add_option("--live-advance-budget", args->live_advance_budget,
                  "live: the real time one workload's `advance` steps may sleep in all")
      ->capture_default_str();
  cmd->add_option("--live-runs", args->live_runs,
                  "live shrinking: a candidate still fails when it fails in at least 1 of this many runs; the "
                  "shrunk workload is run this many times more (\"reproduced k of K\")")
      ->check(CLI::Range(1u, 20u))
      ->capture_default_str();
  cmd->add_option("--live-shrink-budget", args->live_shrink_budget, "live shrinking: wall time in all")
      ->capture_default_str();
  cmd->add_option("--live-shrink-max", args->live_shrink_max, "live shrinking: candidates it may try")
      ->capture_default_str();
  cmd->add_option("--webhook-listen", args->webhook_listen,
                  "ws:// target: HOST:PORT of the webhook listener the server posts to (default: any port, so "
                  "expect_webhook steps fail unless the server is told it)");
  cmd->add_flag("--emit", args->emit, "write each seed's scenario to --out without running it");
  cmd->add_flag("--no-shrink", args->no_shrink, "write the failing workload as generated");
  add_wire_log_option(*cmd, args->log);
  cmd->footer(
      "Exit codes: 0 every seed passed (or --emit); 1 a seed failed (its scenario is written to --out); 2 usage or "
      "input error.");
  cmd->callback([cmd, args, &exit_code] {
    wire_log_given(*cmd, args->log);
    exit_code = generate(*args);
  });
}

}  // namespace pushsim::apps
