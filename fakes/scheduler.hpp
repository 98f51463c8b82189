#pragma once
// The virtual clock and the one event queue of a simulation.
//
// Theory of operation: every future happening (a frame arriving, a timer, an HTTP answer)
// is a task filed under (virtual time, sequence number). step() takes the smallest key,
// moves the clock there and runs the task; tasks may schedule more tasks, never in the past.
// The sequence number breaks ties in scheduling order, so two tasks due at the same instant
// always run in the order they were scheduled: the queue is deterministic without relying on
// the heap's internal order. Nothing here reads the wall clock or sleeps; every run loop is
// bounded by a number of events and a virtual time, and says which bound it hit.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "protocol/time.hpp"

namespace pushsim::fakes {

using Task = std::function<void()>;

// Names one scheduled task; cancel() needs it. Slots are reused, the sequence number is not.
struct EventId {
  std::uint32_t slot = 0;
  std::uint64_t seq = 0;  // 0: no event
  explicit operator bool() const { return seq != 0; }
  bool operator==(const EventId&) const = default;
};

enum class RunStop {
  kIdle,         // nothing left to run
  kTimeReached,  // the next task is later than the time asked for
  kEventLimit,   // max_events tasks ran and more were due: a livelock, or a limit too low
};

struct RunOutcome {
  RunStop stop = RunStop::kIdle;
  std::size_t events = 0;  // tasks run by this call
  bool ok() const { return stop != RunStop::kEventLimit; }
};

class Scheduler {
 public:
  explicit Scheduler(TimeNs start = kSimulationEpoch) : now_(start) {}

  TimeNs now() const { return now_; }
  // Files a task at `at` (not before now). Returns its id for cancel().
  EventId schedule_at(TimeNs at, Task task);
  EventId schedule_after(DurationNs delay, Task task) { return schedule_at(now_ + delay, std::move(task)); }
  // Removes a task that has not run yet. False when it already ran or was cancelled.
  bool cancel(EventId id);
  bool is_pending(EventId id) const;

  // Runs the next task. False when none is left.
  bool step();
  // Runs every task due at or before `until`, then leaves the clock at `until`.
  RunOutcome run_until(TimeNs until, std::size_t max_events);
  // Runs until no task is left, or a task is due after `time_limit`, or max_events ran.
  RunOutcome run_until_idle(std::size_t max_events, TimeNs time_limit);

  std::size_t pending() const { return live_; }
  std::uint64_t events_run() const { return events_run_; }
  // When the next live task is due, if any.
  std::optional<TimeNs> next_time();

 private:
  struct Entry {
    TimeNs at;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Slot {
    std::uint64_t seq = 0;  // 0: free, or its task ran or was cancelled
    Task task;
  };
  static bool later(const Entry& a, const Entry& b) { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  void drop_dead_top();

  TimeNs now_;
  std::uint64_t next_seq_ = 1;
  std::size_t live_ = 0;
  std::uint64_t events_run_ = 0;
  std::vector<Entry> heap_;  // std::push_heap / pop_heap with later(): a min-heap
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace pushsim::fakes
