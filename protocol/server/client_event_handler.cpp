// Client events (§5): checked, rate-limited, relayed to every other subscriber.
//
// Checks, in order: the name starts with client- and fits limits.event_name_max; the frame
// names a channel; the app allows client events; the channel is private or presence; the
// sender is subscribed; the data fits limits.event_data_max_bytes; the rate limit. Only the
// rate limit has a code (4301); every other refusal is code null with the messages
// re-implementations of the official service use. The connection stays open either way.
#include "protocol/channel_name.hpp"
#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {
namespace {

// Size of the data as the sender serialised it (Json dumps compactly; close enough for a limit).
std::size_t data_size(const std::optional<Json>& data) {
  if (!data) return 0;
  if (data->is_string()) return data->get_ref<const std::string&>().size();
  return data->dump().size();
}

}  // namespace

void Engine::State::on_client_event(TimeNs now, Connection& connection, const Frame& frame) {
  const AppConfig& app = *connection.app;
  auto refuse = [&](std::optional<int> code, const std::string& message) { send_error(connection.id, code, message); };
  if (!frame.event.starts_with(events::kClientEventPrefix)) {
    return refuse(server_codes::kNonFatal,
                  "Unsupported event " + frame.event + ": client event names must start with client-");
  }
  if (auto invalid = validate_event_name(frame.event, options.limits.event_name_max)) {
    return refuse(server_codes::kNonFatal, "Client event rejected - " + invalid->message);
  }
  if (!frame.channel) return refuse(server_codes::kNonFatal, "Client event rejected - no channel given");
  const std::string& channel = *frame.channel;
  if (!app.client_events && !options.defects.has(Defect::kClientEventsSettingIgnored)) {
    return refuse(server_codes::kNonFatal,
                  "To send client events, you must enable this feature in the Settings page of your dashboard.");
  }
  const ChannelKind kind = classify_channel(channel).kind;
  const bool public_allowed = options.defects.has(Defect::kClientEventsOnPublic) && kind == ChannelKind::kPublic;
  if (!allows_client_events(kind) && !public_allowed) {
    return refuse(server_codes::kNonFatal, "Client event rejected - only supported on private and presence channels");
  }
  if (!registry.is_subscribed(app.id, channel, connection.id)) {
    return refuse(server_codes::kNonFatal, "Client event rejected - not subscribed to " + channel);
  }
  if (data_size(frame.data) > options.limits.event_data_max_bytes) {
    return refuse(server_codes::kNonFatal, "Client event rejected - data is over " +
                                               std::to_string(options.limits.event_data_max_bytes) + " bytes");
  }
  if (!take_rate_token(now, connection)) {
    return refuse(server_codes::kClientEventRateLimit, "Client event rejected due to rate limit");
  }

  std::optional<std::string> user_id;
  if (kind == ChannelKind::kPresence) user_id = registry.member_of(app.id, channel, connection.id);
  const std::optional<ConnectionId> except =
      options.defects.has(Defect::kEchoClientEvents) ? std::nullopt : std::optional(connection.id);
  const std::optional<std::string> relayed_user_id =
      options.defects.has(Defect::kNoUserIdOnClientEvent) ? std::nullopt : user_id;
  std::string text = server_frames::client_event(channel, frame.event, frame.data, relayed_user_id);
  if (options.defects.has(Defect::kRelayToUnsubscribed)) {
    relay_later(now, app, channel, std::move(text), except);
  } else {
    broadcast(app, channel, std::move(text), except);
  }
  WebhookEvent relayed = webhook_event("client_event", channel);
  if (!options.defects.has(Defect::kNoUserIdInClientEventWebhook)) relayed.user_id = user_id;
  if (options.defects.has(Defect::kUserIdInPrivateClientEventWebhook) && kind != ChannelKind::kPresence) {
    relayed.user_id = connection.user_id;
  }
  relayed.event = frame.event;
  relayed.data = frame.data;
  if (!options.defects.has(Defect::kNoSocketIdInClientEventWebhook)) relayed.socket_id = connection.socket_id;
  emit_webhook(now, app, std::move(relayed));
}

// The broken relay: the recipients are listed now and sent to after a round trip, skipping
// only connections that are gone altogether, not those that unsubscribed meanwhile.
void Engine::State::relay_later(TimeNs now, const AppConfig& app, const std::string& channel, std::string text,
                                std::optional<ConnectionId> except) {
  std::vector<ConnectionId> recipients = registry.subscribers(app.id, channel);
  std::erase_if(recipients, [&](ConnectionId id) { return except && *except == id; });
  auto shared = std::make_shared<const std::string>(std::move(text));
  defer(now, [this, recipients = std::move(recipients), shared](TimeNs) {
    for (ConnectionId id : recipients) {
      if (find(id) != nullptr) send_shared(id, shared);
    }
  });
}

// A fixed window of one second opened by the first event after the previous window ended;
// only events that passed every other check count against it.
bool Engine::State::take_rate_token(TimeNs now, Connection& connection) {
  if (now - connection.rate_window_start >= seconds(1) || connection.rate_window_events == 0) {
    connection.rate_window_start = now;
    connection.rate_window_events = 0;
  }
  if (connection.rate_window_events >= options.limits.client_events_per_second_max) return false;
  ++connection.rate_window_events;
  return true;
}

}  // namespace pushsim
