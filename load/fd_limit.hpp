#pragma once
// Each benchmark connection is a file descriptor, two when the server runs in this process.
// ensure_fd_limit() raises the soft RLIMIT_NOFILE towards the hard limit when fewer are
// allowed than needed, and says what it did, in a sentence for the report.
#include <cstdint>
#include <string>

namespace pushsim::load {

struct FdLimitOutcome {
  bool enough = false;
  std::uint64_t soft = 0;  // the soft limit now
  std::uint64_t hard = 0;
  std::string note;
};

FdLimitOutcome ensure_fd_limit(std::uint64_t needed);

}  // namespace pushsim::load
