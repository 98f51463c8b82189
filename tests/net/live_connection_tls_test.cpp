// wss:// with certificate verification on (the default) and off.
#include <catch2/catch.hpp>

#include "net/live_connection.hpp"
#include "support/tls_test_server.hpp"

namespace pushsim::test {

using namespace std::chrono_literals;

TEST_CASE("live client: wss to a self-signed certificate fails verification by default", "[net][live][tls]") {
  IoLoop loop;
  TlsTestServer server(loop);
  LiveConnectionOptions options;
  options.url = server.url();
  LiveConnection connection(loop, options);
  auto error = connection.connect(deadline_after(3s));
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("connect failed: TLS handshake with 127.0.0.1:"));
  CHECK_THAT(error->message, Catch::Contains("certificate verify failed"));
}

TEST_CASE("live client: wss with verification off connects to a self-signed server", "[net][live][tls]") {
  IoLoop loop;
  TlsTestServer server(loop);
  LiveConnectionOptions options;
  options.url = server.url();
  options.tls_verify = false;
  LiveConnection connection(loop, options);
  auto error = connection.connect(deadline_after(3s));
  INFO((error ? error->message : std::string("connected")));
  REQUIRE_FALSE(error.has_value());
  CHECK(connection.socket_id() == "1.1");
  CHECK(connection.frames().size() == 1);
  CHECK(connection.frames()[0].text == kEstablished);
}

}  // namespace pushsim::test
