#pragma once
// Test helper for the reference engine: opens connections, signs subscriptions the way an
// app's auth endpoint would (sign_channel / sign_user), and sorts the engine's outputs into
// frames per connection, closes, and webhook events. Webhook POSTs are answered 200 at once
// and their removal delay is zero, so each emitted event shows up on the next tick.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/signing.hpp"

namespace pushsim::test {

inline constexpr const char* kTarget = "/app/app-key?protocol=7&client=js&version=8.4.0";

inline AppConfig test_app() {
  AppConfig app;
  app.id = "1";
  app.key = "app-key";
  app.secret = "app-secret";
  app.webhooks.push_back(WebhookConfig{"http://hooks.test/pusher", {}});
  return app;
}

inline EngineOptions test_options() {
  EngineOptions options;
  options.webhooks.removal_delay = 0;
  return options;
}

class EngineFixture {
 public:
  explicit EngineFixture(EngineOptions options = test_options(), std::vector<AppConfig> apps = {test_app()})
      : engine(std::move(options), std::move(apps), rng) {}

  Rng rng{42};
  Engine engine;
  TimeNs now = kSimulationEpoch;
  ConnectionId next_id = 1;
  std::map<ConnectionId, std::vector<std::string>> frames;  // not yet taken, per connection
  std::vector<CloseConnection> closes;
  std::vector<Json> webhooks;    // events of every POST, in order
  std::vector<SendFrame> sends;  // every frame ever sent, one per recipient, for buffer-sharing checks

  const AppConfig& app() const { return *engine.app_by_id("1"); }

  // Opens a connection with the target; returns its id (even when the engine refused it).
  ConnectionId open(std::string_view target = kTarget) {
    ConnectionId id = next_id++;
    engine.on_open(now, id, target);
    collect();
    return id;
  }
  // Opens and drops the connection_established frame.
  ConnectionId connect(std::string_view target = kTarget) {
    ConnectionId id = open(target);
    take(id);
    return id;
  }
  std::string socket_id(ConnectionId id) const { return engine.socket_id(id).value_or(""); }

  void send(ConnectionId id, std::string_view text) {
    engine.on_text(now, id, text);
    collect();
  }
  void send_json(ConnectionId id, const Json& frame) { send(id, std::string_view(frame.dump())); }
  void close(ConnectionId id) {
    engine.on_closed(now, id);
    collect();
  }

  // A pusher:subscribe as pusher-js sends it, signed when the channel needs it.
  void subscribe(ConnectionId id, const std::string& channel, std::optional<std::string> channel_data = std::nullopt) {
    send_json(id, subscribe_frame(id, channel, channel_data));
  }
  Json subscribe_frame(ConnectionId id, const std::string& channel, std::optional<std::string> channel_data) const {
    Json data = {{"channel", channel}, {"auth", ""}};
    bool signed_channel = channel.starts_with("private-") || channel.starts_with("presence-");
    if (signed_channel) data["auth"] = sign_channel(app().credentials(), socket_id(id), channel, channel_data);
    if (channel_data) data["channel_data"] = *channel_data;
    return Json{{"event", "pusher:subscribe"}, {"data", data}};
  }
  // Subscribes to a presence channel as user_id (with optional user_info) and drops the reply.
  void join_presence(ConnectionId id, const std::string& channel, const std::string& user_id,
                     const Json& user_info = nullptr) {
    Json channel_data = {{"user_id", user_id}};
    if (!user_info.is_null()) channel_data["user_info"] = user_info;
    subscribe(id, channel, channel_data.dump());
    take(id);
  }
  void unsubscribe(ConnectionId id, const std::string& channel) {
    send_json(id, Json{{"event", "pusher:unsubscribe"}, {"data", {{"channel", channel}}}});
  }
  void signin(ConnectionId id, const std::string& user_data) {
    Json data = {{"auth", sign_user(app().credentials(), socket_id(id), user_data)}, {"user_data", user_data}};
    send_json(id, Json{{"event", "pusher:signin"}, {"data", data}});
  }

  PublishOutcome publish(std::string_view channel, std::string_view event, std::string_view data,
                         std::optional<std::string_view> exclude_socket_id = std::nullopt) {
    PublishOutcome outcome = engine.publish(now, app(), channel, event, data, exclude_socket_id);
    collect();
    return outcome;
  }

  // Frames sent to the connection since the last take.
  std::vector<std::string> take(ConnectionId id) {
    collect();
    auto it = frames.find(id);
    if (it == frames.end()) return {};
    std::vector<std::string> out = std::move(it->second);
    frames.erase(it);
    return out;
  }
  bool nothing_sent() {
    collect();
    for (const auto& [id, list] : frames) {
      if (!list.empty()) return false;
    }
    return true;
  }
  std::vector<CloseConnection> take_closes() {
    collect();
    return std::exchange(closes, {});
  }
  // Webhook events emitted so far (the dispatcher is ticked at the current time first).
  std::vector<Json> take_webhooks() {
    engine.on_tick(now);
    collect();
    return std::exchange(webhooks, {});
  }

  void advance(DurationNs duration) {
    now += duration;
    engine.on_tick(now);
    collect();
  }

  // Every input is followed by collect(), so the engine's whole-state check runs after each
  // one, as the simulator runs it (protocol/server/engine_checks.hpp).
  void collect() {
    if (engine_checks_enabled()) {
      const auto violations = engine.invariant_violations();
      if (!violations.empty()) engine_invariants_failed(violations, "an EngineFixture test");
    }
    for (auto& output : engine.take_outputs()) {
      if (std::holds_alternative<SendFrame>(output) || std::holds_alternative<BroadcastFrame>(output)) {
        for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>& text) {
          frames[connection].push_back(*text);
          sends.push_back(SendFrame{connection, text});
        });
      } else if (auto* close = std::get_if<CloseConnection>(&output)) {
        closes.push_back(*close);
      } else if (auto* post = std::get_if<WebhookPost>(&output)) {
        Json body = Json::parse(post->body, nullptr, false);
        if (body.is_object() && body["events"].is_array()) {
          for (const auto& event : body["events"]) webhooks.push_back(event);
        }
        engine.on_webhook_response(now, post->delivery_id, 200);
      }
    }
  }
};

// Frames that say the same thing compare equal as JSON values.
inline std::vector<Json> parsed(const std::vector<std::string>& texts) {
  std::vector<Json> out;
  for (const auto& text : texts) out.push_back(Json::parse(text, nullptr, false));
  return out;
}

// The counts of the pusher_internal:subscription_count frames among `frames`, in order.
inline std::vector<int> subscription_counts(const std::vector<std::string>& frames) {
  std::vector<int> out;
  for (const auto& frame : parsed(frames)) {
    if (frame.value("event", "") != "pusher_internal:subscription_count") continue;
    out.push_back(Json::parse(frame["data"].get<std::string>())["subscription_count"].get<int>());
  }
  return out;
}

}  // namespace pushsim::test
