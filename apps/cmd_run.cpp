// `pushsim run [PATHS...]`: the suite against a target, with console, JUnit and JSON reports.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <variant>

#include "apps/build_info.hpp"
#include "apps/commands.hpp"
#include "apps/wire_log_option.hpp"
#include "harness/duration.hpp"
#include "harness/live_invariants.hpp"
#include "harness/live_target.hpp"
#include "harness/scenario_loader.hpp"
#include "harness/suite_fingerprint.hpp"
#include "harness/suite_runner.hpp"
#include "harness/target_health.hpp"
#include "harness/target_watch.hpp"
#include "net/real_clock.hpp"
#include "net/server_process.hpp"
#include "net/url.hpp"
#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"

namespace pushsim::apps {
namespace {

// Progress lines only on a terminal and only when a run is long enough to want them.
constexpr std::size_t kProgressFromScenarios = 40;

struct RunArgs {
  std::vector<std::string> paths;
  harness::SuiteFilter filter;
  std::uint64_t seed = 1;
  unsigned jobs = 1;
  std::string target = "sim";
  std::vector<std::string> targets;  // --target, repeated for the nodes of one clustered server
  bool target_given = false;         // --target on the command line (else a profile may choose)
  std::string rest_url;              // live: REST steps naming no node go here (default node 0's)
  bool spread_clients = false;       // live, several nodes: clients naming no node go round
  std::string serve_cluster;         // --target serve: its nodes share this Redis (redis://...)
  int serve_nodes = 2;               // --target serve --serve-cluster: how many nodes
  std::string profile;               // --profile NAME|FILE
  std::string app_id, key, secret;   // live targets; env PUSHER_APP_ID / _KEY / _SECRET
  std::string webhook_listen;        // HOST:PORT; default loopback, ephemeral port
  double deadline_s = 0;             // the whole run; 0: kDefaultDeadline_s for live targets
  bool insecure = false;
  bool exact_names = false;  // live: channel names and user ids as written, no run token
  std::string junit, json, html;
  bool list = false;
  bool no_color = false;
  std::vector<std::string> server_cmds;     // start the server under test (sh -c), one per node
  double server_ready_timeout_s = 10;       // from its start to a port that accepts
  std::string restart_server = "crash";     // crash | each
  std::string live_wait_cap = "5s";         // one live wait at most
  std::string live_advance_budget = "10s";  // all advance steps of one live scenario
  std::vector<std::string> defects;         // sim only: run a deliberately broken engine
  WireLogArg log;                           // --log [FILE]
};

constexpr const char* kExitCodes =
    "Exit codes: 0 every MUST scenario passed; 1 a scenario failed (a server started with --server-cmd that "
    "crashed is restarted, and the scenario that crashed it fails); 2 usage or input error; 3 the target went "
    "away (the scenario it went away during is named, later ones are not run), or --server-cmd's server "
    "did not start; 4 the harness itself could not run some scenarios (e.g. its webhook listener's port was taken: "
    "NOT RUN, nothing said about the server) and none failed.";

// Which invariants are checked after each scenario, in simulation and live.
std::string invariants_note() {
  std::string note = "Invariants checked after every scenario: in simulation all of";
  for (const auto name : harness::kInvariants) note += " " + std::string(name);
  note += "; on a live target (from what the clients, the webhook listener and the REST answers saw)";
  for (const auto name : harness::kLiveInvariants) note += " " + std::string(name);
  return note + ". A broken one fails the scenario whatever its level.";
}

// A live run that has not finished in this long is cut short (its remaining waits fail).
constexpr double kDefaultDeadline_s = 30 * 60;

std::string env_or(const std::string& given, const char* name) {
  if (!given.empty()) return given;
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Six characters [a-z0-9] unique to a live run (its names must not meet an earlier run's on a
// long-lived server): drawn from the OS and the wall clock, which a live run may read.
std::string new_run_token() {
  std::random_device device;
  std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device() ^
                       static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string token;
  for (int i = 0; i < 6; ++i, bits /= kDigits.size()) token += kDigits[bits % kDigits.size()];
  return token;
}

// `--target live` dials PUSHER_HOST:PUSHER_PORT; with a profile, the profile's connection
// settings fill in what those variables leave out.
std::optional<std::string> live_url(const std::string& target, const std::optional<harness::TargetProfile>& profile) {
  if (target.starts_with("ws://") || target.starts_with("wss://")) return target;
  if (target != "live") return std::nullopt;
  const std::string host = env_or("", "PUSHER_HOST");
  const std::string port = env_or("", "PUSHER_PORT");
  if (!profile) {
    if (host.empty()) return std::nullopt;
    return "ws://" + host + (port.empty() ? "" : ":" + port);
  }
  harness::ProfileConnection connection = profile->connection;
  if (!host.empty()) connection.host = host;
  if (!port.empty()) {
    try {
      connection.port = std::stoi(port);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return harness::profile_ws_url(connection);
}

// The target: --target when given; else a profile other than the reference means the server
// it describes (`live`, at the profile's connection settings); else the simulation.
std::string chosen_target(const RunArgs& args, const std::optional<harness::TargetProfile>& profile) {
  if (args.target_given || !profile || profile->name == "reference") return args.target;
  return "live";
}

// The target factory for the target, or an error message for the user.
// An external live target's options land in *external (the watch probes the same address).
std::variant<harness::TargetFactory, std::string> make_factory(const RunArgs& args, const std::string& target,
                                                               const std::optional<harness::TargetProfile>& profile,
                                                               const std::string& run_token,
                                                               std::optional<harness::LiveTargetOptions>* external) {
  Defects defects;  // the simulated engine's, or the one --target serve runs behind its sockets
  for (const auto& name : args.defects) {
    const auto defect = parse_defect(name);
    if (!defect) return "no defect '" + name + "' (see protocol/server/defects.hpp)";
    defects.add(*defect);
  }
  if (!args.defects.empty() && target != "sim" && target != "serve") {
    return std::string("--defect works only with the simulation (--target sim) and --target serve");
  }
  if (target == "sim" || target == "serve" || target == "live") {
    if (args.targets.size() > 1) {
      return "--target " + target + " is one server: several --target values must each be a node's ws:// URL";
    }
    const bool served_cluster = target == "serve" && !args.serve_cluster.empty();
    if (target != "live" && (!args.rest_url.empty() || (args.spread_clients && !served_cluster))) {
      return "--rest and --spread-clients need a live target at URLs (--target ws://HOST:PORT), or "
             "--target serve --serve-cluster";
    }
  }
  if (!args.serve_cluster.empty()) {
    if (auto error = serve_cluster_error(target, args.serve_cluster)) return *error;
  }
  if (target == "sim") return harness::sim_target_factory(defects);
  harness::LiveTargetOptions live;
  live.tls_verify = !args.insecure;
  if (profile) {
    live.features = profile->features;
  } else if (target == "serve") {
    live.features = harness::builtin_reference_profile().features;  // serve is the reference engine
  }
  live.run_token = run_token;
  const auto wait_cap = harness::parse_duration(args.live_wait_cap);
  if (!wait_cap || *wait_cap <= 0)
    return "--live-wait-cap: expected a positive duration such as 5s, got '" + args.live_wait_cap + "'";
  const auto advance_budget = harness::parse_duration(args.live_advance_budget);
  if (!advance_budget || *advance_budget < 0) {
    return "--live-advance-budget: expected a duration such as 30s, got '" + args.live_advance_budget + "'";
  }
  live.wait_max = std::chrono::milliseconds(*wait_cap / 1'000'000);
  live.advance_budget = std::chrono::milliseconds(*advance_budget / 1'000'000);
  const double deadline_s = args.deadline_s > 0 ? args.deadline_s : kDefaultDeadline_s;
  live.run_deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(deadline_s * 1000));
  if (!args.webhook_listen.empty()) {
    const auto colon = args.webhook_listen.rfind(':');
    if (colon == std::string::npos) return std::string("--webhook-listen wants HOST:PORT");
    live.webhook_host = args.webhook_listen.substr(0, colon);
    try {
      const int port = std::stoi(args.webhook_listen.substr(colon + 1));
      if (port < 0 || port > 65535) return std::string("--webhook-listen: port out of range");
      live.webhook_port = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
      return std::string("--webhook-listen: the port is not a number");
    }
    if (live.webhook_port != 0 && args.jobs > 1) {
      return std::string("--webhook-listen with a fixed port needs --jobs 1 (one listener per scenario)");
    }
  }
  if (target == "serve") {
    live.name = "serve";
    live.serve = true;
    live.serve_defects = defects;
    if (!args.serve_cluster.empty()) {
      live.serve_cluster = args.serve_cluster;
      live.serve_nodes = args.serve_nodes;
      live.spread_clients = args.spread_clients;
      live.name = "serve (" + std::to_string(args.serve_nodes) + " nodes over " + args.serve_cluster + ")";
    }
    return harness::live_target_factory(live);
  }
  const auto url = live_url(target, profile);
  if (!url) {
    return "target '" + target +
           "' is not one of sim, serve, ws://HOST:PORT, wss://HOST:PORT, live (PUSHER_HOST, or "
           "a profile's connection; PUSHER_PORT a number)";
  }
  std::vector<std::string> nodes;
  if (args.targets.size() > 1) {
    for (const auto& node : args.targets) {
      if (!node.starts_with("ws://") && !node.starts_with("wss://")) {
        return "--target given " + std::to_string(args.targets.size()) +
               " times names the nodes of one clustered server: each must be ws://HOST:PORT or "
               "wss://HOST:PORT, not '" +
               node + "'";
      }
      nodes.push_back(node);
    }
  } else {
    nodes.push_back(*url);
  }
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (auto parsed = parse_url(nodes[k]); !parsed) {
      return "--target " + nodes[k] + (nodes.size() > 1 ? " (node " + std::to_string(k) + ")" : std::string()) + ": " +
             parsed.error().message;
    }
  }
  if (!args.rest_url.empty()) {
    auto parsed = parse_url(args.rest_url);
    if (!parsed) return "--rest " + args.rest_url + ": " + parsed.error().message;
    if (parsed->scheme != "http" && parsed->scheme != "https") {
      return "--rest wants an http:// or https:// URL, not '" + args.rest_url + "'";
    }
    live.http_url = args.rest_url;
  }
  live.name = nodes.front();  // "URL + URL ..." for several nodes
  for (std::size_t k = 1; k < nodes.size(); ++k) live.name += " + " + nodes[k];
  live.ws_url = nodes.front();
  if (nodes.size() > 1) live.node_urls = nodes;
  live.spread_clients = args.spread_clients;
  live.app = AppCredentials{env_or(args.app_id, "PUSHER_APP_ID"), env_or(args.key, "PUSHER_APP_KEY"),
                            env_or(args.secret, "PUSHER_APP_SECRET")};
  if (live.app.app_id.empty() || live.app.key.empty() || live.app.secret.empty()) {
    return std::string(
        "a live target needs --app-id, --key and --secret (or PUSHER_APP_ID, PUSHER_APP_KEY, "
        "PUSHER_APP_SECRET)");
  }
  *external = live;
  return harness::live_target_factory(live);
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << "pushsim run: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

// A header line names the document the sections are in; with a profile, each line also says
// what the profile makes of the scenario.
void list_scenarios(const std::vector<harness::Scenario>& scenarios, const std::vector<harness::RetiredId>& retired,
                    const std::optional<harness::TargetProfile>& profile) {
  std::cout << "id\tlevel\tsection of " << harness::kProtocolDocumentPath << "\tname\n";
  for (const auto& s : scenarios) {
    std::cout << s.id << "\t" << harness::to_string(s.level) << "\t\xC2\xA7" << s.section << "\t" << s.name;
    if (profile) {
      if (auto reason = harness::profile_skip_reason(s, *profile)) {
        std::cout << "\tskip: " << *reason;
      } else if (const auto* deviation = harness::find_deviation(*profile, s.id)) {
        std::cout << "\tknown deviation: " << deviation->note.reason;
      }
    }
    std::cout << "\n";
  }
  std::cout << scenarios.size() << " scenarios\n";
  // Retired ids stay listed: a report or CI history naming one finds where its check went.
  for (const auto& r : retired) {
    std::cout << r.id << "\tretired\t" << (r.replaced_by.empty() ? "withdrawn" : "see " + r.replaced_by) << "\t"
              << r.why << "\n";
  }
  if (!retired.empty()) std::cout << retired.size() << " retired ids\n";
}

// Where the scenarios were read from, for the header: the bundled suite's folder, or the paths given.
std::string suite_paths(const RunArgs& args) {
  if (args.paths.empty()) return bundled_scenarios().string();
  std::string out;
  for (const auto& path : args.paths) out += (out.empty() ? "" : ", ") + path;
  return out;
}

std::variant<std::optional<harness::TargetProfile>, std::string> profile_of(const RunArgs& args) {
  if (args.profile.empty()) return std::optional<harness::TargetProfile>();
  auto loaded = load_profile(args.profile);
  if (auto* error = std::get_if<std::string>(&loaded)) return "--profile " + args.profile + ": " + *error;
  return std::optional<harness::TargetProfile>(std::move(std::get<harness::TargetProfile>(loaded)));
}

// The suite the paths name, filtered; nullopt (after saying why) when it does not load.
std::optional<std::vector<harness::Scenario>> selected_scenarios(const RunArgs& args,
                                                                 const std::optional<harness::TargetProfile>& profile,
                                                                 std::vector<harness::RetiredId>& retired) {
  std::vector<std::filesystem::path> paths(args.paths.begin(), args.paths.end());
  if (paths.empty()) paths.push_back(bundled_scenarios());
  const auto suite = harness::check_suite(paths);
  if (!suite.diagnostics.empty() || suite.scenarios.empty()) {
    std::cerr << harness::join_diagnostics(suite.diagnostics);
    if (suite.scenarios.empty()) std::cerr << "\npushsim run: no scenarios found\n";
    return std::nullopt;
  }
  if (profile) {
    // Not an error: a profile may be run against a suite of one's own.
    for (const auto& unmatched : harness::inapplicable_deviations(*profile, suite.scenarios)) {
      std::cerr << "pushsim run: warning: " << unmatched.to_string() << "\n";
    }
  }
  retired = suite.retired;
  auto selected = harness::select_scenarios(suite.scenarios, args.filter);
  if (selected.empty()) {
    // A filter that matches nothing (a mistyped id, "a,b" for two --only) would otherwise pass.
    std::cerr << "pushsim run: no scenario of " << suite.scenarios.size()
              << " matches --only/--skip/--tag (give --only once per glob)\n";
    return std::nullopt;
  }
  return selected;
}

// --server-cmd and its companions make sense only together and against an external target.
std::optional<std::string> server_cmd_problem(const RunArgs& args, const harness::LiveTargetOptions* external) {
  if (args.server_cmds.empty()) {
    if (args.restart_server != "crash") return std::string("--restart-server needs --server-cmd");
    return std::nullopt;
  }
  if (external == nullptr) {
    return std::string(
        "--server-cmd needs a live target at the address its server listens on (--target ws://HOST:PORT)");
  }
  const std::size_t nodes = std::max<std::size_t>(1, external->node_urls.size());
  if (args.server_cmds.size() != nodes) {
    return "--server-cmd given " + std::to_string(args.server_cmds.size()) + " time(s) for " + std::to_string(nodes) +
           " node(s): give one per --target, in the same order (the K-th command starts node K)";
  }
  if (args.jobs > 1) {
    return std::string(
        "--server-cmd runs one scenario at a time (--jobs 1), so that a crash is blamed on the "
        "scenario that caused it");
  }
  if (args.server_ready_timeout_s <= 0) return std::string("--server-ready-timeout must be positive");
  return std::nullopt;
}

// The servers under test as child processes, one per node, started; empty (after saying why,
// with those already started stopped again) when one did not start.
std::vector<std::unique_ptr<ServerProcess>> start_servers(const RunArgs& args, const harness::LiveTargetOptions& live) {
  std::vector<std::unique_ptr<ServerProcess>> servers;
  const std::vector<std::string> nodes =
      live.node_urls.empty() ? std::vector<std::string>{live.ws_url} : live.node_urls;
  kill_on_fatal_signals();
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::string which = nodes.size() > 1 ? " (node " + std::to_string(k) + ")" : std::string();
    auto url = parse_url(nodes[k]);
    if (!url) {
      std::cerr << "pushsim run: --server-cmd" << which << ": " << url.error().message << "\n";
      return {};
    }
    ServerProcessOptions options;
    options.command = args.server_cmds[k];
    options.host = url->host;
    options.port = static_cast<std::uint16_t>(std::stoi(url->port));
    options.ready_max = std::chrono::milliseconds(static_cast<std::int64_t>(args.server_ready_timeout_s * 1000));
    auto server = std::make_unique<ServerProcess>(options);
    if (auto error = server->start()) {
      server->keep_log();
      std::cerr << "pushsim run: --server-cmd" << which << ": " << error->message << "\n";
      return {};
    }
    std::cout << "pushsim run: server under test" << which << " started (pid " << server->pid() << "), log "
              << server->log_path() << "\n";
    servers.push_back(std::move(server));
  }
  return servers;
}

// The watch over an external live target: probes its address; with a server process, watches that.
// With several nodes every node is probed at its own address, and named in what is reported.
std::unique_ptr<harness::LiveTargetWatch> make_watch(const RunArgs& args, const harness::LiveTargetOptions& live,
                                                     const std::vector<std::unique_ptr<ServerProcess>>& servers) {
  std::vector<harness::ProbeOptions> probes;
  const std::vector<std::string> nodes =
      live.node_urls.empty() ? std::vector<std::string>{live.ws_url} : live.node_urls;
  for (const auto& url : nodes) {
    harness::ProbeOptions probe;
    probe.ws_url = url;
    probe.http_url = nodes.size() == 1 ? live.http_url : std::string();
    probe.app = live.app;
    probe.tls_verify = live.tls_verify;
    probes.push_back(std::move(probe));
  }
  harness::LiveWatchOptions options;
  options.probe_node = [probes](std::size_t node) -> std::optional<std::string> {
    auto gone = harness::probe_target(probes[node]);
    if (gone && probes.size() > 1) return "node " + std::to_string(node) + ": " + *gone;
    return gone;
  };
  options.probe = [probe_node = options.probe_node, count = probes.size()]() -> std::optional<std::string> {
    for (std::size_t node = 0; node < count; ++node) {
      if (auto gone = probe_node(node)) return gone;
    }
    return std::nullopt;
  };
  for (const auto& server : servers) options.servers.push_back(server.get());
  options.restart_each = args.restart_server == "each";
  options.secrets = {live.app.secret};
  return std::make_unique<harness::LiveTargetWatch>(std::move(options));
}

int run(const RunArgs& args) {
  auto profile_or_error = profile_of(args);
  if (auto* error = std::get_if<std::string>(&profile_or_error)) {
    std::cerr << "pushsim run: " << *error << "\n";
    return kExitUsage;
  }
  const auto& profile = std::get<std::optional<harness::TargetProfile>>(profile_or_error);
  std::vector<harness::RetiredId> retired;
  const auto selected = selected_scenarios(args, profile, retired);
  if (!selected) return kExitUsage;
  const auto& scenarios = *selected;
  if (args.list) {  // before the target: listing needs no server and no credentials
    list_scenarios(scenarios, retired, profile);
    return 0;
  }
  const std::string target = chosen_target(args, profile);
  const std::string run_token = target == "sim" || args.exact_names ? std::string() : new_run_token();
  std::optional<harness::LiveTargetOptions> external;
  auto factory = make_factory(args, target, profile, run_token, &external);
  if (auto* error = std::get_if<std::string>(&factory)) {
    std::cerr << "pushsim run: " << *error << "\n";
    return kExitUsage;
  }
  if (auto problem = server_cmd_problem(args, external ? &*external : nullptr)) {
    std::cerr << "pushsim run: " << *problem << "\n";
    return kExitUsage;
  }
  // Live lines count from the run's start; several scenarios name theirs on every line, and in
  // simulation parallel ones are held and written in suite order (the same bytes as --jobs 1).
  WireLogOptions log_options;
  log_options.scenario_ids = scenarios.size() > 1;
  log_options.ordered_blocks = target == "sim" && args.jobs > 1;
  auto wire_log = open_wire_log(args.log, log_options);
  if (auto* error = std::get_if<std::string>(&wire_log)) {
    std::cerr << "pushsim run: " << *error << "\n";
    return kExitUsage;
  }
  WireLog* log = std::get<OpenedWireLog>(wire_log).log.get();
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const reports::ConsoleStyle style{tty && !args.no_color, true};
  // Progress lines rewrite the terminal's last line, which console log lines would break up.
  const bool progress = tty && scenarios.size() >= kProgressFromScenarios && !(log && args.log.file.empty());
  const std::string profile_name = profile ? profile->name : std::string();
  // `live` says where it went: the URL from PUSHER_HOST/PUSHER_PORT or the profile.
  std::string shown = external ? external->name : target;
  for (const auto& defect : args.defects) shown += "+" + defect;  // a broken engine names itself
  const std::string fingerprint = harness::suite_fingerprint(scenarios);
  std::cout << reports::console_header(shown, args.seed, scenarios.size(), style, profile_name)
            << reports::console_provenance(PUSHSIM_VERSION, build_commit(), fingerprint, suite_paths(args));
  if (!run_token.empty()) {
    std::cout << "run token " << run_token << ": on the server, channel names and user ids end in _" << run_token
              << "_<scenario id>_ (reports show them as written)\n";
  }
  if (target != "sim") {
    std::cout << "invariants checked live:";
    for (const auto name : harness::kLiveInvariants) std::cout << " " << name;
    std::cout << " (the others need the server's own view: simulation only)\n";
  }
  std::cout << std::flush;
  std::vector<std::unique_ptr<ServerProcess>> servers;
  if (!args.server_cmds.empty()) {
    servers = start_servers(args, *external);
    if (servers.empty()) return harness::kExitTargetDown;
    // crash_node and restart_node play on these processes.
    std::vector<ServerProcess*> processes;
    for (const auto& server : servers) processes.push_back(server.get());
    external->node_control = harness::process_node_control(std::move(processes));
    factory = harness::live_target_factory(*external);
  }
  std::unique_ptr<harness::LiveTargetWatch> watch;
  if (external) watch = make_watch(args, *external, servers);
  harness::SuiteOptions options;
  options.watch = watch.get();
  options.profile = profile;
  options.root_seed = args.seed;
  options.jobs = args.jobs;
  options.wire_log = log;
  if (target != "sim") options.wire_log_origin = monotonic_now();
  options.on_result = [&](const harness::ScenarioResult& result, std::size_t done, std::size_t total) {
    if (progress) std::cout << "\r\x1b[2K";
    std::cout << reports::console_scenario(result, style);
    if (progress && done < total) std::cout << reports::console_progress(done, total);
    std::cout << std::flush;
  };
  auto run_result = harness::run_suite(scenarios, std::get<harness::TargetFactory>(factory), shown, options);
  run_result.pushsim_version = PUSHSIM_VERSION;
  for (const auto name : target == "sim" ? std::span<const std::string_view>(harness::kInvariants)
                                         : std::span<const std::string_view>(harness::kLiveInvariants)) {
    run_result.invariants.emplace_back(name);
  }
  run_result.pushsim_commit = build_commit();
  run_result.suite_fingerprint = fingerprint;
  std::cout << reports::console_summary(run_result, style);
  if (servers.size() == 1) {
    const auto& server = servers.front();
    std::cout << "pushsim run: the server under test was started " << server->starts() << " time"
              << (server->starts() == 1 ? "" : "s");
    if (watch->crashes() > 0) {
      std::cout << "; it crashed " << watch->crashes() << " time" << (watch->crashes() == 1 ? "" : "s")
                << " and was restarted; its log: " << server->log_path();
    }
    std::cout << "\n";
  } else if (!servers.empty()) {
    std::cout << "pushsim run: the servers under test were started";
    for (std::size_t k = 0; k < servers.size(); ++k) {
      std::cout << (k == 0 ? " " : ", ") << servers[k]->starts() << " time" << (servers[k]->starts() == 1 ? "" : "s")
                << " (node " << k << ")";
    }
    if (watch->crashes() > 0) {
      std::cout << "; they crashed " << watch->crashes() << " time" << (watch->crashes() == 1 ? "" : "s")
                << " unasked and were restarted";
    }
    std::cout << "\n";
  }
  servers.clear();  // stops their process groups before the reports are written
  bool written = true;
  if (!args.junit.empty()) written &= write_file(args.junit, reports::junit_report(run_result));
  if (!args.json.empty()) {
    written &= write_file(args.json, reports::json_report(run_result, bundled_protocol_sections()));
  }
  if (!args.html.empty())
    written &= write_file(args.html, reports::html_report(run_result, html_report_options(args.html)));
  if (!written) return kExitUsage;
  return run_result.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "run scenarios against the reference engine (simulated) or a live server");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("paths", args->paths, "scenario files or folders (default: the bundled suite)");
  cmd->add_option("--only", args->filter.only, "run only scenarios whose id matches this glob (repeatable)");
  cmd->add_option("--skip", args->filter.skip, "skip scenarios whose id matches this glob (repeatable)");
  cmd->add_option("--tag", args->filter.tags, "run only scenarios carrying this tag (repeatable)");
  cmd->add_option("--seed", args->seed, "root seed; each scenario's seed is hash(seed, id)")->capture_default_str();
  cmd->add_option("--jobs,-j", args->jobs, "scenarios run in parallel (output order unchanged)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  cmd->add_option("--target", args->targets,
                  "sim (the reference engine in virtual time), serve (an in-process server over real sockets), "
                  "ws://HOST:PORT or wss://HOST:PORT (a live server), live (PUSHER_HOST:PUSHER_PORT); "
                  "default sim, or live with a --profile other than reference. Repeated, the ws:// URLs of the "
                  "nodes of one clustered server, node 0 first: `node: K` in a scenario means the K-th, and a "
                  "cluster scenario needing more nodes is skipped")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--rest", args->rest_url,
                  "live target: the http(s):// URL REST steps naming no node go to (default node 0's, from its "
                  "--target); steps with `node: K` go to node K");
  cmd->add_flag("--spread-clients", args->spread_clients,
                "live target of several nodes: clients whose connect names no node go to the nodes in turn "
                "(default node 0; a cluster scenario always spreads them, as the simulated cluster does)");
  cmd->add_option("--serve-cluster", args->serve_cluster,
                  "--target serve: redis://HOST:PORT[/DB]; each scenario gets --serve-nodes in-process "
                  "`serve --cluster` nodes over it (fresh key prefix each), configured as --target serve's one "
                  "server is (docs/cluster.md)");
  cmd->add_option("--serve-nodes", args->serve_nodes, "--target serve --serve-cluster: the nodes (default 2)")
      ->check(CLI::Range(2, 8));
  cmd->add_option("--profile", args->profile,
                  "target profile, a shipped NAME (pushsim profiles) or a FILE: the server's optional features "
                  "(others are skipped) and known deviations (reported, not failed)");
  cmd->add_option("--app-id", args->app_id, "live target: the app id (else PUSHER_APP_ID)");
  cmd->add_option("--key", args->key, "live target: the app key (else PUSHER_APP_KEY)");
  cmd->add_option("--secret", args->secret, "live target: the app secret (else PUSHER_APP_SECRET)");
  cmd->add_option("--webhook-listen", args->webhook_listen,
                  "live target: HOST:PORT of the harness's webhook listener (default 127.0.0.1, any port)");
  cmd->add_option("--deadline", args->deadline_s, "live target: seconds the whole run may take (default 1800)");
  cmd->add_flag("--exact-channel-names", args->exact_names,
                "live target: send channel names and user ids as written (by default each scenario's carry a "
                "suffix unique to the run, so that scenarios sharing a server never meet)");
  cmd->add_option("--live-wait-cap", args->live_wait_cap,
                  "live target: the wall time one wait may take; a longer `within` is cut to it")
      ->capture_default_str();
  cmd->add_option("--live-advance-budget", args->live_advance_budget,
                  "live target: the real time a scenario's `advance` steps may sleep in all; a scenario "
                  "needing more is skipped")
      ->capture_default_str();
  cmd->add_flag("--insecure", args->insecure, "live target: accept any TLS certificate (self-signed test servers)");
  cmd->add_option("--junit", args->junit, "write a JUnit XML report here");
  cmd->add_option("--json", args->json, "write a JSON report (every step, every observation) here");
  cmd->add_option("--html", args->html, "write an HTML report here (suite table; sequence diagrams of failures)");
  cmd->add_option("--defect", args->defects,
                  "simulation and --target serve: run this deliberately broken engine (protocol/server/defects.hpp; "
                  "repeatable)");
  cmd->add_flag("--list", args->list, "list the scenarios (id, level, section, name) and exit");
  cmd->add_flag("--no-color", args->no_color, "no colours even on a terminal");
  cmd->add_option("--server-cmd", args->server_cmds,
                  "live target: start the server under test with sh -c CMD (own process group, output to a log "
                  "file), wait for --target's port, restart it when it dies (the scenario that killed it fails: "
                  "crashed the server), stop it at the end; needs --jobs 1. With several --target nodes, once "
                  "per node in the same order: crash_node K then SIGKILLs node K's process group and "
                  "restart_node K starts it again (without, scenarios with those steps are skipped)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--server-ready-timeout", args->server_ready_timeout_s,
                  "--server-cmd: seconds from its start to a port that accepts connections")
      ->capture_default_str();
  cmd->add_option("--restart-server", args->restart_server,
                  "--server-cmd: crash (restart it when it dies) or each (before every scenario: full isolation)")
      ->check(CLI::IsMember({"crash", "each"}))
      ->capture_default_str();
  add_wire_log_option(*cmd, args->log);
  cmd->footer(invariants_note() + "\n\n" + kExitCodes);
  cmd->callback([cmd, args, &exit_code] {
    args->target_given = cmd->count("--target") > 0;
    if (!args->targets.empty()) args->target = args->targets.front();
    wire_log_given(*cmd, args->log);
    exit_code = run(*args);
  });
}

}  // namespace pushsim::apps
