#include "harness/workload.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "harness/workload_model.hpp"
#include "protocol/random.hpp"

namespace pushsim::harness {
namespace {

using workload_model::all_channels;
using workload_model::authorized_channels;
using workload_model::client_name;
using workload_model::kDropWindowOps;
using workload_model::kLatencyMaxMs;
using workload_model::Model;
using workload_model::probe_name;
using workload_model::public_channels;
using workload_model::user_info;

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& values) {
  return values[rng.below(values.size())];
}

int pick_client(Rng& rng, const Model& model, bool (*fits)(const Model&, int)) {
  std::vector<int> fitting;
  for (int i = 0; i < model.clients(); ++i) {
    if (fits(model, i)) fitting.push_back(i);
  }
  return fitting.empty() ? -1 : pick(rng, fitting);
}

bool is_active(const Model& model, int i) { return model.active(i); }
bool is_offline(const Model& model, int i) { return !model.client(i).connected; }
bool is_partitioned(const Model& model, int i) { return model.client(i).connected && model.client(i).partitioned; }
bool is_connected(const Model& model, int i) { return model.client(i).connected; }

// A node that is up (down: `up` false), or -1.
int pick_node(Rng& rng, const Model& model, bool up) {
  std::vector<int> fitting;
  for (int n = 0; n < model.nodes(); ++n) {
    if (model.node_up(n) == up) fitting.push_back(n);
  }
  return fitting.empty() ? -1 : pick(rng, fitting);
}

// The node a REST call goes to: any, in a cluster (a down one renders as "the first live node").
int rest_node(Rng& rng, const Model& model) {
  return model.nodes() > 1 ? static_cast<int>(rng.below(static_cast<std::uint64_t>(model.nodes()))) : -1;
}

struct Weighted {
  WorkloadOp::Kind kind;
  int weight;
};

const std::vector<Weighted>& weights() {
  using K = WorkloadOp::Kind;
  static const std::vector<Weighted> kAll = {
      {K::kConnect, 8},
      {K::kDisconnect, 3},
      {K::kSubscribe, 18},
      {K::kUnsubscribe, 5},
      {K::kTrigger, 12},
      {K::kBatchTrigger, 5},
      {K::kClientEvent, 8},
      {K::kPublicClientEvent, 2},
      {K::kSignin, 3},
      {K::kPing, 2},
      {K::kLatency, 3},
      {K::kPartition, 3},
      {K::kHeal, 4},
      {K::kDrop, 2},
      {K::kDropTimeout, 1},
      {K::kWebhookFailures, 2},
      {K::kBadAuth, 2},
      {K::kStaleRest, 1},
      {K::kBadKey, 1},
      {K::kBadProtocol, 1},
      {K::kQueryPresence, 3},
      {K::kQueryChannels, 2},
      {K::kRaceJoin, 4},
      {K::kRaceFlap, 4},
      {K::kRaceCache, 3},
      {K::kRaceRelay, 3},
      // Drawn only where they apply (Model::possible_edge): clusters, single nodes, should.
      {K::kCrashNode, 3},
      {K::kRestartNode, 3},
      {K::kBusPartition, 2},
      {K::kRestEdge, 2},
      {K::kSigninAsOther, 1},
      {K::kWatchlist, 1},
      {K::kWatchlistLimit, 1},
      {K::kAppProbe, 3},
      {K::kPrivateFormAuth, 1},
      {K::kCacheTtl, 1},
      {K::kBinaryFrame, 1},
  };
  return kAll;
}

WorkloadOp::Kind draw_kind(Rng& rng) {
  int total = 0;
  for (const auto& w : weights()) total += w.weight;
  auto at = static_cast<int>(rng.below(static_cast<std::uint64_t>(total)));
  for (const auto& w : weights()) {
    if (at < w.weight) return w.kind;
    at -= w.weight;
  }
  return weights().front().kind;
}

// A channel `index` is (or is not) subscribed to, of those `channels`; "" when none.
std::string pick_channel(Rng& rng, const Model& model, int index, const std::vector<std::string>& channels,
                         bool subscribed) {
  std::vector<std::string> fitting;
  for (const auto& channel : channels) {
    if (model.subscribed(index, channel) == subscribed) fitting.push_back(channel);
  }
  return fitting.empty() ? std::string() : pick(rng, fitting);
}

std::vector<std::string> client_event_channels() { return authorized_channels(); }

// An op of `kind` that the model allows now, or none.
std::optional<WorkloadOp> draw_op(Rng& rng, const Model& model, WorkloadOp::Kind kind, int& number) {
  using K = WorkloadOp::Kind;
  WorkloadOp op;
  op.kind = kind;
  auto exclude = [&] {
    return rng.chance(1, 2) ? static_cast<int>(rng.below(static_cast<std::uint64_t>(model.clients()))) : -1;
  };
  switch (kind) {
    case K::kConnect:
      op.a = pick_client(rng, model, is_offline);
      if (model.nodes() > 1) op.node = pick_node(rng, model, true);
      break;
    case K::kDisconnect:
    case K::kSignin:
    case K::kPing:
    case K::kPartition: op.a = pick_client(rng, model, is_active); break;
    case K::kDrop: op.a = pick_client(rng, model, is_connected); break;
    case K::kDropTimeout: break;
    case K::kHeal: op.a = pick_client(rng, model, is_partitioned); break;
    case K::kSubscribe:
    case K::kBadAuth:
      op.a = pick_client(rng, model, is_active);
      if (op.a >= 0) {
        op.channel =
            pick_channel(rng, model, op.a, kind == K::kBadAuth ? authorized_channels() : all_channels(), false);
      }
      break;
    case K::kUnsubscribe:
    case K::kClientEvent:
    case K::kPublicClientEvent:
      op.a = pick_client(rng, model, is_active);
      if (op.a >= 0) {
        op.channel = pick_channel(rng, model, op.a,
                                  kind == K::kPublicClientEvent ? public_channels()
                                  : kind == K::kClientEvent     ? client_event_channels()
                                                                : all_channels(),
                                  true);
      }
      op.number = ++number;
      break;
    case K::kTrigger: {
      const auto count = 1 + rng.below(3);
      std::set<std::string> chosen;
      for (std::uint64_t i = 0; i < count; ++i) chosen.insert(pick(rng, all_channels()));
      op.channels.assign(chosen.begin(), chosen.end());
      op.number = ++number;
      op.exclude = exclude();
      op.node = rest_node(rng, model);
      break;
    }
    case K::kBatchTrigger: {
      const auto count = 1 + rng.below(4);
      for (std::uint64_t i = 0; i < count; ++i) {
        op.items.push_back(WorkloadBatchItem{pick(rng, all_channels()), ++number, exclude()});
      }
      op.node = rest_node(rng, model);
      break;
    }
    case K::kLatency:
      op.a = rng.chance(1, 2) ? static_cast<int>(rng.below(static_cast<std::uint64_t>(model.clients()))) : -1;
      op.min_ms = static_cast<int>(rng.between(0, 50));
      op.max_ms = static_cast<int>(rng.between(op.min_ms, kLatencyMaxMs));
      break;
    case K::kWebhookFailures:
      // Retries would stretch a drop window past the 30 s the server keeps a dead connection.
      if (model.any_dropped()) return std::nullopt;
      op.number = static_cast<int>(rng.between(1, 3));
      break;
    case K::kStaleRest:
      op.number = ++number;
      op.node = rest_node(rng, model);
      break;
    case K::kBadKey:
    case K::kBadProtocol: op.number = ++number; break;
    case K::kQueryPresence:
      op.channel = rng.chance(1, 2) ? "presence-1" : "presence-2";
      op.node = rest_node(rng, model);
      break;
    case K::kQueryChannels: op.node = rest_node(rng, model); break;
    case K::kCrashNode:
    case K::kRestartNode:
      if (model.nodes() < 2) return std::nullopt;
      op.node = pick_node(rng, model, kind == K::kCrashNode);
      break;
    case K::kBusPartition:
      if (model.nodes() < 2) return std::nullopt;
      op.node = pick_node(rng, model, true);
      op.node_b = pick_node(rng, model, true);
      break;
    case K::kRestEdge:
    case K::kAppProbe:
      op.variant = static_cast<int>(rng.below(static_cast<std::uint64_t>(
          kind == K::kAppProbe ? workload_model::kAppProbes
                               : (model.should() ? workload_model::kRestEdgesAll : workload_model::kRestEdgesMust))));
      op.number = ++number;
      if (kind == K::kRestEdge) op.node = rest_node(rng, model);
      break;
    case K::kSigninAsOther:
    case K::kWatchlist:
    case K::kWatchlistLimit:
    case K::kCacheTtl:
    case K::kBinaryFrame: op.number = ++number; break;
    // Drawn by draw_extra only.
    case K::kWebhookFilter:
    case K::kWsPing:
    case K::kShutdown:
    case K::kTerminate:
    case K::kWatchlistNodes:
    case K::kQuotaNodes: return std::nullopt;
    case K::kPrivateFormAuth:
      op.a = pick_client(rng, model, is_active);
      if (op.a >= 0) op.channel = rng.chance(1, 2) ? "presence-1" : "presence-2";
      op.number = ++number;
      break;
    case K::kRaceJoin:
    case K::kRaceFlap:
    case K::kRaceCache:
    case K::kRaceRelay: {
      op.a = pick_client(rng, model, is_active);
      op.b = kind == K::kRaceCache ? -1 : pick_client(rng, model, is_active);
      if (op.a < 0) return std::nullopt;
      if (kind == K::kRaceJoin) op.channel = pick_channel(rng, model, op.a, authorized_channels(), false);
      if (kind == K::kRaceFlap) op.channel = pick_channel(rng, model, op.a, all_channels(), true);
      if (kind == K::kRaceCache) op.channel = rng.chance(1, 2) ? "cache-1" : "cache-2";
      if (kind == K::kRaceRelay) op.channel = pick_channel(rng, model, op.a, client_event_channels(), true);
      op.number = ++number;
      if (kind == K::kRaceCache) op.node = rest_node(rng, model);
      break;
    }
  }
  if (!model.possible(op)) return std::nullopt;
  return op;
}

// An up node other than `other`, or -1.
int pick_other_node(Rng& rng, const Model& model, int other) {
  std::vector<int> fitting;
  for (int n = 0; n < model.nodes(); ++n) {
    if (model.node_up(n) && n != other) fitting.push_back(n);
  }
  return fitting.empty() ? -1 : pick(rng, fitting);
}

// The extras (workload.hpp): their own stream, numbers from kExtraNumbers up (probe names and
// users x1001, p1001 never meet the rest's), at most kExtrasMax a workload, each after an
// operation with chance 1 in kExtraChance; a SHOULD single node's last operation may be kShutdown.
constexpr int kExtraNumbers = 1000;
constexpr int kExtrasMax = 3;
constexpr std::uint64_t kExtraChance = 12;

std::optional<WorkloadOp> draw_extra(Rng& rng, const Model& model, int& number) {
  using K = WorkloadOp::Kind;
  static const std::vector<K> kSingle = {K::kWebhookFilter, K::kWsPing};
  static const std::vector<K> kCluster = {K::kTerminate, K::kWatchlistNodes, K::kQuotaNodes};
  WorkloadOp op;
  op.kind = pick(rng, model.nodes() > 1 ? kCluster : kSingle);
  op.number = ++number;
  switch (op.kind) {
    case K::kWsPing: op.a = pick_client(rng, model, is_active); break;
    case K::kTerminate:
    case K::kWatchlistNodes:
    case K::kQuotaNodes:
      op.node = pick_node(rng, model, true);
      op.node_b = pick_other_node(rng, model, op.node);
      if (op.kind != K::kQuotaNodes) op.node_c = pick_node(rng, model, true);
      break;
    default: break;
  }
  if (!model.possible(op)) return std::nullopt;
  return op;
}

}  // namespace

std::string workload_id(std::uint64_t seed) { return "generated." + std::to_string(seed); }

std::string_view op_kind_name(WorkloadOp::Kind kind) {
  using K = WorkloadOp::Kind;
  switch (kind) {
    case K::kConnect: return "connect";
    case K::kDisconnect: return "disconnect";
    case K::kSubscribe: return "subscribe";
    case K::kUnsubscribe: return "unsubscribe";
    case K::kTrigger: return "trigger";
    case K::kBatchTrigger: return "batch-trigger";
    case K::kClientEvent: return "client-event";
    case K::kPublicClientEvent: return "public-client-event";
    case K::kSignin: return "signin";
    case K::kPing: return "ping";
    case K::kLatency: return "latency";
    case K::kPartition: return "partition";
    case K::kHeal: return "heal";
    case K::kDrop: return "drop";
    case K::kDropTimeout: return "drop-timeout";
    case K::kWebhookFailures: return "webhook-failures";
    case K::kBadAuth: return "bad-auth";
    case K::kStaleRest: return "stale-rest";
    case K::kBadKey: return "bad-key";
    case K::kBadProtocol: return "bad-protocol";
    case K::kQueryPresence: return "query-presence";
    case K::kQueryChannels: return "query-channels";
    case K::kRaceJoin: return "race-join";
    case K::kRaceFlap: return "race-flap";
    case K::kRaceCache: return "race-cache";
    case K::kRaceRelay: return "race-relay";
    case K::kCrashNode: return "crash-node";
    case K::kRestartNode: return "restart-node";
    case K::kBusPartition: return "bus-partition";
    case K::kRestEdge: return "rest-edge";
    case K::kSigninAsOther: return "signin-as-other";
    case K::kWatchlist: return "watchlist";
    case K::kWatchlistLimit: return "watchlist-limit";
    case K::kAppProbe: return "app-probe";
    case K::kPrivateFormAuth: return "private-form-auth";
    case K::kCacheTtl: return "cache-ttl";
    case K::kBinaryFrame: return "binary-frame";
    case K::kWebhookFilter: return "webhook-filter";
    case K::kWsPing: return "ws-ping";
    case K::kShutdown: return "shutdown";
    case K::kTerminate: return "terminate";
    case K::kWatchlistNodes: return "watchlist-nodes";
    case K::kQuotaNodes: return "quota-nodes";
  }
  return "?";
}

Workload generate_workload(const WorkloadOptions& options) {
  Rng rng = Rng(options.seed).derive("workload");
  Workload workload;
  workload.seed = options.seed;
  workload.clients = std::clamp(options.clients, 1, 16);
  // Fewer users than clients, so that some users hold several connections.
  const int users = std::max(1, (workload.clients + 1) / 2 + 1);
  for (int i = 0; i < workload.clients; ++i) {
    workload.user_ids.push_back("u" + std::to_string(1 + rng.below(static_cast<std::uint64_t>(users))));
  }
  workload.batch_webhooks = rng.chance(1, 2);
  workload.subscription_count = rng.chance(1, 2);
  workload.live = options.live;
  workload.nodes = std::clamp(options.nodes, 1, 3);
  workload.should = options.should;
  Model model(workload);
  int number = 0;
  Rng extra_rng = Rng(options.seed).derive("workload-extras");
  int extra_number = kExtraNumbers;
  int extras = 0;
  auto maybe_extra = [&] {
    if (!options.extras || workload.live || extras >= kExtrasMax || !extra_rng.chance(1, kExtraChance)) return;
    auto op = draw_extra(extra_rng, model, extra_number);
    if (!op) return;
    model.apply(*op);
    workload.ops.push_back(std::move(*op));
    ++extras;
  };
  const int steps = std::clamp(options.steps, 1, 150);
  constexpr int kDrawsPerOp = 20;
  int since_drop = 0;
  for (int s = 0; s < steps; ++s) {
    since_drop = model.any_dropped() ? since_drop + 1 : 0;
    if (since_drop > kDropWindowOps) {
      WorkloadOp timeout;
      timeout.kind = WorkloadOp::Kind::kDropTimeout;
      model.apply(timeout);
      workload.ops.push_back(std::move(timeout));
      continue;
    }
    for (int attempt = 0; attempt < kDrawsPerOp; ++attempt) {
      // Few clients online: connect one first.
      std::size_t online = 0;
      for (int i = 0; i < workload.clients; ++i) online += model.client(i).connected ? 1 : 0;
      const bool connect_first = online < 2 && online < static_cast<std::size_t>(workload.clients) && rng.chance(2, 3);
      const auto kind = connect_first ? WorkloadOp::Kind::kConnect : draw_kind(rng);
      auto op = draw_op(rng, model, kind, number);
      if (!op) continue;
      model.apply(*op);
      workload.ops.push_back(std::move(*op));
      maybe_extra();
      break;
    }
  }
  if (options.extras && workload.should && workload.nodes < 2 && !workload.live && extra_rng.chance(1, 2)) {
    WorkloadOp shutdown;
    shutdown.kind = WorkloadOp::Kind::kShutdown;
    shutdown.number = ++extra_number;
    model.apply(shutdown);
    workload.ops.push_back(std::move(shutdown));
  }
  return workload;
}

RenderedWorkload render_workload(const Workload& workload, const std::vector<std::string>& comment) {
  Model model(workload);
  RenderedWorkload out;
  for (const auto& op : workload.ops) {
    if (!model.possible(op)) continue;
    model.apply(op);
    ++out.ops_kept;
  }
  model.finish();
  std::string yaml;
  for (const auto& line : comment) yaml += "# " + line + "\n";
  yaml += "id: " + (workload.id.empty() ? workload_id(workload.seed) : workload.id) + "\n";
  yaml += std::string("name: generated ") + (workload.live ? "live " : "") + "workload, seed " +
          std::to_string(workload.seed) + "\n";
  yaml += std::string("level: ") + (workload.should ? "should" : "must") + "\nsection: \"6\"\ntags: [generated" +
          (workload.nodes > 1 ? ", cluster" : "") + "]\n";
  yaml += "requires: [client_events, webhooks, cache_channels, user_authentication";
  if (workload.batch_webhooks) yaml += ", batch_webhooks";
  if (workload.subscription_count) yaml += ", subscription_count";
  for (const auto& feature : model.requires_extra) yaml += ", " + feature;
  yaml += "]\n";
  if (!workload.live) {
    yaml += "simulation_only: plays latency, partitions and drops, and waits minutes of virtual time\n";
  }
  if (model.long_wait) yaml += "virtual_time_limit: 45m\n";
  if (workload.nodes > 1) yaml += "cluster: { nodes: " + std::to_string(workload.nodes) + " }\n";
  if (model.webhook_endpoints) {
    yaml +=
        "webhook_endpoints:\n  occupancy: [channel_occupied, channel_vacated]\n  members: [member_added, "
        "member_removed]\n";
  }
  if (!model.apps.empty()) {
    yaml += "apps:\n";
    for (const auto& [name, settings] : model.apps) yaml += "  " + name + ": " + settings + "\n";
  }
  yaml += "clients:\n";
  for (int i : model.used_clients) {
    const std::string& user_id = workload.user_ids[static_cast<std::size_t>(i)];
    yaml += "  " + client_name(i) + ": { user_id: " + user_id + ", user_info: " + user_info(user_id) + " }\n";
  }
  for (int n : model.probes) yaml += "  " + probe_name(n) + ":\n";
  for (const auto& [name, fields] : model.probe_clients) yaml += "  " + name + ": " + fields + "\n";
  out.clients = model.used_clients.size() + model.probes.size() + model.probe_clients.size();
  if (out.clients == 0) {
    yaml += "  c1: { user_id: u1 }\n";
    out.clients = 1;
  }
  yaml += "steps:\n";
  if (model.steps.empty()) model.steps.emplace_back("- advance: 1s");
  for (const auto& step : model.steps) yaml += "  " + step + "\n";
  out.steps = model.steps.size();
  out.concurrent = model.concurrent;
  for (const auto& [key, range] : model.deliveries) {
    const auto& [event, channel, client] = key;
    out.deliveries.push_back(WorkloadDelivery{client, channel, event, range.first, range.second});
  }
  out.yaml = std::move(yaml);
  return out;
}

}  // namespace pushsim::harness
