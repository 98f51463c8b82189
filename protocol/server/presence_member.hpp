#pragma once
// Reading the `channel_data` of a presence subscription (docs/protocol.md §3.1, §3.4).
#include <string_view>

#include "protocol/limits.hpp"
#include "protocol/result.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim {

// channel_data must be a JSON object string of at most limits.presence_user_object_max_bytes
// bytes, with a `user_id` that is a string, or an integer that we turn into its decimal
// string (as poxa does; the docs say string, soketi keeps the number), of at most
// limits.presence_user_id_max characters from the channel-name character set. `user_info`
// is optional and kept as given (null when absent).
Result<PresenceMember> parse_presence_member(std::string_view channel_data, const Limits& limits);

}  // namespace pushsim
