// sign_for: the one place both targets turn a step's `auth:` choice into the auth string.
#include <catch2/catch.hpp>

#include "harness/target_requests.hpp"

using namespace pushsim;
using namespace pushsim::harness;

namespace {

const AppCredentials kApp{"1", "app-key", "app-secret"};

// Records what it was asked to sign, and signs as a private channel would.
struct RecordingSigner {
  std::string secret_seen;
  std::string socket_seen;
  Signer signer() {
    return [this](const AppCredentials& app, const std::string& socket) {
      secret_seen = app.secret;
      socket_seen = socket;
      return sign_channel(app, socket, "private-x", std::nullopt);
    };
  }
};

AuthChoice choice(AuthChoice::Kind kind, std::string literal = {}) { return AuthChoice{kind, std::move(literal), {}}; }

}  // namespace

TEST_CASE("a valid auth is signed for the client's own socket with the app secret", "[target_requests]") {
  RecordingSigner recorder;
  const auto auth =
      sign_for("alice", kApp, std::string("123.456"), choice(AuthChoice::Kind::kValid), recorder.signer());
  REQUIRE(auth.ok());
  CHECK(*auth == sign_channel(kApp, "123.456", "private-x", std::nullopt));
  CHECK(recorder.socket_seen == "123.456");
  CHECK(recorder.secret_seen == "app-secret");
}

TEST_CASE("wrong_signature signs the right socket with another secret", "[target_requests]") {
  RecordingSigner recorder;
  const auto auth =
      sign_for("alice", kApp, std::string("123.456"), choice(AuthChoice::Kind::kWrongSignature), recorder.signer());
  REQUIRE(auth.ok());
  CHECK(recorder.socket_seen == "123.456");
  CHECK(recorder.secret_seen != "app-secret");
  CHECK(*auth != sign_channel(kApp, "123.456", "private-x", std::nullopt));
}

TEST_CASE("other_socket is a valid signature for a socket nobody has, even before connecting", "[target_requests]") {
  RecordingSigner recorder;
  const auto auth = sign_for("alice", kApp, std::nullopt, choice(AuthChoice::Kind::kOtherSocket), recorder.signer());
  REQUIRE(auth.ok());
  CHECK(recorder.socket_seen == kOtherSocketId);
  CHECK(*auth == sign_channel(kApp, kOtherSocketId, "private-x", std::nullopt));
}

TEST_CASE("a literal is sent as written, without signing", "[target_requests]") {
  RecordingSigner recorder;
  const auto auth = sign_for("alice", kApp, std::nullopt, choice(AuthChoice::Kind::kLiteral, "x:y"), recorder.signer());
  REQUIRE(auth.ok());
  CHECK(*auth == "x:y");
  CHECK(recorder.socket_seen.empty());
}

TEST_CASE("signing for a client without a socket_id is an error naming the client", "[target_requests]") {
  RecordingSigner recorder;
  const auto auth = sign_for("alice", kApp, std::nullopt, choice(AuthChoice::Kind::kValid), recorder.signer());
  REQUIRE_FALSE(auth.ok());
  CHECK(auth.error().message == "cannot sign for 'alice': it has no socket_id (not connected yet?)");
}

// ---- subscribe, sign-in and refusals: what both targets send -----------------------------

namespace {

const ClientSpec kAlice{"alice", "u1", Json{{"name", "Alice"}}, "default"};

// Signs as a target does for a client connected on socket 123.456 of kApp.
ClientSigner connected_signer(const AuthChoice& auth) {
  return [auth](const Signer& sign) { return sign_for("alice", kApp, std::string("123.456"), auth, sign); };
}

SubscribeEffect subscribed(const std::string& channel, const AuthChoice& auth, const AuthRefusals& refusals = {},
                           const std::optional<Json>& channel_data = std::nullopt) {
  auto effect = subscribe_effect(kAlice, channel, auth, channel_data, refusals, connected_signer(auth));
  REQUIRE(effect.ok());
  return *effect;
}

}  // namespace

TEST_CASE("a presence subscribe carries the signature and the client's channel_data", "[target_requests]") {
  const std::string channel_data = R"({"user_id":"u1","user_info":{"name":"Alice"}})";
  const SubscribeEffect effect = subscribed("presence-room", choice(AuthChoice::Kind::kValid));
  REQUIRE(effect.text);
  CHECK_FALSE(effect.local_frame);
  CHECK(
      *effect.text ==
      R"({"event":"pusher:subscribe","data":{"auth":")" + sign_channel(kApp, "123.456", "presence-room", channel_data) +
          R"(","channel":"presence-room","channel_data":"{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}"}})");
}

TEST_CASE("a public subscribe has no auth unless the step gives a literal", "[target_requests]") {
  CHECK(subscribed("news", choice(AuthChoice::Kind::kValid)).text ==
        R"({"event":"pusher:subscribe","data":{"channel":"news"}})");
  CHECK(subscribed("news", choice(AuthChoice::Kind::kLiteral, "x:y")).text ==
        R"({"event":"pusher:subscribe","data":{"auth":"x:y","channel":"news"}})");
  CHECK(subscribed("private-a", choice(AuthChoice::Kind::kNone)).text ==
        R"({"event":"pusher:subscribe","data":{"channel":"private-a"}})");
}

TEST_CASE("a refused auth sends nothing and raises pusher-js's subscription_error", "[target_requests]") {
  AuthRefusals refusals;
  refusals.add(std::string("alice"), std::string("private-a"));
  const SubscribeEffect refused = subscribed("private-a", choice(AuthChoice::Kind::kValid), refusals);
  CHECK_FALSE(refused.text);
  REQUIRE(refused.local_frame);
  CHECK(
      encode_frame(*refused.local_frame) ==
      R"({"event":"pusher:subscription_error","channel":"private-a","data":{"error":"auth refused","status":403,"type":"AuthError"}})");
  // Only the auth endpoint refuses: other channels, public ones, and auth the step makes up
  // itself are not asked of it.
  CHECK(subscribed("private-b", choice(AuthChoice::Kind::kValid), refusals).text);
  CHECK(subscribed("private-a", choice(AuthChoice::Kind::kWrongSignature), refusals).text);
  CHECK(subscribed("private-a", choice(AuthChoice::Kind::kLiteral, "x:y"), refusals).text);
}

TEST_CASE("a refusal with no client or no channel refuses every one", "[target_requests]") {
  AuthRefusals refusals;
  CHECK_FALSE(refusals.refuses("alice", "private-a"));
  refusals.add(std::nullopt, std::string("private-a"));
  CHECK(refusals.refuses("alice", "private-a"));
  CHECK(refusals.refuses("bob", "private-a"));
  CHECK_FALSE(refusals.refuses("bob", "private-b"));
  refusals.add(std::string("bob"), std::nullopt);
  CHECK(refusals.refuses("bob", "private-b"));
  CHECK_FALSE(refusals.refuses("alice", "private-b"));
}

TEST_CASE("a subscribe that needs a signature before the client has a socket is an error", "[target_requests]") {
  const AuthChoice valid = choice(AuthChoice::Kind::kValid);
  auto effect = subscribe_effect(kAlice, "private-a", valid, std::nullopt, {}, [&](const Signer& sign) {
    return sign_for("alice", kApp, std::nullopt, valid, sign);
  });
  REQUIRE_FALSE(effect.ok());
  CHECK(effect.error().message == "cannot sign for 'alice': it has no socket_id (not connected yet?)");
}

TEST_CASE("a sign-in carries the client's user_data and its signature", "[target_requests]") {
  const std::string user_data = R"({"id":"u1","user_info":{"name":"Alice"}})";
  auto text = signin_text(kAlice, choice(AuthChoice::Kind::kValid), connected_signer(choice(AuthChoice::Kind::kValid)));
  REQUIRE(text.ok());
  CHECK(*text == R"({"event":"pusher:signin","data":{"auth":")" + sign_user(kApp, "123.456", user_data) +
                     R"(","user_data":"{\"id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}"}})");
  auto unsigned_text =
      signin_text(kAlice, choice(AuthChoice::Kind::kNone), connected_signer(choice(AuthChoice::Kind::kNone)));
  REQUIRE(unsigned_text.ok());
  CHECK(*unsigned_text ==
        R"({"event":"pusher:signin","data":{"user_data":"{\"id\":\"u1\",\"user_info\":{\"name\":\"Alice\"}}"}})");
}

TEST_CASE("REST steps are signed as the SDK signs, or mis-signed as the step says", "[target_requests]") {
  const RestCall call{"POST", "/events", {}, R"({"name":"e"})", Signing::kValid};
  const HttpRequest valid = build_rest_request(call, kApp, 1'700'000'000);
  CHECK(valid.method == "POST");
  CHECK(valid.body == call.body);
  CHECK(valid.header("Content-Type") == std::optional<std::string_view>("application/json"));
  CHECK(valid.target == sign_rest_request(kApp, "POST", "/apps/1/events", {}, call.body, 1'700'000'000).target());

  RestCall wrong_md5 = call;
  wrong_md5.signing = Signing::kWrongBodyMd5;
  const HttpRequest mis_signed = build_rest_request(wrong_md5, kApp, 1'700'000'000);
  CHECK(mis_signed.body == call.body);
  CHECK(mis_signed.target.find("body_md5=" + md5_hex(call.body)) == std::string::npos);

  RestCall unsigned_call{"GET", "/apps/9/channels", {{"info", "user_count"}}, "", Signing::kUnsigned};
  const HttpRequest bare = build_rest_request(unsigned_call, kApp, 1'700'000'000);
  CHECK(bare.target == "/apps/9/channels?info=user_count");
  CHECK(bare.headers.empty());
}

TEST_CASE("REST steps: uppercase_signature, unsorted_query and timestamp_offset change only what they say",
          "[target_requests]") {
  RestCall call;
  call.method = "POST";
  call.path = "/events";
  call.params = {{"info", "user_count"}};
  call.body = R"({"name":"e","channels":["a"],"data":"x"})";
  const HttpRequest valid = build_rest_request(call, kApp, 1'700'000'000);
  const std::string signature = valid.target.substr(valid.target.find("auth_signature=") + 15);
  REQUIRE(signature.size() == 64);

  call.signing = Signing::kUppercaseSignature;
  const HttpRequest upper = build_rest_request(call, kApp, 1'700'000'000);
  std::string expected = signature;
  for (char& c : expected) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  CHECK(upper.target == valid.target.substr(0, valid.target.find("auth_signature=") + 15) + expected);

  call.signing = Signing::kUnsortedQuery;
  const HttpRequest unsorted = build_rest_request(call, kApp, 1'700'000'000);
  CHECK(unsorted.target.starts_with("/apps/1/events?info=user_count&body_md5="));
  CHECK(unsorted.target.find("auth_signature=" + signature) != std::string::npos);
  CHECK(unsorted.target.size() == valid.target.size());

  call.signing = Signing::kValid;
  call.timestamp_offset_s = -600;
  CHECK(build_rest_request(call, kApp, 1'700'000'000).target.find("auth_timestamp=1699999400&") != std::string::npos);
}
