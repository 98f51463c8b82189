#include <catch2/catch.hpp>

#include "report_fixture.hpp"
#include "reports/html_report.hpp"
#include "reports/sequence_diagram.hpp"

namespace pushsim::reports {
namespace {

using harness::TraceEntry;

const HtmlOptions kOptions{"0.1.0", "2026-11-28 22:00:00 UTC", kDefaultMaxArrows, test::sample_protocol(),
                           "../docs/protocol.md"};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST_CASE("The HTML report matches its golden file", "[reports][html]") {
  test::check_golden("report.html", html_report(test::sample_run(), kOptions));
}

TEST_CASE("A scenario's section links to its heading in the protocol document", "[reports][html]") {
  const std::string page = html_report(test::sample_run(), kOptions);
  const std::string linked =
      "<a href=\"../docs/protocol.md#34-presence-semantics\">\xC2\xA7"
      "3.4</a>";
  CHECK(count_of(page, "<td>" + linked + "</td>") == 1);        // presence.3 in the table
  CHECK(page.find("\xC2\xB7 " + linked) != std::string::npos);  // and in its details
  // 7.3 is not a heading of the document: shown, never linked to a missing anchor.
  CHECK(page.find("<td>\xC2\xA7"
                  "7.3</td>") != std::string::npos);
  CHECK(page.find("#73") == std::string::npos);
  // Without the document's address there are no links at all.
  const std::string bare =
      html_report(test::sample_run(), {"0.1.0", "now", kDefaultMaxArrows, test::sample_protocol()});
  CHECK(bare.find("protocol.md") == std::string::npos);
  CHECK(bare.find("<td>\xC2\xA7"
                  "3.4</td>") != std::string::npos);
}

TEST_CASE("HTML escaping covers markup, quotes and control characters", "[reports][html]") {
  CHECK(html_escape("<b a=\"1\">&'") == "&lt;b a=&quot;1&quot;&gt;&amp;&apos;");
  CHECK(html_escape(std::string("a\x01z", 3)) == "a\xEF\xBF\xBDz");
}

TEST_CASE("Names and frames with markup appear escaped, never as markup", "[reports][html]") {
  const std::string page = html_report(test::sample_run(), kOptions);
  CHECK(page.find("member_added &lt;once&gt; &amp; &quot;only&quot; once") != std::string::npos);
  CHECK(page.find("<once>") == std::string::npos);
  CHECK(page.find("{&quot;event&quot;:&quot;pusher:connection_established&quot;,&quot;data&quot;:&quot;{}&quot;}") !=
        std::string::npos);
}

TEST_CASE("Only failing and non-strict scenarios get a section with a diagram", "[reports][html]") {
  const std::string page = html_report(test::sample_run(), kOptions);
  CHECK(count_of(page, "<svg ") == 2);
  CHECK(page.find("<section class=\"scenario\" id=\"s-presence.3\">") != std::string::npos);
  CHECK(page.find("<section class=\"scenario\" id=\"s-webhooks.4\">") != std::string::npos);
  CHECK(page.find("id=\"s-public.1\"") == std::string::npos);
  CHECK(page.find("<span class=\"v-fail\">1 fail</span>") != std::string::npos);
  CHECK(page.find("seed <b>42</b>") != std::string::npos);
  CHECK(page.find("generated 2026-11-28 22:00:00 UTC") != std::string::npos);
}

TEST_CASE("The page needs no network: no external script, style, image or font", "[reports][html]") {
  const std::string page = html_report(test::sample_run(), kOptions);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("http://") == page.find("http://www.w3.org/2000/svg"));
}

TEST_CASE("Lifelines: clients first, then server, auth, webhooks, then other parties", "[reports][html]") {
  const std::vector<TraceEntry> trace{{0, "open", "bob", "server", ""},
                                      {1, "http_request", "app", "server", "POST /apps/1/events"},
                                      {2, "deliver", "server", "alice", "{}"},
                                      {3, "webhook", "server", "webhooks", "{}"}};
  CHECK(diagram_parties(trace) == std::vector<std::string>{"bob", "alice", "server", "auth", "webhooks", "app"});
}

TEST_CASE("Arrow labels are the event and channel of a frame, else the text's first line", "[reports][html]") {
  CHECK(short_label({0, "deliver", "server", "a", R"({"event":"news","channel":"private-foo","data":"x"})"}) ==
        "news (private-foo)");
  CHECK(short_label({0, "http_request", "server", "auth", "POST /auth\nsocket_id=1.2"}) == "POST /auth");
  CHECK(short_label({0, "deliver", "server", "a", std::string(60, 'x')}) == std::string(45, 'x') + "...");
}

TEST_CASE("Times are ms from the scenario start, up to three decimals", "[reports][html]") {
  CHECK(ms_text(0) == "0");
  CHECK(ms_text(1024 * kNsPerMs) == "1024");
  CHECK(ms_text(1'024'500'000) == "1024.5");
  CHECK(ms_text(1'250) == "0.001");
}

TEST_CASE("Sends that are delivered, and handshakes, are drawn once", "[reports][html]") {
  harness::ScenarioResult r;
  r.id = "x.1";
  r.trace = {{0, "send", "alice", "server", "F"},
             {5, "deliver", "alice", "server", "F"},
             {6, "send", "alice", "server", "G"},
             {7, "drop", "alice", "server", "G"},
             {8, "send", "bob", "server", "[open /app/k]"},
             {9, "open", "bob", "server", "[open /app/k]"},
             {9, "deliver", "bob", "server", "[open /app/k]"}};
  const std::string svg = sequence_diagram_svg(r);
  CHECK(count_of(svg, "<g class=\"arrow") == 4);
  CHECK(count_of(svg, "class=\"arrow k-open\"") == 1);
  CHECK(count_of(svg, "class=\"arrow k-send\"") == 1);
}

TEST_CASE("A long trace is capped, the diagram says so, and the failure is still marked", "[reports][html]") {
  harness::ScenarioResult r;
  r.id = "x.2";
  for (int i = 0; i < 10; ++i) r.trace.push_back({i * kNsPerMs, "deliver", "server", "alice", "{}"});
  harness::StepResult failed;
  failed.description = "expect alice news";
  failed.outcome = harness::StepOutcome::kFailed;
  failed.ended_at = 9 * kNsPerMs;
  r.steps.push_back(failed);
  const std::string svg = sequence_diagram_svg(r, DiagramOptions{4, "t"});
  CHECK(count_of(svg, "<g class=\"arrow") == 4);
  CHECK(svg.find("6 more of 10 messages not shown (the diagram stops at 4)") != std::string::npos);
  CHECK(svg.find("\xE2\x9C\x97 failed: expect alice news") > svg.find("6 more of 10"));
}

}  // namespace
}  // namespace pushsim::reports
