#pragma once
// What every target sends the same way, whatever carries it: the signed (or deliberately
// mis-signed) REST request of a step, the auth signature a subscribe or sign-in carries, the
// presence channel_data a client subscribes with, and the subscription_error pusher-js
// reports when its auth endpoint refuses. The simulation and
// live targets both call these, so a scenario means the same bytes on either.
#include <functional>
#include <optional>
#include <string>

#include "harness/target.hpp"
#include "protocol/frame.hpp"
#include "protocol/signing.hpp"

namespace pushsim::harness {

// How far in the past a `stale_timestamp` request is signed.
inline constexpr std::int64_t kStaleTimestampBy_s = 3600;

// The HTTP request of a REST step, signed at now_s as the call's Signing says.
HttpRequest build_rest_request(const RestCall& call, const AppCredentials& app, std::int64_t now_s);

// A socket_id that is well-formed but belongs to nobody: what `auth: other_socket` signs for.
inline constexpr const char* kOtherSocketId = "123456.7890123";

// Makes a channel or user signature for an app and a socket_id (sign_channel, sign_user).
using Signer = std::function<std::string(const AppCredentials& app, const std::string& socket_id)>;

// The auth a client's subscribe or sign-in carries, as the step's AuthChoice says: a literal
// as is; a valid signature for kOtherSocketId; else a signature for the client's own socket
// (an error naming the client when it has none yet), made with a wrong secret for
// wrong_signature. AuthChoice::kNone (no auth field at all) is the caller's to handle.
Result<std::string> sign_for(const std::string& client, AppCredentials app, const std::optional<std::string>& socket_id,
                             const AuthChoice& auth, const Signer& sign);

// The channel_data a presence subscribe signs and sends: the step's own (a string kept as is,
// anything else JSON-encoded), else {"user_id":..,"user_info":..} from the client's spec.
std::string presence_channel_data(const std::optional<Json>& channel_data, const ClientSpec& spec);

// pusher-js's local report of a refused auth call (HTTP 403): nothing reaches the server.
Frame auth_refused_frame(const std::string& channel);

}  // namespace pushsim::harness
