#pragma once
// The exact frames the reference engine sends, in the official forms of docs/protocol.md §1.3:
// which `data` is a JSON string, which an object, which is absent. Key order inside string
// data follows the official captures (socket_id before activity_timeout); elsewhere Json's
// sorted keys happen to give the official order.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::server_frames {

// {"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",\"activity_timeout\":120}"}
std::string connection_established(std::string_view socket_id, int activity_timeout_s);
// {"event":"pusher:error","data":{"code":4001,"message":"..."}}; a missing code is null.
std::string error(std::optional<int> code, std::string_view message);
// {"event":"pusher:subscription_error","channel":"...","data":{"type":...,"error":...,"status":...}}
// (soketi's refusal, docs/protocol.md §3.3).
std::string subscription_error(std::string_view channel, std::string_view type, std::string_view error, int status);
std::string ping();  // data "{}"
std::string pong();  // data "{}"
// data "{}", or no data at all when with_data is false (soketi's form).
std::string subscription_succeeded(std::string_view channel, bool with_data);
// data "{\"presence\":{\"count\":N,\"hash\":{...},\"ids\":[...]}}", members in join order.
std::string presence_subscription_succeeded(std::string_view channel, const std::vector<PresenceMember>& members);
// object_data sends data as an object instead of the official JSON string (a defect only).
std::string member_added(std::string_view channel, const PresenceMember& member, bool object_data = false);
std::string member_removed(std::string_view channel, std::string_view user_id);
std::string subscription_count(std::string_view channel, std::size_t count);
std::string cache_miss(std::string_view channel);  // no data
// An event with string data forwarded verbatim (REST publish, cache hit).
std::string channel_event(std::string_view channel, std::string_view event, std::string_view data);
// A relayed client event: data exactly as received (or absent), user_id on presence.
std::string client_event(std::string_view channel, std::string_view event, const std::optional<Json>& data,
                         const std::optional<std::string>& user_id);
// {"event":"pusher:signin_success","data":{"user_data":"..."}}
std::string signin_success(std::string_view user_data);
// One watchlist entry: {"name":"online"|"offline","user_ids":[...]}.
struct WatchlistEvent {
  std::string name;
  std::vector<std::string> user_ids;
};
// {"event":"pusher_internal:watchlist_events","data":{"events":[...]}} (connection-level: no
// channel; data an object, as docs/protocol.md §4.6 shows it).
std::string watchlist_events(const std::vector<WatchlistEvent>& events);

}  // namespace pushsim::server_frames
