#pragma once
// One client's connection through pushsim's fault-injecting relay: a loopback listening port
// that accepts exactly one connection (the client's), opens one connection to the server
// under test (upstream), and carries bytes both ways, with faults played per direction:
//
// - latency: each message waits a delay drawn from [min, max] with a seeded Rng (one stream
//   per direction) before it is forwarded; a message never overtakes the one before it, so a
//   short draw after a long one waits for it (due = max(previous due, arrival + draw));
// - hold / release: a held direction keeps reading and keeps what it read, in order, and
//   forwards none of it until released (a partition: bytes held, never lost);
// - reset: both sockets closed with SO_LINGER 0, so each peer gets a TCP reset and no
//   WebSocket close frame (an abrupt drop).
//
// Messages are WebSocket frames (and the upgrade's header block) when the stream is a plain
// ws:// upgrade, or the byte chunks as read otherwise (RelayFraming). With no latency set and
// nothing held, each message is written on as soon as it is complete.
//
// Theory of operation. Everything runs on the caller's IoLoop (the live target's): like the
// live clients themselves, traffic moves only while the caller runs the loop. Every wait has a
// bound: the client must connect within accept_max, the upstream connection must open within
// connect_max, a write pending for write_stall_max (a peer that stopped reading) resets the
// link, and more than held_bytes_max waiting in one direction resets it too. Each such end is
// an Error in errors(), never a hang. The destructor resets whatever is still open.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/io_loop.hpp"
#include "protocol/result.hpp"
#include "protocol/time.hpp"

namespace pushsim {

enum class RelayDirection { kToServer = 0, kToClient = 1 };

struct RelayLinkOptions {
  std::string name = "client";  // in error messages
  std::string upstream_host = "127.0.0.1";
  std::uint16_t upstream_port = 0;
  std::uint64_t seed = 1;
  std::chrono::milliseconds accept_max{10'000};
  std::chrono::milliseconds connect_max{5'000};
  std::chrono::milliseconds write_stall_max{10'000};
  std::size_t held_bytes_max = 32 * 1024 * 1024;
};

struct RelayCounts {
  std::uint64_t messages = 0;  // forwarded
  std::uint64_t bytes = 0;     // forwarded
  std::size_t waiting = 0;     // messages read but not yet forwarded (delayed or held)
};

class RelayLink {
 public:
  RelayLink(IoLoop& loop, RelayLinkOptions options);
  ~RelayLink();
  RelayLink(const RelayLink&) = delete;
  RelayLink& operator=(const RelayLink&) = delete;

  // Binds 127.0.0.1 on an ephemeral port and waits (inside the caller's loop) for the client.
  std::optional<Error> start();
  std::uint16_t port() const;

  // Delays applied to messages read from now on; min == max == 0 forwards at once.
  void set_latency(RelayDirection direction, DurationNs min, DurationNs max);
  void hold(RelayDirection direction);
  void release(RelayDirection direction);
  // Both sockets closed with a TCP reset; what was waiting is discarded.
  void reset();

  // True once both sides are closed (by a reset, or after both directions ended).
  bool closed() const;
  // Whether the client connected and the upstream connection opened.
  bool open() const;
  RelayCounts counts(RelayDirection direction) const;
  const std::vector<Error>& errors() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace pushsim
