#include "load/fanout_report.hpp"

#include <cstdio>

namespace pushsim::load {
namespace {

double ms_of(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

Json latency_json(const LatencyHistogram& latency) {
  return Json{{"samples", latency.count()},
              {"p50_ms", ms_of(latency.percentile_ns(50))},
              {"p90_ms", ms_of(latency.percentile_ns(90))},
              {"p99_ms", ms_of(latency.percentile_ns(99))},
              {"p999_ms", ms_of(latency.percentile_ns(99.9))},
              {"max_ms", ms_of(latency.max_ns())},
              {"mean_ms", latency.mean_ns() / 1e6}};
}

Json run_json(const FanoutRun& run) {
  Json out = {{"rate_per_s", run.rate_per_s},
              {"measured_s", run.measured_s},
              {"published", run.published},
              {"publish_failures", run.publish_failures},
              {"expected_deliveries", run.expected},
              {"delivered", run.delivered},
              {"lost", run.lost},
              {"errors", run.errors},
              {"deliveries_per_s", run.deliveries_per_s()},
              {"latency", latency_json(run.latency)},
              {"generator_cpu_s", run.generator_cpu_s},
              {"generator_cpu_share", run.generator_cpu_share()},
              {"generator_received_in_window", run.received_in_window},
              {"generator_cpu_us_per_delivery", run.generator_cpu_us_per_delivery()},
              {"process_cpu_s", run.process_cpu_s},
              {"process_cpu_share", run.process_cpu_share()},
              {"passed", run.passed}};
  if (!run.nodes.empty()) {
    Json nodes = Json::array();
    for (const auto& node : run.nodes) {
      nodes.push_back({{"url", node.url},
                       {"subscribers", node.subscribers},
                       {"expected_deliveries", node.expected},
                       {"delivered", node.delivered},
                       {"lost", node.lost},
                       {"latency", latency_json(node.latency)}});
    }
    out["nodes"] = std::move(nodes);
  }
  if (!run.why.empty()) out["why"] = run.why;
  return out;
}

const char* via_name(PublishVia via) { return via == PublishVia::kRest ? "rest" : "client-events"; }

}  // namespace

std::size_t FanoutReport::subscribers_here() const {
  const std::size_t n = options.shard_count;
  return options.subscribers / n + (options.shard_index < options.subscribers % n ? 1 : 0);
}

bool FanoutReport::ok() const {
  if (runs.empty() || !stopped_early.empty()) return false;
  if (!options.rate_per_s) return max_sustained_per_s.has_value();
  for (const auto& run : runs) {
    if (!run.passed) return false;
  }
  return true;
}

Json fanout_report_json(const FanoutReport& report) {
  const FanoutOptions& o = report.options;
  Json runs = Json::array();
  for (const auto& run : report.runs) runs.push_back(run_json(run));
  Json out = {{"target", report.target},
              {"in_process", report.in_process},
              {"subscribers", o.subscribers},
              {"channels", o.channels},
              {"via", via_name(o.via)},
              {"rate", o.rate_per_s ? Json(*o.rate_per_s) : Json("max")},
              {"payload_bytes", o.payload_bytes},
              {"warmup_s", static_cast<double>(o.warmup.count()) / 1000},
              {"duration_s", static_cast<double>(o.duration.count()) / 1000},
              {"p99_bound_ms", o.p99_bound.count()},
              {"fd_limit", report.fd_limit_note},
              {"delayed_acks", o.delayed_acks},
              {"connect",
               {{"connections", report.connected}, {"seconds", report.connect_s}, {"per_s", report.connect_per_s()}}},
              {"runs", runs},
              {"error_count", report.error_count},
              {"errors", report.errors},
              {"ok", report.ok()}};
  if (report.max_sustained_per_s) out["max_sustained_rate_per_s"] = *report.max_sustained_per_s;
  if (!o.node_urls.empty()) out["nodes"] = o.node_urls;
  if (o.sharded()) {
    out["shard"] = {{"index", o.shard_index},
                    {"count", o.shard_count},
                    {"publish", o.shard_publish},
                    {"subscribers_here", report.subscribers_here()},
                    {"start_unix_ms", report.start_unix_ms}};
  }
  if (!report.stopped_early.empty()) out["stopped_early"] = report.stopped_early;
  return out;
}

void write_fanout_table(std::ostream& out, const FanoutReport& report) {
  const FanoutOptions& o = report.options;
  out << "target      " << report.target << "\n"
      << "load        " << o.subscribers << " subscribers on " << o.channels << " channel(s), " << o.payload_bytes
      << " B payload via " << via_name(o.via) << ", warm-up " << fixed(static_cast<double>(o.warmup.count()) / 1000, 1)
      << " s, measured " << fixed(static_cast<double>(o.duration.count()) / 1000, 1) << " s per rate\n";
  if (!o.node_urls.empty()) {
    out << "nodes       " << o.node_urls.size() << ": subscriber i on node i mod " << o.node_urls.size()
        << ", events published to node 0 (" << o.node_urls.front() << ")\n";
  }
  if (o.sharded()) {
    out << "shard       " << o.shard_index << "/" << o.shard_count << ": " << report.subscribers_here()
        << " of the subscribers, "
        << (o.shard_publish      ? "publishing its share"
            : o.shard_index == 0 ? "publishing every event"
                                 : "listening only")
        << ", schedule from unix ms " << report.start_unix_ms << "\n";
  }
  if (o.delayed_acks) out << "acks        delayed, like most client stacks (--delayed-acks)\n";
  out << "fd limit    " << report.fd_limit_note << "\n"
      << "connect     " << report.connected << " subscribed in " << fixed(report.connect_s, 2) << " s ("
      << fixed(report.connect_per_s(), 0) << " connections/s)\n\n";
  out << "    rate/s  deliveries/s   p50 ms   p90 ms   p99 ms  p99.9 ms   max ms   lost  errors  gen CPU  gen us/del  "
         "proc CPU  "
         "verdict\n";
  for (const auto& run : report.runs) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "%10.0f  %12.0f %8.2f %8.2f %8.2f %9.2f %8.2f %6llu %7llu %7.0f%% %10.2f %8.0f%%  %s\n",
                  run.rate_per_s, run.deliveries_per_s(), ms_of(run.latency.percentile_ns(50)),
                  ms_of(run.latency.percentile_ns(90)), ms_of(run.latency.percentile_ns(99)),
                  ms_of(run.latency.percentile_ns(99.9)), ms_of(run.latency.max_ns()),
                  static_cast<unsigned long long>(run.lost), static_cast<unsigned long long>(run.errors),
                  100 * run.generator_cpu_share(), run.generator_cpu_us_per_delivery(), 100 * run.process_cpu_share(),
                  run.passed ? "ok" : ("FAIL: " + run.why).c_str());
    out << line;
  }
  for (const auto& run : report.runs) {
    if (run.nodes.empty()) continue;
    out << "\nrate " << fixed(run.rate_per_s, 0)
        << "/s per node (events published to node 0; the others' deliveries crossed the cluster's bus):\n"
        << "  node  subscribers  delivered   p50 ms   p90 ms   p99 ms   max ms   lost  url\n";
    for (std::size_t k = 0; k < run.nodes.size(); ++k) {
      const FanoutNodeRun& node = run.nodes[k];
      char line[512];
      std::snprintf(line, sizeof line, "  %4zu %12zu %10llu %8.2f %8.2f %8.2f %8.2f %6llu  %s%s\n", k, node.subscribers,
                    static_cast<unsigned long long>(node.delivered), ms_of(node.latency.percentile_ns(50)),
                    ms_of(node.latency.percentile_ns(90)), ms_of(node.latency.percentile_ns(99)),
                    ms_of(node.latency.max_ns()), static_cast<unsigned long long>(node.lost), node.url.c_str(),
                    k == 0 ? " (publishes here)" : "");
      out << line;
    }
  }
  if (!o.rate_per_s) {
    out << "\nmax sustained rate (p99 <= " << o.p99_bound.count() << " ms, no loss): "
        << (report.max_sustained_per_s ? fixed(*report.max_sustained_per_s, 0) + " events/s" : "none passed") << "\n";
  }
  out << "\ngen CPU: the generator thread's CPU time over the window (100% = one core saturated: the\n"
         "numbers then measure pushsim, not the server); gen us/del: that time per delivery it read in the\n"
         "window. proc CPU: the whole process"
      << (report.in_process ? ", serve included" : "") << ".\n";
  if (report.error_count > 0) {
    out << "\n" << report.error_count << " error(s); the first:\n";
    for (const auto& error : report.errors) out << "  " << error << "\n";
  }
  if (!report.stopped_early.empty()) out << "\nstopped early: " << report.stopped_early << "\n";
}

}  // namespace pushsim::load
