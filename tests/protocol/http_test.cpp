#include <catch2/catch.hpp>

#include <string>

#include "protocol/http.hpp"

using namespace pushsim;

TEST_CASE("a request target splits into path and raw query at the first '?'", "[http]") {
  HttpRequest request;
  request.target = "/apps/1/events?auth_key=k&auth_version=1.0";
  CHECK(request.path() == "/apps/1/events");
  CHECK(request.raw_query() == "auth_key=k&auth_version=1.0");
  request.target = "/apps/1/channels";
  CHECK(request.path() == "/apps/1/channels");
  CHECK(request.raw_query().empty());
  request.target = "/apps/1/channels?";
  CHECK(request.path() == "/apps/1/channels");
  CHECK(request.raw_query().empty());
  request.target = "/a?b=1?c=2";
  CHECK(request.path() == "/a");
  CHECK(request.raw_query() == "b=1?c=2");
}

TEST_CASE("header lookup ignores case and returns the first match", "[http]") {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Pusher-Key", "k1"}, {"x-pusher-key", "k2"}};
  CHECK(request.header("content-type") == std::optional<std::string_view>("application/json"));
  CHECK(request.header("CONTENT-TYPE") == std::optional<std::string_view>("application/json"));
  CHECK(request.header("X-PUSHER-KEY") == std::optional<std::string_view>("k1"));
  CHECK_FALSE(request.header("X-Pusher-Signature").has_value());
  CHECK_FALSE(request.header("Content-Typ").has_value());
  HttpResponse response;
  response.headers = {{"retry-after", "5"}};
  CHECK(response.header("Retry-After") == std::optional<std::string_view>("5"));
  CHECK_FALSE(response.header("Content-Length").has_value());
  CHECK(equals_ignoring_ascii_case("X-Pusher-Key", "x-pusher-KEY"));
  CHECK_FALSE(equals_ignoring_ascii_case("X-Pusher-Key", "X-Pusher-Keys"));
}

TEST_CASE("parse_query decodes keys and values in wire order", "[http]") {
  auto params = parse_query("b=2&a=1&info=user_count%2Csubscription_count&name=a+b&plus=%2B&utf=f%C3%B6o");
  REQUIRE(params.ok());
  CHECK(*params == QueryParams{{"b", "2"},
                               {"a", "1"},
                               {"info", "user_count,subscription_count"},
                               {"name", "a b"},
                               {"plus", "+"},
                               {"utf", "f\xC3\xB6o"}});
}

TEST_CASE("parse_query: empty parts, bare keys, empty keys and '=' inside values", "[http]") {
  auto empty = parse_query("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  auto params = parse_query("&a=1&&flag&=v&b=x=y&c=&");
  REQUIRE(params.ok());
  CHECK(*params == QueryParams{{"a", "1"}, {"flag", ""}, {"", "v"}, {"b", "x=y"}, {"c", ""}});
  auto encoded_key = parse_query("filter%5Fby%5Fprefix=presence-");
  REQUIRE(encoded_key.ok());
  CHECK(*encoded_key == QueryParams{{"filter_by_prefix", "presence-"}});
}

TEST_CASE("parse_query: a malformed escape is a 400 naming the parameter", "[http]") {
  auto bad_value = parse_query("auth_key=k&info=user%2");
  REQUIRE_FALSE(bad_value.ok());
  CHECK(bad_value.error() == Error{"query parameter 'info' has a malformed percent escape in its value", 400});
  auto bad_hex = parse_query("a=%G1");
  REQUIRE_FALSE(bad_hex.ok());
  CHECK(bad_hex.error() == Error{"query parameter 'a' has a malformed percent escape in its value", 400});
  auto trailing = parse_query("a=1%");
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message == "query parameter 'a' has a malformed percent escape in its value");
  auto bad_key = parse_query("a%zz=1");
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.error() == Error{"query parameter name 'a%zz' has a malformed percent escape", 400});
}

TEST_CASE("percent_encode keeps RFC 3986 unreserved characters only", "[http]") {
  CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percent_encode("a b,c/d?e&f=g+h%") == "a%20b%2Cc%2Fd%3Fe%26f%3Dg%2Bh%25");
  CHECK(percent_encode("#server-to-user-1") == "%23server-to-user-1");
  CHECK(percent_encode("f\xC3\xB6o") == "f%C3%B6o");
  CHECK(percent_encode(std::string("\0\x7f\xff", 3)) == "%00%7F%FF");
  CHECK(percent_encode("").empty());
}

TEST_CASE("percent_encode then parse_query gives back every byte", "[http]") {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  auto params = parse_query(percent_encode(all_bytes) + "=" + percent_encode(all_bytes));
  REQUIRE(params.ok());
  REQUIRE(params->size() == 1);
  CHECK(params->front().first == all_bytes);
  CHECK(params->front().second == all_bytes);
  CHECK(percent_decode_or_keep(percent_encode(all_bytes)) == all_bytes);
}

TEST_CASE("percent_decode_or_keep decodes good escapes and keeps bad ones literally", "[http]") {
  CHECK(percent_decode_or_keep("presence%2Dfoo") == "presence-foo");
  CHECK(percent_decode_or_keep("%23server-to-user-1") == "#server-to-user-1");
  CHECK(percent_decode_or_keep("a+b") == "a+b");  // '+' means space only in queries
  CHECK(percent_decode_or_keep("100%") == "100%");
  CHECK(percent_decode_or_keep("%4") == "%4");
  CHECK(percent_decode_or_keep("%zz%41") == "%zzA");
  CHECK(percent_decode_or_keep("%%41") == "%A");
  CHECK(percent_decode_or_keep("%2525") == "%25");
  CHECK(percent_decode_or_keep("").empty());
}
