#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fakes/scheduler.hpp"

using namespace pushsim;
using namespace pushsim::fakes;

TEST_CASE("scheduler runs tasks in time order and ties in filing order", "[scheduler]") {
  Scheduler s;
  std::vector<std::string> order;
  s.schedule_at(kSimulationEpoch + 20, [&] { order.push_back("b@20"); });
  s.schedule_at(kSimulationEpoch + 10, [&] { order.push_back("a@10"); });
  s.schedule_at(kSimulationEpoch + 20, [&] { order.push_back("c@20"); });
  s.schedule_at(kSimulationEpoch + 20, [&] { order.push_back("d@20"); });
  while (s.step()) {}
  CHECK(order == std::vector<std::string>{"a@10", "b@20", "c@20", "d@20"});
  CHECK(s.now() == kSimulationEpoch + 20);
  CHECK(s.events_run() == 4);
}

TEST_CASE("scheduler starts at the simulation epoch and moves only when a task runs", "[scheduler]") {
  Scheduler s;
  CHECK(s.now() == kSimulationEpoch);
  TimeNs seen = 0;
  s.schedule_after(ms(5), [&] { seen = s.now(); });
  CHECK(s.now() == kSimulationEpoch);
  REQUIRE(s.step());
  CHECK(seen == kSimulationEpoch + ms(5));
  CHECK_FALSE(s.step());
}

TEST_CASE("a task scheduled from a task at the same instant runs after the ones already filed", "[scheduler]") {
  Scheduler s;
  std::vector<int> order;
  s.schedule_at(kSimulationEpoch, [&] {
    order.push_back(1);
    s.schedule_at(s.now(), [&] { order.push_back(3); });
  });
  s.schedule_at(kSimulationEpoch, [&] { order.push_back(2); });
  while (s.step()) {}
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("a cancelled task never runs and its id cannot cancel a later task in the same slot", "[scheduler]") {
  Scheduler s;
  int runs = 0;
  EventId first = s.schedule_after(ms(1), [&] { runs += 100; });
  CHECK(s.is_pending(first));
  CHECK(s.cancel(first));
  CHECK_FALSE(s.cancel(first));
  CHECK(s.pending() == 0);
  // Drain the dead entry so its slot is reused, then check the stale id is powerless.
  CHECK_FALSE(s.step());
  EventId second = s.schedule_after(ms(1), [&] { runs += 1; });
  CHECK(second.slot == first.slot);
  CHECK_FALSE(s.cancel(first));
  CHECK(s.step());
  CHECK(runs == 1);
}

TEST_CASE("run_until stops at the time asked for and leaves the clock there", "[scheduler]") {
  Scheduler s;
  int runs = 0;
  s.schedule_after(ms(10), [&] { ++runs; });
  s.schedule_after(ms(30), [&] { ++runs; });
  RunOutcome outcome = s.run_until(kSimulationEpoch + ms(20), 100);
  CHECK(outcome.stop == RunStop::kTimeReached);
  CHECK(outcome.events == 1);
  CHECK(runs == 1);
  CHECK(s.now() == kSimulationEpoch + ms(20));
  outcome = s.run_until(kSimulationEpoch + ms(40), 100);
  CHECK(outcome.stop == RunStop::kIdle);
  CHECK(s.now() == kSimulationEpoch + ms(40));
}

TEST_CASE("a task that reschedules itself forever is stopped by the event limit, not a hang", "[scheduler]") {
  Scheduler s;
  std::function<void()> again = [&] { s.schedule_at(s.now(), again); };
  s.schedule_at(s.now(), again);
  RunOutcome outcome = s.run_until_idle(1000, kSimulationEpoch + seconds(1));
  CHECK(outcome.stop == RunStop::kEventLimit);
  CHECK_FALSE(outcome.ok());
  CHECK(outcome.events == 1000);
  outcome = s.run_until(kSimulationEpoch + seconds(1), 50);
  CHECK(outcome.stop == RunStop::kEventLimit);
  CHECK(s.now() == kSimulationEpoch);  // a livelock at one instant never advances time
}

TEST_CASE("run_until_idle stops before a task past the time limit", "[scheduler]") {
  Scheduler s;
  int runs = 0;
  s.schedule_after(seconds(1), [&] { ++runs; });
  s.schedule_after(seconds(10), [&] { ++runs; });
  RunOutcome outcome = s.run_until_idle(100, kSimulationEpoch + seconds(5));
  CHECK(outcome.stop == RunStop::kTimeReached);
  CHECK(runs == 1);
  CHECK(s.next_time() == kSimulationEpoch + seconds(10));
}
