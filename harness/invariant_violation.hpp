#pragma once
// One broken invariant of a simulated run (harness/invariants.hpp checks them). Kept apart
// from the checker so that targets and results can carry violations without knowing the
// simulator.
#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/time.hpp"

namespace pushsim::harness {

// Every invariant, in the order invariants.hpp lists them (live_invariants.hpp: the live ones).
inline constexpr std::string_view kInvariants[] = {
    "no-duplicate-delivery",      "exclusion-respected",       "publisher-order",  "no-event-after-unsubscribe",
    "member-removed-after-added", "one-member-per-user",       "members-converge", "subscription-count-converges",
    "occupied-vacated-alternate", "member-webhooks-alternate",
};

struct InvariantViolation {
  std::string name;          // kebab-case, stable: "no-duplicate-delivery", "members-converge", ...
  std::string message;       // what was seen, with the clients and channels involved
  std::size_t position = 0;  // index of the trace record where it shows (the last one for end states)
  TimeNs at = 0;             // that record's time (target clock)

  bool operator==(const InvariantViolation&) const = default;
};

}  // namespace pushsim::harness
