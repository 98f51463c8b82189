#include "harness/matcher.hpp"

#include <algorithm>

#include "harness/expected_value.hpp"
#include "harness/json_text.hpp"

namespace pushsim::harness {
namespace {

constexpr std::size_t kShownTextMax = 200;

std::string shown(const Json& value) {
  std::string text = to_json_text(value);
  if (text.size() > kShownTextMax) text = text.substr(0, kShownTextMax) + "...";
  return text;
}

bool is_plain_key(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string child_path(const std::string& path, const std::string& key) {
  if (!is_plain_key(key)) return path + "[" + to_json_text(Json(key)) + "]";
  return path.empty() ? key : path + "." + key;
}

std::string at_path(const std::string& path) { return path.empty() ? "" : path + ": "; }

Json leniently_decoded(const Json& value) {
  if (!value.is_string()) return value;
  Json parsed = Json::parse(value.get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? value : parsed;
}

}  // namespace

namespace {

// Equality all the way down, for !exact: the first difference, including a key or element
// the expectation does not have.
std::optional<std::string> match_exact(const Json& expected, const Json& actual, const std::string& path) {
  if (expected.is_object() && actual.is_object()) {
    for (const auto& [key, value] : actual.items()) {
      if (!expected.contains(key)) {
        return at_path(child_path(path, key)) + "expected no such key (!exact), got " + shown(value);
      }
    }
    for (const auto& [key, value] : expected.items()) {
      auto found = actual.find(key);
      if (found == actual.end()) {
        return at_path(child_path(path, key)) + "expected " + shown(value) + ", got nothing (no such key)";
      }
      if (auto difference = match_exact(value, *found, child_path(path, key))) return difference;
    }
    return std::nullopt;
  }
  if (expected.is_array() && actual.is_array() && expected.size() == actual.size()) {
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto difference = match_exact(expected[i], actual[i], path + "[" + std::to_string(i) + "]")) {
        return difference;
      }
    }
    return std::nullopt;
  }
  if (expected == actual) return std::nullopt;
  return at_path(path) + "expected exactly " + shown(expected) + ", got " + shown(actual);
}

}  // namespace

std::optional<std::string> match_subset(const Json& expected, const Json& actual, const std::string& path) {
  if (is_absent_marker(expected)) return at_path(path) + "expected no such key (!absent), got " + shown(actual);
  if (is_present_marker(expected)) return std::nullopt;
  if (const Json* inner = exact_inner(expected)) return match_exact(*inner, actual, path);
  if (expected.is_object()) {
    if (!actual.is_object()) {
      return at_path(path) + "expected " + expected_text(expected) + ", got " + shown(actual);
    }
    for (const auto& [key, value] : expected.items()) {
      auto found = actual.find(key);
      if (found == actual.end()) {
        if (is_absent_marker(value)) continue;
        return at_path(child_path(path, key)) + "expected " + expected_text(value) + ", got nothing (no such key)";
      }
      if (auto difference = match_subset(value, *found, child_path(path, key))) return difference;
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      return at_path(path) + "expected " + std::to_string(expected.size()) + " elements " + expected_text(expected) +
             ", got " + shown(actual);
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto difference = match_subset(expected[i], actual[i], path + "[" + std::to_string(i) + "]")) {
        return difference;
      }
    }
    return std::nullopt;
  }
  if (expected == actual) return std::nullopt;
  return at_path(path) + "expected " + shown(expected) + ", got " + shown(actual);
}

std::size_t match_score(const Json& expected, const Json& actual) {
  if (is_absent_marker(expected)) return 0;  // reached only when the key is there
  if (is_present_marker(expected)) return 1;
  if (const Json* inner = exact_inner(expected)) return match_score(*inner, actual);
  if (expected.is_object()) {
    if (!actual.is_object()) return 0;
    std::size_t score = 0;
    for (const auto& [key, value] : expected.items()) {
      if (auto found = actual.find(key); found != actual.end()) {
        score += match_score(value, *found);
      } else if (is_absent_marker(value)) {
        ++score;
      }
    }
    return score;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return 0;
    std::size_t score = actual.size() == expected.size() ? 1 : 0;
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
      score += match_score(expected[i], actual[i]);
    }
    return score;
  }
  return expected == actual ? 1 : 0;
}

FrameExpectation frame_expectation(const ExpectStep& step) {
  return FrameExpectation{step.event, step.channel, step.data, step.user_id, step.absent};
}

FrameExpectation frame_expectation(const ExpectNoneStep& step) {
  return FrameExpectation{step.event, step.channel, step.data, std::nullopt, step.absent};
}

namespace {

// The frame as expectations see it; without its data when the expectation names none, which
// spares decoding data that no comparison would look at (match_subset only visits the keys
// the expectation has).
Json frame_view(const Frame& frame, bool with_data) {
  Json view = Json::object();
  view["event"] = frame.event;
  if (frame.channel) view["channel"] = *frame.channel;
  if (frame.data && with_data) view["data"] = frame.decoded_data();
  if (frame.user_id) view["user_id"] = *frame.user_id;
  return view;
}

}  // namespace

Json frame_view(const Frame& frame) { return frame_view(frame, /*with_data=*/true); }

Json expectation_view(const FrameExpectation& expectation) {
  Json view = Json::object();
  if (expectation.event) view["event"] = *expectation.event;
  if (expectation.channel) view["channel"] = *expectation.channel;
  if (expectation.data) view["data"] = *expectation.data;
  if (expectation.user_id) view["user_id"] = *expectation.user_id;
  for (const auto& field : expectation.absent) view[field] = absent_marker();
  return view;
}

std::optional<std::string> match_frame(const FrameExpectation& expectation, const Frame& frame) {
  auto difference = match_subset(expectation_view(expectation), frame_view(frame, expectation.data.has_value()));
  if (!difference) return std::nullopt;
  // The undecoded form: `data: "{}"` written to check the string form itself.
  if (expectation.data && expectation.data->is_string() && frame.data && frame.data->is_string()) {
    FrameExpectation rest = expectation;
    rest.data.reset();
    if (*expectation.data == *frame.data && !match_subset(expectation_view(rest), frame_view(frame))) {
      return std::nullopt;
    }
  }
  return difference;
}

std::optional<std::size_t> closest_frame(const FrameExpectation& expectation, std::span<const Frame> candidates) {
  const Json expected = expectation_view(expectation);
  std::optional<std::size_t> best;
  std::size_t best_score = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const bool same_event = expectation.event && *expectation.event == candidates[i].event;
    const std::size_t score = (same_event ? 1'000'000 : 0) + match_score(expected, frame_view(candidates[i]));
    if (!best || score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

namespace {

// Like protocol's describe_frame, but safe for frames whose strings are not valid UTF-8.
std::string one_line(const Frame& frame) {
  std::string out = frame.event;
  if (frame.channel) out += " #" + *frame.channel;
  if (frame.user_id) out += " user=" + *frame.user_id;
  if (frame.data) out += " " + shown(*frame.data);
  return out;
}

}  // namespace

std::string describe_frame_mismatch(const FrameExpectation& expectation, std::span<const ReceivedFrame> received,
                                    TimeNs window_start, TimeNs window_end, TimeNs origin) {
  std::vector<const ReceivedFrame*> window;
  std::vector<Frame> candidates;
  for (const auto& item : received) {
    if (item.at < window_start || item.at > window_end) continue;
    window.push_back(&item);
    candidates.push_back(item.frame);
  }
  std::string out = "expected: " + expected_text(expectation_view(expectation)) + "\n";
  if (auto best = closest_frame(expectation, candidates)) {
    const ReceivedFrame& closest = *window[*best];
    out += "closest:  " + format_offset(closest.at - origin) + " " + one_line(closest.frame) + "\n";
    out += "          " + match_frame(expectation, closest.frame).value_or("(matches)") + "\n";
  } else {
    out += "closest:  nothing was received\n";
  }
  out += "received from " + format_offset(window_start - origin) + " to " + format_offset(window_end - origin) + " (" +
         std::to_string(window.size()) + (window.size() == 1 ? " frame" : " frames") + ")";
  for (std::size_t i = 0; i < window.size() && i < kReportedFramesMax; ++i) {
    out += "\n  " + format_offset(window[i]->at - origin) + " " + one_line(window[i]->frame);
  }
  if (window.size() > kReportedFramesMax) {
    out += "\n  ... " + std::to_string(window.size() - kReportedFramesMax) + " more";
  }
  return out;
}

std::string format_offset(DurationNs offset) {
  const char* sign = offset < 0 ? "-" : "+";
  const DurationNs magnitude_ms = (offset < 0 ? -offset : offset) / kNsPerMs;
  std::string millis = std::to_string(magnitude_ms % 1000 + 1000).substr(1);
  return sign + std::to_string(magnitude_ms / 1000) + "." + millis + "s";
}

SubscriptionOutcome subscription_outcome(const Frame& frame, std::string_view channel) {
  const bool on_channel = frame.channel && *frame.channel == channel;
  if (frame.event == "pusher_internal:subscription_succeeded" && on_channel) return SubscriptionOutcome::kSucceeded;
  if (frame.event == "pusher:subscription_error" && on_channel) return SubscriptionOutcome::kRefused;
  if (frame.event == "pusher:error" && (!frame.channel || on_channel)) return SubscriptionOutcome::kRefused;
  return SubscriptionOutcome::kNone;
}

Json webhook_expectation_view(const ExpectWebhookStep& step) {
  Json view = Json::object();
  view["name"] = step.name;
  if (step.channel) view["channel"] = *step.channel;
  if (step.user_id) view["user_id"] = *step.user_id;
  if (step.event) view["event"] = *step.event;
  if (step.data) view["data"] = *step.data;
  if (step.socket_id) view["socket_id"] = *step.socket_id;
  if (step.subscription_count) view["subscription_count"] = *step.subscription_count;
  for (const auto& field : step.absent) view[field] = absent_marker();
  if (step.batch_size) view[std::string(kBatchSizeKey)] = *step.batch_size;
  return view;
}

Json webhook_view(const Json& event, std::size_t batch_size) {
  Json view = event;
  if (!view.is_object()) return view;
  if (auto data = view.find("data"); data != view.end()) *data = leniently_decoded(*data);
  view[std::string(kBatchSizeKey)] = batch_size;
  return view;
}

std::optional<std::string> match_webhook(const ExpectWebhookStep& step, const Json& event, std::size_t batch_size) {
  return match_subset(webhook_expectation_view(step), webhook_view(event, batch_size));
}

std::optional<std::string> match_response(const ExpectResponseStep& step, int status, std::string_view body) {
  const std::string body_shown =
      body.size() > kShownTextMax ? std::string(body.substr(0, kShownTextMax)) + "..." : std::string(body);
  if (status != step.status) {
    return "status: expected " + std::to_string(step.status) + ", got " + std::to_string(status) +
           " (body: " + body_shown + ")";
  }
  if (!step.body) return std::nullopt;
  Json parsed = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return "body: expected JSON holding " + expected_text(*step.body) + ", got '" + body_shown + "'";
  }
  return match_subset(*step.body, parsed, "body");
}

}  // namespace pushsim::harness
