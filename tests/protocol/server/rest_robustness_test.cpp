// Hostile input to the REST API: every answer is a well-formed JSON response with a status
// the API documents, never an exception or a crash.
#include <catch2/catch.hpp>

#include <set>

#include "tests/protocol/server/rest_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

const std::set<int> kDocumentedStatuses = {200, 400, 401, 403, 404, 405, 413};

bool is_json_object(const std::string& text) {
  Json parsed = Json::parse(text, nullptr, false);
  return !parsed.is_discarded() && parsed.is_object();
}

// Fragments that, glued together at random, make bodies near the shapes the API parses.
std::string random_body(Rng& rng) {
  static const std::vector<std::string> kPieces = {"{",
                                                   "}",
                                                   "[",
                                                   "]",
                                                   ",",
                                                   ":",
                                                   "\"name\"",
                                                   "\"data\"",
                                                   "\"channels\"",
                                                   "\"channel\"",
                                                   "\"batch\"",
                                                   "\"socket_id\"",
                                                   "\"info\"",
                                                   "\"e\"",
                                                   "\"my-channel\"",
                                                   "\"1.2\"",
                                                   "\"user_count\"",
                                                   "null",
                                                   "true",
                                                   "7",
                                                   "-1e999",
                                                   "\"\\ud800\"",
                                                   "\"\xff\"",
                                                   "\"#x\"",
                                                   " "};
  std::string body;
  auto pieces = rng.below(24);
  for (std::uint64_t i = 0; i < pieces; ++i) body += kPieces[rng.below(kPieces.size())];
  return body;
}

}  // namespace

TEST_CASE("random signed bodies always get a documented status and a JSON object body") {
  RestFixture fixture;
  fixture.join_presence(fixture.connect(), "presence-room", "u1");
  Rng rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string body = random_body(rng);
    std::string path = rng.chance(1, 2) ? "/events" : "/batch_events";
    INFO(path << " " << body);
    HttpResponse response = fixture.post_raw(path, body);
    CHECK(kDocumentedStatuses.count(response.status) == 1);
    CHECK(is_json_object(response.body));
  }
}

TEST_CASE("bytes that are not UTF-8 in paths and parameters are echoed as valid JSON") {
  RestFixture fixture;
  HttpResponse route = fixture.handle(fixture.signed_request("GET", "/apps/1/\xff\xfe"));
  CHECK(route.status == 404);
  CHECK(route.body == error_body("No route for GET /apps/1/\xef\xbf\xbd\xef\xbf\xbd"));
  HttpResponse info = fixture.get("/channels/my-channel", {{"info", "\xc3"}});
  CHECK(info.status == 400);
  CHECK(is_json_object(info.body));
  HttpResponse channel = fixture.get("/channels/%FF");
  CHECK(channel.status == 400);
  CHECK(channel.body ==
        error_body("channel name has invalid character byte 0xff at position 0; allowed: A-Z a-z 0-9 _ - = @ , . ;"));
}
