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

std::optional<FaultProfile> FaultProfile::named(std::string_view name) {
  for (FaultProfile p : {none(), jittery(), flaky(), chaos()})
    if (p.name == name) return p;
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

void plan_service(const FaultProfile& p, PlannedFault::Kind kind, Ratio chance, std::size_t max, Rng rng,
                  TimeNs start, std::vector<PlannedFault>& out) {
  const bool chosen = draw(rng, chance);
  const TimeNs at = draw_time(rng, start, p.horizon);
  const std::size_t count = 1 + static_cast<std::size_t>(rng.below(std::max<std::size_t>(max, 1)));
  if (chosen) out.push_back({at, kind, "", {}, count, 500});
}

}  // namespace

std::vector<PlannedFault> plan_faults(const FaultProfile& profile, const std::vector<std::string>& clients,
                                      const Rng& root, TimeNs start) {
  std::vector<PlannedFault> out;
  for (const std::string& client : clients) plan_client(profile, client, root.derive("faults:client:" + client), start, out);
  plan_service(profile, PlannedFault::Kind::kFailWebhooks, profile.webhook_failure_chance, profile.webhook_failures_max,
               root.derive("faults:webhooks"), start, out);
  plan_service(profile, PlannedFault::Kind::kFailAuth, profile.auth_failure_chance, profile.auth_failures_max,
               root.derive("faults:auth"), start, out);
  std::stable_sort(out.begin(), out.end(), [](const PlannedFault& a, const PlannedFault& b) { return a.at < b.at; });
  return out;
}

}  // namespace pushsim::fakes
