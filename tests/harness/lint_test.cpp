#include <catch2/catch.hpp>

#include "harness/lint.hpp"
#include "harness_test_support.hpp"

using namespace pushsim::harness;
using pushsim::harness::test::fixtures;

TEST_CASE("lint reports every file's errors and a summary", "[lint]") {
  const auto folder = fixtures() / "suite_duplicates";
  const LintReport report = lint_paths({folder});
  CHECK_FALSE(report.ok());
  CHECK(report.files == 2);
  CHECK(report.scenarios_ok == 1);
  CHECK(lint_exit_code(report) == 1);
  CHECK(format_lint_report(report) == (folder / "second.yaml").string() +
                                          ":1:5: duplicate scenario id 'dup.1' (also used by " +
                                          (folder / "first.yaml").string() +
                                          ":1:5)\n"
                                          "lint: 2 files, 1 scenario ok, 1 error\n");
}

TEST_CASE("lint passes a clean suite", "[lint]") {
  const LintReport report = lint_paths({fixtures() / "suite", fixtures() / "scenarios"});
  CHECK(report.ok());
  CHECK(lint_exit_code(report) == 0);
  CHECK(format_lint_report(report) == "lint: 6 files, 6 scenarios ok, 0 errors\n");
}

TEST_CASE("lint of the malformed fixtures finds one error per file", "[lint]") {
  const LintReport report = lint_paths({fixtures() / "malformed"});
  CHECK(report.files >= 30);
  CHECK(report.scenarios_ok == 0);
  CHECK(report.error_count() == report.files);
}

TEST_CASE("lint with nothing to read fails", "[lint]") {
  const auto empty = fixtures() / "suite" / "README.txt";
  const LintReport none = lint_paths({});
  CHECK(none.diagnostics.size() == 1);
  CHECK(none.diagnostics[0].to_string() == "lint: no scenario files (*.yaml, *.yml) found in: (no paths given)");
  // A file named explicitly is read whatever its extension, and fails as a scenario.
  const LintReport text_file = lint_paths({empty});
  CHECK(text_file.files == 1);
  CHECK_FALSE(text_file.ok());
}

TEST_CASE("lint tells profiles from scenarios and checks deviations against the linted suite", "[lint][profile]") {
  const auto profiles = fixtures() / "profiles";
  const LintReport report = lint_paths({fixtures() / "suite", profiles});
  CHECK(report.files == 6);
  CHECK(report.profiles == 2);
  CHECK(report.profiles_ok == 0);
  CHECK(report.scenarios_ok == 4);
  CHECK(format_lint_report(report) ==
        (profiles / "bad_feature.yaml").string() +
            ":6:5: unknown feature 'clientevents' in 'features' (expected one of: "
            "batch_webhooks, cache_channels, client_events, encrypted_channels, publish_info, server_to_user, "
            "subscription_count, terminate_connections, user_authentication, watchlist, webhooks)\n" +
            (profiles / "renamed_scenario.yaml").string() +
            ":9:15: deviation 'suite.99' matches no scenario of the suite (renamed or removed?)\n"
            "lint: 6 files, 4 scenarios ok, 0 profiles ok, 2 errors\n");
}

TEST_CASE("lint of profiles alone checks their deviations against the fallback suite", "[lint][profile]") {
  const auto stale = fixtures() / "profiles" / "renamed_scenario.yaml";
  LintOptions options;
  options.fallback_suite.push_back(fixtures() / "suite");
  CHECK(lint_paths({stale}, options).error_count() == 1);
  // With no suite at all, ids cannot be checked; the profile itself is fine.
  CHECK(lint_paths({stale}).ok());
}

TEST_CASE("lint checks each scenario's section against the protocol document", "[lint][protocol_document]") {
  const auto folder = fixtures() / "citations";
  LintOptions options;
  options.protocol_document = folder / "protocol.md";
  SECTION("a cited section the document lacks is an error at the section field") {
    const LintReport report = lint_paths({folder}, options);
    CHECK(report.files == 3);
    CHECK(report.scenarios_ok == 2);
    CHECK(format_lint_report(report) == (folder / "cites_missing_section.yaml").string() +
                                            ":4:10: section '9.9' is not in docs/protocol.md\n"
                                            "lint: 3 files, 2 scenarios ok, 1 error\n");
  }
  SECTION("sections the document has are clean, subsections and top-level sections alike") {
    const LintReport report =
        lint_paths({folder / "cites_known_sections.yaml", folder / "cites_top_section.yaml"}, options);
    CHECK(report.ok());
    CHECK(format_lint_report(report) == "lint: 2 files, 2 scenarios ok, 0 errors\n");
  }
  SECTION("the diagnostic names the document as the options say") {
    options.protocol_document_name = "elsewhere/protocol.md";
    const LintReport report = lint_paths({folder / "cites_missing_section.yaml"}, options);
    REQUIRE(report.diagnostics.size() == 1);
    CHECK(report.diagnostics[0].message == "section '9.9' is not in elsewhere/protocol.md");
  }
  SECTION("an unreadable document is an error, not a check skipped") {
    options.protocol_document = folder / "no-such.md";
    const LintReport report = lint_paths({folder / "cites_known_sections.yaml"}, options);
    REQUIRE(report.diagnostics.size() == 1);
    CHECK(report.diagnostics[0].to_string() == "docs/protocol.md: cannot read " + (folder / "no-such.md").string() +
                                                   " (the protocol document scenarios cite)");
  }
  SECTION("without a document, citations are not checked") { CHECK(lint_paths({folder}).ok()); }
}
