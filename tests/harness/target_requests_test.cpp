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

AuthChoice choice(AuthChoice::Kind kind, std::string literal = {}) { return AuthChoice{kind, std::move(literal)}; }

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
