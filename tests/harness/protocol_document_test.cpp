#include <catch2/catch.hpp>

#include "harness/protocol_document.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::fixtures;

TEST_CASE("numbered headings are sections, with or without a dot after the number", "[protocol_document]") {
  const auto document = parse_protocol_document(
      "# Title\n\n## 0. Sources\n\n## 3. Subscribing and unsubscribing\n\n### 3.4 Presence semantics\n"
      "#### 10.2.1 Deep\n## 2024 was a year\n");
  REQUIRE(document.sections.size() == 5);
  CHECK(document.sections[0] == ProtocolSection{"0", "Sources", "0-sources", 3});
  CHECK(document.sections[1] ==
        ProtocolSection{"3", "Subscribing and unsubscribing", "3-subscribing-and-unsubscribing", 5});
  CHECK(document.sections[2] == ProtocolSection{"3.4", "Presence semantics", "34-presence-semantics", 7});
  CHECK(document.sections[3].number == "10.2.1");
  CHECK(document.find("3.4") == &document.sections[2]);
  CHECK(document.find("3.5") == nullptr);
  CHECK(document.find("3.") == nullptr);
}

TEST_CASE("text that only looks like a section heading is not one", "[protocol_document]") {
  const auto document = parse_protocol_document(
      "##3.4 no space\n    ## 3.5 indented code\n####### 3.6 seven hashes\n## 3.7a letters\n## v3.8\n"
      "```\n## 3.9 in a fence\n```\n~~~\n## 4.1 in a tilde fence ```\n~~~\n## 4.2 after the fences\n");
  REQUIRE(document.sections.size() == 1);
  CHECK(document.sections[0].number == "4.2");
  CHECK(document.sections[0].line == 12);
}

TEST_CASE("anchors are the ids GitHub gives the headings", "[protocol_document]") {
  CHECK(github_anchor("3.4 Presence semantics") == "34-presence-semantics");
  CHECK(github_anchor("1.4 `pusher:connection_established`") == "14-pusherconnection_established");
  CHECK(github_anchor("1.3 The `data` field: string vs. object (\"double encoding\")") ==
        "13-the-data-field-string-vs-object-double-encoding");
  CHECK(github_anchor("4.4 Encrypted channels (`private-encrypted-*`)") == "44-encrypted-channels-private-encrypted-");
  CHECK(github_anchor("Pusher Channels protocol \xE2\x80\x94 conformance digest") ==
        "pusher-channels-protocol--conformance-digest");
  CHECK(github_anchor("Caf\xC3\xA9 \xC2\xA7 1") == "caf\xC3\xA9--1");
  // A closing run of '#' is not part of the heading; repeated headings are numbered.
  const auto document = parse_protocol_document("## 1. Same ##\n## 1. Same\n## 1. Same\n");
  REQUIRE(document.sections.size() == 3);
  CHECK(document.sections[0].anchor == "1-same");
  CHECK(document.sections[1].anchor == "1-same-1");
  CHECK(document.sections[2].anchor == "1-same-2");
}

TEST_CASE("a section link is the document with the heading's anchor, or nothing", "[protocol_document]") {
  const auto document = parse_protocol_document("### 3.4 Presence semantics\n");
  CHECK(section_link(document, "../docs/protocol.md", "3.4") == "../docs/protocol.md#34-presence-semantics");
  CHECK(section_link(document, "../docs/protocol.md", "9.9").empty());
}

TEST_CASE("a number used by two headings is reported at the second", "[protocol_document]") {
  const auto document = parse_protocol_document("## 3. A\n\n### 3.4 B\n### 3.4 C\n");
  const auto found = repeated_sections(document, "docs/protocol.md");
  REQUIRE(found.size() == 1);
  CHECK(found[0].to_string() ==
        "docs/protocol.md:4:1: section '3.4' is numbered twice (also at line 3), so citations of it are ambiguous");
  CHECK(repeated_sections(parse_protocol_document("## 3. A\n### 3.4 B\n"), "docs/protocol.md").empty());
}

TEST_CASE("the fixture document is read from its file; a missing file is a message", "[protocol_document]") {
  auto read = read_protocol_document(fixtures() / "citations" / "protocol.md");
  REQUIRE(std::holds_alternative<ProtocolDocument>(read));
  const auto& document = std::get<ProtocolDocument>(read);
  REQUIRE(document.sections.size() == 4);
  CHECK(document.find("9.9") == nullptr);
  auto missing = read_protocol_document(fixtures() / "citations" / "no-such.md");
  REQUIRE(std::holds_alternative<std::string>(missing));
  CHECK(std::get<std::string>(missing).starts_with("cannot read "));
}

TEST_CASE("the repository's protocol document has every section the bundled scenarios cite", "[protocol_document]") {
  auto read = read_protocol_document(pushsim::test::source_root() / "docs" / "protocol.md");
  REQUIRE(std::holds_alternative<ProtocolDocument>(read));
  const auto& document = std::get<ProtocolDocument>(read);
  CHECK(repeated_sections(document, "docs/protocol.md").empty());
  for (const char* number :
       {"0", "1", "1.1", "1.8", "2.4", "3.4", "3.6", "4.6", "5", "6", "7.4", "8.3", "9", "10", "11"}) {
    CAPTURE(number);
    CHECK(document.find(number) != nullptr);
  }
  CHECK(document.find("3.4")->anchor == "34-presence-semantics");
}
