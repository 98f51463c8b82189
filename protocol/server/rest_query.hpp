#pragma once
// The REST API's state queries (docs/protocol.md §7.4): GET /channels, GET /channels/{name} and
// GET /channels/{name}/users. Read-only: they take the engine by const reference.
#include <optional>
#include <string_view>

#include "protocol/http.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/time.hpp"

namespace pushsim {

HttpResponse handle_channels_query(const Engine& engine, TimeNs now, const AppConfig& app, const QueryParams& params);
HttpResponse handle_channel_query(const Engine& engine, TimeNs now, const AppConfig& app, std::string_view channel,
                                  const QueryParams& params);
HttpResponse handle_users_query(const Engine& engine, TimeNs now, const AppConfig& app, std::string_view channel);

// The first value of a query parameter, if given.
std::optional<std::string_view> query_param(const QueryParams& params, std::string_view key);

}  // namespace pushsim
