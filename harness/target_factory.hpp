#pragma once
// How a suite gets a fresh target per scenario. Declared on its own, with the target and the
// scenario only named, so that a target's header can offer a factory without the suite runner's
// header (and the executor, results and profiles behind it).
#include <cstdint>
#include <functional>
#include <memory>

namespace pushsim::harness {

struct Scenario;
class Target;

// A fresh target for one scenario with its seed.
using TargetFactory = std::function<std::unique_ptr<Target>(const Scenario& scenario, std::uint64_t seed)>;

}  // namespace pushsim::harness
