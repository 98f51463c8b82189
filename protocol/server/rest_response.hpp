#pragma once
// Building the REST API's responses: compact JSON bodies with Content-Type application/json.
#include <string>
#include <string_view>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"

namespace pushsim {

// A JSON response. Strings that are not valid UTF-8 (they can only come from a peer, e.g. a
// percent-decoded path echoed in a message) are replaced rather than thrown on.
HttpResponse rest_json_response(int status, const Json& body);
// {"error": message} with the given status.
HttpResponse rest_error_response(int status, std::string_view message);
// An Error whose code is an HTTP status (400 when it carries none).
HttpResponse rest_error_response(const Error& error);

// "string", "number", "object", ... for messages that say what was given instead.
std::string json_type_name(const Json& value);

}  // namespace pushsim
