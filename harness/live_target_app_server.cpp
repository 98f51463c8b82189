// The app server's half of the live target: subscriptions and sign-ins signed here with the
// app secret (including the deliberately wrong signatures scenarios ask for), and REST calls
// signed with the real time and sent over real HTTP.
#include "harness/live_target.hpp"
#include "harness/target_requests.hpp"
#include "net/live_connection.hpp"
#include "net/real_clock.hpp"
#include "net/rest_client.hpp"
#include "protocol/client/client_frames.hpp"

namespace pushsim::harness {

ClientSigner LiveTarget::signer_of(const ClientState& client, const AuthChoice& auth) const {
  return [this, &client, &auth](const Signer& sign) {
    const auto socket = client.connection ? client.connection->socket_id() : std::nullopt;
    return sign_for(client.spec.name, app_of(client), socket, auth, sign);
  };
}

ActionError LiveTarget::subscribe(const std::string& client, const std::string& channel, const AuthChoice& auth,
                                  const std::optional<Json>& channel_data) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  auto effect = subscribe_effect(state->spec, channel, auth, channel_data, refusals_, signer_of(*state, auth));
  if (!effect) return effect.error().message;
  if (effect->local_frame) {
    state->frames.push_back(observed_frame(now(), std::move(*effect->local_frame)));
    return std::nullopt;
  }
  return send(*state, *effect->text);
}

ActionError LiveTarget::unsubscribe(const std::string& client, const std::string& channel) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  return send(*state, encode_unsubscribe(channel));
}

ActionError LiveTarget::signin(const std::string& client, const AuthChoice& auth,
                               const std::optional<std::string>& as) {
  ClientState* state = nullptr;
  if (auto error = usable(client, state)) return error;
  const ClientState* user = as ? find(*as) : state;
  if (user == nullptr) return "no client '" + *as + "'";
  auto text = signin_text(user->spec, auth, signer_of(*state, auth));
  if (!text) return text.error().message;
  return send(*state, *text);
}

ActionError LiveTarget::rest(const RestCall& call) {
  if (start_error_) return "the live target did not start: " + *start_error_;
  if (past_run_deadline()) return std::string("the run's overall deadline has passed");
  if (call.app != "default" && options_.app_names.count(call.app) == 0) {
    return "a REST call names app '" + call.app + "', which this target was not given";
  }
  const AppCredentials app = app_named(call.app);
  HttpRequest request = build_rest_request(call, app, to_unix_seconds(real_now()));
  if (call.node && (*call.node < 0 || *call.node >= nodes())) {
    return "node " + std::to_string(*call.node) + ": the target has " + std::to_string(nodes()) + " node(s)";
  }
  // The body after a newline: the live invariants read the app's publications from it, and
  // the node a call names (" via node K"), since calls to different nodes are not ordered.
  const std::string via = call.node ? " via node " + std::to_string(*call.node) : std::string();
  note("http_request", "app", "server",
       call.method + " " + request.target + via + (request.body.empty() ? std::string() : "\n" + request.body));
  ObservedResponse response;
  response.sent_at = now();
  // Synchronous: a real app server's SDK call blocks its caller too; bounded by request_max.
  const std::string what = call.method + " " + request.target.substr(0, request.target.find('?'));
  RestClient& client = call.node ? *node_rest_[static_cast<std::size_t>(*call.node)] : *rest_;
  auto answer = client.send(std::move(request), deadline_after(options_.request_max));
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
