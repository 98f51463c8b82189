// `pushsim serve`: the flags and the config file turned into ServeOptions, then a ServeServer
// run until SIGINT or SIGTERM and shut down cleanly. `--cluster redis://...` makes it one node
// of a cluster over Redis (docs/cluster.md). `--defect` switches on deliberately broken
// engine variants (protocol/server/defects.hpp), so that live checks can be shown failing.
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "apps/commands.hpp"
#include "apps/wire_log_option.hpp"
#include "net/real_clock.hpp"
#include "net/redis_cluster_link.hpp"
#include "net/serve_options.hpp"
#include "net/serve_server.hpp"
#include "protocol/server/defects.hpp"

namespace pushsim::apps {
namespace {

// The flags of `pushsim serve`, as parsed.
struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 6001;
  std::vector<std::string> apps;
  std::string config;
  std::vector<std::string> webhooks;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> defects;
  std::string cluster;
  std::optional<std::uint32_t> node_id;
  std::string cluster_prefix = "pushsim";
  WireLogArg log;  // --log [FILE]
};

// Every defect name, for the usage error.
std::string defect_names() {
  std::string out;
  for (const auto& info : all_defects()) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

void add_serve_flags(CLI::App& serve, ServeFlags& flags) {
  serve.add_option("--host", flags.host, "address to listen on")->capture_default_str();
  serve.add_option("--port", flags.port, "port to listen on; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve.add_option("--app", flags.apps, "an app as ID:KEY:SECRET (repeatable; default app-id:app-key:app-secret)");
  serve.add_option("--config", flags.config, "JSON config file with apps (incl. webhooks) and engine knobs");
  serve.add_option("--webhook", flags.webhooks, "webhook URL added to every app (repeatable)");
  serve.add_option("--seed", flags.seed,
                   "seed for socket ids (default: random; with --cluster, mixed with the node id)");
  serve.add_option("--defect", flags.defects,
                   "run a deliberately broken engine variant (repeatable; names as in `pushsim selftest`), "
                   "to show a live check catching it");
  serve.add_option("--cluster", flags.cluster,
                   "redis://HOST:PORT[/DB]: run as one node of a cluster sharing its state through that Redis "
                   "(docs/cluster.md)");
  serve.add_option("--node-id", flags.node_id,
                   "this node's id in the cluster (default: a fresh one from Redis); a node restarted with its "
                   "old id takes its previous life out of the store at once");
  serve
      .add_option("--cluster-prefix", flags.cluster_prefix,
                  "prefix of every Redis key and of the bus channel: clusters with different prefixes never meet")
      ->capture_default_str();
  add_wire_log_option(serve, flags.log);
}

// Prints "pushsim serve: listening on ws://HOST:PORT" once the port is bound (tests read the
// port from it). Returns the process exit code.
int serve_until_signal(ServeOptions options, const std::string& options_defects) {
  const std::string cluster_url = options.cluster ? options.cluster->redis_url : "";
  const std::string cluster_prefix = options.cluster ? options.cluster->prefix : "";
  // The signal handlers are in place before the port is announced, so that a signal sent by
  // whoever read the announcement is always a clean shutdown.
  boost::asio::io_context signals_context{1};
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&received](const boost::system::error_code& ec, int number) {
    if (!ec) received = number;
  });

  ServeServer server;
  if (auto error = server.start(std::move(options))) {
    // ServeServer's errors name it already ("serve: ...").
    const bool named = error->message.starts_with("serve: ");
    std::cerr << "pushsim " << (named ? "" : "serve: ") << error->message << "\n";
    return 1;
  }
  std::cout << "pushsim serve: listening on " << server.ws_url() << std::endl;
  if (auto node = server.cluster_node()) {
    std::cout << "pushsim serve: cluster node " << *node << " over " << cluster_url << " (prefix " << cluster_prefix
              << ")" << std::endl;
  }
  if (!options_defects.empty()) {
    std::cout << "pushsim serve: DELIBERATELY BROKEN engine, defects: " << options_defects << std::endl;
  }
  for (const auto& app : server.apps()) {
    std::cout << "pushsim serve: app id=" << app.id << " key=" << app.key << " webhooks=" << app.webhooks.size()
              << std::endl;
  }
  signals_context.run();
  std::cout << "pushsim serve: signal " << received << ", closing " << server.connection_count()
            << " connection(s) with 4200" << std::endl;
  server.stop();
  std::cout << "pushsim serve: stopped" << std::endl;
  return 0;
}

// Flags override the config file; --app adds apps to the file's.
int run_serve(const CLI::App& serve, const ServeFlags& flags) {
  ServeOptions options;
  if (!flags.config.empty()) {
    auto loaded = load_serve_config(flags.config);
    if (!loaded) {
      std::cerr << "pushsim serve: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    options = std::move(*loaded);
  }
  if (flags.config.empty() || serve.count("--host") > 0) options.host = flags.host;
  if (flags.config.empty() || serve.count("--port") > 0) options.port = static_cast<std::uint16_t>(flags.port);
  if (flags.seed) options.seed = flags.seed;
  for (const auto& name : flags.defects) {
    auto defect = parse_defect(name);
    if (!defect) {
      std::cerr << "pushsim serve: no defect '" << name << "'; the defects are: " << defect_names() << "\n";
      return kExitUsage;
    }
    options.engine.defects.add(*defect);
  }
  for (const auto& spec : flags.apps) {
    auto app = parse_app_spec(spec);
    if (!app) {
      std::cerr << "pushsim serve: " << app.error().message << "\n";
      return kExitUsage;
    }
    options.apps.push_back(std::move(*app));
  }
  if (options.apps.empty()) options.apps.push_back(default_app());
  if (!flags.cluster.empty()) {
    if (auto address = parse_redis_url(flags.cluster); !address) {
      std::cerr << "pushsim serve: " << address.error().message << "\n";
      return kExitUsage;
    }
    ServeOptions::Cluster cluster;
    cluster.redis_url = flags.cluster;
    cluster.node_id = flags.node_id;
    cluster.prefix = flags.cluster_prefix;
    cluster.log = [](const std::string& line) { std::cerr << "pushsim serve: " << line << std::endl; };
    options.cluster = std::move(cluster);
  } else if (flags.node_id || serve.count("--cluster-prefix") > 0) {
    std::cerr << "pushsim serve: --node-id and --cluster-prefix need --cluster redis://HOST:PORT\n";
    return kExitUsage;
  }
  for (const auto& url : flags.webhooks) add_webhook_to_all_apps(options, url);
  std::string defects_line;
  for (const auto& name : flags.defects) defects_line += (defects_line.empty() ? "" : ", ") + name;
  WireLogOptions log_options;
  log_options.party_key = "socket_id";
  auto opened = open_wire_log(flags.log, log_options);
  if (auto* error = std::get_if<std::string>(&opened)) {
    std::cerr << "pushsim serve: " << *error << "\n";
    return kExitUsage;
  }
  std::unique_ptr<WireSink> sink;
  if (auto& log = std::get<OpenedWireLog>(opened).log) sink = log->stream(monotonic_now());
  options.wire_log = sink.get();
  return serve_until_signal(std::move(options), defects_line);
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* serve = app.add_subcommand("serve", "the reference engine behind a real WebSocket + HTTP front");
  auto flags = std::make_shared<ServeFlags>();
  add_serve_flags(*serve, *flags);
  serve->callback([serve, flags, &exit_code] {
    wire_log_given(*serve, flags->log);
    exit_code = run_serve(*serve, *flags);
  });
}

}  // namespace pushsim::apps
