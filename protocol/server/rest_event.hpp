#pragma once
// The events a REST publish request carries (docs/protocol.md §6, §7.3), parsed and validated
// before anything is delivered: a request that fails any check publishes nothing.
//
// Errors carry the HTTP status (400, or 413 for oversized data) and name the offending field
// the way a caller would find it in the body: "channels[3]", "batch[2].socket_id".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/limits.hpp"
#include "protocol/result.hpp"
#include "protocol/server/rest_info.hpp"

namespace pushsim {

struct RestEvent {
  std::string name;
  std::string data;
  std::vector<std::string> channels;     // unique, in request order
  std::optional<std::string> socket_id;  // the connection not to deliver to
  std::optional<InfoRequest> info;       // present when the request asked for attributes
};

// A request body that must be a JSON object.
Result<Json> parse_json_object_body(std::string_view body);

// The body of POST /events: name, data, channels (1..limit) or channel, socket_id?, info?.
Result<RestEvent> parse_trigger(const Json& body, const Limits& limits);

// The body of POST /batch_events: {"batch": [{channel, name, data, socket_id?, info?}, ...]}
// with 1..limits.batch_events_max items.
Result<std::vector<RestEvent>> parse_batch(const Json& body, const Limits& limits);

// A channel an application may publish to: a valid name, or #server-to-user-{valid user id}.
std::optional<Error> validate_publish_channel(std::string_view name, const Limits& limits);

}  // namespace pushsim
