#pragma once
// POST /events and POST /batch_events (docs/protocol.md §6, §7.3): validate the whole request,
// then publish through the engine, then report channel attributes when `info` asked for them.
#include <string_view>

#include "protocol/http.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/time.hpp"

namespace pushsim {

HttpResponse handle_trigger(Engine& engine, TimeNs now, const AppConfig& app, std::string_view body);
HttpResponse handle_batch_trigger(Engine& engine, TimeNs now, const AppConfig& app, std::string_view body);

}  // namespace pushsim
