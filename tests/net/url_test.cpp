#include <catch2/catch.hpp>

#include "net/url.hpp"

namespace pushsim {

TEST_CASE("url: scheme, host, port and target, with the scheme's default port", "[net][url]") {
  auto url = parse_url("WSS://ws-mt1.pusher.com/prefix?x=1");
  REQUIRE(url.ok());
  CHECK(url->scheme == "wss");
  CHECK(url->host == "ws-mt1.pusher.com");
  CHECK(url->port == "443");
  CHECK(url->target == "/prefix?x=1");
  CHECK(url->tls());
  CHECK(url->host_header() == "ws-mt1.pusher.com");

  auto plain = parse_url("http://127.0.0.1:6001");
  REQUIRE(plain.ok());
  CHECK(plain->port == "6001");
  CHECK(plain->target == "/");
  CHECK(plain->host_header() == "127.0.0.1:6001");

  auto ipv6 = parse_url("ws://[::1]:8080?a=b");
  REQUIRE(ipv6.ok());
  CHECK(ipv6->host == "::1");
  CHECK(ipv6->target == "/?a=b");
  CHECK(ipv6->host_header() == "[::1]:8080");
}

TEST_CASE("url: malformed URLs are errors saying what is wrong", "[net][url]") {
  CHECK(parse_url("127.0.0.1:6001").error().message == "URL \"127.0.0.1:6001\" has no scheme://");
  CHECK(parse_url("ftp://x").error().message == "URL scheme \"ftp\" is not ws, wss, http or https");
  CHECK(parse_url("ws://:80").error().message == "URL \"ws://:80\" has no host");
  CHECK(parse_url("ws://host:0").error().message == "URL port \"0\" is not a number in 1..65535");
  CHECK(parse_url("ws://host:99999").error().message == "URL port \"99999\" is not a number in 1..65535");
  CHECK(parse_url("ws://user@host").error().message == "URL user information is not supported");
  CHECK(parse_url("ws://[::1").error().message == "URL has an unclosed IPv6 literal");
}

}  // namespace pushsim
