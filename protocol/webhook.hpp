#pragma once
// The WebHook model (docs/protocol.md §8): events, the signed envelope, and what an app asks for.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/time.hpp"

namespace pushsim {

struct WebhookEvent {
  std::string name;  // channel_occupied, channel_vacated, member_added, member_removed,
                     // client_event, cache_miss, subscription_count
  std::string channel;
  std::optional<std::string> user_id;
  std::optional<std::string> event;      // client_event
  std::optional<Json> data;              // client_event: the data as the client sent it
  std::optional<std::string> socket_id;  // client_event
  std::optional<std::size_t> subscription_count;

  bool operator==(const WebhookEvent&) const = default;
  Json to_json() const;
};

// {"time_ms":...,"events":[...]}, serialised with sorted keys inside each event.
std::string encode_webhook_body(std::int64_t time_ms, const std::vector<WebhookEvent>& events);

struct WebhookConfig {
  std::string url;
  std::vector<std::string> event_types;  // empty: every type

  bool wants(const std::string& event_name) const;
};

// One HTTP POST the driver must make. The driver reports the outcome with
// Engine::on_webhook_response(delivery_id, status); status 0 means no answer at all.
struct WebhookPost {
  std::uint64_t delivery_id = 0;
  std::string app_id;
  std::string url;
  std::vector<Header> headers;  // Content-Type, X-Pusher-Key, X-Pusher-Signature
  std::string body;
  int attempt = 1;  // 1 for the first try, 2 for the first retry, ...

  bool operator==(const WebhookPost&) const = default;
};

// Delivery semantics (§8.3), official by default.
struct WebhookPolicy {
  // channel_vacated and member_removed wait this long; a channel_occupied / member_added for
  // the same channel (and user) arriving meanwhile cancels both. 0 sends them at once.
  DurationNs removal_delay = seconds(3);
  // Retries on failure (non-2xx, or no answer within response_timeout) with exponential
  // back-off from retry_initial_backoff, doubling up to retry_max_backoff, until
  // retry_window has passed since the first attempt. A zero window means no retries.
  DurationNs retry_window = seconds(300);
  DurationNs retry_initial_backoff = seconds(1);
  DurationNs retry_max_backoff = seconds(60);
  DurationNs response_timeout = seconds(10);
  // A bound on attempts per POST whatever the timings say, so that a zero back-off against a
  // receiver that fails at once cannot spin forever at one instant.
  int max_attempts = 30;
  // With batching on (an app option), events due within batch_window of the first one go out
  // in one POST per URL.
  DurationNs batch_window = ms(50);
  // Broken on purpose (Defect::kRestampedWebhookRetry): a retry's time_ms is the retry's time
  // rather than the events' creation, so receivers that order by time_ms misorder it.
  // Broken on purpose (Defect::kBatchesWithoutBatching): every app's events are batched.
  bool batch_always = false;
  // Broken on purpose (Defect::kWebhookTimeInSeconds): time_ms holds Unix seconds.
  bool time_in_seconds = false;
  bool restamp_retries = false;
  // Broken on purpose (Defect::kBatchKeepsFirstEvent): a batched POST carries only its first
  // event; the others are lost.
  bool batch_keeps_first_event = false;
  // Broken on purpose (Defect::kWebhookFilterFirstEvent): a batch is posted whole, unfiltered,
  // to every URL with a config that wants the batch's first event (soketi #836).
  bool filter_by_first_event = false;
  // Broken on purpose (Defect::kWebhookFiltersIgnored): every URL gets every event.
  bool ignore_filters = false;
};

}  // namespace pushsim
