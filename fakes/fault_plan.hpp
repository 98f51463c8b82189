#pragma once
// Faults drawn from the seed. A FaultProfile says how likely each kind of fault is; plan()
// turns it, the run's seed and the client names into a list of timed faults that the world
// schedules like any other verb. Each client's faults come from a stream derived from its
// name (and the service faults from their own), so adding a client adds its faults and
// changes nobody else's. The profile's name is the third part of a run's identity.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fakes/latency.hpp"
#include "protocol/random.hpp"
#include "protocol/time.hpp"

namespace pushsim::fakes {

struct FaultProfile {
  std::string name = "none";
  DurationNs horizon = seconds(60);  // faults start within [start, start + horizon)

  Ratio partition_chance;  // per client: one partition, healed after a drawn duration
  DurationNs partition_min = seconds(1);
  DurationNs partition_max = seconds(10);

  Ratio jitter_chance;  // per client: extra latency for a while
  Latency jitter = Latency::uniform(0, ms(200));
  DurationNs jitter_min = seconds(1);
  DurationNs jitter_max = seconds(10);

  Ratio drop_chance;   // per client: an abrupt drop (the client vanishes)
  Ratio close_chance;  // per client: a clean close from the client, code 1000

  Ratio webhook_failure_chance;  // once: the receiver fails the next 1..max requests with 500
  std::size_t webhook_failures_max = 3;
  Ratio auth_failure_chance;  // once: the auth endpoint fails the next 1..max requests with 500
  std::size_t auth_failures_max = 2;

  static FaultProfile none();
  static FaultProfile jittery();  // latency only: reorders across connections, loses nothing
  static FaultProfile flaky();    // jitter and partitions, some HTTP failures
  static FaultProfile chaos();    // everything, drops and closes included

  // The exploration profiles (`pushsim explore --profile`). Each keeps what the protocol
  // guarantees, so a correct server passes every race scenario under every one of them:
  // nothing on an open connection is lost or reordered (TCP), no client is dropped or
  // closed, a partition heals within 10 s, a message is delayed by at most 10 s more than
  // usual, and a failed webhook is retried by the server until it is accepted.
  static FaultProfile jitter_profile();    // "jitter": extra latency per client for a while
  static FaultProfile lossy();             // loss as retransmission delay: a long tail
  static FaultProfile partitions();        // clients cut off for up to 10 s, then healed
  static FaultProfile webhook_failures();  // the app's receiver answers 500 a few times
  static const std::vector<FaultProfile>& exploration();
  static std::optional<FaultProfile> named(std::string_view name);

  // Why the profile breaks the exploration contract above, or nullopt when it keeps it.
  std::optional<std::string> exploration_violation() const;

  // The profile for a scenario whose premise holds only while faults stay short
  // (`fault_delay_max:`): every partition heals within `delay_max` and no message waits more
  // than `delay_max` longer than usual. What faults happen, and when, is drawn as before.
  FaultProfile capped(DurationNs delay_max) const;

  bool operator==(const FaultProfile&) const = default;
};

// Bounds of the exploration contract.
inline constexpr DurationNs kExplorePartitionMax = seconds(10);
inline constexpr DurationNs kExploreExtraDelayMax = seconds(10);
inline constexpr std::size_t kExploreWebhookFailuresMax = 5;

struct PlannedFault {
  enum class Kind {
    kPartition,
    kHeal,
    kExtraLatency,
    kExtraLatencyOff,
    kDrop,
    kClose,
    kFailWebhooks,
    kFailAuth,
  };
  TimeNs at = 0;
  Kind kind = Kind::kPartition;
  std::string client;     // empty for service faults
  Latency latency;        // kExtraLatency
  std::size_t count = 0;  // kFail*
  int code = 0;           // kClose

  bool operator==(const PlannedFault&) const = default;
};

std::string_view to_string(PlannedFault::Kind kind);
// "+1.250s partition alice", "+0.400s fail_webhooks 2x500": one line for reports.
std::string describe(const PlannedFault& fault, TimeNs start);

// A fault and the one that ends it (a partition and its heal, extra latency and its end) are
// one group; the others stand alone. Groups are what shrinking removes. Each entry holds the
// indices into `plan` of one group, in plan order.
std::vector<std::vector<std::size_t>> fault_groups(const std::vector<PlannedFault>& plan);

// The plan with every fault's span (partition to heal, extra latency to its end) and extra
// delay halved `times` times: a run with smaller delays, for shrinking.
std::vector<PlannedFault> shortened(std::vector<PlannedFault> plan, int times);

// Faults ordered by time; ties keep the order of `clients`, then service faults last.
std::vector<PlannedFault> plan_faults(const FaultProfile& profile, const std::vector<std::string>& clients,
                                      const Rng& root, TimeNs start);

}  // namespace pushsim::fakes
