#pragma once
// Test helper: a rogue that posts webhooks whose signature does not verify to a webhook
// listener on loopback, from a thread of its own: `count` of them (a flood when large) over
// `parallel` keep-alive connections. Connections are retried every 20 ms until the listener
// is up, since it starts with the scenario's target, after the rogue.
//
// Boost stays out of this header: the poster is compiled once, in rogue_webhooks.cpp.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace pushsim::test {

class RogueWebhookPoster {
 public:
  RogueWebhookPoster(std::uint16_t port, std::size_t count, std::size_t parallel);
  ~RogueWebhookPoster();
  RogueWebhookPoster(const RogueWebhookPoster&) = delete;
  RogueWebhookPoster& operator=(const RogueWebhookPoster&) = delete;

  // Deliveries the listener answered so far.
  std::size_t answered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim::test
