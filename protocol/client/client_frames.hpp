#pragma once
// The frames a client sends, byte for byte in the forms pusher-js sends (docs/protocol.md §3.1,
// §4.5, §5, §1.6). pusher-js builds them with JSON.stringify, whose key order is insertion
// order, and some of those orders are not sorted (presence subscribe puts channel_data before
// channel; client events put data before channel). Json would sort keys, so the envelopes
// are assembled here by hand; only the values go through Json.
//
// A value that is absent (std::nullopt) is left out, as JSON.stringify leaves out undefined.
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json.hpp"

namespace pushsim {

// Serialises without ever throwing: bytes that are not UTF-8 become U+FFFD.
std::string dump_json(const Json& value);

// {"event":"pusher:subscribe","data":{"auth":…,"channel_data":…,"channel":"…"}}
std::string encode_subscribe(const std::optional<Json>& auth, const std::optional<Json>& channel_data,
                             std::string_view channel);
// {"event":"pusher:unsubscribe","data":{"channel":"…"}}
std::string encode_unsubscribe(std::string_view channel);
// {"event":"pusher:signin","data":{"auth":…,"user_data":…}}
std::string encode_signin(const std::optional<Json>& auth, const std::optional<Json>& user_data);
// {"event":"client-…","data":…,"channel":"…"}
std::string encode_client_event(std::string_view event, const Json& data, std::string_view channel);
// {"event":"pusher:ping","data":{}} and {"event":"pusher:pong","data":{}}
std::string encode_ping();
std::string encode_pong();

}  // namespace pushsim
