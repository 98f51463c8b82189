#pragma once
// The fake app server's auth endpoints, as an application built on the official SDK would
// serve them: POST /pusher/auth (channel authorization) and POST /pusher/user-auth (user
// authentication), form-encoded bodies as pusher-js sends them, answers signed with the app
// secret in the SDK's JSON shapes (docs/protocol.md §4). Who is asking comes from a session
// cookie (`Cookie: session=<name>`), as in a real app; a policy can refuse a channel or a
// user, which answers 403 and reaches the client as a subscription error.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/http_faults.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/signing.hpp"

namespace pushsim::fakes {

inline constexpr const char* kChannelAuthPath = "/pusher/auth";
inline constexpr const char* kUserAuthPath = "/pusher/user-auth";

struct UserProfile {
  std::string id;
  Json info;                                          // null: none given
  std::optional<std::vector<std::string>> watchlist;  // user auth only
};

struct AuthPolicy {
  std::set<std::string> refused_channels;  // 403 for these channel names
  std::set<std::string> refused_users;     // 403 for any auth asked by these user ids
};

struct AuthLogEntry {
  TimeNs at = 0;
  std::string path;
  std::string socket_id;
  std::string channel;  // empty for user auth
  int status = 0;       // 0: not answered (a fault)
};

class AuthServer {
 public:
  AuthServer(AppCredentials app, std::optional<std::string> encryption_master_key_base64 = std::nullopt);

  void add_session(const std::string& session, UserProfile user) { sessions_[session] = std::move(user); }
  AuthPolicy& policy() { return policy_; }
  HttpFaults& faults() { return faults_; }
  const std::vector<AuthLogEntry>& log() const { return log_; }

  // The HTTP face, for the network.
  HttpReply handle(TimeNs now, const HttpRequest& request);

  // The logic, for tests and for drivers that skip HTTP. `user` is the session's user.
  HttpResponse authorize_channel(std::string_view socket_id, std::string_view channel, const UserProfile* user) const;
  HttpResponse authenticate_user(std::string_view socket_id, const UserProfile* user) const;

  // A request as pusher-js makes it: form-encoded body, session cookie.
  static HttpRequest channel_auth_request(std::string_view session, std::string_view socket_id,
                                          std::string_view channel);
  static HttpRequest user_auth_request(std::string_view session, std::string_view socket_id);

 private:
  const UserProfile* session_user(const HttpRequest& request) const;

  AppCredentials app_;
  std::optional<std::string> master_key_;
  AuthPolicy policy_;
  HttpFaults faults_;
  std::map<std::string, UserProfile> sessions_;
  std::vector<AuthLogEntry> log_;
};

// The JSON strings the SDK builds, which are also exactly what gets signed.
std::string presence_channel_data(const UserProfile& user);
std::string user_data(const UserProfile& user);

}  // namespace pushsim::fakes
