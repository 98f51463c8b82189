#pragma once
// The reference engine's self-checks, in the manner of TigerBeetle's assertions: each function
// that changes the engine's state asserts what it assumes (PUSHSIM_ENGINE_ASSERT), and the
// whole-state consistency check (Engine::invariant_violations) runs after every input the
// simulator feeds the engine (fakes::World). A failure is our bug, never bad input, so it
// stops the process with the name of the broken invariant.
//
// One process-wide switch turns them on, rather than a compile-time definition, because the
// engine library is compiled once per build directory and linked both into the pushsim binary
// and into every test binary, which want different answers from the same build: the tests
// want the checks in every build type (RelWithDebInfo included), a RelWithDebInfo pushsim
// wants exploration speed. A definition on the library would give both the same answer, or
// need every library compiled twice. So the switch is on unless told otherwise (test binaries,
// benchmarks, fuzz targets), and the pushsim binary's main() sets it once, before any engine
// exists, from PUSHSIM_ENGINE_CHECKS, which CMake defines for that binary alone: 1 in Debug
// and sanitizer builds, 0 otherwise. Switched off, an assertion costs a relaxed load and a
// branch, and the whole-state check is not run at all.
//
// The assertions never use <cassert>: NDEBUG, which RelWithDebInfo defines, would remove them
// from the very test runs that are meant to catch these bugs.
#include <atomic>
#include <string>
#include <string_view>
#include <vector>

namespace pushsim {

// One broken rule of the engine's bookkeeping. The name is kebab-case and stable (tests and
// failure messages use it); the detail names the app, channel and connection involved.
struct EngineInvariantViolation {
  std::string name;
  std::string detail;
  bool operator==(const EngineInvariantViolation&) const = default;
};

namespace detail {
inline std::atomic<bool> engine_checks_switch{true};
}  // namespace detail

inline bool engine_checks_enabled() { return detail::engine_checks_switch.load(std::memory_order_relaxed); }
// Set before engines run (main(), or a test that restores it): engines read it on every check.
inline void set_engine_checks_enabled(bool on) { detail::engine_checks_switch.store(on, std::memory_order_relaxed); }

// Writes "pushsim: engine invariant broken: NAME: DETAIL" (with the condition and where it is
// asserted) to stderr and aborts.
[[noreturn]] void engine_assert_failed(std::string_view invariant, std::string_view detail, const char* condition,
                                       const char* file, int line);
// The same for the whole-state check: every violation, then the context (scenario, seed,
// time) that reproduces it, then abort.
[[noreturn]] void engine_invariants_failed(const std::vector<EngineInvariantViolation>& violations,
                                           std::string_view context);

}  // namespace pushsim

// Asserts `condition` when the engine checks are on; `invariant` is the kebab-case name of the
// rule and `detail` a string expression, evaluated only when the assertion fails.
#define PUSHSIM_ENGINE_ASSERT(condition, invariant, detail)                                   \
  do {                                                                                        \
    if (::pushsim::engine_checks_enabled() && !(condition)) {                                 \
      ::pushsim::engine_assert_failed((invariant), (detail), #condition, __FILE__, __LINE__); \
    }                                                                                         \
  } while (false)
