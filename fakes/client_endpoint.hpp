#pragma once
// What the world needs of a simulated WebSocket client, whatever drives it: the protocol
// client state machine (SimClient) or a script of raw frames (RawClient). The world hands it
// what arrives on its connections and the two faults only the client itself can play out.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/network.hpp"
#include "protocol/time.hpp"

namespace pushsim::fakes {

// One frame as a client received it, kept as the shared text the server encoded.
struct ReceivedFrame {
  TimeNs at = 0;
  LinkId link = 0;
  std::shared_ptr<const std::string> text;
};

class ClientEndpoint {
 public:
  virtual ~ClientEndpoint() = default;
  virtual const std::string& name() const = 0;
  virtual EndpointId endpoint() const = 0;

  virtual void on_accept(TimeNs now, LinkId link) = 0;
  virtual void on_text(TimeNs now, LinkId link, const std::shared_ptr<const std::string>& text) = 0;
  virtual void on_close(TimeNs now, LinkId link, int code, std::string_view reason) = 0;
  // A WebSocket pong control frame (the answer to a ping this client sent); most ignore it.
  virtual void on_pong(TimeNs /*now*/, LinkId /*link*/, const std::string& /*payload*/) {}

  // A clean close of the current connection, from this side, with a code.
  virtual void close(TimeNs now, int code) = 0;
  // The process dies: timers stop, nothing more is sent or handled. The world cuts the links.
  virtual void crash(TimeNs now) = 0;
};

}  // namespace pushsim::fakes
