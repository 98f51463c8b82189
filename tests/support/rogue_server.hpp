#pragma once
// Test helper: a deliberately misbehaving server on the test's IoLoop, one misbehaviour per
// instance, for checking that pushsim reports each one as a clear error within its deadline
// instead of crashing, hanging or leaking. WebSocket misbehaviours answer upgrade requests;
// REST misbehaviours (kRest*) answer every other HTTP request. RogueThread runs one on a
// thread of its own, for code under test that runs its own loop (the live target).
//
// Boost stays out of this header: the server is compiled once, in rogue_server.cpp, rather
// than in every test file that uses it.
#include <cstdint>
#include <memory>
#include <string>

#include "net/io_loop.hpp"

namespace pushsim::test {

enum class Misbehaviour {
  kSilentUpgrade,  // accepts TCP, reads the upgrade request, never answers
  kHttp404,        // answers the upgrade with a plain 404
  kNoEstablished,  // completes the upgrade, then says nothing
  kGarbage,        // completes the upgrade, then sends text that is not JSON
  kGarbageLater,   // sends connection_established, then garbage
  kBinaryLater,    // sends connection_established, then a binary frame
  kCloseMidFrame,  // announces a 100-byte text frame, sends 10 bytes, closes TCP
  kHugeFrame,      // sends one 10 MB text frame
  kWrongDataType,  // sends connection_established whose data is a number
  kStopReading,    // sends connection_established, then never reads: the client's writes block
  kFlood,          // sends connection_established, then event frames as fast as it can
  kRestGarbage,    // answers a REST request with bytes that are not HTTP
  kRest500,        // answers a REST request with 500 Internal Server Error
  kRestTrickle,    // answers a REST request one byte every 200 ms
  kRestRedirect,   // answers a REST request with 307 to another address
};

// The connection_established frame the rogue (and the TLS test server) sends.
extern const std::string kEstablished;

class RogueServer {
 public:
  RogueServer(IoLoop& loop, Misbehaviour misbehaviour);
  ~RogueServer();
  RogueServer(const RogueServer&) = delete;
  RogueServer& operator=(const RogueServer&) = delete;

  std::string url() const;
  std::string http_url() const;
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A RogueServer on its own loop and thread; everything it opened is closed when it goes.
class RogueThread {
 public:
  explicit RogueThread(Misbehaviour misbehaviour);
  ~RogueThread();
  RogueThread(const RogueThread&) = delete;
  RogueThread& operator=(const RogueThread&) = delete;

  std::string url() const;
  std::string http_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim::test
