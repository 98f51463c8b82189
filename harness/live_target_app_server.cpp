// The app server's half of the live target: subscriptions and sign-ins signed here with the
// app secret (including the deliberately wrong signatures scenarios ask for), and REST calls
// signed with the real time and sent over real HTTP.
#include "harness/live_target.hpp"
#include "harness/target_requests.hpp"
#include "net/live_connection.hpp"
#include "net/real_clock.hpp"
#include "net/rest_client.hpp"
#include "protocol/channel_name.hpp"

namespace pushsim::harness {

Result<std::string> LiveTarget::sign_for(const ClientState& client, const AuthChoice& auth, const Signer& sign) const {
  const auto socket = client.connection ? client.connection->socket_id() : std::nullopt;
  return harness::sign_for(client.spec.name, app_of(client), socket, auth, sign);
}

ActionError LiveTarget::subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                                  const std::optional<Json>& channel_data) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  const ChannelKind kind = classify_channel(channel).kind;
  Json data{{"channel", channel}};
  std::optional<std::string> presence_data;
  if (kind == ChannelKind::kPresence) presence_data = presence_channel_data(channel_data, state->spec);
  const bool signed_channel = requires_auth(kind);
  if (auth.kind == AuthChoice::Kind::kValid && signed_channel && refused(client, channel)) {
    // pusher-js: the auth endpoint answered 403, so nothing is sent and the app is told.
    Frame error = auth_refused_frame(channel);
    state->frames.push_back(observed_frame(now(), std::move(error)));
    return std::nullopt;
  }
  if (auth.kind != AuthChoice::Kind::kNone && (signed_channel || auth.kind == AuthChoice::Kind::kLiteral)) {
    auto signature = sign_for(*state, auth, [&](const AppCredentials& app, const std::string& socket) {
      return sign_channel(app, socket, channel, presence_data);
    });
    if (!signature) return signature.error().message;
    data["auth"] = *signature;
  }
  if (presence_data) data["channel_data"] = *presence_data;
  return send(*state, encode_frame(Frame::with_object_data("pusher:subscribe", std::nullopt, data)));
}

ActionError LiveTarget::unsubscribe(const std::string& client, const std::string& channel) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  return send(*state,
              encode_frame(Frame::with_object_data("pusher:unsubscribe", std::nullopt, Json{{"channel", channel}})));
}

ActionError LiveTarget::signin(const std::string& client, const AuthChoice& auth) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  nlohmann::ordered_json user;
  user["id"] = state->spec.user_id.value_or("");
  if (state->spec.user_info) user["user_info"] = *state->spec.user_info;
  const std::string user_data = user.dump();
  Json data{{"user_data", user_data}};
  if (auth.kind != AuthChoice::Kind::kNone) {
    auto signature = sign_for(*state, auth, [&](const AppCredentials& app, const std::string& socket) {
      return sign_user(app, socket, user_data);
    });
    if (!signature) return signature.error().message;
    data["auth"] = *signature;
  }
  return send(*state, encode_frame(Frame::with_object_data("pusher:signin", std::nullopt, data)));
}

ActionError LiveTarget::rest(const RestCall& call) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (past_run_deadline()) return std::string("the run's overall deadline has passed");
  const AppCredentials& app = options_.app;
  HttpRequest request = build_rest_request(call, app, to_unix_seconds(real_now()));
  note("http_request", "app", "server", call.method + " " + request.target);
  ObservedResponse response;
  response.sent_at = now();
  // Synchronous: a real app server's SDK call blocks its caller too; bounded by request_max.
  const std::string what = call.method + " " + request.target.substr(0, request.target.find('?'));
  auto answer = rest_->send(std::move(request), deadline_after(options_.request_max));
  note_rest_trouble(what, answer);
  refresh();
  response.answered_at = now();
  if (answer) {
    response.status = answer->status;
    response.body = answer->body;
    note("http_response", "server", "app", std::to_string(answer->status) + " " + answer->body);
  } else {
    response.lost = true;
    note("error", "server", "app", answer.error().message);
  }
  responses_.push_back(std::move(response));
  return std::nullopt;
}

// A call that got no answer, or a redirect (which Pusher's SDKs do not expect and the REST API
// never sends), becomes a problem that a failing expect_response quotes.
void LiveTarget::note_rest_trouble(const std::string& what, const Result<HttpResponse>& answer) {
  if (!answer) {
    add_problem("REST " + what + ": " + answer.error().message);
    return;
  }
  if (answer->status < 300 || answer->status > 399) return;
  const auto location = answer->header("Location");
  add_problem("REST " + what + ": answered " + std::to_string(answer->status) + ", a redirect to " +
              (location ? std::string(*location) : std::string("(no Location header)")) +
              ", which is not followed: the REST API answers where it is asked");
}

}  // namespace pushsim::harness
