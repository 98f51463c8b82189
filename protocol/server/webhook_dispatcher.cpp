#include "protocol/server/webhook_dispatcher.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

namespace pushsim {
namespace {

constexpr int kRetry = 0;
constexpr int kFirstAttempt = 1;

bool is_removal(const std::string& name) { return name == "channel_vacated" || name == "member_removed"; }

// The delayed removal that this event, arriving in time, cancels (together with itself).
std::optional<std::string> cancelled_removal(const std::string& name) {
  if (name == "channel_occupied") return "channel_vacated";
  if (name == "member_added") return "member_removed";
  return std::nullopt;
}

bool is_success(int status) { return status >= 200 && status < 300; }

bool anyone_wants(const std::vector<WebhookConfig>& configs, const std::string& name) {
  return std::any_of(configs.begin(), configs.end(), [&](const WebhookConfig& c) { return c.wants(name); });
}

struct UrlEvents {
  std::string url;
  std::vector<WebhookEvent> events;
};

// One entry per distinct URL, in the order the app lists them, each holding only the events
// some config of that URL wants. Filtering per URL and per batch is the point: soketi #836
// posted a batch to endpoints whose filters only some of its events passed.
std::vector<UrlEvents> group_by_url(const std::vector<WebhookConfig>& configs,
                                    const std::vector<WebhookEvent>& events) {
  std::vector<UrlEvents> groups;
  for (const auto& config : configs) {
    auto same_url = [&](const UrlEvents& g) { return g.url == config.url; };
    if (std::none_of(groups.begin(), groups.end(), same_url)) groups.push_back({config.url, {}});
  }
  for (auto& group : groups) {
    for (const auto& event : events) {
      auto wants = [&](const WebhookConfig& c) { return c.url == group.url && c.wants(event.name); };
      if (std::any_of(configs.begin(), configs.end(), wants)) group.events.push_back(event);
    }
  }
  std::erase_if(groups, [](const UrlEvents& g) { return g.events.empty(); });
  return groups;
}

// The broken variant (soketi #836): the filter asked of the first event only, and the batch
// posted whole wherever that one is wanted.
std::vector<UrlEvents> group_by_first_event(const std::vector<WebhookConfig>& configs,
                                            const std::vector<WebhookEvent>& events) {
  std::vector<UrlEvents> groups;
  for (const auto& config : configs) {
    auto same_url = [&](const UrlEvents& g) { return g.url == config.url; };
    if (events.empty() || !config.wants(events.front().name)) continue;
    if (std::none_of(groups.begin(), groups.end(), same_url)) groups.push_back({config.url, events});
  }
  return groups;
}

}  // namespace

bool WebhookDispatcher::Ready::operator<(const Ready& other) const {
  return std::tie(at, order, id) < std::tie(other.at, other.order, other.id);
}

WebhookDispatcher::WebhookDispatcher(WebhookPolicy policy) : policy_(policy) {}

void WebhookDispatcher::emit(TimeNs now, const WebhookApp& app, WebhookEvent event, std::uint64_t hold) {
  if (auto removal = cancelled_removal(event.name); removal && hold == 0) {
    WebhookEvent wanted = event;
    wanted.name = *removal;
    if (cancel_pending_removal(now, app.credentials.app_id, wanted)) return;
  }
  // A removal is queued even when no config wants it: it must still be there to cancel the
  // re-add that some config may want. Anything else nobody wants is dropped here.
  if (!is_removal(event.name) && !anyone_wants(app.webhooks, event.name) && !policy_.ignore_filters) return;
  const TimeNs due = is_removal(event.name) ? now + policy_.removal_delay : now;
  pending_.emplace(next_pending_id_++, Pending{due, now, app, std::move(event), hold});
}

// Held removals that fell due: kept (hold cleared) when the store still has their hold,
// dropped when another node cancelled or took it. In pending order: deterministic.
void WebhookDispatcher::release_holds(TimeNs now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    Pending& p = it->second;
    if (p.hold == 0 || p.due > now) {
      ++it;
      continue;
    }
    const bool mine = !release_check_ || release_check_(p.app.credentials.app_id, p.event, p.hold);
    p.hold = 0;
    if (mine && (anyone_wants(p.app.webhooks, p.event.name) || policy_.ignore_filters)) {
      ++it;
    } else {
      it = pending_.erase(it);
    }
  }
}

// Looks for the newest removal still waiting out its delay (due strictly after now: at the
// due time it counts as sent) with the same app, name, channel and user.
bool WebhookDispatcher::cancel_pending_removal(TimeNs now, const std::string& app_id, const WebhookEvent& event) {
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    const Pending& p = it->second;
    if (p.due <= now || p.hold != 0 || p.app.credentials.app_id != app_id) continue;
    if (p.event.name != event.name || p.event.channel != event.channel) continue;
    if (p.event.user_id != event.user_id) continue;
    pending_.erase(std::next(it).base());
    return true;
  }
  return false;
}

void WebhookDispatcher::on_response(TimeNs now, std::uint64_t delivery_id, int status) {
  auto it = deliveries_.find(delivery_id);
  // Unknown ids, ids already retried under a new id, and answers after the response deadline
  // (on_tick treats those as timeouts) are all ignored.
  if (it == deliveries_.end() || !it->second.in_flight || now >= it->second.next_action) return;
  if (is_success(status)) {
    deliveries_.erase(it);
    return;
  }
  fail(now, delivery_id);
}

void WebhookDispatcher::fail(TimeNs at, std::uint64_t delivery_id) {
  Delivery& delivery = deliveries_.at(delivery_id);
  if (at - delivery.first_attempt >= policy_.retry_window || delivery.post.attempt >= policy_.max_attempts) {
    deliveries_.erase(delivery_id);
    return;
  }
  delivery.in_flight = false;
  delivery.next_action = at + backoff(delivery.post.attempt);
}

// initial, 2*initial, 4*initial, ... capped at max; attempt 1 failing waits `initial`.
DurationNs WebhookDispatcher::backoff(int failed_attempt) const {
  DurationNs delay = std::min(policy_.retry_initial_backoff, policy_.retry_max_backoff);
  for (int i = 1; i < failed_attempt && delay < policy_.retry_max_backoff; ++i) {
    delay = std::min(delay * 2, policy_.retry_max_backoff);
  }
  return delay;
}

void WebhookDispatcher::expire_responses(TimeNs now) {
  std::vector<std::pair<TimeNs, std::uint64_t>> expired;
  for (const auto& [id, d] : deliveries_) {
    if (d.in_flight && d.next_action <= now) expired.emplace_back(d.next_action, id);
  }
  // The failure happens at the deadline, not at `now`: a late tick must not shift retries.
  for (const auto& [deadline, id] : expired) fail(deadline, id);
}

void WebhookDispatcher::on_tick(TimeNs now, std::vector<WebhookPost>& out) {
  expire_responses(now);
  release_holds(now);
  std::vector<Ready> ready;
  for (const auto& [id, d] : deliveries_) {
    if (!d.in_flight && d.next_action <= now) ready.push_back({d.next_action, kRetry, id, {}});
  }
  collect_due_events(now, ready);
  std::sort(ready.begin(), ready.end());
  for (const auto& r : ready) {
    if (r.order == kRetry) {
      post_retry(now, r.id, out);
    } else {
      post_events(now, r.pending_ids, out);
    }
  }
}

void WebhookDispatcher::collect_due_events(TimeNs now, std::vector<Ready>& ready) const {
  std::map<std::string, std::vector<std::uint64_t>> batched;  // app id -> pending ids
  for (const auto& [id, p] : pending_) {
    if (p.app.batch || policy_.batch_always) {
      batched[p.app.credentials.app_id].push_back(id);
    } else if (p.due <= now) {
      ready.push_back({p.due, kFirstAttempt, id, {id}});
    }
  }
  for (auto& [app_id, ids] : batched) collect_due_batches(now, std::move(ids), ready);
}

// A batch opens when its first event falls due and closes batch_window later; it is posted
// at the close with every event of the app due by then.
void WebhookDispatcher::collect_due_batches(TimeNs now, std::vector<std::uint64_t> ids,
                                            std::vector<Ready>& ready) const {
  auto by_due = [&](std::uint64_t a, std::uint64_t b) {
    return std::pair(pending_.at(a).due, a) < std::pair(pending_.at(b).due, b);
  };
  std::sort(ids.begin(), ids.end(), by_due);
  std::size_t i = 0;
  while (i < ids.size()) {
    const TimeNs close = pending_.at(ids[i]).due + policy_.batch_window;
    if (close > now) return;
    Ready batch{close, kFirstAttempt, ids[i], {}};
    while (i < ids.size() && pending_.at(ids[i]).due <= close) batch.pending_ids.push_back(ids[i++]);
    ready.push_back(std::move(batch));
  }
}

void WebhookDispatcher::post_events(TimeNs now, const std::vector<std::uint64_t>& pending_ids,
                                    std::vector<WebhookPost>& out) {
  const WebhookApp app = pending_.at(pending_ids.front()).app;
  std::vector<WebhookEvent> events;
  TimeNs created = std::numeric_limits<TimeNs>::max();
  for (auto id : pending_ids) {
    auto node = pending_.extract(id);
    created = std::min(created, node.mapped().created);
    events.push_back(std::move(node.mapped().event));
  }
  // time_ms is the creation of the oldest event, so a receiver can see the removal delay.
  std::vector<WebhookConfig> configs = app.webhooks;
  if (policy_.ignore_filters) {
    for (auto& config : configs) config.event_types.clear();
  }
  auto groups = policy_.filter_by_first_event ? group_by_first_event(configs, events) : group_by_url(configs, events);
  for (auto& group : groups) {
    if (policy_.batch_keeps_first_event) group.events.resize(1);
    const std::int64_t time_ms = policy_.time_in_seconds ? to_unix_seconds(created) : to_unix_ms(created);
    post_new(now, app, group.url, encode_webhook_body(time_ms, group.events), out);
  }
}

void WebhookDispatcher::post_new(TimeNs now, const WebhookApp& app, const std::string& url, std::string body,
                                 std::vector<WebhookPost>& out) {
  WebhookPost post;
  post.delivery_id = next_delivery_id_++;
  post.app_id = app.credentials.app_id;
  post.url = url;
  post.headers = {{"Content-Type", "application/json"},
                  {"X-Pusher-Key", app.credentials.key},
                  {"X-Pusher-Signature", sign_webhook(app.credentials.secret, body)}};
  post.body = std::move(body);
  deliveries_.emplace(post.delivery_id,
                      Delivery{post, app.credentials.secret, now, now + policy_.response_timeout, true});
  out.push_back(std::move(post));
}

// The same post again under a new delivery id, so that a late answer to the old one is
// recognisably stale.
void WebhookDispatcher::post_retry(TimeNs now, std::uint64_t delivery_id, std::vector<WebhookPost>& out) {
  auto node = deliveries_.extract(delivery_id);
  Delivery& delivery = node.mapped();
  delivery.post.delivery_id = next_delivery_id_++;
  delivery.post.attempt += 1;
  if (policy_.restamp_retries) restamp(delivery, now);
  delivery.in_flight = true;
  delivery.next_action = now + policy_.response_timeout;
  out.push_back(delivery.post);
  node.key() = delivery.post.delivery_id;
  deliveries_.insert(std::move(node));
}

// The broken variant's retry: the same events under the retry's time, signed again.
void WebhookDispatcher::restamp(Delivery& delivery, TimeNs now) {
  Json body = Json::parse(delivery.post.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return;
  body["time_ms"] = to_unix_ms(now);
  delivery.post.body = body.dump();
  for (auto& [name, value] : delivery.post.headers) {
    if (name == "X-Pusher-Signature") value = sign_webhook(delivery.secret, delivery.post.body);
  }
}

std::optional<TimeNs> WebhookDispatcher::next_deadline() const {
  std::optional<TimeNs> earliest;
  auto consider = [&](TimeNs t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  std::map<std::string, TimeNs> batch_first_due;  // app id -> earliest due
  for (const auto& [id, p] : pending_) {
    if (!p.app.batch && !policy_.batch_always) {
      consider(p.due);
      continue;
    }
    auto [it, inserted] = batch_first_due.emplace(p.app.credentials.app_id, p.due);
    if (!inserted) it->second = std::min(it->second, p.due);
  }
  for (const auto& [app_id, due] : batch_first_due) consider(due + policy_.batch_window);
  for (const auto& [id, d] : deliveries_) consider(d.next_action);
  return earliest;
}

std::size_t WebhookDispatcher::in_flight() const {
  return static_cast<std::size_t>(
      std::count_if(deliveries_.begin(), deliveries_.end(), [](const auto& entry) { return entry.second.in_flight; }));
}

std::size_t WebhookDispatcher::pending() const { return pending_.size(); }

}  // namespace pushsim
