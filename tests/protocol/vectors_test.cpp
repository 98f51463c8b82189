// Reproduces every vector of tests/data/vectors.json (made by the official Node SDK, pusher@5.3.4).
// A vector kind we do not recognise fails the run, so a regenerated file cannot silently
// add vectors nobody checks.
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hex_of.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/limits.hpp"
#include "protocol/signing.hpp"
#include "test_paths.hpp"

using pushsim::test::hex_of;

using namespace pushsim;

namespace {

const Json& vectors_file() {
  static const Json file = [] {
    std::ifstream in(pushsim::test::test_data() / "vectors.json", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return Json::parse(text.str(), nullptr, false);
  }();
  return file;
}

AppCredentials vector_app() {
  const Json& app = vectors_file().at("app");
  return {app.at("app_id").get<std::string>(), app.at("key").get<std::string>(), app.at("secret").get<std::string>()};
}

std::vector<Json> vectors_of_kind(const std::string& kind) {
  std::vector<Json> out;
  for (const Json& vector : vectors_file().at("vectors")) {
    if (vector.at("kind") == kind) out.push_back(vector);
  }
  return out;
}

const Json& vector_named(const std::string& name) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (vector.at("name") == name) return vector;
  }
  FAIL("no vector named " << name);
  throw std::logic_error("unreachable");
}

bool is_signer_param(const std::string& key) {
  return key == "auth_key" || key == "auth_timestamp" || key == "auth_version" || key == "body_md5";
}

QueryParams pairs_of(const Json& sorted) {
  QueryParams out;
  for (const Json& pair : sorted) out.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("the vectors file loads and every kind in it is one we check", "[vectors]") {
  const Json& file = vectors_file();
  REQUIRE(file.is_object());
  REQUIRE(file.at("schema_version") == 1);
  std::set<std::string> kinds;
  for (const Json& vector : file.at("vectors")) kinds.insert(vector.at("kind").get<std::string>());
  CHECK(kinds ==
        std::set<std::string>{"channel_auth", "user_auth", "rest_request", "webhook", "validation", "docs_reference"});
  CHECK(file.at("vectors").size() == 18);
}

TEST_CASE("channel auth vectors: string to sign, auth, channel_data and shared secret", "[vectors]") {
  const AppCredentials app = vector_app();
  auto vectors = vectors_of_kind("channel_auth");
  REQUIRE(vectors.size() == 3);
  for (const Json& vector : vectors) {
    INFO(vector.at("name"));
    const Json& in = vector.at("inputs");
    const Json& want = vector.at("expected");
    auto socket_id = in.at("socket_id").get<std::string>();
    auto channel = in.at("channel").get<std::string>();
    std::optional<std::string> channel_data;
    // The SDK JSON.stringify()s presence_data; its keys are already in sorted order.
    if (in.contains("presence_data")) channel_data = in.at("presence_data").dump();
    if (want.at("response").contains("channel_data")) CHECK(channel_data == want.at("response").at("channel_data"));
    CHECK(channel_string_to_sign(socket_id, channel, channel_data) == want.at("string_to_sign"));
    auto auth = want.at("response").at("auth").get<std::string>();
    CHECK(sign_channel(app, socket_id, channel, channel_data) == auth);
    CHECK(verify_channel_auth(app, auth, socket_id, channel, channel_data));
    if (in.contains("encryption_master_key_base64")) {
      auto secret = encrypted_channel_shared_secret(channel, in.at("encryption_master_key_base64").get<std::string>());
      REQUIRE(secret.ok());
      CHECK(*secret == want.at("response").at("shared_secret"));
      auto raw = base64_decode(*secret);
      REQUIRE(raw.ok());
      CHECK(hex_of(*raw) == want.at("shared_secret_hex"));
    }
  }
}

TEST_CASE("user auth vector: string to sign, auth, user_data and the signin message", "[vectors]") {
  const AppCredentials app = vector_app();
  auto vectors = vectors_of_kind("user_auth");
  REQUIRE(vectors.size() == 1);
  const Json& in = vectors[0].at("inputs");
  const Json& want = vectors[0].at("expected");
  auto socket_id = in.at("socket_id").get<std::string>();
  auto user_data = in.at("user").dump();  // keys id, user_info, watchlist: sorted already
  CHECK(user_data == want.at("response").at("user_data"));
  CHECK(user_string_to_sign(socket_id, user_data) == want.at("string_to_sign"));
  auto auth = sign_user(app, socket_id, user_data);
  CHECK(auth == want.at("response").at("auth"));
  CHECK(verify_user_auth(app, auth, socket_id, user_data));
  Json signin = {{"event", "pusher:signin"}, {"data", {{"auth", auth}, {"user_data", user_data}}}};
  CHECK(signin == want.at("client_signin_message"));
}

// trigger_encrypted_channel's ciphertext is NaCl secretbox output, which we do not
// implement; for it, as for every request, we check the REST signature and body_md5 only.
TEST_CASE("REST request vectors: query string, string to sign, signature and body_md5", "[vectors]") {
  const AppCredentials app = vector_app();
  auto vectors = vectors_of_kind("rest_request");
  REQUIRE(vectors.size() == 9);
  for (const Json& vector : vectors) {
    INFO(vector.at("name"));
    const Json& want = vector.at("expected");
    auto method = want.at("method").get<std::string>();
    auto path = want.at("path").get<std::string>();
    std::string body = want.at("body").is_string() ? want.at("body").get<std::string>() : "";
    auto sorted = pairs_of(want.at("query_params_sorted"));
    QueryParams extra;  // info, filter_by_prefix: what the caller asked for
    for (const auto& param : sorted) {
      if (!is_signer_param(param.first)) extra.push_back(param);
    }
    auto signed_request = sign_rest_request(app, method, path, extra, body, vector.at("inputs").at("auth_timestamp"));
    CHECK(signed_request.method == method);
    CHECK(signed_request.path == path);
    CHECK(signed_request.body == body);
    CHECK(signed_request.query_string == want.at("query_string"));
    CHECK(signed_request.target() == path + "?" + want.at("query_string").get<std::string>());
    CHECK(rest_string_to_sign(method, path, sorted) == want.at("string_to_sign"));
    CHECK(hmac_sha256_hex(app.secret, want.at("string_to_sign").get<std::string>()) == want.at("auth_signature"));
    if (want.at("body_md5").is_string()) CHECK(md5_hex(body) == want.at("body_md5"));

    auto received = parse_query(want.at("query_string").get<std::string>());
    REQUIRE(received.ok());
    auto with_signature = sorted;
    with_signature.emplace_back("auth_signature", want.at("auth_signature").get<std::string>());
    CHECK(*received == with_signature);
    CHECK_FALSE(verify_rest_request(app, method, path, *received, body, 1'700'000'000));
  }
}

TEST_CASE("webhook vector: signature and each SDK validator verdict", "[vectors]") {
  const AppCredentials app = vector_app();
  const Json& vector = vector_named("webhook_signature");
  const Json& want = vector.at("expected");
  auto body = vector.at("inputs").at("body").get<std::string>();
  auto signature = want.at("headers").at("X-Pusher-Signature").get<std::string>();
  CHECK(sign_webhook(vector.at("inputs").at("secret").get<std::string>(), body) == signature);

  auto headers = [&](std::string content_type, std::string key, std::string sig) {
    return std::vector<Header>{{"Content-Type", content_type}, {"X-Pusher-Key", key}, {"X-Pusher-Signature", sig}};
  };
  std::string tampered = body;
  tampered.replace(tampered.find("u1"), 2, "u9");  // as make-vectors.js: the first "u1"
  std::string upper = signature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto valid = [&](const std::vector<Header>& h, const std::string& b) {
    return !verify_webhook(app, h, b).has_value();
  };

  const auto key = want.at("headers").at("X-Pusher-Key").get<std::string>();
  CHECK(valid(headers("application/json", key, signature), body) == want.at("sdk_isValid"));
  CHECK(valid(headers("application/json", key, signature), tampered) == want.at("sdk_isValid_with_tampered_body"));
  CHECK(valid(headers("application/json", "other-key", signature), body) ==
        want.at("sdk_isValid_with_wrong_key_header"));
  CHECK(valid(headers("application/json", key, upper), body) == want.at("sdk_isValid_with_uppercase_hex_signature"));
  CHECK(valid(headers("application/json; charset=utf-8", key, signature), body) ==
        want.at("sdk_isValid_with_content_type_charset"));
}

TEST_CASE("validation vectors: socket ids and channel names", "[vectors]") {
  const Json& sockets = vector_named("socket_id_validation").at("expected").at("results");
  REQUIRE(sockets.size() == 12);
  for (const Json& result : sockets) {
    INFO(result.at("input"));
    CHECK(is_valid_socket_id(result.at("input").get<std::string>()) == result.at("valid"));
  }
  const Json& channels = vector_named("channel_name_validation");
  const auto max_length = channels.at("inputs").at("max_length").get<std::size_t>();
  REQUIRE(channels.at("expected").at("results").size() == 12);
  for (const Json& result : channels.at("expected").at("results")) {
    INFO(result.at("input"));
    // An integer N stands for "a" repeated N times.
    std::string name = result.at("input").is_number() ? std::string(result.at("input").get<std::size_t>(), 'a')
                                                      : result.at("input").get<std::string>();
    CHECK(!validate_channel_name(name, max_length, false).has_value() == result.at("valid"));
  }
}

// trigger_limits records the SDK's client-side refusals; the server-side equivalents are
// our limits. The encrypted multi-channel rule belongs to the REST handler, not to signing.
TEST_CASE("trigger limit vector: event names up to 200 characters, 100 channels", "[vectors]") {
  const Json& want = vector_named("trigger_limits").at("expected");
  Limits limits;
  CHECK(!validate_event_name(std::string(200, 'e'), limits.event_name_max).has_value() ==
        want.at("event_name_200_chars_ok"));
  CHECK(validate_event_name(std::string(201, 'e'), limits.event_name_max).has_value());
  CHECK(want.at("event_name_201_chars_error").get<std::string>().starts_with("Too long event name"));
  CHECK(limits.channels_per_trigger_max == 100);
  CHECK(want.at("channels_100_ok") == true);
}

TEST_CASE("docs worked examples: REST, private, presence and user signatures", "[vectors]") {
  const Json& vector = vector_named("docs_worked_examples");
  const Json& in = vector.at("inputs");
  const Json& want = vector.at("expected");
  AppCredentials app{in.at("app_id").get<std::string>(), in.at("key").get<std::string>(),
                     in.at("secret").get<std::string>()};
  auto socket_id = in.at("socket_id").get<std::string>();
  auto rest = sign_rest_request(app, "POST", "/apps/3/events", {}, in.at("rest_body").get<std::string>(),
                                in.at("rest_auth_timestamp").get<std::int64_t>());
  const std::string rest_signature = want.at("rest_events");
  CHECK(rest.query_string.substr(rest.query_string.size() - rest_signature.size()) == rest_signature);
  CHECK(hmac_sha256_hex(app.secret, in.at("rest_string_to_sign").get<std::string>()) == rest_signature);
  // Channel names as in make-vectors.js (the docs' own examples).
  CHECK(sign_channel(app, socket_id, "private-foobar") == want.at("private_auth"));
  CHECK(sign_channel(app, socket_id, "presence-foobar", in.at("presence_channel_data").get<std::string>()) ==
        want.at("presence_auth"));
  CHECK(sign_user(app, socket_id, in.at("user_data").get<std::string>()) == want.at("user_auth"));
}
