#pragma once
// What pusher-js does when an auth call fails (docs/protocol.md §4): it sends nothing for the
// channel (or the sign-in) and raises the failure itself, never hearing from the server. For
// a channel that is a pusher:subscription_error on the channel with the data
// {"type":"AuthError","error":<message>,"status":<HTTP status>}; the channel stays wanted and
// is tried again on the next connection. The messages are pusher-js's own wording.
//
// The protocol client, the simulated browsers' auth round trip (fakes::SimClient) and the
// scenario targets' auth_refuse all raise it from here, so a refused auth looks the same
// wherever it is played.
#include <optional>
#include <string>
#include <string_view>

#include "protocol/client/client_outputs.hpp"
#include "protocol/client/protocol_client.hpp"
#include "protocol/frame.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"

namespace pushsim {

// "channel-authorization" or "user-authentication", as pusher-js names its endpoints.
std::string_view auth_endpoint_name(AuthKind kind);

// {"type":"AuthError","error":message,"status":status}; no status: the key is left out.
Json auth_error_data(std::string message, std::optional<int> status);

// The error pusher-js raises when the endpoint answered 200 with a body that is not a JSON object.
Json invalid_auth_json_error(AuthKind kind);

// What pusher-js makes of the auth endpoint's answer to a request for `path`: the parsed body
// on 200 (an unparsable one stays discarded, for the client to reject), else a failure with
// the status and pusher-js's message; no answer at all is status 0.
AuthResult auth_result_of(AuthKind kind, std::string_view path, const std::optional<HttpResponse>& response);

// The pusher:subscription_error frame pusher-js raises on `channel` by itself, with the
// decoded data an application sees.
Frame local_subscription_error(std::string channel, Json data);

}  // namespace pushsim
