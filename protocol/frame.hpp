#pragma once
// The WebSocket message envelope (docs/protocol.md §1.2–1.3): one JSON object per text frame,
//   {"event": string, "channel"?: string, "data"?: string|object|..., "user_id"?: string}
//
// `data` is kept exactly as it was on the wire (a JSON string stays a string), because the
// string-vs-object form is itself a conformance point. decoded_data() is the lenient view
// pusher-js takes: a string that parses as JSON becomes that JSON, anything else is kept.
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json.hpp"
#include "protocol/result.hpp"

namespace pushsim {

struct Frame {
  std::string event;
  std::optional<std::string> channel;
  std::optional<Json> data;
  std::optional<std::string> user_id;

  bool operator==(const Frame&) const = default;

  // data as pusher-js sees it: string data parsed as JSON when it parses, else as is.
  Json decoded_data() const;

  // Builders for the two official data forms.
  static Frame with_string_data(std::string event, std::optional<std::string> channel, const Json& payload);
  static Frame with_object_data(std::string event, std::optional<std::string> channel, Json payload);
};

// Parses one text frame. Never throws: malformed input (not JSON, not an object, a missing
// or non-string event, a non-string channel or user_id) gives an Error that says what is
// wrong, with code 4200-range left to the caller (the engine decides what to send).
Result<Frame> decode_frame(std::string_view text);

// Serialises with keys in the official order: event, channel, data, user_id.
std::string encode_frame(const Frame& frame);

// Short printable form for traces and diffs, e.g. `pusher:subscribe #my-channel {"auth":""}`.
std::string describe_frame(const Frame& frame);

// Protocol event names used on the wire.
namespace events {
inline constexpr std::string_view kConnectionEstablished = "pusher:connection_established";
inline constexpr std::string_view kError = "pusher:error";
inline constexpr std::string_view kPing = "pusher:ping";
inline constexpr std::string_view kPong = "pusher:pong";
inline constexpr std::string_view kSubscribe = "pusher:subscribe";
inline constexpr std::string_view kUnsubscribe = "pusher:unsubscribe";
inline constexpr std::string_view kSignin = "pusher:signin";
inline constexpr std::string_view kSigninSuccess = "pusher:signin_success";
inline constexpr std::string_view kCacheMiss = "pusher:cache_miss";
inline constexpr std::string_view kSubscriptionError = "pusher:subscription_error";
inline constexpr std::string_view kSubscriptionSucceeded = "pusher_internal:subscription_succeeded";
inline constexpr std::string_view kMemberAdded = "pusher_internal:member_added";
inline constexpr std::string_view kMemberRemoved = "pusher_internal:member_removed";
inline constexpr std::string_view kSubscriptionCount = "pusher_internal:subscription_count";
inline constexpr std::string_view kWatchlistEvents = "pusher_internal:watchlist_events";
inline constexpr std::string_view kClientEventPrefix = "client-";
}  // namespace events

}  // namespace pushsim
