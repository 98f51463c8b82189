#pragma once
// The engine's inside, for tests that plant an inconsistency to show that the engine's
// self-checks catch it (protocol/server/engine_checks.hpp). Engine names this struct a friend;
// only tests define it, and only to corrupt state on purpose.
#include "protocol/server/engine.hpp"
#include "protocol/server/engine_state.hpp"

namespace pushsim {

struct EngineTestAccess {
  using State = Engine::State;  // private in Engine: tests name it through this friend
  static State& state(Engine& engine) { return *engine.state_; }
};

// Switches the engine checks off for one scope (to plant through functions that assert),
// then restores them.
class EngineChecksOff {
 public:
  EngineChecksOff() : was_(engine_checks_enabled()) { set_engine_checks_enabled(false); }
  ~EngineChecksOff() { set_engine_checks_enabled(was_); }
  EngineChecksOff(const EngineChecksOff&) = delete;
  EngineChecksOff& operator=(const EngineChecksOff&) = delete;

 private:
  bool was_;
};

}  // namespace pushsim
