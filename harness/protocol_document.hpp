#pragma once
// The protocol document scenarios cite (docs/protocol.md): its numbered section headings, read
// from the Markdown itself so that a section added to or removed from the document is what
// `pushsim lint` checks against, and GitHub's anchor for each heading so reports can link a
// scenario to the exact section. A section heading is any ATX heading whose text starts with
// a number: `## 3. Subscribing` is section 3, `### 3.4 Presence semantics` is section 3.4.
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/scenario.hpp"
#include "harness/source_location.hpp"

namespace pushsim::harness {

// The document's path in the repository: how citations, diagnostics and links name it.
inline constexpr std::string_view kProtocolDocumentPath = "docs/protocol.md";
// Larger files are refused rather than read: the document is tens of kilobytes.
inline constexpr std::size_t kProtocolDocumentBytesMax = 4 * 1024 * 1024;

struct ProtocolSection {
  std::string number;  // "3.4"; "3" for `## 3. Subscribing`
  std::string title;   // the heading's text after the number
  std::string anchor;  // the id GitHub gives the heading: "34-presence-semantics"
  int line = 0;        // 1-based

  bool operator==(const ProtocolSection&) const = default;
};

struct ProtocolDocument {
  std::vector<ProtocolSection> sections;  // in document order

  bool operator==(const ProtocolDocument&) const = default;
  // The first section with that number, or nullptr.
  const ProtocolSection* find(std::string_view number) const;
};

// The id GitHub renders for a heading's text: inline code and emphasis markers dropped,
// lowercased (ASCII), punctuation removed, each space a '-'. Headings seen twice get "-1",
// "-2"... from parse_protocol_document, as on GitHub.
std::string github_anchor(std::string_view heading_text);

// Every numbered heading outside fenced code blocks.
ProtocolDocument parse_protocol_document(std::string_view markdown);
// The file parsed, or a message saying why it could not be read.
std::variant<ProtocolDocument, std::string> read_protocol_document(const std::filesystem::path& file);

// `document_href#anchor` for a section number, or an empty string when the document has no
// such section (a report then shows the number unlinked).
std::string section_link(const ProtocolDocument& document, std::string_view document_href, std::string_view number);

// One diagnostic per scenario whose `section` is not a heading of the document, at the
// section field: "section '9.9' is not in docs/protocol.md". `document_name` is how
// messages name the document.
std::vector<Diagnostic> missing_sections(const std::vector<Scenario>& scenarios, const ProtocolDocument& document,
                                         std::string_view document_name);
// One diagnostic per heading whose number an earlier heading already has: a citation of it
// would be ambiguous.
std::vector<Diagnostic> repeated_sections(const ProtocolDocument& document, std::string_view document_name);

}  // namespace pushsim::harness
