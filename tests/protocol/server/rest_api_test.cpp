// The REST API's front door: signatures exactly as the Node SDK makes them, the timestamp
// window, body_md5, unknown apps and routes, methods, disabled apps.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "protocol/server/rest_api.hpp"
#include "test_paths.hpp"
#include "tests/protocol/server/rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

Json load_vectors() {
  std::ifstream in(pushsim::test::test_data() / "vectors.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str(), nullptr, false);
}

// A request exactly as the SDK put it on the wire for a vector.
HttpRequest wire_request(const Json& expected) {
  HttpRequest request;
  request.method = expected.at("method").get<std::string>();
  request.target = expected.at("path").get<std::string>() + "?" + expected.at("query_string").get<std::string>();
  if (expected.at("body").is_string()) {
    request.body = expected.at("body").get<std::string>();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  return request;
}

std::string error_of(const HttpResponse& response) {
  Json body = Json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string())
    return "<no error: " + response.body + ">";
  return body["error"].get<std::string>();
}

}  // namespace

TEST_CASE("every SDK-signed request of vectors.json is accepted with the official response body") {
  // The vectors were signed at auth_timestamp 1700000000, which is the simulation epoch.
  const std::map<std::string, std::string> expected_bodies = {
      {"trigger_single_channel_exclude_socket", "{}"},
      {"trigger_multi_channel_with_info", R"({"channels":{"ch-a":{},"presence-b":{"user_count":0}}})"},
      {"trigger_batch", R"({"batch":[{},{"user_count":0}]})"},
      {"trigger_encrypted_channel", "{}"},
      {"send_to_user", "{}"},
      {"terminate_user_connections", "{}"},
      {"get_channels", R"({"channels":{}})"},
      {"get_channel", R"({"occupied":false,"user_count":0})"},
      {"get_channel_users", R"({"users":[]})"},
  };
  Json vectors = load_vectors();
  REQUIRE(vectors.is_object());
  std::size_t checked = 0;
  for (const Json& vector : vectors.at("vectors")) {
    if (vector.at("kind") != "rest_request") continue;
    std::string name = vector.at("name").get<std::string>();
    INFO(name);
    REQUIRE(expected_bodies.count(name) == 1);
    RestFixture fixture;
    HttpResponse response = fixture.handle(wire_request(vector.at("expected")));
    CHECK(response.status == 200);
    CHECK(response.body == expected_bodies.at(name));
    ++checked;
  }
  CHECK(checked == expected_bodies.size());
}

TEST_CASE("responses are compact JSON with Content-Type application/json") {
  RestFixture fixture;
  HttpResponse ok = fixture.get("/channels");
  CHECK(ok.header("Content-Type") == std::optional<std::string_view>("application/json"));
  CHECK(ok.body == R"({"channels":{}})");
  HttpResponse error = fixture.get("/nowhere");
  CHECK(error.header("content-type") == std::optional<std::string_view>("application/json"));
}

TEST_CASE("a request signed with the wrong secret is refused with 401") {
  RestFixture fixture;
  fixture.credentials.secret = "not-the-secret";
  HttpResponse response = fixture.get("/channels");
  CHECK(response.status == 401);
  CHECK_THAT(error_of(response), Catch::StartsWith("Invalid signature"));
}

TEST_CASE("a tampered parameter breaks the signature") {
  RestFixture fixture;
  HttpRequest request = fixture.signed_request("GET", "/apps/1/channels", {{"filter_by_prefix", "presence-"}});
  request.target.replace(request.target.find("presence-"), 9, "private--");
  HttpResponse response = fixture.handle(request);
  CHECK(response.status == 401);
  CHECK_THAT(error_of(response), Catch::StartsWith("Invalid signature"));
}

TEST_CASE("the timestamp may be 600 s away from server time but not 601 s") {
  RestFixture fixture;
  const std::int64_t now_s = to_unix_seconds(fixture.now);
  for (std::int64_t offset : {-600, 600}) {
    INFO(offset);
    CHECK(fixture.handle(fixture.signed_request("GET", "/apps/1/channels", {}, "", now_s + offset)).status == 200);
  }
  HttpResponse past = fixture.handle(fixture.signed_request("GET", "/apps/1/channels", {}, "", now_s - 601));
  CHECK(past.status == 401);
  CHECK(past.body == error_body("Timestamp expired: Given timestamp (1699999399) not within 600s of server time "
                                "(1700000000)"));
  HttpResponse future = fixture.handle(fixture.signed_request("GET", "/apps/1/channels", {}, "", now_s + 601));
  CHECK(future.status == 401);
  CHECK(future.body == error_body("Timestamp expired: Given timestamp (1700000601) not within 600s of server time "
                                  "(1700000000)"));
}

TEST_CASE("the timestamp check can be turned off, as soketi and reverb do") {
  EngineOptions options = test_options();
  options.rest.check_timestamp = false;
  RestFixture fixture(test_app(), options);
  HttpResponse response = fixture.handle(fixture.signed_request("GET", "/apps/1/channels", {}, "", 1'000'000'000));
  CHECK(response.status == 200);
  CHECK(response.body == R"({"channels":{}})");
}

TEST_CASE("a body that does not match body_md5 is refused with 401 and nothing is published") {
  RestFixture fixture;
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "my-channel");
  fixture.take(subscriber);
  std::string body = R"({"name":"e","data":"d","channel":"my-channel"})";
  HttpRequest request = fixture.signed_request("POST", "/apps/1/events", {}, body);
  request.body = R"({"name":"e","data":"X","channel":"my-channel"})";
  HttpResponse response = fixture.handle(request);
  CHECK(response.status == 401);
  CHECK_THAT(error_of(response), Catch::StartsWith("body_md5"));
  CHECK(fixture.take(subscriber).empty());
}

TEST_CASE("a key of another app is refused with 401") {
  RestFixture fixture;
  fixture.credentials = {"1", "other-key", "other-secret"};
  HttpResponse response = fixture.get("/channels");
  CHECK(response.status == 401);
  CHECK(response.body == error_body("unknown auth_key 'other-key'"));
}

TEST_CASE("a request without signature parameters is refused with 401") {
  RestFixture fixture;
  HttpRequest request;
  request.method = "GET";
  request.target = "/apps/1/channels";
  HttpResponse response = fixture.handle(request);
  CHECK(response.status == 401);
  CHECK_THAT(error_of(response), Catch::Contains("auth_"));
}

TEST_CASE("an unknown app id answers 404 Unknown app") {
  RestFixture fixture;
  HttpResponse response = fixture.handle(fixture.signed_request("GET", "/apps/99/channels"));
  CHECK(response.status == 404);
  CHECK(response.body == R"({"error":"Unknown app"})");
}

TEST_CASE("a path outside /apps and an unknown route answer 404") {
  RestFixture fixture;
  HttpResponse outside = fixture.handle(fixture.signed_request("GET", "/health"));
  CHECK(outside.status == 404);
  CHECK(outside.body == error_body("No route for GET /health"));
  HttpResponse unknown = fixture.get("/channels/my-channel/members");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == error_body("No route for GET /apps/1/channels/my-channel/members"));
  HttpResponse trailing = fixture.post("/events/", Json::object());
  CHECK(trailing.status == 404);
}

TEST_CASE("a known route with the wrong method answers 405 with an Allow header") {
  RestFixture fixture;
  HttpResponse get_events = fixture.get("/events");
  CHECK(get_events.status == 405);
  CHECK(get_events.body == error_body("Method GET is not allowed for /apps/1/events; use POST"));
  CHECK(get_events.header("Allow") == std::optional<std::string_view>("POST"));
  HttpResponse post_channels = fixture.post("/channels", Json::object());
  CHECK(post_channels.status == 405);
  CHECK(post_channels.header("Allow") == std::optional<std::string_view>("GET"));
  HttpResponse delete_users = fixture.handle(fixture.signed_request("DELETE", "/apps/1/channels/presence-a/users"));
  CHECK(delete_users.status == 405);
}

TEST_CASE("a disabled app answers 403 to signed requests and 401 to unsigned ones") {
  AppConfig app = test_app();
  app.enabled = false;
  RestFixture fixture(app);
  HttpResponse signed_ = fixture.post("/events", {{"name", "e"}, {"data", "d"}, {"channel", "c"}});
  CHECK(signed_.status == 403);
  CHECK(signed_.body == R"({"error":"App is disabled"})");
  fixture.credentials.secret = "guess";
  CHECK(fixture.get("/channels").status == 401);
}

TEST_CASE("a malformed percent escape in the query string is a 400") {
  RestFixture fixture;
  HttpRequest request = fixture.signed_request("GET", "/apps/1/channels");
  request.target += "&filter_by_prefix=%zz";
  HttpResponse response = fixture.handle(request);
  CHECK(response.status == 400);
  CHECK(response.body == error_body("query parameter 'filter_by_prefix' has a malformed percent escape in its value"));
}

TEST_CASE("channel names in paths are percent-decoded, whichever path form was signed") {
  RestFixture fixture;
  ConnectionId subscriber = fixture.connect();
  fixture.subscribe(subscriber, "my-channel@1");
  // Signed over the encoded path, as it travels.
  HttpResponse raw = fixture.handle(fixture.signed_request("GET", "/apps/1/channels/my-channel%401"));
  CHECK(raw.status == 200);
  CHECK(raw.body == R"({"occupied":true})");
  // Signed over the decoded path but sent encoded.
  HttpRequest decoded = fixture.signed_request("GET", "/apps/1/channels/my-channel@1");
  decoded.target.replace(decoded.target.find('@'), 1, "%40");
  HttpResponse response = fixture.handle(decoded);
  CHECK(response.status == 200);
  CHECK(response.body == R"({"occupied":true})");
}
