#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "load/fanout_args.hpp"

using namespace pushsim;
using namespace pushsim::load;

namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const FanoutArgs& args, const EnvLookup& env = env_of({})) {
  auto options = fanout_options_from_args(args, env);
  return options ? std::string("no error") : options.error().message;
}

}  // namespace

TEST_CASE("bench fanout args: serve with the defaults runs in-process with the default app", "[load][fanout-args]") {
  auto options = fanout_options_from_args(FanoutArgs{}, env_of({}));
  REQUIRE(options.ok());
  CHECK(options->ws_url.empty());
  CHECK(options->app.key == "app-key");
  CHECK(options->rate_per_s == 100);
  CHECK(options->duration == std::chrono::seconds(10));
  CHECK(options->p99_bound == std::chrono::milliseconds(50));
}

TEST_CASE("bench fanout args: rates, durations and publishing modes as typed", "[load][fanout-args]") {
  FanoutArgs args;
  args.rate = "max";
  args.duration = "1.5s";
  args.warmup = "500ms";
  args.p99_bound = "20ms";
  args.via = "client-events";
  auto options = fanout_options_from_args(args, env_of({}));
  REQUIRE(options.ok());
  CHECK_FALSE(options->rate_per_s.has_value());
  CHECK(options->duration == std::chrono::milliseconds(1500));
  CHECK(options->warmup == std::chrono::milliseconds(500));
  CHECK(options->via == PublishVia::kClientEvents);
  CHECK_FALSE(options->delayed_acks);
  args.delayed_acks = true;
  CHECK(fanout_options_from_args(args, env_of({}))->delayed_acks);
  args.rate = "250/s";
  CHECK(fanout_options_from_args(args, env_of({}))->rate_per_s == 250);
}

TEST_CASE("bench fanout args: a live target takes credentials from flags, else PUSHER_*", "[load][fanout-args]") {
  FanoutArgs args;
  args.target = "live";
  auto env = env_of({{"PUSHER_HOST", "10.0.0.5"},
                     {"PUSHER_PORT", "6001"},
                     {"PUSHER_APP_ID", "7"},
                     {"PUSHER_APP_KEY", "k"},
                     {"PUSHER_APP_SECRET", "s"}});
  auto options = fanout_options_from_args(args, env);
  REQUIRE(options.ok());
  CHECK(options->ws_url == "ws://10.0.0.5:6001");
  CHECK(options->app.app_id == "7");
  args.key = "flag-key";
  CHECK(fanout_options_from_args(args, env)->app.key == "flag-key");

  FanoutArgs bare;
  bare.target = "ws://127.0.0.1:6001";
  CHECK_THAT(error_of(bare), Catch::Contains("--secret"));
}

TEST_CASE("bench fanout args: each mistake names its flag", "[load][fanout-args]") {
  auto with = [](auto change) {
    FanoutArgs args;
    change(args);
    return error_of(args);
  };
  CHECK_THAT(with([](auto& a) { a.rate = "fast"; }), Catch::Contains("--rate"));
  CHECK_THAT(with([](auto& a) { a.rate = "0"; }), Catch::Contains("--rate"));
  CHECK_THAT(with([](auto& a) { a.duration = "ten"; }), Catch::Contains("--duration"));
  CHECK_THAT(with([](auto& a) { a.warmup = "1.0000001s"; }), Catch::Contains("--warmup"));
  CHECK_THAT(with([](auto& a) { a.via = "carrier-pigeon"; }), Catch::Contains("--via"));
  CHECK_THAT(with([](auto& a) { a.target = "sim"; }), Catch::Contains("--target"));
  CHECK_THAT(with([](auto& a) { a.target = "live"; }), Catch::Contains("PUSHER_HOST"));
  CHECK_THAT(with([](auto& a) {
               a.subscribers = 10;
               a.channels = 11;
             }),
             Catch::Contains("--channels"));
  CHECK_THAT(with([](auto& a) { a.payload_bytes = 20000; }), Catch::Contains("--payload-bytes"));
}

TEST_CASE("bench fanout args: --shard I/N, --shard-publish and --start-at", "[load][fanout-args]") {
  FanoutArgs args;
  args.target = "ws://127.0.0.1:6001";
  args.app_id = "id";
  args.key = "key";
  args.secret = "secret";
  args.shard = "1/4";
  args.shard_publish = true;
  args.start_at = "1796320000.5";
  auto options = fanout_options_from_args(args, env_of({}));
  REQUIRE(options.ok());
  CHECK(options->shard_index == 1);
  CHECK(options->shard_count == 4);
  CHECK(options->start_at_unix_ms == 1'796'320'000'500);
  CHECK(options->owns_subscriber(5));
  CHECK_FALSE(options->owns_subscriber(6));
  CHECK(options->publishes(9));
  CHECK_FALSE(options->publishes(8));
  FanoutOptions listening = *options;
  listening.shard_publish = false;  // shard 0 publishes everything, the others nothing
  CHECK_FALSE(listening.publishes(9));

  FanoutArgs bad = args;
  bad.shard = "4/4";
  CHECK(error_of(bad) == "--shard must be I/N with 0 <= I < N");
  bad.shard = "1-4";
  CHECK(error_of(bad) == "--shard: '1-4' is not I/N (e.g. 0/4: the first of four shards)");
  bad = args;
  bad.rate = "max";
  CHECK(error_of(bad) == "--shard needs a fixed --rate: shards cannot search for one together");
  bad = args;
  bad.target = "serve";
  CHECK(error_of(bad) == "--shard needs a server every shard reaches (ws://HOST:PORT), not --target serve");
  bad = args;
  bad.start_at = "soon";
  CHECK_THAT(error_of(bad), Catch::StartsWith("--start-at: 'soon' is not a unix time in seconds"));
  bad = args;
  bad.shard = "";
  CHECK(error_of(bad) == "--shard-publish and --start-at go with --shard I/N (N > 1)");
  bad.shard = "0/1";
  bad.shard_publish = false;
  bad.start_at = "";
  CHECK(error_of(bad) == "no error");  // one shard of one: the plain run
}

TEST_CASE("bench fanout args: --target repeated, the nodes of one clustered server", "[load][fanout-args]") {
  FanoutArgs args;
  args.target = "ws://127.0.0.1:6001";
  args.more_targets = {"ws://127.0.0.1:6002", "ws://127.0.0.1:6003"};
  args.app_id = "id";
  args.key = "key";
  args.secret = "secret";
  auto options = fanout_options_from_args(args, env_of({}));
  REQUIRE(options.ok());
  CHECK(options->ws_url == "ws://127.0.0.1:6001");
  CHECK(options->node_urls ==
        std::vector<std::string>{"ws://127.0.0.1:6001", "ws://127.0.0.1:6002", "ws://127.0.0.1:6003"});
  CHECK(options->nodes() == 3);
  CHECK(options->node_of(0) == 0);
  CHECK(options->node_of(4) == 1);
  CHECK(options->node_of(5) == 2);
  FanoutArgs one = args;
  one.more_targets.clear();
  auto single = fanout_options_from_args(one, env_of({}));
  REQUIRE(single.ok());
  CHECK(single->node_urls.empty());
  CHECK(single->nodes() == 1);
  CHECK(single->node_of(7) == 0);

  FanoutArgs bad = args;
  bad.target = "serve";
  CHECK(error_of(bad) == "--target serve is one server: several --target values must each be a node's ws:// URL");
  bad = args;
  bad.more_targets = {"http://127.0.0.1:6002"};
  CHECK(error_of(bad) == "--target http://127.0.0.1:6002: several --target values must each be a node's ws:// URL");
  bad = args;
  bad.subscribers = 2;
  CHECK(error_of(bad) == "--subscribers must be at least the number of nodes (3) to put one on each");
}
