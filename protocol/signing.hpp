#pragma once
// Signatures of the Pusher protocol (docs/protocol.md §4, §7.2, §8.1), with OpenSSL.
// Every function here reproduces tests/data/vectors.json (made by the official Node SDK) exactly.
// Signatures are lowercase hex; comparisons are in constant time and case-sensitive.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/http.hpp"
#include "protocol/result.hpp"

namespace pushsim {

struct AppCredentials {
  std::string app_id;
  std::string key;
  std::string secret;
};

// --- primitives --------------------------------------------------------------------------
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string md5_hex(std::string_view data);
std::string sha256_bytes(std::string_view data);  // raw 32 bytes
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);
// Constant-time equality: time depends only on the lengths, never on where bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// --- channel authorization and user authentication (§4) ----------------------------------
// "socket_id:channel" or, for presence, "socket_id:channel:channel_data".
std::string channel_string_to_sign(std::string_view socket_id, std::string_view channel,
                                   std::optional<std::string_view> channel_data);
// "key:hex" as the auth endpoint returns it.
std::string sign_channel(const AppCredentials& app, std::string_view socket_id, std::string_view channel,
                         std::optional<std::string_view> channel_data = std::nullopt);
// Checks the `auth` a client sent in pusher:subscribe. The key part must be this app's key.
bool verify_channel_auth(const AppCredentials& app, std::string_view auth, std::string_view socket_id,
                         std::string_view channel, std::optional<std::string_view> channel_data);
// "socket_id::user::user_data"
std::string user_string_to_sign(std::string_view socket_id, std::string_view user_data);
std::string sign_user(const AppCredentials& app, std::string_view socket_id, std::string_view user_data);
bool verify_user_auth(const AppCredentials& app, std::string_view auth, std::string_view socket_id,
                      std::string_view user_data);
// base64(SHA-256(channel_name || master_key)); master key is 32 bytes, given base64-encoded.
Result<std::string> encrypted_channel_shared_secret(std::string_view channel, std::string_view master_key_base64);

// --- REST request signing (§7.2) ---------------------------------------------------------
struct SignedRestRequest {
  std::string method;        // uppercase
  std::string path;          // "/apps/1/events"
  std::string query_string;  // sorted params then "&auth_signature=<hex>", values not URL-encoded
  std::string body;          // as given; empty for GET
  std::string target() const { return path + "?" + query_string; }
};
// Signs as the Node SDK does: adds auth_key, auth_timestamp, auth_version=1.0 and, when the
// body is non-empty, body_md5; sorts by key; HMACs "METHOD\npath\nk=v&...".
SignedRestRequest sign_rest_request(const AppCredentials& app, std::string_view method, std::string_view path,
                                    const QueryParams& params, std::string_view body, std::int64_t auth_timestamp);
std::string rest_string_to_sign(std::string_view method, std::string_view path,
                                const QueryParams& params_without_signature);

struct RestVerifyOptions {
  bool check_timestamp = true;
  std::int64_t timestamp_window_s = 600;  // inclusive: 600 s off either way is still within it
  // Deliberately wrong verifiers (protocol/server/defects.hpp); all off in the reference.
  bool future_timestamp_accepted = false;     // only the past edge of the window is checked
  bool window_exclusive = false;              // exactly 600 s off is refused
  bool uppercase_signature_accepted = false;  // the hex signature compared case-insensitively
  bool unsorted_params = false;               // parameters signed in the order they came
  bool body_md5_last = false;                 // body_md5 signed after every other parameter
};
// Verifies a received request against an app: auth_key is the app's key, auth_version is 1.0,
// auth_timestamp within the window of now_s, body_md5 matches the body when there is one, and
// auth_signature matches. The Error's code is the HTTP status to answer (401 or 400) and its
// message the explanation to put in the body (never the secret or the expected signature).
// 400: a duplicated parameter, auth_version other than 1.0, auth_timestamp not whole digits.
// 401: a missing auth_key/auth_timestamp/auth_version/auth_signature (or body_md5 with a
// body), another app's key, a stale timestamp (the official "Timestamp expired: ..."
// wording), a wrong body_md5, a wrong signature (the message shows the string to sign).
std::optional<Error> verify_rest_request(const AppCredentials& app, std::string_view method, std::string_view path,
                                         const QueryParams& params, std::string_view body, std::int64_t now_s,
                                         const RestVerifyOptions& options = {});

// --- webhooks (§8.1) ---------------------------------------------------------------------
std::string sign_webhook(std::string_view secret, std::string_view body);
// As the Node SDK's validator: content-type exactly application/json, X-Pusher-Key equal to
// the key, X-Pusher-Signature equal (case-sensitive) to the HMAC of the raw body.
std::optional<Error> verify_webhook(const AppCredentials& app, const std::vector<Header>& headers,
                                    std::string_view body);

}  // namespace pushsim
