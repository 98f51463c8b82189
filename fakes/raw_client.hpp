#pragma once
// A simulated client that speaks raw frames: a test writes what it sends (well-formed or
// not) and reads everything it received, with virtual times. Like pusher-js it answers
// pusher:ping with pusher:pong unless told not to; it does nothing else on its own, which
// makes it the client of choice for conformance checks and for benchmarks of the simulator.
#include <optional>
#include <string>
#include <vector>

#include "fakes/client_endpoint.hpp"
#include "protocol/frame.hpp"

namespace pushsim::fakes {

class World;

class RawClient final : public ClientEndpoint {
 public:
  RawClient(World& world, std::string name, EndpointId endpoint);

  const std::string& name() const override { return name_; }
  EndpointId endpoint() const override { return endpoint_; }

  // Opens a new connection (the previous one, if any, is abandoned as it is).
  LinkId connect();
  LinkId connect(std::string target);
  // The text as it went to the server, or null when there was no open connection to send on.
  std::shared_ptr<const std::string> send(std::string text);
  std::shared_ptr<const std::string> send(const Frame& frame) { return send(encode_frame(frame)); }
  // The bytes as one binary frame; false when there was no open connection to send on.
  bool send_binary(std::string bytes);
  // A WebSocket ping control frame; false when there was no open connection to send on.
  bool send_ping(std::string payload);
  void subscribe(const std::string& channel, const std::string& auth = "",
                 const std::optional<std::string>& channel_data = std::nullopt);
  void close(TimeNs now, int code) override;
  void crash(TimeNs now) override;

  bool answer_pings = true;

  bool connected() const { return link_ != 0 && accepted_ && !closed_; }
  bool crashed() const { return crashed_; }
  LinkId link() const { return link_; }
  const std::optional<std::string>& socket_id() const { return socket_id_; }
  std::optional<int> close_code() const { return close_code_; }
  const std::vector<ReceivedFrame>& received() const { return received_; }
  struct Pong {
    TimeNs at = 0;
    std::string payload;
  };
  // The pongs that answered this client's pings, on its current connection or an earlier one.
  const std::vector<Pong>& pongs() const { return pongs_; }
  // Received frames decoded (undecodable ones skipped), optionally only those of one event.
  std::vector<Frame> frames(std::optional<std::string_view> event = std::nullopt) const;
  std::size_t count(std::string_view event) const { return frames(event).size(); }

  void on_accept(TimeNs now, LinkId link) override;
  void on_text(TimeNs now, LinkId link, const std::shared_ptr<const std::string>& text) override;
  void on_close(TimeNs now, LinkId link, int code, std::string_view reason) override;
  void on_pong(TimeNs now, LinkId link, const std::string& payload) override;

 private:
  World& world_;
  std::string name_;
  EndpointId endpoint_;
  LinkId link_ = 0;
  bool accepted_ = false;
  bool closed_ = false;
  bool crashed_ = false;
  std::optional<std::string> socket_id_;
  std::optional<int> close_code_;
  std::vector<ReceivedFrame> received_;
  std::vector<Pong> pongs_;
};

// The target pusher-js opens: "/app/{key}?protocol=7&client=js&version=8.4.0&flash=false".
std::string pusher_js_target(std::string_view app_key);

}  // namespace pushsim::fakes
