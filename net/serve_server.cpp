#include "net/serve_server.hpp"

#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "net/detail/serve_driver.hpp"
#include "net/detail/serve_listener.hpp"
#include "net/redis_cluster_link.hpp"
#include "protocol/random.hpp"

namespace pushsim {

namespace asio = boost::asio;

namespace {

constexpr int kShuttingDown = 4200;  // docs/protocol.md §1.8: reconnect immediately (soketi's shutdown code)

std::uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::optional<Error> check(const ServeOptions& options) {
  if (options.io_threads < 1 || options.io_threads > 64) return make_error("serve: io_threads must be 1..64");
  for (std::size_t i = 0; i < options.apps.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (options.apps[i].id == options.apps[j].id || options.apps[i].key == options.apps[j].key) {
        return make_error("serve: apps \"" + options.apps[j].id + "\" and \"" + options.apps[i].id +
                          "\" share an id or a key");
      }
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<RedisClusterLink>> connect_cluster(const ServeOptions::Cluster& cluster) {
  auto address = parse_redis_url(cluster.redis_url);
  if (!address) return make_error("serve: " + address.error().message);
  RedisClusterOptions options;
  options.address = *address;
  options.prefix = cluster.prefix;
  options.node = cluster.node_id;
  options.log = cluster.log;
  auto link = RedisClusterLink::connect(std::move(options));
  if (!link) return make_error("serve: cluster: " + link.error().message);
  return link;
}

}  // namespace

struct ServeServer::Impl {
  ServeOptions options;
  std::unique_ptr<RedisClusterLink> cluster;  // declared first: the engine uses it until the end
  std::optional<asio::io_context> context;    // declared before what uses it: destroyed last
  std::unique_ptr<detail::ServeDriver> driver;
  std::shared_ptr<detail::ServeListener> listener;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  bool started = false;
  bool running = false;
};

ServeServer::ServeServer() : impl_(std::make_unique<Impl>()) {}

ServeServer::~ServeServer() {
  stop();
  // No thread runs the context now. Its timer and strand must go before the context, so the
  // driver goes first; handlers still queued (never to run) hold sessions and the listener,
  // which the context's destruction then frees while its services still exist.
  if (impl_->driver) impl_->driver->release_sessions();
  impl_->driver.reset();
  impl_->listener.reset();
  impl_->context.reset();
}

std::optional<Error> ServeServer::start(ServeOptions options) {
  Impl& impl = *impl_;
  if (impl.started) return make_error("serve: a server starts only once");
  if (options.apps.empty()) options.apps.push_back(default_app());
  if (auto error = check(options)) return error;
  impl.started = true;
  impl.options = std::move(options);
  impl.context.emplace(impl.options.io_threads);
  std::uint64_t seed = impl.options.seed ? *impl.options.seed : fresh_seed();
  if (impl.options.cluster) {
    auto link = connect_cluster(*impl.options.cluster);
    if (!link) return link.error();
    impl.cluster = std::move(link).value();
    // A node's socket ids come from the seed and its node id together: nodes started with one
    // --seed would otherwise hand out the same socket_ids, and a trigger's socket_id would
    // exclude a socket of that id on every node.
    seed = Rng(seed).derive(static_cast<std::uint64_t>(impl.cluster->node())).next_u64();
  }
  impl.driver = std::make_unique<detail::ServeDriver>(*impl.context, impl.options, impl.options.apps, seed);
  if (impl.cluster) {
    // Posted before any connection can be: the engine is a node before it serves anyone.
    impl.driver->attach_cluster(*impl.cluster);
    impl.cluster->start_bus(
        [driver = impl.driver.get()](PeerMessage message) { driver->peer_message(std::move(message)); });
  }
  impl.listener = std::make_shared<detail::ServeListener>(*impl.context, *impl.driver, impl.options);
  if (auto error = impl.listener->listen()) return error;
  impl.listener->start();
  impl.work.emplace(asio::make_work_guard(*impl.context));
  for (int i = 0; i < impl.options.io_threads; ++i)
    impl.threads.emplace_back([&context = *impl.context] { context.run(); });
  impl.running = true;
  return std::nullopt;
}

void ServeServer::stop() {
  Impl& impl = *impl_;
  if (!impl.running) return;
  impl.running = false;
  impl.listener->stop();
  impl.driver->shutdown(kShuttingDown, "Server is shutting down");
  // Let the closes go out (and the clients answer them), within the grace period.
  auto give_up = std::chrono::steady_clock::now() + impl.options.shutdown_grace;
  while (impl.driver->session_count() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The sockets of clients that never answered are closed, as an exiting process's would be
  // (an embedding test's client waits for the server's end of the close handshake otherwise).
  if (impl.driver->session_count() > 0) {
    impl.driver->drop_all();
    const auto dropped_by = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (impl.driver->session_count() > 0 && std::chrono::steady_clock::now() < dropped_by) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  impl.work.reset();
  impl.context->stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  // The engine is done: the bus stops delivering, and the alive key goes, so that the other
  // nodes take this node's members and channels out at their next heartbeat.
  if (impl.cluster) impl.cluster->stop();
}

bool ServeServer::running() const { return impl_->running; }
std::uint16_t ServeServer::port() const { return impl_->listener ? impl_->listener->port() : 0; }
std::string ServeServer::ws_url() const { return "ws://" + impl_->options.host + ":" + std::to_string(port()); }
std::string ServeServer::http_url() const { return "http://" + impl_->options.host + ":" + std::to_string(port()); }
const std::vector<AppConfig>& ServeServer::apps() const { return impl_->options.apps; }
std::size_t ServeServer::connection_count() const { return impl_->driver ? impl_->driver->session_count() : 0; }

std::optional<std::uint32_t> ServeServer::cluster_node() const {
  if (!impl_->cluster) return std::nullopt;
  return impl_->cluster->node();
}
bool ServeServer::cluster_bus_subscribed() const { return impl_->cluster && impl_->cluster->bus_subscribed(); }

}  // namespace pushsim
