// Subscriptions, client events and the asynchronous auth round trips (docs/protocol.md §3, §4, §5).
#include <algorithm>
#include <utility>

#include "protocol/channel_name.hpp"
#include "protocol/client/auth_error.hpp"
#include "protocol/client/client_frames.hpp"
#include "protocol/client/protocol_client.hpp"

namespace pushsim {
namespace {

std::optional<Json> member(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  return *it;
}

}  // namespace

std::optional<Error> ProtocolClient::subscribe(TimeNs /*now*/, std::string_view name) {
  if (!name.empty() && name.front() == '#') {
    return make_error("cannot subscribe to '" + std::string(name) + "': names starting with '#' are reserved");
  }
  auto [it, inserted] = channels_.try_emplace(std::string(name));
  Channel& channel = it->second;
  if (inserted) channel.order = next_channel_order_++;
  switch (channel.state) {
    case SubscriptionState::kSubscribing:
      channel.cancelled = false;  // reinstated: sub-unsub-sub = sub, with a single frame
      break;
    case SubscriptionState::kPendingAuth:
    case SubscriptionState::kSubscribed: break;  // sub-sub = sub
    case SubscriptionState::kUnsubscribed:
      if (state_ == ConnectionState::kConnected) start_subscription(it->first, channel);
      break;
  }
  return std::nullopt;
}

void ProtocolClient::unsubscribe(TimeNs /*now*/, std::string_view name) {
  auto it = channels_.find(name);
  if (it == channels_.end() || it->second.user_channel) return;
  Channel& channel = it->second;
  switch (channel.state) {
    case SubscriptionState::kSubscribing:
      channel.cancelled = true;  // the unsubscribe goes out when subscription_succeeded arrives
      return;
    case SubscriptionState::kPendingAuth:
      pending_auth_.erase(channel.auth_request_id);  // its answer is now stale
      break;
    case SubscriptionState::kSubscribed: send(encode_unsubscribe(it->first)); break;
    case SubscriptionState::kUnsubscribed: break;  // nothing was sent for it on this connection
  }
  channels_.erase(it);
}

std::optional<Error> ProtocolClient::send_client_event(TimeNs /*now*/, std::string_view name, std::string_view event,
                                                       const Json& data) {
  if (event.substr(0, events::kClientEventPrefix.size()) != events::kClientEventPrefix) {
    return make_error("event '" + std::string(event) + "' does not start with 'client-'");
  }
  ChannelKind kind = classify_channel(name).kind;
  if (!allows_client_events(kind)) {
    return make_error("client events are only supported on private and presence channels; '" + std::string(name) +
                      "' is " + std::string(to_string(kind)));
  }
  auto it = channels_.find(name);
  if (it == channels_.end() || it->second.state != SubscriptionState::kSubscribed) {
    return make_error("not subscribed to '" + std::string(name) + "'");
  }
  if (data.is_discarded()) return make_error("client event data is not a JSON value");
  send(encode_client_event(event, data, name));
  return std::nullopt;
}

void ProtocolClient::signin(TimeNs /*now*/) {
  if (signin_requested_) return;
  signin_requested_ = true;
  if (state_ == ConnectionState::kConnected) request_signin();
}

bool ProtocolClient::on_auth_response(TimeNs /*now*/, std::uint64_t request_id, const AuthResult& result) {
  auto pending = pending_auth_.find(request_id);
  if (pending == pending_auth_.end()) return false;
  PendingAuth request = std::move(pending->second);
  pending_auth_.erase(pending);
  if (request.kind == AuthKind::kUser) {
    signin_request_id_ = 0;
    apply_user_auth(result);
    return true;
  }
  auto it = channels_.find(request.channel);
  if (it == channels_.end() || it->second.state != SubscriptionState::kPendingAuth ||
      it->second.auth_request_id != request_id) {
    return false;
  }
  it->second.auth_request_id = 0;
  apply_channel_auth(it->first, it->second, result);
  return true;
}

// --- private -------------------------------------------------------------------------------

void ProtocolClient::start_subscription(const std::string& name, Channel& channel) {
  channel.cancelled = false;
  ChannelKind kind = classify_channel(name).kind;
  if (kind == ChannelKind::kPresence && !channel.members) channel.members.emplace();
  if (requires_auth(kind)) {
    channel.state = SubscriptionState::kPendingAuth;
    channel.auth_request_id = new_auth_request(AuthKind::kChannel, name);
    return;
  }
  send(encode_subscribe(Json(""), std::nullopt, name));  // pusher-js sends an empty auth
  channel.state = SubscriptionState::kSubscribing;
}

void ProtocolClient::apply_channel_auth(const std::string& name, Channel& channel, const AuthResult& result) {
  if (const auto* failure = std::get_if<AuthFailure>(&result)) {
    return fail_channel_auth(name, channel, auth_error_data(failure->message, failure->status));
  }
  const Json& body = std::get<Json>(result);
  if (!body.is_object()) return fail_channel_auth(name, channel, invalid_auth_json_error(AuthKind::kChannel));
  ChannelKind kind = classify_channel(name).kind;
  std::optional<Json> channel_data = member(body, "channel_data");
  if (kind == ChannelKind::kPresence) {
    // pusher-js needs channel_data to know which member is `me`.
    Json parsed = channel_data && channel_data->is_string()
                      ? Json::parse(channel_data->get<std::string>(), nullptr, /*allow_exceptions=*/false)
                      : Json(Json::value_t::discarded);
    if (!parsed.is_object()) {
      return fail_channel_auth(name, channel,
                               auth_error_data("Invalid auth response for channel '" + name +
                                                   "', expected 'channel_data' field holding a JSON object",
                                               std::nullopt));
    }
    channel.members->set_my_id(parsed.contains("user_id") ? member_key(parsed.at("user_id")) : std::nullopt);
  }
  if (kind == ChannelKind::kEncrypted) {
    // The shared secret stays here: only auth goes to the server (§4.4).
    auto secret = member(body, "shared_secret");
    if (!secret || !secret->is_string()) {
      return fail_channel_auth(
          name, channel,
          auth_error_data("No shared_secret key in auth payload for encrypted channel: " + name, std::nullopt));
    }
    channel.shared_secret = secret->get<std::string>();
    channel_data.reset();
  }
  send(encode_subscribe(member(body, "auth"), channel_data, name));
  channel.state = SubscriptionState::kSubscribing;
}

void ProtocolClient::fail_channel_auth(const std::string& name, Channel& channel, Json data) {
  channel.state = SubscriptionState::kUnsubscribed;  // still wanted: retried on the next connection
  emit(SubscriptionError{name, std::move(data), /*local=*/true});
}

void ProtocolClient::request_signin() { signin_request_id_ = new_auth_request(AuthKind::kUser, ""); }

void ProtocolClient::apply_user_auth(const AuthResult& result) {
  const auto* failure = std::get_if<AuthFailure>(&result);
  const Json* body = std::get_if<Json>(&result);
  if (failure != nullptr || !body->is_object()) {
    // pusher-js forgets any signed-in user when a sign-in fails.
    user_data_.reset();
    drop_user_channel("");
    emit(SigninFailed{failure != nullptr ? auth_error_data(failure->message, failure->status)
                                         : invalid_auth_json_error(AuthKind::kUser)});
    return;
  }
  send(encode_signin(member(*body, "auth"), member(*body, "user_data")));
}

void ProtocolClient::subscribe_user_channel(const std::string& user_id) {
  std::string name = "#server-to-user-" + user_id;
  drop_user_channel(name);
  auto [it, inserted] = channels_.try_emplace(name);
  Channel& channel = it->second;
  if (inserted) channel.order = next_channel_order_++;
  channel.user_channel = true;
  if (channel.state == SubscriptionState::kUnsubscribed && state_ == ConnectionState::kConnected) {
    start_subscription(it->first, channel);
  }
}

void ProtocolClient::drop_user_channel(std::string_view keep) {
  // A new sign-in replaces the old user's channel; pusher-js drops it without a frame.
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (it->second.user_channel && it->first != keep) {
      it = channels_.erase(it);
    } else {
      ++it;
    }
  }
}

std::uint64_t ProtocolClient::new_auth_request(AuthKind kind, const std::string& channel) {
  std::uint64_t id = next_request_id_++;
  pending_auth_[id] = PendingAuth{kind, channel};
  outputs_.emplace_back(AuthRequest{id, kind, channel, socket_id_.value_or("")});
  return id;
}

// --- observation ---------------------------------------------------------------------------

SubscriptionState ProtocolClient::subscription_state(std::string_view name) const {
  auto it = channels_.find(name);
  return it == channels_.end() ? SubscriptionState::kUnsubscribed : it->second.state;
}

bool ProtocolClient::subscription_cancelled(std::string_view name) const {
  auto it = channels_.find(name);
  return it != channels_.end() && it->second.cancelled;
}

std::vector<std::string> ProtocolClient::channels() const {
  std::vector<std::pair<std::uint64_t, std::string>> order;
  for (const auto& [name, channel] : channels_) order.emplace_back(channel.order, name);
  std::sort(order.begin(), order.end());
  std::vector<std::string> names;
  for (auto& [rank, name] : order) names.push_back(std::move(name));
  return names;
}

const PresenceMembers* ProtocolClient::members(std::string_view name) const {
  auto it = channels_.find(name);
  if (it == channels_.end() || !it->second.members) return nullptr;
  return &*it->second.members;
}

std::optional<std::string> ProtocolClient::shared_secret(std::string_view name) const {
  auto it = channels_.find(name);
  return it == channels_.end() ? std::nullopt : it->second.shared_secret;
}

}  // namespace pushsim
