#pragma once
// Matching what arrived against what a scenario expects.
//
// Matching is by subset: every field the expectation names must be present and match; fields
// it leaves out are not checked. The markers of expected_value.hpp say more: !absent (the key
// must not be there), !present (there, any value), !exact (nothing beyond what is written). Objects match key by key,
// arrays element by element with equal lengths, scalars by JSON equality (2 matches 2.0). A frame's `data` is decoded
// first, leniently as pusher-js does (a string that parses as JSON is that JSON), so a scenario writes `data: {
// presence: { count: 1 } }` whichever form the server chose.
//
// A mismatch is described by its first difference and the JSON path to it:
// `data.presence.count: expected 2, got 1`.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario.hpp"
#include "protocol/frame.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim::harness {

// nullopt when actual holds expected; else the first difference, its path prefixed by `path`.
std::optional<std::string> match_subset(const Json& expected, const Json& actual, const std::string& path = "");

// How many of expected's leaves actual holds (a leaf: a scalar, or an array's length).
// Used to rank near misses; 0 when nothing matches.
std::size_t match_score(const Json& expected, const Json& actual);

struct FrameExpectation {
  std::optional<std::string> event;
  std::optional<std::string> channel;
  std::optional<Json> data;
  std::optional<std::string> user_id;
  std::vector<std::string> absent = {};  // top-level fields the frame must not have

  bool operator==(const FrameExpectation&) const = default;
};

FrameExpectation frame_expectation(const ExpectStep& step);
FrameExpectation frame_expectation(const ExpectNoneStep& step);

// The frame as a JSON object with `data` decoded: what expectations are matched against.
Json frame_view(const Frame& frame);
Json expectation_view(const FrameExpectation& expectation);

// nullopt when frame matches. An expected string `data` also matches the raw (undecoded)
// string, so `data: "{}"` holds for a frame carrying "{}".
std::optional<std::string> match_frame(const FrameExpectation& expectation, const Frame& frame);

// The index of the candidate closest to the expectation: the event name counts most, then
// the number of matching leaves; ties go to the earliest. nullopt when there are none.
std::optional<std::size_t> closest_frame(const FrameExpectation& expectation, std::span<const Frame> candidates);

// One frame a client received, for mismatch reports.
struct ReceivedFrame {
  TimeNs at = 0;
  Frame frame;
};

// What an expect step's failure says: the expectation, the closest frame received in
// [window_start, window_end] with its first difference, and every frame of that window
// (at most kReportedFramesMax). Times are printed relative to origin: "+1.250s".
std::string describe_frame_mismatch(const FrameExpectation& expectation, std::span<const ReceivedFrame> received,
                                    TimeNs window_start, TimeNs window_end, TimeNs origin);
inline constexpr std::size_t kReportedFramesMax = 20;

// What a frame says about a subscription to channel (docs/protocol.md §3.3): refused by a
// pusher:subscription_error on that channel (any data: soketi's {type, error, status}, with
// or without status, and the one pusher-js raises itself when its auth request fails), or by
// a pusher:error without a channel or on that channel (the official service's code null,
// Reverb's 4009); succeeded by pusher_internal:subscription_succeeded on it.
enum class SubscriptionOutcome { kNone, kRefused, kSucceeded };
SubscriptionOutcome subscription_outcome(const Frame& frame, std::string_view channel);

// Webhook events ({"name":..., "channel":..., ...} as posted) against expect_webhook. Both
// views carry the envelope's batch_size (how many events the POST held) under kBatchSizeKey,
// a key §8.2 gives no event; `data` is decoded as in frames.
inline constexpr std::string_view kBatchSizeKey = "batch_size";
Json webhook_expectation_view(const ExpectWebhookStep& step);
Json webhook_view(const Json& event, std::size_t batch_size);
std::optional<std::string> match_webhook(const ExpectWebhookStep& step, const Json& event, std::size_t batch_size = 1);

// A REST response against expect_response: status first, then the body (JSON) by subset.
std::optional<std::string> match_response(const ExpectResponseStep& step, int status, std::string_view body);

// "+1.250s": an offset in seconds with milliseconds, for reports.
std::string format_offset(DurationNs offset);

}  // namespace pushsim::harness
