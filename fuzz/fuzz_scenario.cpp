// Fuzz target: the scenario YAML loader (harness/scenario_loader.*), on arbitrary text.
// Properties: no crash and no exception; either a scenario or diagnostics, never both nor
// neither; every diagnostic names the file, points inside it (line within the text) and says
// something; at most kErrorsPerFileMax of them plus the one that counts the rest, last; file
// order otherwise.
#include <algorithm>

#include "fuzz/fuzz_support.hpp"
#include "harness/scenario_loader.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;
using namespace pushsim::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = as_text(data, size);
  LoadOutcome outcome = check_scenario_text(text, "fuzz.yaml");
  check(outcome.scenario.has_value() != !outcome.diagnostics.empty(), "a scenario and diagnostics, or neither");
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  check(outcome.diagnostics.size() <= kErrorsPerFileMax + 1, "more diagnostics than the cap");
  for (const auto& diagnostic : outcome.diagnostics) {
    const std::string shown = diagnostic.to_string();
    check(diagnostic.where.file == "fuzz.yaml", "a diagnostic names another file", shown);
    check(!diagnostic.message.empty(), "a diagnostic without message", shown);
    check(diagnostic.where.line >= 0 && diagnostic.where.line <= lines, "a diagnostic points past the file", shown);
    check(diagnostic.where.column >= 0, "a negative column", shown);
  }
  // Past the cap, the count of those left out comes last: it points at no line.
  auto located_end = outcome.diagnostics.end();
  if (outcome.diagnostics.size() > kErrorsPerFileMax) {
    --located_end;
    check(located_end->message.starts_with("too many errors: "), "past the cap, the last one is not the count",
          join_diagnostics(outcome.diagnostics));
  }
  auto in_order = [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  };
  check(std::is_sorted(outcome.diagnostics.begin(), located_end, in_order), "diagnostics out of file order",
        join_diagnostics(outcome.diagnostics));
  return 0;
}
