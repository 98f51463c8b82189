#pragma once
// Test helper: a loopback port that nobody listens on at the time of the call, for a test
// that needs a port to be refused or one to hand to a listener that starts later.
//
// The port comes from below the kernel's ephemeral range (ip_local_port_range), not from
// bind(0): bind(0) draws from the very range the kernel takes outgoing connections' local
// ports from, and with tests running side by side (thousands of connections a second) a port
// picked that way could be some other test's client socket by the time the listener binds it.
#include <cstdint>
#include <string>

namespace pushsim::test {

std::uint16_t free_loopback_port();

// The lowest port of the ephemeral range as a `ip_local_port_range` file gives it ("32768
// 60999"), or 32768 where the text does not say.
std::uint16_t ephemeral_range_start(const std::string& range_text);

}  // namespace pushsim::test
