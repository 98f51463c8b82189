#pragma once
// A subscriber that acknowledges like most client TCP stacks: not each small segment as it is
// read (Linux's default for a connection that only receives), but every second one, or after
// the delayed-ACK timer (40 ms here, up to 200 ms elsewhere). A server that leaves Nagle's
// algorithm on then holds each small frame until the one before is acknowledged, and shows it
// as tens of milliseconds of latency that a promptly acknowledging generator never sees.
//
// Linux has no lasting switch for it: TCP_QUICKACK off lasts until the delayed-ACK timer next
// fires, so it is set again after every read (one more system call per read).
namespace pushsim::load::detail {

// False (errno set) when the socket refused.
bool delay_acks(int fd);

// Whether the socket is delaying its acknowledgements now.
bool delays_acks(int fd);

}  // namespace pushsim::load::detail
