#pragma once
// The frames a client sends, byte for byte in the forms pusher-js sends (docs/protocol.md §3.1,
// §4.5, §5, §1.6). pusher-js builds them with JSON.stringify, whose key order is insertion
// order, and some of those orders are not sorted (presence subscribe puts channel_data before
// channel; client events put data before channel). Json would sort keys, so the envelopes
// are assembled here by hand; only the values go through Json.
//
// Every client in the project builds its frames here: the protocol client (what pusher-js
// does, for the simulated browsers and the live connections) and the scenario clients of the
// simulation and live targets, which send what a step says. The scenario clients use the
// canonical form (FrameForm): the same values, keys in encode_frame's order with data keys
// sorted. Their frames are part of every recorded trace, and a seed must replay to the same
// trace byte for byte, so their form is fixed; a server must accept both, as JSON keys have
// no order.
//
// A value that is absent (std::nullopt) is left out, as JSON.stringify leaves out undefined.
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json.hpp"

namespace pushsim {

enum class FrameForm {
  kPusherJs,   // the key order pusher-js writes
  kCanonical,  // encode_frame's envelope order (event, channel, data), data keys sorted
};

// Serialises without ever throwing: bytes that are not UTF-8 become U+FFFD.
std::string dump_json(const Json& value);

// kPusherJs:  {"event":"pusher:subscribe","data":{"auth":…,"channel_data":…,"channel":"…"}}
// kCanonical: {"event":"pusher:subscribe","data":{"auth":…,"channel":"…","channel_data":…}}
std::string encode_subscribe(const std::optional<Json>& auth, const std::optional<Json>& channel_data,
                             std::string_view channel, FrameForm form = FrameForm::kPusherJs);
// {"event":"pusher:unsubscribe","data":{"channel":"…"}} (one form: it has one key)
std::string encode_unsubscribe(std::string_view channel);
// {"event":"pusher:signin","data":{"auth":…,"user_data":…}} (one form: pusher-js's order is sorted)
std::string encode_signin(const std::optional<Json>& auth, const std::optional<Json>& user_data);
// kPusherJs:  {"event":"client-…","data":…,"channel":"…"}
// kCanonical: {"event":"client-…","channel":"…","data":…}
std::string encode_client_event(std::string_view event, const Json& data, std::string_view channel,
                                FrameForm form = FrameForm::kPusherJs);
// {"event":"pusher:ping","data":{}} and {"event":"pusher:pong","data":{}}
std::string encode_ping();
std::string encode_pong();

}  // namespace pushsim
