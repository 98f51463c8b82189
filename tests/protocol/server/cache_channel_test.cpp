#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace pushsim;
using namespace pushsim::test;

namespace {

std::string succeeded(const std::string& channel) {
  return R"({"event":"pusher_internal:subscription_succeeded","channel":")" + channel + R"(","data":"{}"})";
}

std::string cache_miss(const std::string& channel) {
  return R"({"event":"pusher:cache_miss","channel":")" + channel + R"("})";
}

Json miss_hook(const std::string& channel) { return Json{{"name", "cache_miss"}, {"channel", channel}}; }
Json occupied_hook(const std::string& channel) { return Json{{"name", "channel_occupied"}, {"channel", channel}}; }

}  // namespace

TEST_CASE("subscribing to an empty cache channel sends pusher:cache_miss without data and a cache_miss webhook",
          "[engine][cache]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  f.subscribe(id, "cache-news");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("cache-news"), cache_miss("cache-news")});
  CHECK(f.take_webhooks() == std::vector<Json>{occupied_hook("cache-news"), miss_hook("cache-news")});
}

TEST_CASE("a cache hit delivers the last published event right after subscription_succeeded", "[engine][cache]") {
  EngineFixture f;
  f.engine.publish(f.now, f.app(), "cache-news", "first", R"({"n":1})", std::nullopt);
  f.engine.publish(f.now, f.app(), "cache-news", "headline", R"({"n":2})", std::nullopt);
  ConnectionId id = f.connect();
  f.subscribe(id, "cache-news");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("cache-news"),
                                               R"({"event":"headline","channel":"cache-news","data":"{\"n\":2}"})"});
  CHECK(f.take_webhooks() == std::vector<Json>{occupied_hook("cache-news")});
  auto cache = f.engine.channel("1", "cache-news", f.now).cache;
  REQUIRE(cache.has_value());
  CHECK(*cache == CachedEvent{"headline", R"({"n":2})", f.now + seconds(1800)});
}

TEST_CASE("every cache prefix caches: private-cache, private-encrypted-cache and presence-cache", "[engine][cache]") {
  EngineFixture f;
  ConnectionId id = f.connect();
  for (std::string channel : {"private-cache-a", "private-encrypted-cache-b", "presence-cache-c"}) {
    f.engine.publish(f.now, f.app(), channel, "e", "d", std::nullopt);
    if (channel.starts_with("presence-")) {
      f.subscribe(id, channel, R"({"user_id":"u1"})");
    } else {
      f.subscribe(id, channel);
    }
    auto frames = f.take(id);
    REQUIRE(frames.size() == 2);
    CHECK(frames[1] == R"({"event":"e","channel":")" + channel + R"(","data":"d"})");
  }
}

TEST_CASE("non-cache channels remember nothing", "[engine][cache]") {
  EngineFixture f;
  f.engine.publish(f.now, f.app(), "news", "e", "d", std::nullopt);
  ConnectionId id = f.connect();
  f.subscribe(id, "news");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("news")});
  CHECK_FALSE(f.engine.channel("1", "news", f.now).cache.has_value());
}

TEST_CASE("a cached event expires after cache_ttl and then counts as a miss", "[engine][cache]") {
  EngineOptions options = test_options();
  options.cache_ttl = seconds(60);
  EngineFixture f(options);
  f.engine.publish(f.now, f.app(), "cache-news", "e", "d", std::nullopt);
  f.advance(seconds(59));
  CHECK(f.engine.channel("1", "cache-news", f.now).cache.has_value());
  f.advance(seconds(1));
  CHECK_FALSE(f.engine.channel("1", "cache-news", f.now).cache.has_value());
  ConnectionId id = f.connect();
  f.subscribe(id, "cache-news");
  CHECK(f.take(id) == std::vector<std::string>{succeeded("cache-news"), cache_miss("cache-news")});
  CHECK(f.take_webhooks() == std::vector<Json>{occupied_hook("cache-news"), miss_hook("cache-news")});
}

TEST_CASE("cache_miss webhooks are sent once per empty period; every subscriber still gets the frame",
          "[engine][cache]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  ConnectionId b = f.connect();
  f.subscribe(a, "cache-news");
  f.subscribe(b, "cache-news");
  CHECK(f.take(b) == std::vector<std::string>{succeeded("cache-news"), cache_miss("cache-news")});
  f.unsubscribe(a, "cache-news");
  f.unsubscribe(b, "cache-news");
  f.subscribe(a, "cache-news");
  CHECK(f.take(a).back() == cache_miss("cache-news"));
  int misses = 0;
  for (const auto& event : f.take_webhooks()) misses += event["name"] == "cache_miss" ? 1 : 0;
  CHECK(misses == 1);

  // A publish fills the cache; once it has expired, the next miss is reported again.
  EngineOptions options = test_options();
  options.cache_ttl = seconds(10);
  EngineFixture g(options);
  ConnectionId c = g.connect();
  g.subscribe(c, "cache-news");
  g.engine.publish(g.now, g.app(), "cache-news", "e", "d", std::nullopt);
  g.advance(seconds(10));
  g.unsubscribe(c, "cache-news");
  g.subscribe(c, "cache-news");
  CHECK(g.take(c).back() == cache_miss("cache-news"));
  misses = 0;
  for (const auto& event : g.take_webhooks()) misses += event["name"] == "cache_miss" ? 1 : 0;
  CHECK(misses == 2);
}

TEST_CASE("client events are never cached", "[engine][cache]") {
  EngineFixture f;
  ConnectionId a = f.connect();
  f.subscribe(a, "private-cache-room");
  f.take(a);
  f.send(a, R"({"event":"client-x","channel":"private-cache-room","data":{}})");
  CHECK_FALSE(f.engine.channel("1", "private-cache-room", f.now).cache.has_value());
}

TEST_CASE("the cache-never-expires variant still delivers an event past its TTL", "[engine][cache][defects]") {
  EngineOptions options = test_options();
  options.cache_ttl = seconds(60);
  options.defects.add(Defect::kCacheNeverExpires);
  EngineFixture f(options);
  f.engine.publish(f.now, f.app(), "cache-news", "e", "d", std::nullopt);
  f.advance(seconds(61));
  ConnectionId id = f.connect();
  f.subscribe(id, "cache-news");
  CHECK(f.take(id) ==
        std::vector<std::string>{succeeded("cache-news"), R"({"event":"e","channel":"cache-news","data":"d"})"});
}

TEST_CASE("expired cache entries of unoccupied channels are pruned at the next cache publish a minute on",
          "[engine][cache]") {
  EngineOptions options = test_options();
  options.cache_ttl = seconds(60);
  EngineFixture f(options);
  f.engine.publish(f.now, f.app(), "cache-a", "e", "d", std::nullopt);
  f.engine.publish(f.now, f.app(), "cache-b", "e", "d", std::nullopt);
  ConnectionId id = f.connect();
  f.subscribe(id, "cache-held");  // a miss on an occupied channel: its entry stays
  CHECK(f.engine.cache_footprint().entries == 3);
  CHECK(f.engine.cache_footprint().bytes > 0);
  f.advance(seconds(61));
  f.engine.publish(f.now, f.app(), "cache-c", "e", "d", std::nullopt);
  // cache-a and cache-b expired and nobody holds them; cache-held is subscribed; cache-c is new.
  CHECK(f.engine.cache_footprint().entries == 2);
  f.advance(seconds(30));
  f.engine.publish(f.now, f.app(), "cache-d", "e", "d", std::nullopt);
  CHECK(f.engine.cache_footprint().entries == 3);  // within a minute of the last sweep: none
}
