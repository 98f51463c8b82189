#pragma once
// The executor's working state for one scenario run (executor.hpp has the semantics). Split
// over executor.cpp (the loop and composition), executor_actions.cpp and executor_expect.cpp.
#include <map>
#include <set>
#include <string>

#include "harness/executor.hpp"
#include "harness/matcher.hpp"

namespace pushsim::harness {

// A failed substitution or lookup as a step's failure message.
inline std::optional<std::string> error_of(const Error& error) { return error.message; }

// What expectations have used up: frames per client (by index), webhook events (by index),
// and per client the frame its latest passing expect consumed (for after_previous).
struct Consumption {
  std::map<std::string, std::set<std::size_t>> frames;
  std::map<std::string, std::size_t> latest;
  std::set<std::size_t> webhooks;
  std::map<std::string, std::set<std::size_t>> pongs;
};

class Execution {
 public:
  Execution(const Scenario& scenario, Target& target, const ExecutorOptions& options);

  // Runs the step; `start` is when its deadlines count from (the enclosing block's start
  // inside concurrently and one_of, else now); `in_block`: do not wait after connect.
  StepResult run(const Step& step, TimeNs start, bool in_block);
  TimeNs origin() const { return origin_; }

 private:
  StepResult run_concurrently(const ConcurrentlyStep& step, TimeNs start);
  StepResult run_one_of(const OneOfStep& step, TimeNs start);
  std::optional<std::string> run_action(const StepAction& action, TimeNs start, bool in_block);

  // actions
  // An error when the step names a node the target does not have.
  std::optional<std::string> check_node(std::optional<int> node) const;
  std::optional<std::string> do_connect(const ConnectStep& step, bool in_block);
  std::optional<std::string> do_trigger(const TriggerStep& step);
  std::optional<std::string> do_batch(const BatchTriggerStep& step);
  Result<std::string> exclusion(const Exclude& exclude);
  Result<std::string> sub(const std::string& text);
  Result<Json> sub(const Json& value);
  Result<ParamList> sub(const ParamList& params);

  // expectations
  std::optional<std::string> expect(const ExpectStep& step, TimeNs start);
  std::optional<std::string> expect_none(const ExpectNoneStep& step, TimeNs start);
  std::optional<std::string> expect_close(const ExpectCloseStep& step, TimeNs start);
  std::optional<std::string> expect_response(const ExpectResponseStep& step);
  std::optional<std::string> expect_webhook(const ExpectWebhookStep& step, TimeNs start);
  std::optional<std::string> expect_no_webhook(const ExpectNoWebhookStep& step, TimeNs start);
  std::optional<std::string> expect_webhook_state(const ExpectWebhookStateStep& step, TimeNs start);
  std::optional<std::string> expect_refused(const ExpectRefusedStep& step, TimeNs start);
  std::optional<std::string> expect_pong(const ExpectPongStep& step, TimeNs start);
  // The first unconsumed frame matching by the deadline, from index `scanned` on; advances
  // `scanned` past the frames that did not match. With after_previous, only frames after the
  // one the client's latest passing expect consumed.
  std::optional<std::size_t> find_frame(const std::string& client, const FrameExpectation& expectation, TimeNs deadline,
                                        std::size_t& scanned, bool after_previous = false);
  std::string received_around(const std::string& client, const FrameExpectation& expectation, TimeNs start,
                              TimeNs deadline);
  TimeNs capped(TimeNs deadline) const { return deadline < cap_at_ ? deadline : cap_at_; }
  std::string cap_note(TimeNs deadline) const;

  const Scenario& scenario_;
  Target& target_;
  const ExecutorOptions& options_;
  TimeNs origin_;
  DurationNs time_max_;  // the scenario's virtual_time_limit, else the run's
  TimeNs cap_at_;
  std::size_t steps_run_ = 0;
  Consumption consumed_;
};

}  // namespace pushsim::harness
