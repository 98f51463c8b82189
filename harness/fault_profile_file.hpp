#pragma once
// A fault profile written as YAML, for `pushsim explore --profile FILE` (the built-in ones
// are fakes::FaultProfile::exploration()). Every key is optional; chances are ratios "1/3":
//
//   name: slow-mobile              # goes into the run id (default: the file's stem)
//   horizon: 2s                    # faults start within this long of the scenario's start
//   jitter: { chance: 1/2, min: 0ms, max: 80ms, for_min: 1s, for_max: 20s }
//   loss: { chance: 1/20, retransmit: 200ms, max: 3s }   # instead of jitter: a long tail
//   partitions: { chance: 1/3, min: 100ms, max: 5s }
//   webhook_failures: { chance: 1/2, max: 3 }
//
// A profile that breaks the exploration contract (FaultProfile::exploration_violation) is
// refused with the reason: exploration must never fail a correct server.
#include <filesystem>
#include <string>
#include <string_view>

#include "fakes/fault_plan.hpp"
#include "protocol/result.hpp"

namespace pushsim::harness {

Result<fakes::FaultProfile> parse_fault_profile(std::string_view text, const std::string& display_name);
Result<fakes::FaultProfile> load_fault_profile(const std::filesystem::path& path);

// A built-in exploration profile by name, else a YAML file by path.
Result<fakes::FaultProfile> resolve_fault_profile(const std::string& argument);

}  // namespace pushsim::harness
