#pragma once
// RedisClusterLink's bus: one thread that keeps a connection SUBSCRIBEd to PREFIX:bus and hands
// every message from another node to `deliver`, in order (redis_cluster_link.hpp has the theory
// of operation). Waits are bounded: the socket is polled 250 ms at a time (so stop() returns
// within about that, plus a connect in progress), a silent bus is PINGed and counts as lost when
// no answer comes within the command timeout, and a lost bus is logged and reconnected with a
// doubling backoff.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "net/redis_cluster_link.hpp"
#include "net/redis_context.hpp"

namespace pushsim {

struct RedisClusterLink::Bus {
  Bus(const RedisClusterOptions& options, NodeId self, std::function<void(PeerMessage)> deliver);
  ~Bus() { stop(); }
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  void stop();
  bool subscribed() const { return subscribed_; }

 private:
  void run();
  // One connection's life: subscribe, then read until it is lost (the reason) or stop().
  std::optional<std::string> listen(redisContext& context);
  // Writes what hiredis has buffered; false when the connection failed.
  static bool write_all(redisContext& context);
  void on_reply(const redisReply& reply);
  void sleep_for(std::chrono::milliseconds duration) const;

  const RedisClusterOptions& options_;
  NodeId self_;
  std::string channel_;
  std::function<void(PeerMessage)> deliver_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> subscribed_{false};
  std::thread thread_;
};

}  // namespace pushsim
