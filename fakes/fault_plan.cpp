#include "fakes/fault_plan.hpp"

#include <algorithm>

namespace pushsim::fakes {

std::string_view to_string(PlannedFault::Kind kind) {
  switch (kind) {
    case PlannedFault::Kind::kPartition: return "partition";
    case PlannedFault::Kind::kHeal: return "heal";
    case PlannedFault::Kind::kExtraLatency: return "extra_latency";
    case PlannedFault::Kind::kExtraLatencyOff: return "extra_latency_off";
    case PlannedFault::Kind::kDrop: return "drop";
    case PlannedFault::Kind::kClose: return "close";
    case PlannedFault::Kind::kFailWebhooks: return "fail_webhooks";
    case PlannedFault::Kind::kFailAuth: return "fail_auth";
  }
  return "unknown";
}

FaultProfile FaultProfile::none() { return FaultProfile{}; }

FaultProfile FaultProfile::jittery() {
  FaultProfile p;
  p.name = "jittery";
  p.jitter_chance = {1, 2};
  return p;
}

FaultProfile FaultProfile::flaky() {
  FaultProfile p = jittery();
  p.name = "flaky";
  p.partition_chance = {1, 5};
  p.webhook_failure_chance = {1, 2};
  p.auth_failure_chance = {1, 4};
  return p;
}

FaultProfile FaultProfile::chaos() {
  FaultProfile p = flaky();
  p.name = "chaos";
  p.partition_chance = {1, 3};
  p.partition_max = seconds(200);  // long enough, sometimes, for the server to give up
  p.drop_chance = {1, 10};
  p.close_chance = {1, 10};
  return p;
}

FaultProfile FaultProfile::jitter_profile() {
  FaultProfile p;
  p.name = "jitter";
  p.horizon = seconds(1);  // races happen early: most jitter should overlap them
  p.jitter_chance = {3, 4};
  p.jitter = Latency::uniform(0, ms(100));
  p.jitter_min = seconds(5);
  p.jitter_max = seconds(60);
  return p;
}

FaultProfile FaultProfile::lossy() {
  FaultProfile p;
  p.name = "lossy";
  p.horizon = 1;  // from the start, for the whole run
  p.jitter_chance = {1, 1};
  // One message in 20 waits for retransmission: 200 ms, doubling while unlucky, at most 3 s.
  p.jitter = Latency::retransmission(0, 0, {1, 20}, ms(200), seconds(3));
  p.jitter_min = seconds(600);
  p.jitter_max = seconds(600);
  return p;
}

FaultProfile FaultProfile::partitions() {
  FaultProfile p;
  p.name = "partitions";
  p.horizon = seconds(5);
  p.partition_chance = {1, 2};
  p.partition_min = ms(100);
  p.partition_max = kExplorePartitionMax;
  return p;
}

FaultProfile FaultProfile::webhook_failures() {
  FaultProfile p;
  p.name = "webhook-failures";
  p.horizon = seconds(5);
  p.webhook_failure_chance = {1, 1};
  p.webhook_failures_max = 3;
  return p;
}

const std::vector<FaultProfile>& FaultProfile::exploration() {
  static const std::vector<FaultProfile> kAll{none(), jitter_profile(), lossy(), partitions(), webhook_failures()};
  return kAll;
}

std::optional<FaultProfile> FaultProfile::named(std::string_view name) {
  for (FaultProfile p : {none(), jittery(), flaky(), chaos()})
    if (p.name == name) return p;
  for (const FaultProfile& p : exploration())
    if (p.name == name) return p;
  return std::nullopt;
}

FaultProfile FaultProfile::capped(DurationNs delay_max) const {
  FaultProfile p = *this;
  p.partition_min = std::min(p.partition_min, delay_max);
  p.partition_max = std::min(p.partition_max, delay_max);
  p.jitter = p.jitter.capped(delay_max);
  return p;
}

std::optional<std::string> FaultProfile::exploration_violation() const {
  if (!drop_chance.never()) return "it drops clients";
  if (!close_chance.never()) return "it closes clients";
  if (!auth_failure_chance.never()) return "it fails auth requests";
  if (!partition_chance.never() && partition_max > kExplorePartitionMax) return "a partition may last over 10s";
  if (!jitter_chance.never() && jitter.bound() > kExploreExtraDelayMax) return "extra latency may exceed 10s";
  if (!webhook_failure_chance.never() && webhook_failures_max > kExploreWebhookFailuresMax) {
    return "more than " + std::to_string(kExploreWebhookFailuresMax) + " webhook failures in a row";
  }
  return std::nullopt;
}

namespace {

bool draw(Rng& rng, Ratio ratio) { return !ratio.never() && rng.chance(ratio.numerator, ratio.denominator); }

TimeNs draw_time(Rng& rng, TimeNs start, DurationNs horizon) {
  return start + rng.between(0, std::max<DurationNs>(horizon - 1, 0));
}

// Draws happen in a fixed order whether or not each fault is chosen, so that changing one
// chance does not shift the times drawn for the others.
void plan_client(const FaultProfile& p, const std::string& client, Rng rng, TimeNs start,
                 std::vector<PlannedFault>& out) {
  const bool partition = draw(rng, p.partition_chance);
  const TimeNs partition_at = draw_time(rng, start, p.horizon);
  const DurationNs partition_for = rng.between(p.partition_min, std::max(p.partition_min, p.partition_max));
  const bool jitter = draw(rng, p.jitter_chance);
  const TimeNs jitter_at = draw_time(rng, start, p.horizon);
  const DurationNs jitter_for = rng.between(p.jitter_min, std::max(p.jitter_min, p.jitter_max));
  const bool drop = draw(rng, p.drop_chance);
  const TimeNs drop_at = draw_time(rng, start, p.horizon);
  const bool close = draw(rng, p.close_chance);
  const TimeNs close_at = draw_time(rng, start, p.horizon);

  if (partition) {
    out.push_back({partition_at, PlannedFault::Kind::kPartition, client, {}, 0, 0});
    out.push_back({partition_at + partition_for, PlannedFault::Kind::kHeal, client, {}, 0, 0});
  }
  if (jitter) {
    out.push_back({jitter_at, PlannedFault::Kind::kExtraLatency, client, p.jitter, 0, 0});
    out.push_back({jitter_at + jitter_for, PlannedFault::Kind::kExtraLatencyOff, client, {}, 0, 0});
  }
  if (drop) out.push_back({drop_at, PlannedFault::Kind::kDrop, client, {}, 0, 0});
  if (close) out.push_back({close_at, PlannedFault::Kind::kClose, client, {}, 0, 1000});
}

void plan_service(const FaultProfile& p, PlannedFault::Kind kind, Ratio chance, std::size_t max, Rng rng, TimeNs start,
                  std::vector<PlannedFault>& out) {
  const bool chosen = draw(rng, chance);
  const TimeNs at = draw_time(rng, start, p.horizon);
  const std::size_t count = 1 + static_cast<std::size_t>(rng.below(std::max<std::size_t>(max, 1)));
  if (chosen) out.push_back({at, kind, "", {}, count, 500});
}

}  // namespace

std::vector<PlannedFault> plan_faults(const FaultProfile& profile, const std::vector<std::string>& clients,
                                      const Rng& root, TimeNs start) {
  std::vector<PlannedFault> out;
  for (const std::string& client : clients)
    plan_client(profile, client, root.derive("faults:client:" + client), start, out);
  plan_service(profile, PlannedFault::Kind::kFailWebhooks, profile.webhook_failure_chance, profile.webhook_failures_max,
               root.derive("faults:webhooks"), start, out);
  plan_service(profile, PlannedFault::Kind::kFailAuth, profile.auth_failure_chance, profile.auth_failures_max,
               root.derive("faults:auth"), start, out);
  std::stable_sort(out.begin(), out.end(), [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
  return out;
}

std::string describe(const PlannedFault& fault, TimeNs start) {
  const DurationNs offset = fault.at - start;
  std::string out = "+" + std::to_string(offset / kNsPerSecond) + ".";
  const std::string millis = std::to_string((offset % kNsPerSecond) / 1'000'000);
  out += std::string(3 - millis.size(), '0') + millis + "s " + std::string(to_string(fault.kind));
  if (!fault.client.empty()) out += " " + fault.client;
  if (fault.kind == PlannedFault::Kind::kExtraLatency) {
    out += " <=" + std::to_string(fault.latency.bound() / 1'000'000) + "ms";
  }
  if (fault.count > 0) out += " " + std::to_string(fault.count) + "x" + std::to_string(fault.code);
  return out;
}

namespace {

std::optional<PlannedFault::Kind> ender_of(PlannedFault::Kind kind) {
  if (kind == PlannedFault::Kind::kPartition) return PlannedFault::Kind::kHeal;
  if (kind == PlannedFault::Kind::kExtraLatency) return PlannedFault::Kind::kExtraLatencyOff;
  return std::nullopt;
}

bool is_ender(PlannedFault::Kind kind) {
  return kind == PlannedFault::Kind::kHeal || kind == PlannedFault::Kind::kExtraLatencyOff;
}

DurationNs halved(DurationNs value, int times) { return times >= 62 ? 0 : value >> times; }

}  // namespace

std::vector<std::vector<std::size_t>> fault_groups(const std::vector<PlannedFault>& plan) {
  std::vector<std::vector<std::size_t>> groups;
  std::vector<bool> taken(plan.size(), false);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (taken[i]) continue;
    std::vector<std::size_t> group{i};
    taken[i] = true;
    if (auto ender = ender_of(plan[i].kind)) {
      for (std::size_t j = i + 1; j < plan.size(); ++j) {
        if (!taken[j] && plan[j].kind == *ender && plan[j].client == plan[i].client) {
          group.push_back(j);
          taken[j] = true;
          break;
        }
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<PlannedFault> shortened(std::vector<PlannedFault> plan, int times) {
  if (times <= 0) return plan;
  for (const auto& group : fault_groups(plan)) {
    PlannedFault& first = plan[group.front()];
    first.latency.min = halved(first.latency.min, times);
    first.latency.max = halved(first.latency.max, times);
    first.latency.tail_min = halved(first.latency.tail_min, times);
    first.latency.tail_max = halved(first.latency.tail_max, times);
    if (group.size() == 2 && is_ender(plan[group.back()].kind)) {
      PlannedFault& last = plan[group.back()];
      last.at = first.at + halved(last.at - first.at, times);
    }
  }
  std::stable_sort(plan.begin(), plan.end(), [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
  return plan;
}

}  // namespace pushsim::fakes
