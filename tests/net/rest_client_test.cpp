// The REST client's own behaviour: the SDK's body encoding, and failures as error values.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>

#include "support/free_port.hpp"
#include "support/rogue_server.hpp"
#include "support/serve_fixture.hpp"

namespace pushsim::test {

TEST_CASE("rest client: trigger bodies are encoded in the SDK's key order", "[net][rest]") {
  CHECK(RestClient::encode_trigger({{"a", "b"}, "news", "{\"x\":1}", std::string("1.2"), std::string("user_count")}) ==
        R"({"name":"news","data":"{\"x\":1}","channels":["a","b"],"socket_id":"1.2","info":"user_count"})");
  CHECK(RestClient::encode_trigger({{"a"}, "news", "plain", std::nullopt, std::nullopt}) ==
        R"({"name":"news","data":"plain","channels":["a"]})");
}

TEST_CASE("rest client: nothing listening is a connect error", "[net][rest]") {
  IoLoop loop;
  const std::uint16_t port = free_loopback_port();
  RestClient client(loop, RestClientOptions{"http://127.0.0.1:" + std::to_string(port), serve_test_app()});
  auto response = client.get("/channels", {}, soon());
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message,
             Catch::StartsWith("GET http://127.0.0.1:" + std::to_string(port) + "/apps/app-id/channels?"));
  CHECK_THAT(response.error().message, Catch::Contains(": connect: "));
}

TEST_CASE("rest client: a server that never answers times out at the deadline", "[net][rest]") {
  IoLoop loop;
  // Accepts connections (the kernel does, from the backlog) and never reads or answers.
  boost::asio::ip::tcp::acceptor silent(loop.context(), {boost::asio::ip::make_address("127.0.0.1"), 0});
  RestClient client(
      loop, RestClientOptions{"http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), serve_test_app()});
  auto started = std::chrono::steady_clock::now();
  auto response = client.get("/channels", {}, deadline_after(300ms));
  CHECK(std::chrono::steady_clock::now() - started < 10s);  // it never answers: no deadline, no end
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message, Catch::Contains(": read: timed out after "));
}

TEST_CASE("rest client: a server that trickles its answer times out, saying how much had arrived", "[net][rest]") {
  IoLoop loop;
  RogueServer trickle(loop, Misbehaviour::kRestTrickle);  // one byte every 200 ms
  RestClient client(loop, RestClientOptions{trickle.http_url(), serve_test_app()});
  auto started = std::chrono::steady_clock::now();
  auto response = client.get("/channels", {}, deadline_after(700ms));
  CHECK(std::chrono::steady_clock::now() - started < 10s);  // the trickle itself never ends
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message, Catch::Contains(": read: timed out after "));
  CHECK_THAT(response.error().message, Catch::Contains(" bytes of the response had arrived)"));
}

TEST_CASE("rest client: garbage instead of HTTP is an error naming the read", "[net][rest]") {
  IoLoop loop;
  RogueServer garbage(loop, Misbehaviour::kRestGarbage);
  RestClient client(loop, RestClientOptions{garbage.http_url(), serve_test_app()});
  auto response = client.get("/channels", {}, soon());
  REQUIRE_FALSE(response.ok());
  CHECK_THAT(response.error().message, Catch::Contains("/apps/app-id/channels?"));
  CHECK_THAT(response.error().message, Catch::Contains(": read: "));
}

TEST_CASE("rest client: a base URL with a path prefix signs and sends the prefixed path", "[net][rest]") {
  ServeFixture fixture(false);
  RestClient prefixed(fixture.loop, RestClientOptions{fixture.server.http_url() + "/prefix/", serve_test_app()});
  auto response = prefixed.get("/channels", {}, soon());
  REQUIRE(response.ok());
  CHECK(response->status == 404);  // the engine serves /apps/... only: the prefix reached it
}

}  // namespace pushsim::test
