#pragma once
// A message sequence diagram of one scenario as inline SVG: one lifeline per client, then
// "server", "auth" and "webhooks" (and any other party the trace names), time flowing down.
// Every trace line but raw sends (their deliveries show the same frame) is one arrow, in
// virtual-time order, with its time in ms from the scenario start on the left, a short
// label (event and channel) and the full text in a <title> tooltip. Failed steps are red
// marker lines at the time they gave up. Rows are evenly spaced, not to time scale, so a
// 30 s timeout does not make a page-long gap.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run_result.hpp"

namespace pushsim::reports {

inline constexpr std::size_t kDefaultMaxArrows = 400;

struct DiagramOptions {
  std::size_t max_arrows = kDefaultMaxArrows;  // later lines are left out, and the SVG says so
  std::string id_prefix = "d";                 // makes marker ids unique when a page has many SVGs
};

// The lifelines, left to right: clients in order of first appearance, then server, auth,
// webhooks, then any other party (e.g. "app", the REST caller) in order of appearance.
std::vector<std::string> diagram_parties(const std::vector<harness::TraceEntry>& trace);

// "news @ private-foo" for a frame; the first line of other text; at most 48 bytes.
std::string short_label(const harness::TraceEntry& entry);

// "1024.5" for 1'024'500'000 ns: ms with up to three decimals, trailing zeros trimmed.
std::string ms_text(DurationNs at);

std::string sequence_diagram_svg(const harness::ScenarioResult& result, const DiagramOptions& options = {});

}  // namespace pushsim::reports
