#pragma once
// A world with fixed, short latencies and no faults: 5 ms on the WebSocket, 2 ms over HTTP.
#include <cstdint>
#include <memory>

#include "fakes/world.hpp"

namespace pushsim::fakes::testing {

inline std::unique_ptr<World> calm_world(std::uint64_t seed = 1) {
  WorldBuilder builder;
  builder.seed(seed).latency(Latency::fixed(ms(5))).http_latency(Latency::fixed(ms(2)));
  return builder.build();
}

}  // namespace pushsim::fakes::testing
