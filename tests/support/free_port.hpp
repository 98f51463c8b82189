#pragma once
// Test helper: a loopback port that nobody listens on at the time of the call (the kernel
// picks it for an acceptor that is closed again at once), for a test that needs a port to be
// refused or one to hand to a listener that starts later.
#include <cstdint>

namespace pushsim::test {

std::uint16_t free_loopback_port();

}  // namespace pushsim::test
