#include "load/fanout_shard.hpp"

#include <algorithm>
#include <cstdio>

namespace pushsim::load {
namespace {

const char* via_text(PublishVia via) { return via == PublishVia::kRest ? "rest" : "client-events"; }

Json layout_json() {
  return Json{{"sub_bucket_bits", LatencyHistogram::kSubBucketBits}, {"buckets", LatencyHistogram::kBuckets}};
}

Json histogram_json(const LatencyHistogram& latency) {
  Json counts = Json::array();
  for (std::size_t bucket = 0; bucket < LatencyHistogram::kBuckets; ++bucket) {
    if (latency.bucket_count(bucket) > 0) counts.push_back(Json::array({bucket, latency.bucket_count(bucket)}));
  }
  return Json{{"layout", layout_json()},    {"count", latency.count()},   {"min_ns", latency.min_ns()},
              {"max_ns", latency.max_ns()}, {"sum_ns", latency.sum_ns()}, {"counts", counts}};
}

Result<LatencyHistogram> histogram_from(const Json& json, const std::string& source) {
  auto bad = [&](const std::string& what) { return make_error(source + ": histogram: " + what); };
  if (!json.is_object()) return bad("not an object");
  if (json.value("layout", Json()) != layout_json()) {
    return bad("bucket layout " + json.value("layout", Json()).dump() + " is not this pushsim's " +
               layout_json().dump() + " (written by another version?)");
  }
  LatencyHistogram histogram;
  const Json counts = json.value("counts", Json());
  if (!counts.is_array()) return bad("no \"counts\" array");
  for (const auto& entry : counts) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_unsigned() || !entry[1].is_number_unsigned() ||
        !histogram.add_bucket(entry[0].get<std::size_t>(), entry[1].get<std::uint64_t>())) {
      return bad("bad bucket entry " + entry.dump() + " (expected [bucket < " +
                 std::to_string(LatencyHistogram::kBuckets) + ", count])");
    }
  }
  if (!json.contains("count") || json["count"] != Json(histogram.count())) {
    return bad("\"count\" " + json.value("count", Json()).dump() + " is not the buckets' total " +
               std::to_string(histogram.count()));
  }
  if (!json.value("min_ns", Json()).is_number_integer() || !json.value("max_ns", Json()).is_number_integer() ||
      !json.value("sum_ns", Json()).is_number() ||
      !histogram.set_summary(json["min_ns"].get<std::int64_t>(), json["max_ns"].get<std::int64_t>(),
                             json["sum_ns"].get<double>())) {
    return bad("min_ns/max_ns/sum_ns missing or outside the non-empty buckets");
  }
  return histogram;
}

std::string ms_text(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(ns) / 1e6);
  return text;
}

}  // namespace

Result<Json> fanout_shard_json(const FanoutReport& report) {
  const FanoutOptions& o = report.options;
  if (!o.rate_per_s || report.runs.size() != 1) {
    return make_error("--histogram needs a fixed --rate (one run; a --rate max search has several)");
  }
  const FanoutRun& run = report.runs.front();
  Json run_id = {
      {"target", report.target},       {"subscribers", o.subscribers},      {"channels", o.channels},
      {"via", via_text(o.via)},        {"rate_per_s", *o.rate_per_s},       {"payload_bytes", o.payload_bytes},
      {"warmup_ms", o.warmup.count()}, {"duration_ms", o.duration.count()}, {"p99_bound_ms", o.p99_bound.count()},
      {"shards", o.shard_count},       {"shard_publish", o.shard_publish},  {"start_unix_ms", report.start_unix_ms}};
  Json totals = {{"published", run.published},
                 {"publish_failures", run.publish_failures},
                 {"expected_deliveries", run.expected},
                 {"delivered", run.delivered},
                 {"lost", run.lost},
                 {"errors", run.errors},
                 {"measured_s", run.measured_s},
                 {"generator_cpu_s", run.generator_cpu_s},
                 {"generator_received_in_window", run.received_in_window},
                 {"process_cpu_s", run.process_cpu_s}};
  Json out = {{"format", kFanoutShardFormat},
              {"version", kFanoutShardVersion},
              {"run", run_id},
              {"shard", {{"index", o.shard_index}, {"subscribers", report.connected}}},
              {"totals", totals},
              {"latency", histogram_json(run.latency)}};
  if (!run.why.empty()) out["why"] = run.why;
  if (!report.stopped_early.empty()) out["stopped_early"] = report.stopped_early;
  return out;
}

Result<FanoutShard> parse_fanout_shard(const Json& json, const std::string& source) {
  auto bad = [&](const std::string& what) { return make_error(source + ": " + what); };
  if (!json.is_object() || json.value("format", Json()) != Json(kFanoutShardFormat)) {
    return bad(std::string("not a shard file (no \"format\": \"") + kFanoutShardFormat +
               "\"; write one with bench fanout --histogram)");
  }
  if (json.value("version", Json()) != Json(kFanoutShardVersion)) {
    return bad("shard file version " + json.value("version", Json()).dump() + ", this pushsim reads " +
               std::to_string(kFanoutShardVersion));
  }
  FanoutShard shard;
  shard.source = source;
  shard.run = json.value("run", Json());
  const Json totals = json.value("totals", Json());
  const Json place = json.value("shard", Json());
  try {
    shard.count = shard.run.at("shards").get<std::size_t>();
    shard.index = place.at("index").get<std::size_t>();
    shard.subscribers_here = place.at("subscribers").get<std::size_t>();
    shard.result.rate_per_s = shard.run.at("rate_per_s").get<double>();
    shard.result.published = totals.at("published").get<std::uint64_t>();
    shard.result.publish_failures = totals.at("publish_failures").get<std::uint64_t>();
    shard.result.expected = totals.at("expected_deliveries").get<std::uint64_t>();
    shard.result.delivered = totals.at("delivered").get<std::uint64_t>();
    shard.result.lost = totals.at("lost").get<std::uint64_t>();
    shard.result.errors = totals.at("errors").get<std::uint64_t>();
    shard.result.measured_s = totals.at("measured_s").get<double>();
    shard.result.generator_cpu_s = totals.at("generator_cpu_s").get<double>();
    shard.result.received_in_window = totals.at("generator_received_in_window").get<std::uint64_t>();
    shard.result.process_cpu_s = totals.at("process_cpu_s").get<double>();
    shard.run.at("p99_bound_ms").get<std::int64_t>();
    shard.run.at("duration_ms").get<std::int64_t>();
  } catch (const Json::exception& e) {
    return bad(std::string("missing or mistyped field: ") + e.what());
  }
  if (shard.count < 1 || shard.index >= shard.count) {
    return bad("shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + " is out of range");
  }
  auto latency = histogram_from(json.value("latency", Json()), source);
  if (!latency) return latency.error();
  shard.result.latency = *latency;
  shard.result.why = json.value("why", "");
  shard.stopped_early = json.value("stopped_early", "");
  return shard;
}

Result<FanoutMerged> merge_fanout_shards(const std::vector<FanoutShard>& shards) {
  if (shards.empty()) return make_error("bench merge: no shard files");
  const FanoutShard& first = shards.front();
  std::vector<const FanoutShard*> by_index(first.count, nullptr);
  for (const auto& shard : shards) {
    if (shard.run != first.run) {
      for (const auto& [key, value] : first.run.items()) {
        const Json other = shard.run.value(key, Json());
        if (other != value) {
          return make_error("bench merge: " + shard.source + " is not a shard of the run of " + first.source + ": " +
                            key + " is " + other.dump() + " there, " + value.dump() + " in " + first.source);
        }
      }
      return make_error("bench merge: " + shard.source + " is not a shard of the run of " + first.source +
                        " (its run has other fields)");
    }
    if (by_index[shard.index] != nullptr) {
      return make_error("bench merge: " + by_index[shard.index]->source + " and " + shard.source + " are both shard " +
                        std::to_string(shard.index) + "/" + std::to_string(first.count));
    }
    by_index[shard.index] = &shard;
  }
  for (std::size_t i = 0; i < by_index.size(); ++i) {
    if (by_index[i] == nullptr) {
      return make_error("bench merge: shard " + std::to_string(i) + "/" + std::to_string(first.count) +
                        " is missing: a merged report needs every shard of the run");
    }
  }
  FanoutMerged merged;
  merged.run = first.run;
  FanoutRun& total = merged.total;
  total.rate_per_s = first.result.rate_per_s;
  total.measured_s = static_cast<double>(first.run["duration_ms"].get<std::int64_t>()) / 1000;
  for (const FanoutShard* shard : by_index) {
    const FanoutRun& r = shard->result;
    merged.sources.push_back(shard->source);
    merged.subscribers += shard->subscribers_here;
    total.published += r.published;
    total.publish_failures += r.publish_failures;
    total.expected += r.expected;
    total.delivered += r.delivered;
    total.lost += r.lost;
    total.errors += r.errors;
    total.generator_cpu_s += r.generator_cpu_s;
    total.received_in_window += r.received_in_window;
    total.process_cpu_s += r.process_cpu_s;
    total.latency.merge(r.latency);
    if (!shard->stopped_early.empty()) merged.stopped_early.push_back(shard->source + ": " + shard->stopped_early);
    if (!r.why.empty() && total.why.empty() && r.lost == 0 && r.errors == 0) total.why = shard->source + ": " + r.why;
  }
  const std::int64_t bound_ns = merged.run["p99_bound_ms"].get<std::int64_t>() * 1'000'000;
  if (!merged.stopped_early.empty()) {
    total.why = "a shard stopped early";
  } else if (total.lost > 0) {
    total.why = std::to_string(total.lost) + " deliveries lost";
  } else if (total.errors > 0) {
    total.why = std::to_string(total.errors) + " errors";
  } else if (total.latency.percentile_ns(99) > bound_ns) {
    total.why = "p99 over " + std::to_string(bound_ns / 1'000'000) + " ms";
  }
  total.passed = total.why.empty();
  return merged;
}

Json fanout_merged_json(const FanoutMerged& merged) {
  const FanoutRun& t = merged.total;
  const LatencyHistogram& l = t.latency;
  auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  Json out = {{"run", merged.run},
              {"shards", merged.sources},
              {"subscribers_connected", merged.subscribers},
              {"published", t.published},
              {"expected_deliveries", t.expected},
              {"delivered", t.delivered},
              {"lost", t.lost},
              {"errors", t.errors},
              {"deliveries_per_s", t.deliveries_per_s()},
              {"latency",
               {{"samples", l.count()},
                {"p50_ms", ms(l.percentile_ns(50))},
                {"p90_ms", ms(l.percentile_ns(90))},
                {"p99_ms", ms(l.percentile_ns(99))},
                {"p999_ms", ms(l.percentile_ns(99.9))},
                {"max_ms", ms(l.max_ns())},
                {"mean_ms", l.mean_ns() / 1e6}}},
              {"generator_cpu_s", t.generator_cpu_s},
              {"generator_cpu_us_per_delivery", t.generator_cpu_us_per_delivery()},
              {"latency_histogram", histogram_json(l)},
              {"passed", t.passed}};
  if (!t.why.empty()) out["why"] = t.why;
  return out;
}

void write_fanout_merged_table(std::ostream& out, const FanoutMerged& merged) {
  const FanoutRun& t = merged.total;
  const LatencyHistogram& l = t.latency;
  out << "target      " << merged.run["target"].get<std::string>() << "\n"
      << "shards      " << merged.sources.size() << " (" << merged.subscribers << " of "
      << merged.run["subscribers"].get<std::size_t>() << " subscribers connected)\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%10s  %12s %8s %8s %8s %9s %8s %6s %7s %10s  %s\n", "rate/s", "deliveries/s",
                "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "lost", "errors", "gen us/del", "verdict");
  out << line;
  std::snprintf(line, sizeof line, "%10.0f  %12.0f %8s %8s %8s %9s %8s %6llu %7llu %10.2f  %s\n", t.rate_per_s,
                t.deliveries_per_s(), ms_text(l.percentile_ns(50)).c_str(), ms_text(l.percentile_ns(90)).c_str(),
                ms_text(l.percentile_ns(99)).c_str(), ms_text(l.percentile_ns(99.9)).c_str(),
                ms_text(l.max_ns()).c_str(), static_cast<unsigned long long>(t.lost),
                static_cast<unsigned long long>(t.errors), t.generator_cpu_us_per_delivery(),
                t.passed ? "ok" : ("FAIL: " + t.why).c_str());
  out << line;
  out << "\npercentiles from the shards' summed latency buckets (" << l.count()
      << " deliveries); gen us/del: the generators' CPU time over the deliveries they read.\n";
  for (const auto& stopped : merged.stopped_early) out << "stopped early: " << stopped << "\n";
}

}  // namespace pushsim::load
