#include "load/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pushsim::load {

FdLimitOutcome ensure_fd_limit(std::uint64_t needed) {
  FdLimitOutcome outcome;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    outcome.note = std::string("cannot read RLIMIT_NOFILE: ") + std::strerror(errno);
    return outcome;
  }
  outcome.soft = limit.rlim_cur;
  outcome.hard = limit.rlim_max;
  const std::string wanted = std::to_string(needed) + " descriptors needed";
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) {
    outcome.enough = true;
    outcome.note = "RLIMIT_NOFILE " + std::to_string(limit.rlim_cur) + " is enough (" + wanted + ")";
    return outcome;
  }
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(limit.rlim_max, needed);
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    outcome.note =
        "could not raise RLIMIT_NOFILE from " + std::to_string(before) + " (" + std::strerror(errno) + "); " + wanted;
    return outcome;
  }
  outcome.soft = limit.rlim_cur;
  outcome.enough = limit.rlim_cur >= needed;
  outcome.note =
      "raised RLIMIT_NOFILE from " + std::to_string(before) + " to " + std::to_string(limit.rlim_cur) +
      (outcome.enough ? " (" + wanted + ")" : ", the hard limit: " + wanted + " (raise it with `ulimit -Hn` as root)");
  return outcome;
}

}  // namespace pushsim::load
