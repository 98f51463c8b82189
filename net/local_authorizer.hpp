#pragma once
// Answers a live client's AuthRequests in-process by signing with the app secret, exactly as
// an app server using the official SDK would (authorizeChannel / authenticateUser), so that a
// harness needs no auth endpoint of its own.
#include <optional>
#include <string>

#include "net/live_connection.hpp"
#include "protocol/json.hpp"
#include "protocol/signing.hpp"

namespace pushsim {

struct LocalAuthorizerOptions {
  AppCredentials app;
  // Presence channel_data: {"user_id": "...", "user_info": {...}}. Without it presence
  // subscriptions fail with status 403, as an app server that knows no user would answer.
  std::optional<Json> presence_user;
  // Sign-in user_data: {"id": "...", ...}. Without it sign-in fails with status 403.
  std::optional<Json> user_data;
  // Base64 32-byte key for private-encrypted-* channels (adds shared_secret).
  std::optional<std::string> encryption_master_key_base64;
};

Authorizer make_local_authorizer(LocalAuthorizerOptions options);

}  // namespace pushsim
