#include "fakes/scheduler.hpp"

#include <algorithm>
#include <cassert>

namespace pushsim::fakes {

EventId Scheduler::schedule_at(TimeNs at, Task task) {
  assert(at >= now_ && "a task scheduled in the past is a simulator bug");
  if (at < now_) at = now_;
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const std::uint64_t seq = next_seq_++;
  slots_[slot].seq = seq;
  slots_[slot].task = std::move(task);
  heap_.push_back(Entry{at, seq, slot});
  std::push_heap(heap_.begin(), heap_.end(), later);
  ++live_;
  return EventId{slot, seq};
}

bool Scheduler::is_pending(EventId id) const {
  return id.seq != 0 && id.slot < slots_.size() && slots_[id.slot].seq == id.seq;
}

bool Scheduler::cancel(EventId id) {
  if (!is_pending(id)) return false;
  // The heap entry stays until it surfaces; a seq mismatch marks it dead. The slot itself
  // is freed only then, so a reused slot never matches a stale entry.
  Slot& slot = slots_[id.slot];
  slot.seq = 0;
  slot.task = nullptr;
  --live_;
  return true;
}

void Scheduler::drop_dead_top() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    if (slots_[top.slot].seq == top.seq) return;
    const std::uint32_t slot = top.slot;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    free_slots_.push_back(slot);
  }
}

std::optional<TimeNs> Scheduler::next_time() {
  drop_dead_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().at;
}

bool Scheduler::step() {
  drop_dead_top();
  if (heap_.empty()) return false;
  const Entry top = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
  Task task = std::move(slots_[top.slot].task);
  slots_[top.slot].seq = 0;
  slots_[top.slot].task = nullptr;
  free_slots_.push_back(top.slot);
  --live_;
  now_ = top.at;
  ++events_run_;
  task();
  return true;
}

RunOutcome Scheduler::run_until(TimeNs until, std::size_t max_events) {
  RunOutcome outcome;
  for (;;) {
    const std::optional<TimeNs> next = next_time();
    if (!next || *next > until) {
      outcome.stop = next ? RunStop::kTimeReached : RunStop::kIdle;
      break;
    }
    if (outcome.events == max_events) {
      outcome.stop = RunStop::kEventLimit;
      return outcome;  // the clock stays where the last task left it
    }
    step();
    ++outcome.events;
  }
  if (until > now_) now_ = until;
  return outcome;
}

RunOutcome Scheduler::run_until_idle(std::size_t max_events, TimeNs time_limit) {
  RunOutcome outcome;
  for (;;) {
    const std::optional<TimeNs> next = next_time();
    if (!next) {
      outcome.stop = RunStop::kIdle;
      return outcome;
    }
    if (*next > time_limit) {
      outcome.stop = RunStop::kTimeReached;
      return outcome;
    }
    if (outcome.events == max_events) {
      outcome.stop = RunStop::kEventLimit;
      return outcome;
    }
    step();
    ++outcome.events;
  }
}

}  // namespace pushsim::fakes
