// Stopping on a broken engine invariant (engine_checks.hpp).
#include "protocol/server/engine_checks.hpp"

#include <cstdio>
#include <cstdlib>

namespace pushsim {
namespace {

void write_stderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void engine_assert_failed(std::string_view invariant, std::string_view detail, const char* condition, const char* file,
                          int line) {
  std::string message = "pushsim: engine invariant broken: ";
  message.append(invariant).append(": ").append(detail);
  message.append("\n  assertion `").append(condition).append("` at ").append(file).append(":");
  message.append(std::to_string(line)).append("\n  this is a bug in pushsim's reference engine\n");
  write_stderr(message);
  std::abort();
}

void engine_invariants_failed(const std::vector<EngineInvariantViolation>& violations, std::string_view context) {
  std::string message;
  for (const auto& violation : violations) {
    message.append("pushsim: engine invariant broken: ").append(violation.name).append(": ");
    message.append(violation.detail).append("\n");
  }
  message.append("  found by the whole-state check");
  if (!context.empty()) message.append(" after an input of ").append(context);
  message.append("\n  this is a bug in pushsim's reference engine\n");
  write_stderr(message);
  std::abort();
}

}  // namespace pushsim
