#pragma once
// Drives a reference Engine from fuzz input the way a transport driver would, and checks after
// every step what no input may break: no frame or close for a connection that is gone, every
// close followed by the driver's on_closed, the engine's own bookkeeping invariants
// (Engine::invariant_violations), and the observable channel state (every occupied channel has
// subscribers; presence members are distinct users, no more than the subscriptions).
//
// Connections live in a few slots; reopening a slot uses a fresh connection id, as a driver
// never reuses one. Signed operations (subscribe_signed, signin_signed, http_signed) compute
// the signature the fuzzer cannot, so that authorized paths are reachable too.
#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocol/json.hpp"
#include "protocol/random.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/signing.hpp"

namespace pushsim::fuzz {

inline constexpr std::size_t kSlots = 4;
inline constexpr const char* kDefaultTarget = "/app/key1?protocol=7&client=js&version=8.4.0";

// Three apps covering the per-app switches: webhooks, batching, subscription counts and a
// connection quota on the first; authorized connections on the second; the third disabled.
inline std::vector<AppConfig> fuzz_apps() {
  AppConfig first;
  first.id = "1";
  first.key = "key1";
  first.secret = "secret-one-3f9c2a7d1b6e4058";
  first.subscription_count = true;
  first.batch_webhooks = true;
  first.max_connections = 3;
  first.webhooks.push_back(WebhookConfig{"http://hooks.test/all", {}});
  first.webhooks.push_back(WebhookConfig{"http://hooks.test/presence", {"member_added", "member_removed"}});
  AppConfig second;
  second.id = "2";
  second.key = "key2";
  second.secret = "secret-two-8e1d5c3b9a7f2046";
  second.client_events = false;
  second.user_authentication_required = true;
  second.authorization_timeout = seconds(10);
  second.webhooks.push_back(WebhookConfig{"http://hooks.test/two", {}});
  AppConfig third;
  third.id = "3";
  third.key = "key3";
  third.secret = "secret-three-4b2e9d7c1a5f3068";
  third.enabled = false;
  return {first, second, third};
}

inline EngineOptions fuzz_engine_options() {
  EngineOptions options;
  options.webhooks.removal_delay = seconds(1);
  options.webhooks.retry_window = seconds(20);
  return options;
}

class EngineDriver {
 public:
  EngineDriver() : engine_(fuzz_engine_options(), fuzz_apps(), rng_) {}

  Engine& engine() { return engine_; }
  TimeNs now() const { return now_; }
  std::optional<std::string> socket_of(std::size_t slot) const {
    return slots_[slot] ? engine_.socket_id(*slots_[slot]) : std::nullopt;
  }

  void open(std::size_t slot, std::string_view target) {
    close(slot);  // a slot holds one connection at a time
    ConnectionId id = next_id_++;
    slots_[slot] = id;
    live_.insert(id);
    engine_.on_open(now_, id, target.empty() ? std::string_view(kDefaultTarget) : target);
    collect();
  }
  void text(std::size_t slot, std::string_view frame) {
    if (auto id = slots_[slot]) engine_.on_text(now_, *id, frame);
    collect();
  }
  void binary(std::size_t slot, std::size_t size) {
    if (auto id = slots_[slot]) engine_.on_binary(now_, *id, size);
    collect();
  }
  // The client side closes (or the transport drops).
  void close(std::size_t slot) {
    if (auto id = std::exchange(slots_[slot], std::nullopt)) {
      engine_.on_closed(now_, *id);
      live_.erase(*id);
      collect();
    }
  }
  void close_all() {
    for (std::size_t slot = 0; slot < kSlots; ++slot) close(slot);
  }

  // payload "channel" or "channel\tchannel_data": a pusher:subscribe with a valid auth.
  void subscribe_signed(std::size_t slot, std::string_view payload) {
    auto [channel, channel_data] = cut(payload, '\t');
    const AppConfig* app = app_of(slot);
    if (app == nullptr) return;
    auto socket = engine_.socket_id(*slots_[slot]).value_or("");
    std::optional<std::string_view> signed_data;
    if (!channel_data.empty()) signed_data = channel_data;
    Json data = {{"channel", channel}, {"auth", sign_channel(app->credentials(), socket, channel, signed_data)}};
    if (signed_data) data["channel_data"] = channel_data;
    send_json(slot, Json{{"event", "pusher:subscribe"}, {"data", data}});
  }
  void signin_signed(std::size_t slot, std::string_view user_data) {
    const AppConfig* app = app_of(slot);
    if (app == nullptr) return;
    auto socket = engine_.socket_id(*slots_[slot]).value_or("");
    Json data = {{"auth", sign_user(app->credentials(), socket, user_data)}, {"user_data", user_data}};
    send_json(slot, Json{{"event", "pusher:signin"}, {"data", data}});
  }

  // Virtual time passes; due deadlines fire as the driver's timer would make them.
  void advance(DurationNs by) {
    TimeNs until = now_ + by;
    // Bounded: each on_tick either removes work or moves it past the time it ran at.
    for (int round = 0; round < 10'000; ++round) {
      auto due = engine_.next_deadline();
      if (!due || *due > until) break;
      check(*due >= now_, "next_deadline is in the past", std::to_string(*due) + " < " + std::to_string(now_));
      now_ = std::max(now_, *due);
      engine_.on_tick(now_);
      collect();
    }
    now_ = until;
    engine_.on_tick(now_);
    collect();
  }

  // Answers the oldest webhook POST still waiting (status 0: no answer at all).
  void answer_webhook(int status) {
    if (pending_webhooks_.empty()) return;
    std::uint64_t delivery = pending_webhooks_.front();
    pending_webhooks_.pop_front();
    engine_.on_webhook_response(now_, delivery, status);
    collect();
  }
  void answer_all_webhooks(int status) {
    while (!pending_webhooks_.empty()) answer_webhook(status);
  }

  HttpResponse http(const HttpRequest& request) {
    HttpResponse response = engine_.on_http(now_, request);
    collect();
    check_response(request, response);
    return response;
  }

  // Every step ends here: the outputs are carried out and the invariants checked.
  void collect() {
    for (auto& output : engine_.take_outputs()) {
      if (std::holds_alternative<SendFrame>(output) || std::holds_alternative<BroadcastFrame>(output)) {
        for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>& text) {
          check(text != nullptr && !text->empty(), "an empty frame was sent");
          check(live_.count(connection) != 0, "a frame was sent to a connection that is gone", *text);
        });
      } else if (auto* close = std::get_if<CloseConnection>(&output)) {
        check(live_.count(close->connection) != 0, "a close for a connection that is gone", close->reason);
        closed_by_engine_.push_back(close->connection);
      } else if (auto* post = std::get_if<WebhookPost>(&output)) {
        check(!post->body.empty() && post->attempt >= 1, "a webhook POST without body or attempt number");
        pending_webhooks_.push_back(post->delivery_id);
      }
    }
    // The driver closes the transport of every connection the engine closed and reports it.
    for (ConnectionId id : std::exchange(closed_by_engine_, {})) {
      live_.erase(id);
      for (auto& slot : slots_) {
        if (slot == id) slot.reset();
      }
      engine_.on_closed(now_, id);
      for (auto& output : engine_.take_outputs()) {
        for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>&) {
          check(live_.count(connection) != 0,
                "on_closed of a closed connection sent a frame to a connection that is gone");
        });
        if (auto* post = std::get_if<WebhookPost>(&output)) pending_webhooks_.push_back(post->delivery_id);
      }
    }
    check_state();
  }

  // With every connection closed no channel may remain occupied.
  void check_empty() {
    check(engine_.connection_count() == 0, "connections remain after every one closed");
    for (const char* app : {"1", "2", "3"}) {
      check(engine_.channels(app, now_).empty(), "a channel stays occupied after every connection closed");
    }
  }

 private:
  const AppConfig* app_of(std::size_t slot) {
    if (!slots_[slot]) return nullptr;
    auto socket = engine_.socket_id(*slots_[slot]);
    if (!socket) return nullptr;
    for (const char* id : {"1", "2", "3"}) {
      if (engine_.connection_by_socket_id(id, *socket) == slots_[slot]) return engine_.app_by_id(id);
    }
    return nullptr;
  }

  // The payloads come from the fuzzer and need not be UTF-8; a client library would have
  // refused or replaced such bytes before sending, so replace them here.
  void send_json(std::size_t slot, const Json& frame) {
    text(slot, frame.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

  void check_state() {
    auto violations = engine_.invariant_violations();
    if (!violations.empty()) {
      std::string all;
      for (const auto& violation : violations) all += violation.name + ": " + violation.detail + "\n";
      fail("engine invariant violated", all);
    }
    check(engine_.connection_count() == live_.size(), "connection_count differs from the connections the driver has",
          std::to_string(engine_.connection_count()) + " vs " + std::to_string(live_.size()));
    for (ConnectionId id : live_) check(engine_.socket_id(id).has_value(), "a live connection has no socket id");
    for (const char* app : {"1", "2", "3"}) {
      for (const auto& channel : engine_.channels(app, now_)) check_channel(channel);
    }
  }

  void check_channel(const ChannelSnapshot& channel) {
    check(channel.subscription_count > 0, "an occupied channel without subscribers", channel.name);
    check(channel.subscription_count <= live_.size(), "more subscriptions than live connections", channel.name);
    check(channel.members.size() <= channel.subscription_count, "more presence members than subscriptions",
          channel.name);
    std::set<std::string> users;
    for (const auto& member : channel.members) {
      check(users.insert(member.user_id).second, "a presence member listed twice", member.user_id);
    }
  }

  // A response may quote what the request sent, so a secret only counts as leaked when the
  // request did not carry it (the fuzzer learns the secrets from this very comparison).
  void check_response(const HttpRequest& request, const HttpResponse& response) {
    check(response.status >= 200 && response.status < 600, "an HTTP status out of range",
          std::to_string(response.status));
    for (const auto& app : fuzz_apps()) {
      bool sent = false;
      for (const std::string* part : {&request.method, &request.target, &request.body}) {
        sent = sent || part->find(app.secret) != std::string::npos;
      }
      check(sent || response.body.find(app.secret) == std::string::npos, "an app secret in a REST response",
            response.body);
    }
  }

  Rng rng_{7};
  Engine engine_;
  TimeNs now_ = kSimulationEpoch;
  ConnectionId next_id_ = 1;
  std::array<std::optional<ConnectionId>, kSlots> slots_;
  std::set<ConnectionId> live_;
  std::vector<ConnectionId> closed_by_engine_;
  std::deque<std::uint64_t> pending_webhooks_;
};

}  // namespace pushsim::fuzz
