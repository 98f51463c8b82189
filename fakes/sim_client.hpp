#pragma once
// A simulated browser running pusher-js: the protocol client state machine, driven by the
// world. It connects over the simulated network, subscribes, asks the fake auth endpoint for
// private, presence, encrypted and user auth over simulated HTTP (with its session cookie),
// sends client events, reconnects when the protocol client advises it, and records every
// frame it receives and every event its application would see, with virtual times.
#include <optional>
#include <string>
#include <vector>

#include "fakes/auth_server.hpp"
#include "fakes/client_endpoint.hpp"
#include "protocol/client/protocol_client.hpp"

namespace pushsim::fakes {

class World;

struct SimClientOptions {
  ClientOptions protocol;
  std::optional<UserProfile> user;    // who the app's session says this browser belongs to
  bool reconnect = true;              // follow the protocol client's reconnect advice
  bool record_events = true;          // keep every ClientEvent (benchmarks may not want to)
  std::optional<std::string> target;  // default: what pusher-js opens for the world's app
};

struct TimedClientEvent {
  TimeNs at = 0;
  ClientEvent event;
};

class SimClient final : public ClientEndpoint {
 public:
  SimClient(World& world, std::string name, EndpointId endpoint, SimClientOptions options = {});
  ~SimClient() override;

  const std::string& name() const override { return name_; }
  EndpointId endpoint() const override { return endpoint_; }

  // --- what the application does -----------------------------------------------------------
  void connect();
  std::optional<Error> subscribe(std::string_view channel);
  void unsubscribe(std::string_view channel);
  std::optional<Error> send_client_event(std::string_view channel, std::string_view event, const Json& data);
  void signin();
  void disconnect();
  std::optional<Error> send_raw(std::string_view text);

  // --- faults the world plays through the client ---------------------------------------------
  // 1000 is the application disconnecting; any other code is the transport closing with it
  // under the client, which then reacts as pusher-js would (and may reconnect).
  void close(TimeNs now, int code) override;
  void crash(TimeNs now) override;

  // --- observation ---------------------------------------------------------------------------
  const ProtocolClient& protocol() const { return client_; }
  ConnectionState state() const { return client_.state(); }
  bool crashed() const { return crashed_; }
  LinkId link() const { return link_; }
  std::size_t connections_opened() const { return connections_opened_; }
  const std::vector<ReceivedFrame>& received() const { return received_; }
  std::vector<Frame> frames(std::optional<std::string_view> event = std::nullopt) const;
  std::size_t count(std::string_view event) const { return frames(event).size(); }
  const std::vector<TimedClientEvent>& events() const { return events_; }
  // Application events of one alternative, e.g. events_of<SubscriptionError>().
  template <class E>
  std::vector<E> events_of() const {
    std::vector<E> out;
    for (const auto& e : events_)
      if (const E* found = std::get_if<E>(&e.event)) out.push_back(*found);
    return out;
  }

  void on_accept(TimeNs now, LinkId link) override;
  void on_text(TimeNs now, LinkId link, const std::shared_ptr<const std::string>& text) override;
  void on_close(TimeNs now, LinkId link, int code, std::string_view reason) override;

 private:
  void pump(TimeNs now);
  void arm_timer();
  void request_auth(const AuthRequest& request);
  void on_disconnected(const ClientDisconnected& disconnected);
  TimeNs now() const;

  World& world_;
  std::string name_;
  EndpointId endpoint_;
  SimClientOptions options_;
  ProtocolClient client_;
  LinkId link_ = 0;
  bool crashed_ = false;
  std::size_t connections_opened_ = 0;
  EventId timer_;
  TimeNs timer_at_ = 0;
  EventId reconnect_timer_;
  std::vector<ReceivedFrame> received_;
  std::vector<TimedClientEvent> events_;
};

}  // namespace pushsim::fakes
