#include "support/redis_cluster_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "net/local_authorizer.hpp"
#include "support/free_port.hpp"

namespace pushsim::test {

namespace {

bool redis_server_installed() { return std::system("command -v redis-server >/dev/null 2>&1") == 0; }

ServeOptions cluster_node_options(const std::string& redis_url, const std::string& prefix, NodeId node,
                                  const Defects& defects, const std::string& webhook_url,
                                  std::optional<std::uint64_t> seed = {}) {
  ServeOptions options;
  options.port = 0;
  options.seed = seed.value_or(100 + node);
  options.engine.defects = defects;
  options.engine.webhooks.removal_delay = 0;
  options.engine.webhooks.retry_initial_backoff = ms(50);
  options.engine.webhooks.response_timeout = seconds(2);
  options.shutdown_grace = std::chrono::milliseconds(200);  // the tests' clients are gone by then
  AppConfig app;
  app.id = "app-id";
  app.key = "app-key";
  app.secret = "app-secret";
  app.webhooks.push_back(WebhookConfig{webhook_url, {}});
  options.apps.push_back(app);
  ServeOptions::Cluster cluster;
  cluster.redis_url = redis_url;
  cluster.prefix = prefix;
  cluster.node_id = node;
  options.cluster = cluster;
  return options;
}

}  // namespace

TestRedis::TestRedis() {
  if (!redis_server_installed()) {
    why_not_ = "redis-server is not installed (Debian: apt-get install redis-server)";
    return;
  }
  char pattern[] = "/tmp/pushsim-redis-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    why_not_ = "cannot make a temporary directory for redis-server";
    return;
  }
  dir_ = pattern;
  port_ = free_loopback_port();
  ServerProcessOptions options;
  options.command = "exec redis-server --bind 127.0.0.1 --port " + std::to_string(port_) + " --dir " + dir_.string() +
                    " --save '' --appendonly no --loglevel warning";
  options.port = port_;
  options.ready_max = std::chrono::milliseconds(10'000);
  options.stop_grace = std::chrono::milliseconds(2'000);
  auto process = std::make_unique<ServerProcess>(options);
  if (auto error = process->start()) {
    why_not_ = "redis-server did not start: " + error->message;
    return;
  }
  process_ = std::move(process);
}

TestRedis::~TestRedis() {
  if (process_) process_->stop();
  process_.reset();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string fresh_cluster_prefix() {
  static std::atomic<int> counter{0};
  return "pushsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

ForkedServeNode::ForkedServeNode(const ServeOptions& options) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const int pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close(fds[0]);
    ServeServer server;
    if (server.start(options)) ::_exit(3);
    const std::uint16_t port = server.port();
    if (::write(fds[1], &port, sizeof port) != static_cast<ssize_t>(sizeof port)) ::_exit(4);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  pid_ = pid;
  pollfd ready{fds[0], POLLIN, 0};
  const bool told = ::poll(&ready, 1, 10'000) == 1 && ::read(fds[0], &port_, sizeof port_) == sizeof port_;
  ::close(fds[0]);
  if (!told) kill();
  REQUIRE(told);
}

ForkedServeNode::~ForkedServeNode() { kill(); }

void ForkedServeNode::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);  // SIGKILL cannot be caught: the wait is short
  pid_ = 0;
}

ClusterFixture::ClusterFixture(const TestRedis& redis, std::size_t nodes, Defects defects, std::size_t forked,
                               std::optional<std::uint64_t> seed) {
  listener = std::make_unique<WebhookListener>(loop, WebhookListenerOptions{"127.0.0.1", 0, {serve_test_app()}});
  REQUIRE_FALSE(listener->start().has_value());
  const std::string prefix = fresh_cluster_prefix();
  // Children first: they are forked before this process starts any server thread.
  for (std::size_t i = 0; i < forked; ++i) {
    const auto node = static_cast<NodeId>(nodes + i + 1);
    forked_.push_back(std::make_unique<ForkedServeNode>(
        cluster_node_options(redis.url(), prefix, node, defects, listener->url(), seed)));
  }
  for (std::size_t i = 0; i < nodes; ++i) {
    auto server = std::make_unique<ServeServer>();
    auto error = server->start(
        cluster_node_options(redis.url(), prefix, static_cast<NodeId>(i + 1), defects, listener->url(), seed));
    INFO((error ? error->message : std::string("started")));
    REQUIRE_FALSE(error.has_value());
    urls_.emplace_back(server->ws_url(), server->http_url());
    servers_.push_back(std::move(server));
  }
  for (auto& node : forked_) urls_.emplace_back(node->ws_url(), node->http_url());
  for (const auto& [ws, http] : urls_) {
    rests_.push_back(std::make_unique<RestClient>(loop, RestClientOptions{http, serve_test_app()}));
  }
  // Every in-process bus subscribed, so that no publication of the test is missed.
  const auto until = soon();
  for (auto& server : servers_) {
    loop.run_until([&] { return server->cluster_bus_subscribed(); }, until);
    REQUIRE(server->cluster_bus_subscribed());
  }
}

std::unique_ptr<LiveConnection> ClusterFixture::connected_client(std::size_t node, std::optional<std::string> user_id) {
  LocalAuthorizerOptions auth;
  auth.app = serve_test_app();
  if (user_id) {
    auth.presence_user = Json{{"user_id", *user_id}, {"user_info", {{"name", *user_id}}}};
    auth.user_data = Json{{"id", *user_id}};
  }
  LiveConnectionOptions options;
  options.url = urls_.at(node).first;
  options.app_key = "app-key";
  auto connection = std::make_unique<LiveConnection>(loop, options, make_local_authorizer(auth));
  auto error = connection->connect(soon());
  INFO((error ? error->message : std::string("connected")));
  REQUIRE_FALSE(error.has_value());
  return connection;
}

std::size_t ClusterFixture::webhooks(const std::string& name, const std::string& channel) const {
  std::size_t count = 0;
  for (const Json& event : listener->verified_events()) {
    if (event.value("name", "") == name && event.value("channel", "") == channel) ++count;
  }
  return count;
}

}  // namespace pushsim::test
