#include <catch2/catch.hpp>

#include "fakes/auth_server.hpp"
#include "protocol/vectors.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::test::vector_named;

namespace {

const char* kMasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

AuthServer make_server() {
  AuthServer server(AppCredentials{"1", "app-key", "app-secret"}, kMasterKey);
  server.add_session("alice", UserProfile{"u1", Json{{"name", "Alice"}}, std::vector<std::string>{"u2", "u3"}});
  return server;
}

Json expected_response(const std::string& vector) { return vector_named(vector)["expected"]["response"]; }

HttpResponse serve(AuthServer& server, const HttpRequest& request) {
  HttpReply reply = server.handle(kSimulationEpoch, request);
  REQUIRE(reply.response);
  return *reply.response;
}

}  // namespace

TEST_CASE("auth endpoint signs private, presence and encrypted channels as the SDK does", "[auth_server]") {
  AuthServer server = make_server();
  HttpResponse r = serve(server, AuthServer::channel_auth_request("alice", "123.456", "private-foo"));
  CHECK(r.status == 200);
  CHECK(Json::parse(r.body) == expected_response("private_channel_auth"));
  r = serve(server, AuthServer::channel_auth_request("alice", "123.456", "private-encrypted-foo"));
  CHECK(Json::parse(r.body) == expected_response("encrypted_channel_auth"));
  // The vector's presence user has no watchlist; presence channel_data never carries one.
  r = serve(server, AuthServer::channel_auth_request("alice", "123.456", "presence-foo"));
  CHECK(Json::parse(r.body) == expected_response("presence_channel_auth"));
}

TEST_CASE("auth endpoint authenticates users as the SDK does", "[auth_server]") {
  AuthServer server = make_server();
  const HttpResponse r = serve(server, AuthServer::user_auth_request("alice", "123.456"));
  CHECK(r.status == 200);
  CHECK(Json::parse(r.body) == expected_response("user_signin_auth"));
}

TEST_CASE("auth endpoint refuses what its policy refuses, and strangers", "[auth_server]") {
  AuthServer server = make_server();
  server.policy().refused_channels.insert("private-secret");
  CHECK(serve(server, AuthServer::channel_auth_request("alice", "123.456", "private-secret")).status == 403);
  CHECK(serve(server, AuthServer::channel_auth_request("alice", "123.456", "private-other")).status == 200);
  CHECK(serve(server, AuthServer::channel_auth_request("mallory", "123.456", "presence-foo")).status == 403);
  CHECK(serve(server, AuthServer::user_auth_request("mallory", "123.456")).status == 403);
  server.policy().refused_users.insert("u1");
  CHECK(serve(server, AuthServer::user_auth_request("alice", "123.456")).status == 403);
  CHECK(serve(server, AuthServer::channel_auth_request("alice", "123.456", "private-other")).status == 403);
  CHECK(serve(server, AuthServer::channel_auth_request("alice", "1.2 3", "private-other")).status == 400);
  CHECK(server.log().size() == 7);
  CHECK(server.log()[0].channel == "private-secret");
  CHECK(server.log()[0].status == 403);
}

TEST_CASE("auth endpoint faults: failures, silence and slowness", "[auth_server]") {
  AuthServer server = make_server();
  server.faults().fail_next(2, 503);
  server.faults().slow(seconds(3));
  const HttpRequest request = AuthServer::channel_auth_request("alice", "123.456", "private-foo");
  for (int i = 0; i < 2; ++i) {
    HttpReply reply = server.handle(kSimulationEpoch, request);
    REQUIRE(reply.response);
    CHECK(reply.response->status == 503);
    CHECK(reply.processing_delay == seconds(3));
  }
  server.faults().silence_next(1);
  CHECK_FALSE(server.handle(kSimulationEpoch, request).response);
  HttpReply ok = server.handle(kSimulationEpoch, request);
  REQUIRE(ok.response);
  CHECK(ok.response->status == 200);
  CHECK(server.log()[2].status == 0);
}
