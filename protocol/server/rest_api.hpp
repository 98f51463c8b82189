#pragma once
// The HTTP REST API of the reference engine (docs/protocol.md §7): routing, signature checks,
// request validation, and the JSON bodies and status codes of the official service.
#include "protocol/http.hpp"
#include "protocol/time.hpp"

namespace pushsim {

class Engine;

// Answers one request; never throws. Errors answer with the status of §7.1 and a JSON body
// {"error": "<explanation>"}.
HttpResponse handle_rest_request(Engine& engine, TimeNs now, const HttpRequest& request);

}  // namespace pushsim
