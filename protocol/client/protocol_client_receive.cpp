// Frames on an established connection: what each server event does to the client's state
// and which ClientEvent the application sees. Whatever no handler claims reaches the
// application as a ClientMessage, so a harness sees every frame a server sent.
#include <limits>
#include <utility>

#include "protocol/client/client_frames.hpp"
#include "protocol/client/protocol_client.hpp"

namespace pushsim {

void ProtocolClient::handle_frame(TimeNs /*now*/, const Frame& frame, std::string_view text) {
  const std::string& event = frame.event;
  if (event == events::kPing) {
    send(encode_pong());
  } else if (event == events::kPong) {
    // Its arrival already restarted the activity timer; nothing else to do.
  } else if (event == events::kError) {
    emit(server_error_event(frame, text));
  } else if (event == events::kConnectionEstablished) {
    protocol_error("pusher:connection_established on an established connection", text);
  } else if (event == events::kSigninSuccess) {
    handle_signin_success(frame, text);
  } else if (event == events::kSubscriptionSucceeded) {
    handle_subscription_succeeded(frame, text);
  } else if (event == events::kSubscriptionError) {
    handle_subscription_error(frame);
  } else if (event == events::kMemberAdded || event == events::kMemberRemoved) {
    handle_member_event(frame, text);
  } else {
    emit(ClientMessage{frame});
  }
}

ClientError ProtocolClient::server_error_event(const Frame& frame, std::string_view text) {
  ClientError error{ClientErrorKind::kServer, std::nullopt, "", std::string(text)};
  Json data = frame.decoded_data();  // official: an object; Reverb: a JSON string
  if (!data.is_object()) return error;
  auto code = data.find("code");
  if (code != data.end() && code->is_number_integer()) {
    auto value = code->get<std::int64_t>();
    if (value >= std::numeric_limits<int>::min() && value <= std::numeric_limits<int>::max()) {
      error.code = static_cast<int>(value);
    }
  }
  auto message = data.find("message");
  if (message != data.end() && message->is_string()) error.message = message->get<std::string>();
  return error;
}

void ProtocolClient::handle_subscription_succeeded(const Frame& frame, std::string_view text) {
  Channel* channel = find_channel(frame.channel);
  if (channel == nullptr ||
      (channel->state != SubscriptionState::kSubscribing && channel->state != SubscriptionState::kSubscribed)) {
    emit(ClientMessage{frame});  // a success we never asked for: show it, change nothing
    return;
  }
  const std::string& name = *frame.channel;
  if (channel->cancelled) {
    // The application left while this was pending: leave now that the server has us.
    send(encode_unsubscribe(name));
    channels_.erase(channels_.find(name));
    return;
  }
  channel->state = SubscriptionState::kSubscribed;
  Json data = frame.decoded_data();
  if (channel->members) {
    if (auto error = channel->members->on_subscription(data)) protocol_error(error->message, text);
  }
  emit(SubscriptionSucceeded{name, std::move(data), channel->members});
}

void ProtocolClient::handle_subscription_error(const Frame& frame) {
  Channel* channel = find_channel(frame.channel);
  if (channel == nullptr) {
    emit(ClientMessage{frame});
    return;
  }
  const std::string& name = *frame.channel;
  // The subscription is over; the channel stays wanted (retried on subscribe or reconnect)
  // unless the application had already left it.
  if (channel->state == SubscriptionState::kSubscribing) {
    if (channel->cancelled) {
      channels_.erase(channels_.find(name));
    } else {
      channel->state = SubscriptionState::kUnsubscribed;
    }
  }
  emit(SubscriptionError{name, frame.decoded_data(), /*local=*/false});
}

void ProtocolClient::handle_member_event(const Frame& frame, std::string_view text) {
  Channel* channel = find_channel(frame.channel);
  bool live = channel != nullptr &&
              (channel->state == SubscriptionState::kSubscribing || channel->state == SubscriptionState::kSubscribed);
  if (!live || !channel->members) {
    emit(ClientMessage{frame});
    return;
  }
  const std::string& name = *frame.channel;
  Json data = frame.decoded_data();
  if (frame.event == events::kMemberAdded) {
    auto added = channel->members->add(data);
    if (!added) return protocol_error(added.error().message, text);
    emit(PresenceMemberAdded{name, std::move(added).value()});
    return;
  }
  auto removed = channel->members->remove(data);
  if (!removed) return protocol_error(removed.error().message, text);
  if (removed.value()) emit(PresenceMemberRemoved{name, std::move(*removed.value())});
}

void ProtocolClient::handle_signin_success(const Frame& frame, std::string_view text) {
  Json data = frame.decoded_data();
  const Json* user_data = nullptr;
  if (data.is_object() && data.contains("user_data") && data.at("user_data").is_string())
    user_data = &data.at("user_data");
  Json parsed = user_data ? Json::parse(user_data->get<std::string>(), nullptr, /*allow_exceptions=*/false)
                          : Json(Json::value_t::discarded);
  // pusher-js forgets the user on a success it cannot read, as on a failed sign-in.
  if (parsed.is_discarded() || !parsed.is_object()) {
    user_data_.reset();
    drop_user_channel("");
    return protocol_error("failed parsing user_data after signin", text);
  }
  auto id = parsed.find("id");
  if (id == parsed.end() || !id->is_string() || id->get<std::string>().empty()) {
    user_data_.reset();
    drop_user_channel("");
    return protocol_error("user_data after signin has no non-empty string id", text);
  }
  std::string user_id = id->get<std::string>();
  user_data_ = parsed;
  emit(SigninSucceeded{std::move(parsed)});
  subscribe_user_channel(user_id);
}

void ProtocolClient::protocol_error(std::string message, std::string_view text) {
  emit(ClientError{ClientErrorKind::kProtocol, std::nullopt, std::move(message), std::string(text)});
}

ProtocolClient::Channel* ProtocolClient::find_channel(const std::optional<std::string>& name) {
  if (!name) return nullptr;
  auto it = channels_.find(*name);
  return it == channels_.end() ? nullptr : &it->second;
}

}  // namespace pushsim
