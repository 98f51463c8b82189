#include <catch2/catch.hpp>

#include "protocol/client/presence_members.hpp"

using namespace pushsim;

namespace {
PresenceMembers two_members() {
  PresenceMembers members;
  members.set_my_id("u1");
  auto error = members.on_subscription(
      Json::parse(R"({"presence":{"ids":["u1","u2"],"hash":{"u1":{"name":"Alice"},"u2":{}},"count":2}})"));
  REQUIRE_FALSE(error);
  return members;
}
}  // namespace

TEST_CASE("subscription data sets hash, count and me", "[client][presence]") {
  auto members = two_members();
  CHECK(members.count() == 2);
  CHECK(members.hash().size() == 2);
  REQUIRE(members.me());
  CHECK(*members.me() == MemberInfo{"u1", Json{{"name", "Alice"}}});
  CHECK(members.get("u2") == MemberInfo{"u2", Json::object()});
  CHECK(members.get("u3") == std::nullopt);
}

TEST_CASE("member_added counts only user ids it did not know, but stores the info", "[client][presence]") {
  auto members = two_members();
  auto added = members.add(Json::parse(R"({"user_id":"u3","user_info":{"name":"Carol"}})"));
  REQUIRE(added.ok());
  CHECK(added.value() == MemberInfo{"u3", Json{{"name", "Carol"}}});
  CHECK(members.count() == 3);
  auto again = members.add(Json::parse(R"({"user_id":"u2","user_info":{"name":"Bob"}})"));
  REQUIRE(again.ok());
  CHECK(members.count() == 3);
  CHECK(members.get("u2")->info == Json{{"name", "Bob"}});
}

TEST_CASE("member_removed counts down only for ids it knew", "[client][presence]") {
  auto members = two_members();
  auto unknown = members.remove(Json::parse(R"({"user_id":"u9"})"));
  REQUIRE(unknown.ok());
  CHECK(unknown.value() == std::nullopt);
  CHECK(members.count() == 2);
  auto removed = members.remove(Json::parse(R"({"user_id":"u2"})"));
  REQUIRE(removed.ok());
  CHECK(removed.value() == MemberInfo{"u2", Json::object()});
  CHECK(members.count() == 1);
  CHECK(members.me()->id == "u1");
}

TEST_CASE("numeric user ids key the same member as their string spelling", "[client][presence]") {
  auto members = two_members();
  REQUIRE(members.add(Json::parse(R"({"user_id":10})")).ok());
  CHECK(members.get("10") == MemberInfo{"10", nullptr});
  REQUIRE(members.add(Json::parse(R"({"user_id":"10"})")).ok());
  CHECK(members.count() == 3);
}

TEST_CASE("malformed presence data gives errors, never a throw", "[client][presence]") {
  PresenceMembers members;
  CHECK(members.on_subscription(Json("{}")) ==
        make_error("presence subscription_succeeded data has no \"presence\" object"));
  CHECK(members.on_subscription(Json::parse(R"({"presence":{"hash":{"a":1}}})")) ==
        make_error("presence data has no integer \"count\""));
  CHECK(members.count() == 1);  // falls back to the size of the hash
  CHECK(members.add(Json::parse(R"({"user_info":{}})")).error().message == "member_added data has no user_id");
  CHECK(members.add(Json::parse(R"({"user_id":true})")).error().message ==
        "member_added user_id must be a string or a number");
  CHECK(members.remove(Json("u1")).error().message == "member_removed data must be an object");
}

// Reproduced with fuzz/fuzz_client under UBSan: a count at the top of the int64 range made the next member_added
// overflow the counter (undefined behaviour); a negative one is meaningless.
TEST_CASE("a presence count out of range is refused and the hash size used", "[client][presence]") {
  PresenceMembers members;
  CHECK(members.on_subscription(Json::parse(R"({"presence":{"hash":{"a":1},"count":9223372036854775807}})")) ==
        make_error("presence \"count\" 9223372036854775807 is out of range"));
  CHECK(members.count() == 1);
  REQUIRE(members.add(Json::parse(R"({"user_id":"b"})")).ok());
  CHECK(members.count() == 2);
  CHECK(members.on_subscription(Json::parse(R"({"presence":{"hash":{},"count":-1}})")) ==
        make_error("presence \"count\" -1 is out of range"));
  CHECK(members.count() == 0);
  CHECK(members.on_subscription(Json::parse(R"({"presence":{"hash":{},"count":18446744073709551615}})")) ==
        make_error("presence \"count\" 18446744073709551615 is out of range"));
}

TEST_CASE("member_added stops counting at the largest count", "[client][presence]") {
  PresenceMembers members;
  const auto top = std::to_string(PresenceMembers::kCountMax);
  REQUIRE_FALSE(members.on_subscription(Json::parse(R"({"presence":{"hash":{},"count":)" + top + "}}")));
  REQUIRE(members.add(Json::parse(R"({"user_id":"b"})")).ok());
  CHECK(members.count() == PresenceMembers::kCountMax);
}
