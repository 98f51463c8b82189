#pragma once
// Test helpers for `serve --cluster`: a redis-server of the test's own (127.0.0.1, a free port,
// a temporary --dir, no persistence, stopped at the end), serve nodes joined through it, and a
// serve node in a forked child process, for a node that dies by SIGKILL.
//
// Tests skip (with a WARN saying why) when redis-server is not installed.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/server_process.hpp"
#include "protocol/server/cluster_link.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {

class TestRedis {
 public:
  TestRedis();  // starts redis-server when it is on PATH
  ~TestRedis();
  TestRedis(const TestRedis&) = delete;
  TestRedis& operator=(const TestRedis&) = delete;

  bool available() const { return process_ != nullptr; }
  const std::string& why_not() const { return why_not_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> process_;
  std::string why_not_;
};

// Ends the test (passing, with a WARN) when the machine has no redis-server.
#define PUSHSIM_NEED_REDIS(redis)             \
  do {                                        \
    if (!(redis).available()) {               \
      WARN("skipped: " << (redis).why_not()); \
      return;                                 \
    }                                         \
  } while (false)

// A key prefix no other test (or earlier run on the same Redis) uses.
std::string fresh_cluster_prefix();

// A serve node in a child process: killed with SIGKILL by kill() or when this object goes.
class ForkedServeNode {
 public:
  // Forks before the caller starts threads of its own (the child runs only what it starts).
  explicit ForkedServeNode(const ServeOptions& options);
  ~ForkedServeNode();
  ForkedServeNode(const ForkedServeNode&) = delete;
  ForkedServeNode& operator=(const ForkedServeNode&) = delete;

  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void kill();  // SIGKILL, then reaps it

 private:
  int pid_ = 0;
  std::uint16_t port_ = 0;
};

// `nodes` serve nodes in this process (plus `forked` in child processes, numbered after them),
// one Redis, one webhook listener, a REST client per node.
class ClusterFixture {
 public:
  // Node K is seeded 100 + K, or every node with `seed` when given.
  ClusterFixture(const TestRedis& redis, std::size_t nodes, Defects defects = {}, std::size_t forked = 0,
                 std::optional<std::uint64_t> seed = {});

  std::size_t size() const { return urls_.size(); }
  std::unique_ptr<LiveConnection> connected_client(std::size_t node, std::optional<std::string> user_id = {});
  RestClient& rest(std::size_t node) { return *rests_.at(node); }
  ForkedServeNode& forked(std::size_t i) { return *forked_.at(i); }
  // The webhook events (the envelope's entries) named `name` for `channel` received so far.
  std::size_t webhooks(const std::string& name, const std::string& channel) const;

  IoLoop loop;
  std::unique_ptr<WebhookListener> listener;

 private:
  std::vector<std::unique_ptr<ForkedServeNode>> forked_;
  std::vector<std::unique_ptr<ServeServer>> servers_;
  std::vector<std::pair<std::string, std::string>> urls_;  // ws, http per node
  std::vector<std::unique_ptr<RestClient>> rests_;
};

}  // namespace pushsim::test
