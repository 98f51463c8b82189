// Watchlists (docs/protocol.md §4.6): the initial state after sign-in, online with a user's
// first signed-in connection and offline with its last, the 100-id limit, and the broken
// variants that selftest relies on behaving as their names say.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

using Frames = std::vector<std::string>;

std::string watcher_signin_success(const std::string& user_data) {
  return R"({"event":"pusher:signin_success","data":{"user_data":)" + Json(user_data).dump() + "}}";
}

std::string watchlist_frame(const Json& events) {
  return R"({"event":"pusher_internal:watchlist_events","data":)" + Json{{"events", events}}.dump() + "}";
}

Json watch_entry(const std::string& name, const std::vector<std::string>& user_ids) {
  return Json{{"name", name}, {"user_ids", user_ids}};
}

// Signs in and drops what the sign-in itself answered.
void signin_quietly(EngineFixture& f, ConnectionId id, const std::string& user_data) {
  f.signin(id, user_data);
  f.take(id);
}

EngineOptions watch_variant(Defect defect) {
  EngineOptions options = test_options();
  options.defects.add(defect);
  return options;
}

}  // namespace

TEST_CASE("after sign-in a watcher gets the online ids, then the offline ids, in watchlist order",
          "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId bob = f.connect();
  signin_quietly(f, bob, R"({"id":"u3"})");
  ConnectionId alice = f.connect();
  const std::string user_data = R"({"id":"u1","watchlist":["u2","u3","u4"]})";
  f.signin(alice, user_data);
  CHECK(f.take(alice) ==
        Frames{watcher_signin_success(user_data),
               watchlist_frame(Json{watch_entry("online", {"u3"}), watch_entry("offline", {"u2", "u4"})})});
  CHECK(f.take(bob).empty());
  CHECK(f.engine.invariant_violations().empty());
}

TEST_CASE("no watchlist, or an empty one, gets no watchlist_events", "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId alice = f.connect();
  f.signin(alice, R"({"id":"u1"})");
  CHECK(f.take(alice) == Frames{watcher_signin_success(R"({"id":"u1"})")});
  ConnectionId carol = f.connect();
  f.signin(carol, R"({"id":"u5","watchlist":[]})");
  CHECK(f.take(carol) == Frames{watcher_signin_success(R"({"id":"u5","watchlist":[]})")});
}

TEST_CASE("online comes with a watched user's first connection, offline with its last", "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId alice = f.connect();
  signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2"]})");
  ConnectionId bob = f.connect();
  signin_quietly(f, bob, R"({"id":"u2"})");
  CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("online", {"u2"})})});
  ConnectionId bob_phone = f.connect();
  signin_quietly(f, bob_phone, R"({"id":"u2"})");
  signin_quietly(f, bob_phone, R"({"id":"u2"})");  // again as the same user: still one connection
  CHECK(f.take(alice).empty());
  f.close(bob);
  CHECK(f.take(alice).empty());
  CHECK(f.engine.invariant_violations().empty());
  f.close(bob_phone);
  CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("offline", {"u2"})})});
  CHECK(f.engine.invariant_violations().empty());
}

TEST_CASE("only connections watching the user hear of it, each once; a closing watcher hears nothing",
          "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId alice = f.connect();
  signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2"]})");
  ConnectionId carol = f.connect();
  signin_quietly(f, carol, R"({"id":"u3","watchlist":["u4"]})");
  ConnectionId bob = f.connect();
  signin_quietly(f, bob, R"({"id":"u2","watchlist":["u1"]})");
  CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("online", {"u2"})})});
  CHECK(f.take(carol).empty());
  // alice (u1) leaves: bob watches u1 and hears offline; alice itself gets nothing more.
  f.close(alice);
  CHECK(f.take(bob) == Frames{watchlist_frame(Json{watch_entry("offline", {"u1"})})});
  CHECK(f.take(alice).empty());
}

TEST_CASE("a terminated user goes offline for its watchers", "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId alice = f.connect();
  signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2"]})");
  ConnectionId bob = f.connect();
  signin_quietly(f, bob, R"({"id":"u2"})");
  f.take(alice);
  CHECK(f.engine.terminate_user_connections(f.now, f.app(), "u2") == 1);
  f.advance(0);
  CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("offline", {"u2"})})});
}

TEST_CASE("a watchlist over 100 ids keeps the first 100, signs in, then sends pusher:error 4302",
          "[engine][watchlist]") {
  EngineFixture f;
  Json ids = Json::array();
  for (int i = 1; i <= 101; ++i) ids.push_back("w" + std::to_string(i));
  const std::string user_data = Json{{"id", "u1"}, {"watchlist", ids}}.dump();
  ConnectionId alice = f.connect();
  f.signin(alice, user_data);
  auto frames = f.take(alice);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0] == watcher_signin_success(user_data));
  CHECK(
      Json::parse(frames[1]) ==
      Json::parse(
          R"({"event":"pusher:error","data":{"code":4302,"message":"Watchlist limit exceeded: only the first 100 user ids are kept"}})"));
  const Json state = Json::parse(frames[2]).at("data").at("events");
  REQUIRE(state.size() == 1);
  CHECK(state[0].at("name") == "offline");
  CHECK(state[0].at("user_ids").size() == 100);
  ConnectionId last = f.connect();
  signin_quietly(f, last, R"({"id":"w101"})");
  CHECK(f.take(alice).empty());
}

TEST_CASE("a watchlist that is not an array of strings refuses the sign-in", "[engine][watchlist]") {
  EngineFixture f;
  ConnectionId alice = f.connect();
  f.signin(alice, R"({"id":"u1","watchlist":"u2"})");
  f.signin(alice, R"({"id":"u1","watchlist":["u2",3]})");
  const Frames frames = f.take(alice);
  REQUIRE(frames.size() == 2);
  for (const auto& frame : frames) {
    CHECK(
        Json::parse(frame) ==
        Json::parse(
            R"({"event":"pusher:error","data":{"code":4009,"message":"Sign-in rejected: watchlist must be an array of user ids"}})"));
  }
}

TEST_CASE("the watchlist variants break what their names say", "[engine][watchlist][defects]") {
  SECTION("watchlist-ignored sends no watchlist_events") {
    EngineFixture f(watch_variant(Defect::kWatchlistIgnored));
    ConnectionId alice = f.connect();
    signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2"]})");
    ConnectionId bob = f.connect();
    signin_quietly(f, bob, R"({"id":"u2"})");
    CHECK(f.take(alice).empty());
  }
  SECTION("watchlist-events-per-connection repeats online for a second connection") {
    EngineFixture f(watch_variant(Defect::kWatchlistEventsPerConnection));
    ConnectionId alice = f.connect();
    signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2"]})");
    ConnectionId bob = f.connect();
    signin_quietly(f, bob, R"({"id":"u2"})");
    ConnectionId bob_phone = f.connect();
    signin_quietly(f, bob_phone, R"({"id":"u2"})");
    CHECK(f.take(alice).size() == 2);
    f.close(bob);
    CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("offline", {"u2"})})});
  }
  SECTION("watchlist-unlimited keeps 101 ids without an error") {
    EngineFixture f(watch_variant(Defect::kWatchlistUnlimited));
    Json ids = Json::array();
    for (int i = 1; i <= 101; ++i) ids.push_back("w" + std::to_string(i));
    ConnectionId alice = f.connect();
    signin_quietly(f, alice, Json{{"id", "u1"}, {"watchlist", ids}}.dump());
    ConnectionId last = f.connect();
    signin_quietly(f, last, R"({"id":"w101"})");
    CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("online", {"w101"})})});
  }
  SECTION("signin-switches-user lets a connection become another user, who goes online") {
    EngineFixture f(watch_variant(Defect::kSigninSwitchesUser));
    ConnectionId alice = f.connect();
    signin_quietly(f, alice, R"({"id":"u1","watchlist":["u2","u3"]})");
    ConnectionId mallory = f.connect();
    signin_quietly(f, mallory, R"({"id":"u2"})");
    f.take(alice);
    f.signin(mallory, R"({"id":"u3"})");
    CHECK(f.take(mallory) == Frames{watcher_signin_success(R"({"id":"u3"})")});
    CHECK(f.take(alice) == Frames{watchlist_frame(Json{watch_entry("offline", {"u2"})}),
                                  watchlist_frame(Json{watch_entry("online", {"u3"})})});
    CHECK(f.engine.invariant_violations().empty());
  }
}
