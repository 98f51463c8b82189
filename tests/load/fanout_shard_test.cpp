#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "load/fanout_shard.hpp"

namespace pushsim::load {
namespace {

// A shard's report as `bench fanout --shard I/N --rate 50` would leave it.
FanoutReport shard_report(std::size_t index, std::size_t count, const LatencyHistogram& latency) {
  FanoutReport report;
  report.target = "ws://127.0.0.1:6001";
  report.options.ws_url = report.target;
  report.options.subscribers = 1000;
  report.options.rate_per_s = 50;
  report.options.shard_index = index;
  report.options.shard_count = count;
  report.options.shard_publish = true;
  report.start_unix_ms = 1'796'000'000'000;
  report.connected = report.subscribers_here();
  FanoutRun run;
  run.rate_per_s = 50;
  run.latency = latency;
  run.delivered = latency.count();
  run.expected = latency.count();
  run.received_in_window = latency.count();
  run.generator_cpu_s = 0.001 * static_cast<double>(index + 1);
  report.runs.push_back(run);
  return report;
}

// Through the file format and back, as bench merge reads it.
FanoutShard round_trip(const FanoutReport& report, const std::string& name) {
  auto json = fanout_shard_json(report);
  REQUIRE(json);
  auto shard = parse_fanout_shard(Json::parse(json->dump()), name);
  REQUIRE(shard);
  return *shard;
}

// Latencies from 0 to minutes, spread over many power-of-two ranges.
std::int64_t random_latency(std::mt19937_64& rng) {
  const std::uint64_t bits = rng() >> 27;  // up to 2^37 ns, about two minutes
  return static_cast<std::int64_t>(bits >> (rng() % 37));
}

}  // namespace

TEST_CASE("bench merge: the merged shards' histogram is the histogram of every sample", "[load][shard]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const std::size_t shards = 2 + rng() % 3;
    const std::size_t samples = rng() % 3000;
    std::vector<LatencyHistogram> parts(shards);
    LatencyHistogram all;
    for (std::size_t i = 0; i < samples; ++i) {
      const std::int64_t value = random_latency(rng);
      all.record(value);
      parts[rng() % shards].record(value);
    }
    std::vector<FanoutShard> files;
    for (std::size_t i = shards; i-- > 0;) {  // any order
      files.push_back(round_trip(shard_report(i, shards, parts[i]), "shard" + std::to_string(i) + ".json"));
    }
    auto merged = merge_fanout_shards(files);
    REQUIRE(merged);
    const LatencyHistogram& m = merged->total.latency;
    REQUIRE(m.count() == all.count());
    for (std::size_t bucket = 0; bucket < LatencyHistogram::kBuckets; ++bucket) {
      if (m.bucket_count(bucket) != all.bucket_count(bucket)) FAIL("bucket " << bucket << " differs");
    }
    CHECK(m.min_ns() == all.min_ns());
    CHECK(m.max_ns() == all.max_ns());
    CHECK(m.mean_ns() == Approx(all.mean_ns()));
    for (double p : {0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
      CAPTURE(p);
      CHECK(m.percentile_ns(p) == all.percentile_ns(p));
    }
    CHECK(merged->total.delivered == all.count());
    CHECK(merged->subscribers == 1000);
  }
}

TEST_CASE("bench merge: shards of different runs, or not all of one, are refused", "[load][shard]") {
  LatencyHistogram h;
  h.record(1'000'000);
  const FanoutShard a = round_trip(shard_report(0, 2, h), "a.json");
  const FanoutShard b = round_trip(shard_report(1, 2, h), "b.json");
  REQUIRE(merge_fanout_shards({a, b}));

  SECTION("another rate") {
    FanoutReport other = shard_report(1, 2, h);
    other.options.rate_per_s = 60;
    auto merged = merge_fanout_shards({a, round_trip(other, "c.json")});
    REQUIRE_FALSE(merged);
    CHECK(merged.error().message ==
          "bench merge: c.json is not a shard of the run of a.json: rate_per_s is 60.0 there, 50.0 in a.json");
  }
  SECTION("another start") {
    FanoutReport other = shard_report(1, 2, h);
    other.start_unix_ms += 5'000;
    auto merged = merge_fanout_shards({a, round_trip(other, "c.json")});
    REQUIRE_FALSE(merged);
    CHECK_THAT(merged.error().message, Catch::Contains("start_unix_ms"));
  }
  SECTION("the same shard twice") {
    auto merged = merge_fanout_shards({a, a});
    REQUIRE_FALSE(merged);
    CHECK(merged.error().message == "bench merge: a.json and a.json are both shard 0/2");
  }
  SECTION("a shard missing") {
    auto merged = merge_fanout_shards({b});
    REQUIRE_FALSE(merged);
    CHECK(merged.error().message == "bench merge: shard 0/2 is missing: a merged report needs every shard of the run");
  }
}

TEST_CASE("bench merge: a shard file that does not add up is refused", "[load][shard]") {
  LatencyHistogram h;
  h.record(1'000);
  h.record(2'000'000);
  auto json = fanout_shard_json(shard_report(0, 1, h));
  REQUIRE(json);
  REQUIRE(parse_fanout_shard(*json, "s.json"));

  Json other_layout = *json;
  other_layout["latency"]["layout"]["sub_bucket_bits"] = 5;
  auto layout = parse_fanout_shard(other_layout, "s.json");
  REQUIRE_FALSE(layout);
  CHECK_THAT(layout.error().message, Catch::Contains("s.json: histogram: bucket layout"));

  Json bad_count = *json;
  bad_count["latency"]["count"] = 3;
  auto count = parse_fanout_shard(bad_count, "s.json");
  REQUIRE_FALSE(count);
  CHECK_THAT(count.error().message, Catch::Contains("is not the buckets' total 2"));

  Json out_of_range = *json;
  out_of_range["latency"]["counts"].push_back(Json::array({LatencyHistogram::kBuckets, 1}));
  REQUIRE_FALSE(parse_fanout_shard(out_of_range, "s.json"));

  Json bad_max = *json;
  bad_max["latency"]["max_ns"] = 5;  // below the highest non-empty bucket
  REQUIRE_FALSE(parse_fanout_shard(bad_max, "s.json"));

  Json not_a_shard = {{"format", "something else"}};
  auto wrong = parse_fanout_shard(not_a_shard, "x.json");
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Catch::Contains("x.json: not a shard file"));
}

TEST_CASE("bench fanout --histogram: a rate search has no single run to write", "[load][shard]") {
  FanoutReport report = shard_report(0, 1, LatencyHistogram{});
  report.options.rate_per_s.reset();
  REQUIRE_FALSE(fanout_shard_json(report));
}

}  // namespace pushsim::load
