// The live invariants' end states (live_invariants.hpp), judged against a final REST query on
// an in-process `pushsim serve`: each passes on the reference and fails on a broken engine
// that only the end state shows (the scenarios below check nothing themselves).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "executor_test_support.hpp"
#include "harness/live_invariants.hpp"
#include "harness/live_target.hpp"

namespace pushsim::harness {
namespace {

using test::failures_of;
using test::load;
using test::scenario_text;

// The invariants a live run of `body` on `pushsim serve` (with `defects`) broke.
std::vector<std::string> broken(const std::string& body, Defects defects = {}) {
  const Scenario scenario = load(scenario_text("must", body));
  LiveTargetOptions options;
  options.serve = true;
  options.serve_defects = defects;
  auto target = live_target_factory(options)(scenario, 7);
  const auto result = run_scenario(scenario, *target, 7);
  INFO(failures_of(result));
  std::vector<std::string> out;
  for (const auto& violation : result.violations) out.push_back(violation.name);
  return out;
}

using Names = std::vector<std::string>;

// alice and bob on "news"; bob leaves. Nothing is expected of the counts.
const char* const kCounts = R"(requires: [subscription_count]
clients:
  alice:
  bob:
steps:
  - connect: alice
  - connect: bob
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news }
  - subscribe: { client: bob, channel: news }
  - expect: { client: bob, event: "pusher_internal:subscription_succeeded", channel: news }
  - unsubscribe: { client: bob, channel: news }
  - advance: 300ms
)";

TEST_CASE("live end state: subscription_count converges to the count REST gives", "[live]") {
  CHECK(broken(kCounts).empty());
  CHECK(broken(kCounts, {Defect::kMiscountSubscriptionCount}) == Names{"subscription-count-converges"});
}

// "news" occupied, then left; the webhooks are judged once no client acted for 3.5 s.
const char* const kVacated = R"(requires: [webhooks]
clients:
  alice:
steps:
  - connect: alice
  - subscribe: { client: alice, channel: news }
  - expect: { client: alice, event: "pusher_internal:subscription_succeeded", channel: news }
  - unsubscribe: { client: alice, channel: news }
  - advance: 4s
)";

TEST_CASE("live end state: the last occupied/vacated webhook says what GET /channels shows", "[live]") {
  CHECK(broken(kVacated).empty());
  CHECK(broken(kVacated, {Defect::kNoChannelVacated}) == Names{"occupied-vacated-alternate"});
}

// One user on two connections; one leaves: the user is still a member.
const char* const kMember = R"(requires: [webhooks]
clients:
  a1: { user_id: u1 }
  a2: { user_id: u1 }
  b: { user_id: u2 }
steps:
  - connect: a1
  - connect: a2
  - connect: b
  - subscribe: { client: b, channel: presence-room }
  - expect: { client: b, event: "pusher_internal:subscription_succeeded", channel: presence-room }
  - subscribe: { client: a1, channel: presence-room }
  - expect: { client: a1, event: "pusher_internal:subscription_succeeded", channel: presence-room }
  - subscribe: { client: a2, channel: presence-room }
  - expect: { client: a2, event: "pusher_internal:subscription_succeeded", channel: presence-room }
  - unsubscribe: { client: a2, channel: presence-room }
  - advance: 4s
)";

TEST_CASE("live end state: the last member webhook says what the users query shows", "[live]") {
  CHECK(broken(kMember).empty());
  // b's own list loses u1 too, so members-converge also sees it.
  const auto names = broken(kMember, {Defect::kMemberRemovedOnAnyLeave});
  CHECK(std::count(names.begin(), names.end(), "member-webhooks-alternate") == 1);
}

// Webhooks still due (a removal waits 3 s): their end state is not judged.
TEST_CASE("live end state: webhooks are not judged before the removal delay has passed", "[live]") {
  std::string early = kVacated;
  early.replace(early.find("advance: 4s"), 11, "advance: 1s");
  CHECK(broken(early).empty());
  CHECK(broken(early, {Defect::kNoChannelVacated}).empty());
}

}  // namespace
}  // namespace pushsim::harness
