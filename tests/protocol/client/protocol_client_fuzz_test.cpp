#include <catch2/catch.hpp>

#include <array>

#include "protocol/client/client_test_util.hpp"
#include "protocol/random.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

constexpr std::array<std::string_view, 9> kCorpus{
    kEstablished,
    R"({"event":"pusher_internal:subscription_succeeded","channel":"presence-room","data":"{\"presence\":{\"hash\":{\"u1\":{}},\"count\":1}}"})",
    R"({"event":"pusher_internal:member_added","channel":"presence-room","data":"{\"user_id\":\"u2\",\"user_info\":{}}"})",
    R"({"event":"pusher_internal:member_removed","channel":"presence-room","data":"{\"user_id\":\"u2\"}"})",
    R"({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"u1\"}"}})",
    R"({"event":"pusher:error","data":{"code":4201,"message":"x"}})",
    R"({"event":"pusher:ping","data":"{}"})",
    R"({"event":"pusher:subscription_error","channel":"private-a","data":{"status":401}})",
    R"({"event":"client-x","channel":"private-a","data":{"a":[1,2]},"user_id":"u1"})",
};

// A corpus frame with a few random bytes changed, or cut short.
std::string mutated(Rng& rng) {
  std::string text(kCorpus[rng.below(kCorpus.size())]);
  if (rng.chance(1, 3)) return text.substr(0, rng.below(text.size() + 1));
  for (std::uint64_t flips = rng.below(4); flips > 0 && !text.empty(); --flips) {
    text[rng.below(text.size())] = static_cast<char>(rng.below(256));
  }
  return text;
}

// `recent_request`: the last AuthRequest seen, so that answers are sometimes current.
void random_step(ProtocolClient& client, Rng& rng, TimeNs now, std::uint64_t recent_request) {
  switch (rng.below(20)) {
    case 0: client.on_open(now); break;
    case 1: client.on_close(now, static_cast<int>(rng.between(1000, 4400)), "r"); break;
    case 2: client.subscribe(now, rng.chance(1, 2) ? "presence-room" : "private-a"); break;
    case 3: client.unsubscribe(now, rng.chance(1, 2) ? "presence-room" : "private-a"); break;
    case 4:
      client.on_auth_response(now, rng.chance(3, 4) ? recent_request : rng.below(40),
                              Json{{"auth", "k:s"}, {"channel_data", R"({"user_id":"u1"})"}, {"user_data", "{}"}});
      break;
    case 5: client.on_tick(now); break;
    case 6: client.signin(now); break;
    case 7: client.send_client_event(now, "private-a", "client-x", Json::object()); break;
    default: client.on_text(now, mutated(rng)); break;
  }
}

}  // namespace

TEST_CASE("random mutations of server frames and commands never crash the client", "[client][fuzz]") {
  Rng rng(20231114);
  ProtocolClient client;
  TimeNs now = kT0;
  std::size_t outputs_seen = 0;
  std::size_t connects = 0;
  std::size_t member_events = 0;
  std::uint64_t recent_request = 0;
  for (int step = 0; step < 5000; ++step) {
    now += ms(static_cast<std::int64_t>(rng.below(2000)));
    if (client.state() == ConnectionState::kConnecting && rng.chance(1, 2)) {
      client.on_text(now, kEstablished);  // get past the handshake often
    } else {
      random_step(client, rng, now, recent_request);
    }
    auto outputs = client.take_outputs();
    for (const auto& output : outputs) CHECK_FALSE(describe(output).empty());
    outputs_seen += outputs.size();
    connects += only<ClientConnected>(outputs).size();
    for (const auto& request : only<AuthRequest>(outputs)) recent_request = request.request_id;
    member_events += only<PresenceMemberAdded>(outputs).size() + only<PresenceMemberRemoved>(outputs).size();
    // Invariants: timers and socket_id exist exactly while connected, and no subscription
    // outlives its connection.
    bool connected = client.state() == ConnectionState::kConnected;
    CHECK(client.next_deadline().has_value() == connected);
    CHECK(client.socket_id().has_value() == connected);
    if (!connected) {
      for (const auto& channel : client.channels()) {
        CHECK(client.subscription_state(channel) == SubscriptionState::kUnsubscribed);
      }
    }
  }
  // The walk must get past the handshake and into presence often enough to mean something.
  UNSCOPED_INFO("outputs " << outputs_seen << " connects " << connects << " member events " << member_events);
  CHECK(connects > 20);
  CHECK(member_events > 0);
  CHECK(outputs_seen > 500);
}
