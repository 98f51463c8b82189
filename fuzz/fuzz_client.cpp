// Fuzz target: the protocol client (protocol/client/) handling whatever a server sends,
// interleaved with the application's commands, driven as net/live_connection drives it:
// every output is carried out at once, auth requests answered in-process (signed with the app
// secret, as net/local_authorizer does) unless the input holds them back.
//
// Input: one record per line, "<op><payload>":
//   o  the transport opened                  t  a text frame from the server (payload)
//   c  the transport closed (payload: code)  +  time passes (payload: whole seconds, <= 1 h)
//   s  subscribe (payload: channel)          u  unsubscribe (payload: channel)
//   e  client event "channel<TAB>event<TAB>JSON data"
//   i  sign in      p  ping      d  disconnect      r  send_raw (payload)
//   h  hold auth requests from now on / answer them at once again (toggles)
//   a  answer the oldest held auth request: empty payload signs it, "!" fails it with 403,
//      anything else is the endpoint's raw JSON body
// Properties: no crash; frames the client sends by itself decode as frames; connected exactly
// when it has a socket_id and an activity timeout; when not connected, no channel is
// subscribing or subscribed and no timer is set; closes are asked for only on an open
// transport.
#include <deque>

#include "fuzz/fuzz_support.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/client/protocol_client.hpp"
#include "protocol/signing.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;

namespace {

const AppCredentials kApp{"1", "key1", "secret-one-3f9c2a7d1b6e4058"};
constexpr const char* kMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

// The endpoint's JSON body an app server using the official SDK would answer with.
Json sign_request(const AuthRequest& request) {
  if (request.kind == AuthKind::kUser) {
    const std::string user_data = R"({"id":"u1","name":"Ann"})";
    return Json{{"auth", sign_user(kApp, request.socket_id, user_data)}, {"user_data", user_data}};
  }
  Json body;
  std::optional<std::string> channel_data;
  if (request.channel.starts_with("presence-")) channel_data = R"({"user_id":"u1","user_info":{"name":"Ann"}})";
  body["auth"] = sign_channel(kApp, request.socket_id, request.channel, channel_data);
  if (channel_data) body["channel_data"] = *channel_data;
  if (request.channel.starts_with("private-encrypted-")) {
    body["shared_secret"] = encrypted_channel_shared_secret(request.channel, kMasterKey).value();
  }
  return body;
}

class ClientDriver {
 public:
  void apply(std::string_view record) {
    if (record.empty()) return;
    std::string_view payload = record.substr(1);
    raw_send_ = false;
    switch (record[0]) {
      case 'o': client_.on_open(now_); break;
      case 't': client_.on_text(now_, payload); break;
      case 'c': client_.on_close(now_, static_cast<int>(leading_number(payload, 9999)), "closed"); break;
      case '+': advance(seconds(static_cast<std::int64_t>(leading_number(payload, 3600)))); break;
      case 's': (void)client_.subscribe(now_, payload); break;
      case 'u': client_.unsubscribe(now_, payload); break;
      case 'e': client_event(payload); break;
      case 'i': client_.signin(now_); break;
      case 'p': (void)client_.send_ping(now_); break;
      case 'd': client_.disconnect(now_); break;
      case 'r':
        raw_send_ = true;
        (void)client_.send_raw(now_, payload);
        break;
      case 'h': hold_auth_ = !hold_auth_; break;
      case 'a': answer_held(payload); break;
      default: break;
    }
    pump();
  }

  void advance(DurationNs by) {
    TimeNs until = now_ + by;
    for (int round = 0; round < 10'000; ++round) {
      auto due = client_.next_deadline();
      if (!due || *due > until) break;
      now_ = std::max(now_, *due);
      client_.on_tick(now_);
      pump();
    }
    now_ = until;
    client_.on_tick(now_);
  }

 private:
  void client_event(std::string_view payload) {
    auto [channel, rest] = cut(payload, '\t');
    auto [event, data] = cut(rest, '\t');
    Json json = Json::parse(data, nullptr, false);
    if (json.is_discarded()) json = std::string(data);
    (void)client_.send_client_event(now_, channel, event, json);
  }

  void answer_held(std::string_view payload) {
    if (held_.empty()) return;
    AuthRequest request = held_.front();
    held_.pop_front();
    AuthResult result = AuthFailure{403, "forbidden"};
    if (payload.empty()) {
      result = sign_request(request);
    } else if (payload != "!") {
      Json body = Json::parse(payload, nullptr, false);
      if (!body.is_discarded()) result = body;
    }
    client_.on_auth_response(now_, request.request_id, result);
  }

  // Carries out the outputs as LiveConnection::Impl::pump does, checking each one.
  void pump() {
    bool transport_open = was_open_;
    for (auto outputs = client_.take_outputs(); !outputs.empty(); outputs = client_.take_outputs()) {
      for (auto& output : outputs) {
        if (auto* send = std::get_if<SendText>(&output)) {
          if (!raw_send_)
            check(decode_frame(send->text).ok(), "the client sent a frame that does not decode", send->text);
        } else if (auto* auth = std::get_if<AuthRequest>(&output)) {
          if (hold_auth_) {
            held_.push_back(*auth);
          } else {
            client_.on_auth_response(now_, auth->request_id, sign_request(*auth));
          }
        } else if (std::holds_alternative<CloseTransport>(output)) {
          check(transport_open, "a close asked for with no open transport");
        }
      }
    }
    check_state();
    was_open_ = client_.state() == ConnectionState::kConnecting || client_.state() == ConnectionState::kConnected;
  }

  void check_state() {
    bool connected = client_.state() == ConnectionState::kConnected;
    check(connected == client_.socket_id().has_value(), "connected without socket_id, or a socket_id when not");
    check(connected == client_.activity_timeout().has_value(), "activity timeout set exactly when connected");
    if (connected) {
      check(*client_.activity_timeout() > 0, "a non-positive activity timeout");
      return;
    }
    check(!client_.next_deadline().has_value(), "a timer set while not connected");
    check(!client_.user_data().has_value(), "user data kept while not connected");
    for (const auto& channel : client_.channels()) {
      auto state = client_.subscription_state(channel);
      check(state == SubscriptionState::kUnsubscribed, "a channel in progress while not connected", channel);
      check(!client_.subscription_cancelled(channel), "a cancelled channel kept while not connected", channel);
    }
  }

  ProtocolClient client_;
  TimeNs now_ = kSimulationEpoch;
  std::deque<AuthRequest> held_;
  bool hold_auth_ = false;
  bool raw_send_ = false;
  bool was_open_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ClientDriver driver;
  for (auto record : split(as_text(data, size), '\n')) driver.apply(record);
  driver.advance(seconds(600));
  return 0;
}
