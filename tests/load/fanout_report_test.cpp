#include <catch2/catch.hpp>

#include <sstream>

#include "load/fanout_report.hpp"

namespace pushsim::load {
namespace {

FanoutRun run_at(double rate, bool passed) {
  FanoutRun run;
  run.rate_per_s = rate;
  run.measured_s = 2;
  run.published = static_cast<std::uint64_t>(rate * 2);
  run.expected = run.published * 10;
  run.delivered = run.expected;
  for (int i = 1; i <= 100; ++i) run.latency.record(i * 100'000);  // 0.1 .. 10 ms
  run.generator_cpu_s = 0.5;
  run.received_in_window = 250'000;  // 2 us of generator CPU per delivery read
  run.process_cpu_s = 3;
  run.passed = passed;
  if (!passed) run.why = "p99 over 5 ms";
  return run;
}

}  // namespace

TEST_CASE("fanout report: rates, shares and latencies in the JSON", "[load][fanout]") {
  FanoutReport report;
  report.target = "serve";
  report.options.rate_per_s = std::nullopt;
  report.connected = 1000;
  report.connect_s = 0.5;
  report.runs = {run_at(100, true), run_at(200, false)};
  report.max_sustained_per_s = 100;
  const Json json = fanout_report_json(report);
  CHECK(json["rate"] == "max");
  CHECK(json["connect"]["per_s"] == 2000.0);
  CHECK(json["max_sustained_rate_per_s"] == 100.0);
  REQUIRE(json["runs"].size() == 2);
  const Json& first = json["runs"][0];
  CHECK(first["deliveries_per_s"] == 1000.0);
  CHECK(first["generator_cpu_share"] == 0.25);
  CHECK(first["generator_received_in_window"] == 250'000);
  CHECK(first["generator_cpu_us_per_delivery"] == 2.0);
  CHECK(first["process_cpu_share"] == 1.5);
  CHECK(first["latency"]["samples"] == 100);
  CHECK(first["latency"]["max_ms"] == 10.0);
  CHECK(first["latency"]["p50_ms"].get<double>() == Approx(5.0).epsilon(0.02));
  CHECK(json["runs"][1]["why"] == "p99 over 5 ms");
  CHECK(json["ok"] == true);
  CHECK(json["delayed_acks"] == false);
}

TEST_CASE("fanout report: subscribers that delay their ACKs are named in the table and the JSON", "[load][fanout]") {
  FanoutReport report;
  report.runs = {run_at(100, true)};
  std::ostringstream prompt;
  write_fanout_table(prompt, report);
  CHECK_THAT(prompt.str(), !Catch::Contains("acks"));
  report.options.delayed_acks = true;
  std::ostringstream delayed;
  write_fanout_table(delayed, report);
  CHECK_THAT(delayed.str(), Catch::Contains("acks        delayed"));
  CHECK(fanout_report_json(report)["delayed_acks"] == true);
}

TEST_CASE("fanout report: ok only when every fixed-rate run passed and nothing stopped it", "[load][fanout]") {
  FanoutReport report;
  report.options.rate_per_s = 100;
  CHECK_FALSE(report.ok());  // nothing ran
  report.runs = {run_at(100, true)};
  CHECK(report.ok());
  report.runs.push_back(run_at(100, false));
  CHECK_FALSE(report.ok());
  report.runs.pop_back();
  report.stopped_early = "subscriber 3: connect: refused";
  CHECK_FALSE(report.ok());

  FanoutReport search;
  search.options.rate_per_s = std::nullopt;
  search.runs = {run_at(100, false)};
  CHECK_FALSE(search.ok());  // no rate passed
}

TEST_CASE("fanout report: the table names each rate's verdict and the generator's share", "[load][fanout]") {
  FanoutReport report;
  report.target = "ws://127.0.0.1:6001";
  report.options.rate_per_s = std::nullopt;
  report.runs = {run_at(100, true), run_at(200, false)};
  report.max_sustained_per_s = 100;
  std::ostringstream out;
  write_fanout_table(out, report);
  const std::string text = out.str();
  CHECK_THAT(text, Catch::Contains("ws://127.0.0.1:6001"));
  CHECK_THAT(text, Catch::Contains("FAIL: p99 over 5 ms"));
  CHECK_THAT(text, Catch::Contains("25%"));
  CHECK_THAT(text, Catch::Contains("gen us/del"));
  CHECK_THAT(text, Catch::Contains("      2.00"));
  CHECK_THAT(text, Catch::Contains("max sustained rate (p99 <= 50 ms, no loss): 100 events/s"));
}

TEST_CASE("fanout report: a clustered target's runs give each node's share and latency", "[load][fanout]") {
  FanoutReport report;
  report.target = "ws://127.0.0.1:6001";
  report.options.ws_url = report.target;
  report.options.node_urls = {"ws://127.0.0.1:6001", "ws://127.0.0.1:6002"};
  report.options.rate_per_s = 100;
  FanoutRun run = run_at(100, false);
  run.why = "7 deliveries lost";
  FanoutNodeRun local{"ws://127.0.0.1:6001", 5, 1000, 1000, 0, {}};
  local.latency.record(1'000'000);
  FanoutNodeRun remote{"ws://127.0.0.1:6002", 5, 1000, 993, 7, {}};
  remote.latency.record(3'000'000);
  run.nodes = {local, remote};
  report.runs = {run};
  std::ostringstream out;
  write_fanout_table(out, report);
  const std::string text = out.str();
  CHECK_THAT(text, Catch::Contains("nodes       2: subscriber i on node i mod 2, events published to node 0"));
  CHECK_THAT(text, Catch::Contains("ws://127.0.0.1:6001 (publishes here)"));
  CHECK_THAT(text, Catch::Contains("     1            5        993"));
  const Json json = fanout_report_json(report);
  CHECK(json["nodes"] == Json::array({"ws://127.0.0.1:6001", "ws://127.0.0.1:6002"}));
  const Json& nodes = json["runs"][0]["nodes"];
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[1]["lost"] == 7);
  CHECK(nodes[1]["expected_deliveries"] == 1000);
  CHECK(nodes[0]["latency"]["samples"] == 1);
  CHECK(nodes[1]["url"] == "ws://127.0.0.1:6002");

  FanoutReport single = report;
  single.options.node_urls.clear();
  single.runs[0].nodes.clear();
  CHECK_FALSE(fanout_report_json(single).contains("nodes"));
  CHECK_FALSE(fanout_report_json(single)["runs"][0].contains("nodes"));
}

}  // namespace pushsim::load
