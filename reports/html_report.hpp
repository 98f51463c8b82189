#pragma once
// The HTML report: one self-contained page (inline CSS, no scripts, no external resource),
// viewable offline. The suite's table (id, level, section, verdict, target time, name) with summary
// counts, the root seed and the pushsim version; then, for each failing and non-strict
// scenario, its failure messages with file:line, its steps, and a message sequence diagram
// (reports/sequence_diagram). Every text is HTML-escaped. Same run and options -> the same
// bytes: the generation time is passed in, not read.
#include <cstddef>
#include <string>
#include <string_view>

#include "harness/protocol_document.hpp"
#include "harness/run_result.hpp"
#include "reports/sequence_diagram.hpp"

namespace pushsim::reports {

struct HtmlOptions {
  std::string version;                         // pushsim's version, shown in the header
  std::string generated_at;                    // e.g. "2026-11-28 22:45:00 UTC"; the caller's clock, injected
  std::size_t max_arrows = kDefaultMaxArrows;  // per diagram
  // The protocol document's sections, and its address relative to the page (like
  // "../docs/protocol.md"): each scenario's section links to its heading there. With no href,
  // or for a section the document lacks, the number is shown without a link.
  harness::ProtocolDocument protocol = {};
  std::string protocol_href = {};
};

// & < > " ' as entities; control characters HTML cannot show as U+FFFD (as xml_escape).
std::string html_escape(std::string_view text);

std::string html_report(const harness::RunResult& run, const HtmlOptions& options);

}  // namespace pushsim::reports
