// Names unique to a scenario of a live run: what gets a suffix, what keeps its exact form, and
// that everything the server says reads as the scenario wrote it again.
#include <catch2/catch.hpp>

#include <string>

#include "harness/name_isolation.hpp"
#include "protocol/channel_name.hpp"

namespace pushsim::harness {
namespace {

const std::string kSuffix = isolation_suffix("k3x9qa", "presence.3");

NameIsolation isolation() { return NameIsolation(kSuffix); }

}  // namespace

TEST_CASE("name isolation: the suffix is the run token and the scenario id between underscores") {
  CHECK(kSuffix == "_k3x9qa_presence.3_");
}

TEST_CASE("name isolation: a valid channel name gets the suffix and keeps its kind and cache flag") {
  auto names = isolation();
  for (const std::string name : {"news", "private-room", "presence-room", "private-encrypted-room", "cache-scores",
                                 "presence-cache-x", "AZaz09_-=@,.;", "Private-room", "presence2"}) {
    const std::string mapped = names.channel(name);
    CHECK(mapped == name + kSuffix);
    CHECK(classify_channel(mapped) == classify_channel(name));
    CHECK_FALSE(validate_channel_name(mapped, 164, false));
  }
  // The suffix starts with '_': a name that is a prefix without its dash stays public.
  CHECK(classify_channel(names.channel("private")).kind == ChannelKind::kPublic);
  CHECK(classify_channel(names.channel("private-encrypted")).kind == ChannelKind::kPrivate);
}

TEST_CASE("name isolation: a suffix never pushes a valid name over the 164-character limit") {
  auto names = isolation();
  const std::string longest_mapped(164 - kSuffix.size(), 'c');
  CHECK(names.channel(longest_mapped) == longest_mapped + kSuffix);
  CHECK((longest_mapped + kSuffix).size() == 164);
  const std::string one_more(longest_mapped.size() + 1, 'c');
  CHECK(names.channel(one_more) == one_more);  // 164 with the suffix would be 165
  const std::string at_limit(164, 'c');
  CHECK(names.channel(at_limit) == at_limit);  // names.10 keeps its 164 characters
  CHECK(names.owns_channel(at_limit));
}

TEST_CASE("name isolation: an invalid name stays invalid, exactly as written") {
  auto names = isolation();
  for (const std::string& name : {std::string(165, 'c'), std::string("bad name!"), std::string("a/b"),
                                  std::string("a:b"), std::string("caf\xC3\xA9"), std::string("line\nbreak"),
                                  std::string("star*"), std::string(""), std::string("#internal")}) {
    CHECK(names.channel(name) == name);
  }
}

TEST_CASE("name isolation: a bare kind prefix is a name of its own and keeps its form") {
  auto names = isolation();
  for (const std::string prefix : {"private-", "presence-", "private-encrypted-", "cache-", "private-cache-",
                                   "presence-cache-", "private-encrypted-cache-"}) {
    CHECK(names.channel(prefix) == prefix);
  }
}

TEST_CASE("name isolation: #server-to-user-{id} follows the user id's mapping") {
  auto names = isolation();
  CHECK(names.user("u1") == "u1" + kSuffix);
  CHECK(names.channel("#server-to-user-u1") == "#server-to-user-u1" + kSuffix);
  CHECK(names.channel("#server-to-user-bad id") == "#server-to-user-bad id");
}

TEST_CASE("name isolation: user ids over 128 characters with the suffix, or invalid, keep their form") {
  const auto names = isolation();
  const std::string longest_mapped(128 - kSuffix.size(), 'u');
  CHECK(names.user(longest_mapped) == longest_mapped + kSuffix);
  const std::string at_limit(128, 'u');  // names.21: a 128-character presence user id
  CHECK(names.user(at_limit) == at_limit);
  CHECK(names.user(std::string(129, 'u')) == std::string(129, 'u'));
  CHECK(names.user("bad id") == "bad id");
  CHECK(names.user("") == "");
}

TEST_CASE("name isolation: REST paths map the channel and user segments, not the query") {
  auto names = isolation();
  CHECK(names.rest_path("/channels") == "/channels");
  CHECK(names.rest_path("/channels/presence-room") == "/channels/presence-room" + kSuffix);
  CHECK(names.rest_path("/channels/presence-room/users") == "/channels/presence-room" + kSuffix + "/users");
  CHECK(names.rest_path("/apps/1/channels/news") == "/apps/1/channels/news" + kSuffix);
  CHECK(names.rest_path("/channels/news?info=user_count") == "/channels/news" + kSuffix + "?info=user_count");
  CHECK(names.rest_path("/users/u1/terminate_connections") == "/users/u1" + kSuffix + "/terminate_connections");
  CHECK(names.rest_path("/channels/bad name") == "/channels/bad name");
  CHECK(names.rest_path("/channels/users/users") == "/channels/users" + kSuffix + "/users");
  CHECK(names.rest_path("/events") == "/events");
}

TEST_CASE("name isolation: a REST body's channel names are mapped and every other byte is kept") {
  auto names = isolation();
  CHECK(names.rest_body(R"({"name":"e", "channels":["news","news2","bad name!"],"data":"news"})") ==
        R"({"name":"e", "channels":["news)" + kSuffix + R"(","news2)" + kSuffix + R"(","bad name!"],"data":"news)" +
            kSuffix + R"("})");
  CHECK(names.rest_body(R"({"name":"e","channel":"room","data":"x"})") ==
        R"({"name":"e","channel":"room)" + kSuffix + R"(","data":"x"})");
  CHECK(names.rest_body(R"({"batch":[{"channel":"a","name":"e","data":"{}"},{"channel":"b","name":"e"}]})") ==
        R"({"batch":[{"channel":"a)" + kSuffix + R"(","name":"e","data":"{}"},{"channel":"b)" + kSuffix +
            R"(","name":"e"}]})");
  CHECK(names.rest_body("name=update&channels=news") == "name=update&channels=news");
  CHECK(names.rest_body("") == "");
}

TEST_CASE("name isolation: a client's frame maps its channel, also inside string-encoded data") {
  auto names = isolation();
  CHECK(names.frame_text(R"({"event":"client-x","channel":"private-room","data":{}})") ==
        R"({"event":"client-x","channel":"private-room)" + kSuffix + R"(","data":{}})");
  CHECK(names.frame_text(R"({"event":"pusher:subscribe","data":"{\"channel\":\"my-channel\"}"})") ==
        R"({"event":"pusher:subscribe","data":"{\"channel\":\"my-channel)" + kSuffix + R"(\"}"})");
  CHECK(names.frame_text(R"({"event":"pusher:subscribe","data":{"channel":42}})") ==
        R"({"event":"pusher:subscribe","data":{"channel":42}})");
  CHECK(names.frame_text("not json \"room\"") == "not json \"room\"");
}

TEST_CASE("name isolation: what the server says reads as written, and another scenario's names stay foreign") {
  auto names = isolation();
  const std::string mine = names.channel("presence-room");
  const std::string theirs = "presence-room" + isolation_suffix("k3x9qa", "presence.30");
  CHECK(names.unmap(R"({"channel":")" + mine + R"(","data":"{\"user_id\":\"u1)" + kSuffix + R"(\"}"})") ==
        R"({"channel":"presence-room","data":"{\"user_id\":\"u1\"}"})");
  CHECK(names.unmap(theirs) == theirs);
  CHECK(names.owns_channel(mine));
  CHECK_FALSE(names.owns_channel(theirs));
  CHECK_FALSE(names.owns_channel("presence-room"));  // an earlier run's, or a scenario's without suffix
  const Json hook = {{"name", "member_added"}, {"channel", mine}, {"user_id", "u1" + kSuffix}};
  CHECK(names.unmap_json(hook) == Json{{"name", "member_added"}, {"channel", "presence-room"}, {"user_id", "u1"}});
  CHECK(names.unmap_json(Json{{"channels", {{mine, {{"user_count", 1}}}}}}) ==
        Json{{"channels", {{"presence-room", {{"user_count", 1}}}}}});
}

TEST_CASE("name isolation: a step's presence channel_data maps its user_id only") {
  const auto names = isolation();
  CHECK(names.channel_data(Json{{"user_id", "u9"}, {"user_info", {{"name", "u9"}}}}) ==
        Json{{"user_id", "u9" + kSuffix}, {"user_info", {{"name", "u9"}}}});
  CHECK(names.channel_data(Json{{"user_id", 7}}) == Json{{"user_id", 7}});
  CHECK(names.channel_data(Json("raw")) == Json("raw"));
}

}  // namespace pushsim::harness
