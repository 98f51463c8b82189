#pragma once
// What every target sends the same way, whatever carries it: the signed (or deliberately
// mis-signed) REST request of a step, and a scenario client's subscribe and sign-in: the auth
// a step asks for, the presence channel_data, the frame (built in protocol/client), and the
// refused auth that pusher-js raises itself. The simulation and live targets both call these
// and keep only their I/O, so a scenario means the same bytes on either.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/scenario.hpp"
#include "harness/target.hpp"
#include "protocol/frame.hpp"
#include "protocol/server/engine.hpp"
#include "protocol/signing.hpp"

namespace pushsim::harness {

// A scenario's settings for the named app `name` (its `apps:` entry, if any) put on `app`.
void apply_app_settings(AppConfig& app, const std::string& name, const std::vector<AppSettings>& settings);

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

// A target's sign_for for one client: it knows the client's app and socket_id.
using ClientSigner = std::function<Result<std::string>(const Signer& sign)>;

// The channel_data a presence subscribe signs and sends: the step's own (a string kept as is,
// anything else JSON-encoded), else {"user_id":..,"user_info":..} from the client's spec.
std::string presence_channel_data(const std::optional<Json>& channel_data, const ClientSpec& spec);

// The `auth_refuse` steps so far: the app's auth endpoint refuses (403) a client's (none: any
// client's) auth for a channel (none: any channel).
class AuthRefusals {
 public:
  void add(std::optional<std::string> client, std::optional<std::string> channel);
  bool refuses(const std::string& client, const std::string& channel) const;

 private:
  std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> refusals_;
};

// What a scenario client's subscribe does: send `text`, or, when the app's auth endpoint
// refuses it, send nothing and observe `local_frame`, the subscription_error pusher-js raises.
struct SubscribeEffect {
  std::optional<std::string> text;
  std::optional<Frame> local_frame;
};

// A subscribe step, for a client whose own auth calls `refusals` may refuse. Only a valid
// auth goes to the auth endpoint, and only for a channel that needs one (pusher-js asks for
// no other); other choices are the step's own, sent as it says (a literal also on a public
// channel). An error when a signature is needed and the client has no socket_id yet.
Result<SubscribeEffect> subscribe_effect(const ClientSpec& client, const std::string& channel, const AuthChoice& auth,
                                         const std::optional<Json>& channel_data, const AuthRefusals& refusals,
                                         const ClientSigner& sign);

// The text of a sign-in step: user_data {"id":..,"user_info":..} from the client's spec, and
// the auth the step asks for.
Result<std::string> signin_text(const ClientSpec& client, const AuthChoice& auth, const ClientSigner& sign);

// pusher-js's local report of a refused auth call (HTTP 403): nothing reaches the server.
Frame auth_refused_frame(const std::string& channel);

}  // namespace pushsim::harness
