#pragma once
// Turns webhook events into signed POSTs, with the delayed-and-cancellable removals, batching
// and retries of docs/protocol.md §8.3. Sans-IO: it is told the time and emits WebhookPosts.
//
// Theory of operation: emit() puts an event in `pending_` with a due time (now, or now +
// removal_delay for channel_vacated / member_removed). An opposite event for the same key
// (channel, or channel+user) cancels a pending removal instead of being queued itself.
// on_tick(now) moves due events into posts: one per event and URL, or one per URL for every
// event due within the batch window when the app batches. A post waits for on_response();
// failure (or response_timeout) schedules a retry with back-off until retry_window is spent.
// The body (and its time_ms, the creation time) is the same on every attempt.
//
// In a cluster a removal may be held in the shared store (cluster_link.hpp): such an event
// carries its hold token, is never cancelled here (the store cancels it), and when it falls
// due it is posted only if the release check says the hold is still its own.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/signing.hpp"
#include "protocol/webhook.hpp"

namespace pushsim {

struct WebhookApp {
  AppCredentials credentials;
  std::vector<WebhookConfig> webhooks;
  bool batch = false;
};

class WebhookDispatcher {
 public:
  explicit WebhookDispatcher(WebhookPolicy policy);

  // hold: the token of a removal held in a cluster's store, 0 for none.
  void emit(TimeNs now, const WebhookApp& app, WebhookEvent event, std::uint64_t hold = 0);
  using ReleaseCheck = std::function<bool(const std::string& app_id, const WebhookEvent& event, std::uint64_t hold)>;
  void set_release_check(ReleaseCheck check) { release_check_ = std::move(check); }
  void on_response(TimeNs now, std::uint64_t delivery_id, int status);
  // Appends every post that is due at `now` (first attempts and retries) to `out`.
  void on_tick(TimeNs now, std::vector<WebhookPost>& out);
  std::optional<TimeNs> next_deadline() const;

  std::size_t in_flight() const;
  std::size_t pending() const;
  // Events not yet delivered for good: pending, in flight, or waiting for a retry.
  std::size_t outstanding() const { return pending_.size() + deliveries_.size(); }

 private:
  struct Pending {
    TimeNs due = 0;
    TimeNs created = 0;
    WebhookApp app;
    WebhookEvent event;
    std::uint64_t hold = 0;
  };
  struct Delivery {
    WebhookPost post;
    std::string secret;  // to sign the body again when a broken variant rewrites it
    TimeNs first_attempt = 0;
    TimeNs next_action = 0;  // response deadline while in flight, retry time while waiting
    bool in_flight = false;
  };

  // A unit of work due by some time: a first POST of pending events, or a retry.
  struct Ready {
    TimeNs at = 0;
    int order = 0;         // at equal times: retries (0) before first attempts (1)
    std::uint64_t id = 0;  // delivery id of a retry, first pending id of new events
    std::vector<std::uint64_t> pending_ids;
    bool operator<(const Ready& other) const;
  };

  bool cancel_pending_removal(TimeNs now, const std::string& app_id, const WebhookEvent& event);
  void expire_responses(TimeNs now);
  void release_holds(TimeNs now);
  void fail(TimeNs at, std::uint64_t delivery_id);
  DurationNs backoff(int failed_attempt) const;
  void collect_due_events(TimeNs now, std::vector<Ready>& ready) const;
  void collect_due_batches(TimeNs now, std::vector<std::uint64_t> ids, std::vector<Ready>& ready) const;
  void post_events(TimeNs now, const std::vector<std::uint64_t>& pending_ids, std::vector<WebhookPost>& out);
  void post_new(TimeNs now, const WebhookApp& app, const std::string& url, std::string body,
                std::vector<WebhookPost>& out);
  void post_retry(TimeNs now, std::uint64_t delivery_id, std::vector<WebhookPost>& out);
  void restamp(Delivery& delivery, TimeNs now);

  WebhookPolicy policy_;
  ReleaseCheck release_check_;
  std::uint64_t next_pending_id_ = 1;
  std::uint64_t next_delivery_id_ = 1;
  std::map<std::uint64_t, Pending> pending_;      // by insertion id: ordered, deterministic
  std::map<std::uint64_t, Delivery> deliveries_;  // by delivery id
};

}  // namespace pushsim
