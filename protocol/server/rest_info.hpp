#pragma once
// The `info` parameter of the REST API (docs/protocol.md §7.3, §7.4): a comma-separated list of
// channel attributes to report, and the JSON object of attributes for one channel.
#include <string_view>

#include "protocol/json.hpp"
#include "protocol/result.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/time.hpp"

namespace pushsim {

struct InfoRequest {
  bool user_count = false;
  bool subscription_count = false;
  bool cache = false;
};

// Parses "user_count,subscription_count". Entries are trimmed and empty ones skipped; an
// attribute the endpoint does not know (cache is known only when allow_cache) is a 400 that
// names it and lists the accepted ones.
Result<InfoRequest> parse_info(std::string_view list, bool allow_cache);

// The requested attributes that apply to this channel, as the official service reports them:
// user_count for presence channels only (distinct users), subscription_count only when the
// app has the feature on, cache ({"data","ttl"} or null when empty) for cache channels only.
// Checking that an attribute may be asked for is the caller's job; this only leaves out
// what does not apply. Never null: no attributes give {}.
Json channel_attributes(std::string_view name, const ChannelSnapshot& channel, const InfoRequest& info,
                        const AppConfig& app, TimeNs now);

}  // namespace pushsim
