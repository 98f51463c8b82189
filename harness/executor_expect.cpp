// The executor's expectations: waits in target time, matching by subset, consumption, and
// failure messages that show what was expected next to what did arrive.
#include <algorithm>
#include <map>

#include "harness/duration.hpp"
#include "harness/execution.hpp"
#include "harness/expected_value.hpp"
#include "harness/matcher.hpp"

namespace pushsim::harness {
namespace {

constexpr DurationNs kContextBefore = kNsPerSecond;  // frames shown from this long before a step

std::string shown(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::optional<std::size_t> Execution::find_frame(const std::string& client, const FrameExpectation& expectation,
                                                 TimeNs deadline, std::size_t& scanned, bool after_previous) {
  // Observations only grow and nothing is consumed during one wait, so a frame that did not
  // match stays unmatched: each frame is looked at once per wait, not once per wakeup (a
  // server flooding thousands of frames would otherwise make the wait quadratic).
  const auto& frames = target_.frames(client);
  const auto& used = consumed_.frames[client];
  if (auto latest = consumed_.latest.find(client); after_previous && latest != consumed_.latest.end()) {
    scanned = std::max(scanned, latest->second + 1);
  }
  for (; scanned < frames.size(); ++scanned) {
    const std::size_t i = scanned;
    if (frames[i].at > deadline || used.count(i) != 0 || !frames[i].frame) continue;
    // Event and channel match exactly: checking them first spares decoding the data of
    // every other frame, which a wait does after each observation.
    const Frame& frame = *frames[i].frame;
    if (expectation.event && *expectation.event != frame.event) continue;
    if (expectation.channel && frame.channel != expectation.channel) continue;
    if (!match_frame(expectation, frame)) return i;
  }
  return std::nullopt;
}

std::string Execution::received_around(const std::string& client, const FrameExpectation& expectation, TimeNs start,
                                       TimeNs deadline) {
  std::vector<ReceivedFrame> received;
  for (const auto& frame : target_.frames(client)) {
    if (frame.frame) received.push_back(ReceivedFrame{frame.at, *frame.frame});
  }
  const TimeNs window_start = start - kContextBefore < origin_ ? origin_ : start - kContextBefore;
  return describe_frame_mismatch(expectation, received, window_start, deadline, origin_);
}

std::optional<std::string> Execution::expect(const ExpectStep& step, TimeNs start) {
  ExpectStep resolved = step;
  if (step.channel) {
    auto channel = sub(*step.channel);
    if (!channel) return error_of(channel.error());
    resolved.channel = *channel;
  }
  if (step.data) {
    auto data = sub(*step.data);
    if (!data) return error_of(data.error());
    resolved.data = *data;
  }
  if (step.user_id) {
    auto user = sub(*step.user_id);
    if (!user) return error_of(user.error());
    resolved.user_id = *user;
  }
  const FrameExpectation expectation = frame_expectation(resolved);
  const TimeNs deadline = start + step.within;
  std::optional<std::size_t> found;
  std::size_t scanned = 0;
  target_.wait_until(capped(deadline), [&] {
    found = find_frame(step.client, expectation, deadline, scanned, step.after_previous);
    return found.has_value();
  });
  if (found) {
    consumed_.frames[step.client].insert(*found);
    consumed_.latest[step.client] = *found;
    return std::nullopt;
  }
  return "no matching frame at " + step.client + (step.after_previous ? " after the previous one" : "") + " within " +
         format_duration(step.within) + cap_note(deadline) + "\n" +
         received_around(step.client, expectation, start, target_.now());
}

std::optional<std::string> Execution::expect_none(const ExpectNoneStep& step, TimeNs start) {
  ExpectNoneStep resolved = step;
  if (step.channel) {
    auto channel = sub(*step.channel);
    if (!channel) return error_of(channel.error());
    resolved.channel = *channel;
  }
  if (step.data) {
    auto data = sub(*step.data);
    if (!data) return error_of(data.error());
    resolved.data = *data;
  }
  const FrameExpectation expectation = frame_expectation(resolved);
  const TimeNs deadline = start + step.span;
  std::optional<std::size_t> found;
  std::size_t scanned = 0;
  target_.wait_until(capped(deadline), [&] {
    found = find_frame(step.client, expectation, deadline, scanned, step.after_previous);
    return found.has_value();
  });
  if (!found) return std::nullopt;
  const auto& frame = target_.frames(step.client)[*found];
  return "expected no frame matching " + expected_text(expectation_view(expectation)) + " at " + step.client +
         (step.after_previous ? " after the previous one" : "") + " for " + format_duration(step.span) + ", but at " +
         format_offset(frame.at - origin_) + " got " + *frame.text;
}

std::optional<std::string> Execution::expect_close(const ExpectCloseStep& step, TimeNs start) {
  const TimeNs deadline = start + step.within;
  target_.wait_until(capped(deadline), [&] {
    auto close = target_.close_of(step.client);
    return close && close->at <= deadline;
  });
  auto close = target_.close_of(step.client);
  const std::string wanted = step.code ? " with code " + std::to_string(*step.code) : "";
  if (!close || close->at > deadline) {
    std::string frames_only = received_around(step.client, FrameExpectation{}, start, target_.now());
    frames_only = frames_only.substr(frames_only.find("received from"));
    return "expected the server to close " + step.client + "'s connection" + wanted + " within " +
           format_duration(step.within) + cap_note(deadline) + "; it is still open\n" + frames_only;
  }
  if (step.code && close->code != *step.code) {
    return "expected close code " + std::to_string(*step.code) + ", got " + std::to_string(close->code) + " at " +
           format_offset(close->at - origin_);
  }
  return std::nullopt;
}

std::optional<std::string> Execution::expect_pong(const ExpectPongStep& step, TimeNs start) {
  const TimeNs deadline = start + step.within;
  auto quoted = [](const std::string& text) { return Json(text).dump(); };
  auto& used = consumed_.pongs[step.client];
  std::optional<std::size_t> found;
  target_.wait_until(capped(deadline), [&] {
    const auto& pongs = target_.pongs(step.client);
    for (std::size_t i = 0; i < pongs.size(); ++i) {
      if (pongs[i].at > deadline || used.count(i) != 0) continue;
      if (!step.payload || pongs[i].payload == *step.payload) {
        found = i;
        return true;
      }
    }
    return false;
  });
  if (found) {
    used.insert(*found);
    return std::nullopt;
  }
  std::string out = "no WebSocket pong" + (step.payload ? " with payload " + quoted(*step.payload) : std::string()) +
                    " at " + step.client + " within " + format_duration(step.within) + cap_note(deadline);
  const auto& pongs = target_.pongs(step.client);
  out += "\npongs received (" + std::to_string(pongs.size()) + ")";
  for (std::size_t i = 0; i < pongs.size(); ++i) {
    out += "\n  " + format_offset(pongs[i].at - origin_) + " " + quoted(pongs[i].payload) +
           (used.count(i) != 0 ? " (consumed)" : "");
  }
  return out;
}

std::optional<std::string> Execution::expect_response(const ExpectResponseStep& step) {
  if (target_.responses().empty()) return "no REST step ran before this expect_response";
  const std::size_t last = target_.responses().size() - 1;
  target_.wait_until(capped(target_.now() + options_.response_wait),
                     [&] { return target_.responses()[last].answered_at.has_value(); });
  const ObservedResponse& response = target_.responses()[last];
  if (!response.answered_at) return "the REST call was not answered within " + format_duration(options_.response_wait);
  if (response.lost) return "the REST call got no answer (lost or timed out)";
  return match_response(step, response.status, response.body);
}

std::optional<std::string> Execution::expect_webhook(const ExpectWebhookStep& step, TimeNs start) {
  ExpectWebhookStep resolved = step;
  if (step.channel) {
    auto channel = sub(*step.channel);
    if (!channel) return error_of(channel.error());
    resolved.channel = *channel;
  }
  if (step.user_id) {
    auto user = sub(*step.user_id);
    if (!user) return error_of(user.error());
    resolved.user_id = *user;
  }
  if (step.data) {
    auto data = sub(*step.data);
    if (!data) return error_of(data.error());
    resolved.data = *data;
  }
  if (step.socket_id) {
    auto socket = sub(*step.socket_id);
    if (!socket) return error_of(socket.error());
    resolved.socket_id = *socket;
  }
  const TimeNs deadline = start + step.within;
  const std::string endpoint = step.endpoint.value_or("");
  auto where = [](const ObservedWebhook& w) { return w.endpoint.empty() ? std::string() : " at " + w.endpoint; };
  // Arrival times in Unix ns: the target's clock and the Unix clock differ by a constant.
  const TimeNs to_unix = target_.unix_now() - target_.now();
  auto stamped_in_time = [&](const ObservedWebhook& webhook) {
    if (!step.time_ms_within) return true;
    if (!webhook.time_ms) return false;
    const TimeNs gap = webhook.at + to_unix - *webhook.time_ms * kNsPerMs;
    return gap <= *step.time_ms_within && -gap <= *step.time_ms_within;
  };
  std::optional<std::size_t> found;
  std::size_t scanned = 0;  // incremental, as in find_frame
  target_.wait_until(capped(deadline), [&] {
    const auto& events = target_.webhooks();
    for (; scanned < events.size(); ++scanned) {
      const std::size_t i = scanned;
      if (events[i].at > deadline || consumed_.webhooks.count(i) != 0 || events[i].endpoint != endpoint) continue;
      if (!match_webhook(resolved, events[i].event, events[i].batch_size) && stamped_in_time(events[i])) {
        found = i;
        return true;
      }
    }
    return false;
  });
  if (found) {
    consumed_.webhooks.insert(*found);
    return std::nullopt;
  }
  const Json expected = webhook_expectation_view(resolved);
  std::string out = "no matching webhook" + (endpoint.empty() ? std::string() : " at endpoint " + endpoint) +
                    " within " + format_duration(step.within) + cap_note(deadline) +
                    "\nexpected: " + expected_text(expected);
  const auto& events = target_.webhooks();
  std::size_t best_score = 0;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].endpoint != endpoint) continue;
    const std::size_t score = match_score(expected, webhook_view(events[i].event, events[i].batch_size));
    if (!best || score > best_score) best = i, best_score = score;
  }
  if (best) {
    out += "\nclosest:  " + format_offset(events[*best].at - origin_) + " " + shown(events[*best].event);
    auto why = match_webhook(resolved, events[*best].event, events[*best].batch_size);
    if (!why && !stamped_in_time(events[*best])) {
      const auto& time_ms = events[*best].time_ms;
      why = "its envelope's time_ms is " + (time_ms ? std::to_string(*time_ms) : std::string("missing")) +
            ", expected within " + format_duration(*step.time_ms_within) + " of its arrival at Unix ms " +
            std::to_string(to_unix_ms(events[*best].at + to_unix));
    }
    out += "\n          " + why.value_or("(matches, but already consumed)");
  }
  out += "\naccepted webhook events (" + std::to_string(events.size()) + ")";
  for (std::size_t i = 0; i < events.size() && i < kReportedFramesMax; ++i) {
    out += "\n  " + format_offset(events[i].at - origin_) + where(events[i]) + " " + shown(events[i].event) +
           (consumed_.webhooks.count(i) != 0 ? " (consumed)" : "");
  }
  return out;
}

std::optional<std::string> Execution::expect_no_webhook(const ExpectNoWebhookStep& step, TimeNs start) {
  Json expected = Json::object();
  if (step.name) expected["name"] = *step.name;
  for (const auto& [key, value] : {std::pair{"channel", step.channel}, std::pair{"user_id", step.user_id}}) {
    if (!value) continue;
    auto text = sub(*value);
    if (!text) return error_of(text.error());
    expected[key] = *text;
  }
  const TimeNs deadline = start + step.span;
  const std::string endpoint = step.endpoint.value_or("");
  std::optional<std::size_t> found;
  std::size_t scanned = 0;  // incremental, as in find_frame
  target_.wait_until(capped(deadline), [&] {
    const auto& events = target_.webhooks();
    for (; scanned < events.size(); ++scanned) {
      const std::size_t i = scanned;
      if (events[i].at > deadline || consumed_.webhooks.count(i) != 0 || events[i].endpoint != endpoint) continue;
      if (!match_subset(expected, events[i].event)) {
        found = i;
        return true;
      }
    }
    return false;
  });
  if (!found) return std::nullopt;
  const auto& event = target_.webhooks()[*found];
  return "expected no webhook matching " + shown(expected) +
         (endpoint.empty() ? std::string() : " at endpoint " + endpoint) + " for " + format_duration(step.span) +
         ", but at " + format_offset(event.at - origin_) + " got " + shown(event.event) +
         (event.batch_size > 1 ? " (in a POST of " + std::to_string(event.batch_size) + " events)" : "");
}

std::optional<std::string> Execution::expect_refused(const ExpectRefusedStep& step, TimeNs start) {
  auto channel = sub(step.channel);
  if (!channel) return error_of(channel.error());
  const TimeNs deadline = start + step.within;
  std::optional<std::size_t> found;
  std::size_t scanned = 0;  // incremental, as in find_frame
  target_.wait_until(capped(deadline), [&] {
    const auto& frames = target_.frames(step.client);
    const auto& used = consumed_.frames[step.client];
    for (; scanned < frames.size(); ++scanned) {
      const std::size_t i = scanned;
      if (frames[i].at > deadline || used.count(i) != 0 || !frames[i].frame) continue;
      if (subscription_outcome(*frames[i].frame, *channel) != SubscriptionOutcome::kNone) {
        found = i;
        return true;
      }
    }
    return false;
  });
  const std::string accepted = "pusher:subscription_error on " + *channel +
                               ", or pusher:error without a channel or on it (docs/protocol.md §3.3)";
  if (found) {
    const auto& frame = target_.frames(step.client)[*found];
    if (subscription_outcome(*frame.frame, *channel) == SubscriptionOutcome::kRefused) {
      consumed_.frames[step.client].insert(*found);
      consumed_.latest[step.client] = *found;
      return std::nullopt;
    }
    return "expected " + step.client + "'s subscription to " + *channel + " to be refused (" + accepted + "), but at " +
           format_offset(frame.at - origin_) + " got " + *frame.text;
  }
  const FrameExpectation refusal{"pusher:subscription_error", *channel, std::nullopt, std::nullopt, {}};
  return "no refusal of " + *channel + " at " + step.client + " within " + format_duration(step.within) +
         cap_note(deadline) + " (accepted: " + accepted + ")\n" +
         received_around(step.client, refusal, start, target_.now());
}

namespace {

// The events expect_webhook_state weighs: channel_occupied / channel_vacated of the channel,
// or member_added / member_removed of the channel and user.
bool weighs(const std::string& channel, const std::optional<std::string>& user, const ObservedWebhook& observed) {
  const Json& event = observed.event;
  // The catch-all endpoint only: a filtered one repeats some of its events.
  if (!observed.endpoint.empty() || !event.is_object() || event.value("channel", "") != channel) return false;
  const std::string name = event.value("name", "");
  if (!user) return name == "channel_occupied" || name == "channel_vacated";
  return (name == "member_added" || name == "member_removed") && event.value("user_id", "") == *user;
}

bool is_removal(const Json& event) {
  const std::string name = event.value("name", "");
  return name == "channel_vacated" || name == "member_removed";
}

// What a webhook's event says about the state, once it is the latest.
ExpectWebhookStateStep::State state_after(const Json& event) {
  const std::string name = event.value("name", "");
  if (name == "channel_occupied") return ExpectWebhookStateStep::State::kOccupied;
  if (name == "channel_vacated") return ExpectWebhookStateStep::State::kVacated;
  if (name == "member_added") return ExpectWebhookStateStep::State::kMember;
  return ExpectWebhookStateStep::State::kAbsent;
}

}  // namespace

std::optional<std::string> Execution::expect_webhook_state(const ExpectWebhookStateStep& step, TimeNs start) {
  auto channel = sub(step.channel);
  if (!channel) return error_of(channel.error());
  std::optional<std::string> user;
  if (step.user_id) {
    auto resolved = sub(*step.user_id);
    if (!resolved) return error_of(resolved.error());
    user = *resolved;
  }
  const auto none = step.user_id ? ExpectWebhookStateStep::State::kAbsent : ExpectWebhookStateStep::State::kVacated;
  // The latest by time_ms. Within one millisecond a removal counts as the later event: a
  // re-add that quick cancels the delayed removal before it (docs/protocol.md §8.3), so an add and
  // a removal that both went out in one millisecond were an add and then its removal. Arrival
  // order breaks what ties remain. Events of one POST share its time_ms and keep the order it
  // lists them in (a removal already leaving in a batch can no longer be cancelled, so a re-add
  // follows it there): a POST counts as a removal when its last event that weighs is one.
  auto current = [&] {
    std::optional<std::size_t> latest;
    const auto& events = target_.webhooks();
    std::map<std::uint64_t, bool> post_is_removal;
    for (const auto& observed : events) {
      if (weighs(*channel, user, observed)) post_is_removal[observed.post] = is_removal(observed.event);
    }
    auto order = [&](const ObservedWebhook& w) { return std::pair(w.time_ms.value_or(0), post_is_removal[w.post]); };
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (!weighs(*channel, user, events[i])) continue;
      if (!latest || order(events[i]) >= order(events[*latest])) latest = i;
    }
    return latest ? state_after(events[*latest].event) : none;
  };
  const TimeNs deadline = start + step.within;
  if (target_.wait_until(capped(deadline), [&] { return current() == step.state; })) return std::nullopt;
  std::string out = "expected the webhooks to leave " + *channel + (user ? " user " + *user : "") + " " +
                    std::string(to_string(step.state)) + " within " + format_duration(step.within) +
                    cap_note(deadline) + ", but by time_ms it is " + std::string(to_string(current())) +
                    "\nthe events that decide it, in arrival order:";
  for (const auto& observed : target_.webhooks()) {
    if (!weighs(*channel, user, observed)) continue;
    out += "\n  " + format_offset(observed.at - origin_) + " time_ms " +
           (observed.time_ms ? std::to_string(*observed.time_ms) : std::string("?")) + " " + shown(observed.event);
  }
  return out;
}

}  // namespace pushsim::harness
