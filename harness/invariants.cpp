#include "harness/invariants.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "harness/target.hpp"
#include "protocol/channel_name.hpp"
#include "protocol/frame.hpp"

namespace pushsim::harness {
namespace {

using fakes::TraceKind;
using fakes::TraceRecord;

constexpr std::string_view kApp = "app";               // the REST publisher's name
constexpr std::uint64_t kSettleEventsMax = 5'000'000;  // a livelock while settling is reported, not run

// (channel, event, data as pusher-js decodes it): what identifies a publication.
std::string publication_key(const std::string& channel, const std::string& event, const Json& data) {
  return channel + '\x1f' + event + '\x1f' + data.dump();
}

Json decoded(const Json& data) {
  if (!data.is_string()) return data;
  Json parsed = Json::parse(data.get<std::string>(), nullptr, false);
  return parsed.is_discarded() ? data : parsed;
}

std::string string_at(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string joined(const std::set<std::string>& names) {
  std::string out = "{";
  for (const auto& name : names) out += (out.size() > 1 ? "," : "") + name;
  return out + "}";
}

// Counted events: on channels where each publication reaches a connection at most once.
bool counted_channel(const std::string& channel) {
  if (channel.empty() || channel.front() == '#') return false;
  return !classify_channel(channel).cache;
}

bool counted_event(const std::string& event) {
  return !event.starts_with("pusher:") && !event.starts_with("pusher_internal:");
}

struct Publication {
  std::string publisher;  // "app", or "link:N" for a client event
  std::string key;
  std::optional<std::uint64_t> excluded_link;
};

struct Delivery {
  std::size_t count = 0;
  std::vector<std::size_t> positions;
};

// What one connection (link) has: its client's name, app, socket_id, what the server heard
// from it last per channel, and its member lists as a client would keep them.
struct LinkState {
  std::string client;
  std::string app_id;
  bool open = true;
  std::map<std::string, bool> server_subscribed;         // by channel: last subscribe (true) or unsubscribe
  std::map<std::string, std::set<std::string>> members;  // presence channels the client joined
  // Channels with a subscription_succeeded since the last unsubscribe: a client holds no
  // member list or count after leaving, nor after a refused re-subscribe.
  std::set<std::string> listed;
  // Per channel, the subscription_count the latest pusher_internal:subscription_count said,
  // since the client's last unsubscribe.
  std::map<std::string, std::int64_t> last_count;
  std::map<std::string, std::size_t> cursor;  // "publisher\x1fchannel" -> matched index + 1
};

class Checker {
 public:
  explicit Checker(const InvariantInput& input) : in_(input), trace_(*input.trace) {}

  std::vector<InvariantViolation> run() {
    collect_rest_publications();
    const auto& records = trace_.records();
    for (std::size_t i = 0; i < records.size(); ++i) visit(i, records[i]);
    check_counts();
    check_convergence();
    check_webhooks();
    std::stable_sort(out_.begin(), out_.end(),
                     [](const InvariantViolation& a, const InvariantViolation& b) { return a.position < b.position; });
    return std::move(out_);
  }

 private:
  // ---- reporting ---------------------------------------------------------------------------
  void report(std::string name, const std::string& subject, std::string message, std::size_t position) {
    if (!reported_.insert(name + '\x1f' + subject).second) return;
    const auto& records = trace_.records();
    const TimeNs at = records.empty() ? 0 : records[std::min(position, records.size() - 1)].at;
    out_.push_back(InvariantViolation{std::move(name), std::move(message), position, at});
  }
  std::size_t end_position() const { return trace_.records().empty() ? 0 : trace_.records().size() - 1; }

  // ---- parsing -----------------------------------------------------------------------------
  // A frame as the checker needs it, parsed once per distinct text: a fan-out shares one
  // text between all its recipients. The trace keeps every text alive while we look.
  struct Parsed {
    std::shared_ptr<const Frame> frame;  // shared with the caller's decoding, when it had one
    Json data;                           // decoded as pusher-js decodes it
    std::string key;                     // publication_key, when it has a channel
  };
  const Parsed& parsed(const TraceRecord& record) {
    auto [it, inserted] = parsed_.try_emplace(record.text.get());
    if (!inserted) return it->second;
    Parsed& p = it->second;
    const std::shared_ptr<const Frame>* known = in_.known_frame ? in_.known_frame(record.text.get()) : nullptr;
    if (known != nullptr) {
      p.frame = *known;
    } else if (auto frame = decode_frame(*record.text)) {
      p.frame = std::make_shared<const Frame>(std::move(*frame));
    }
    if (!p.frame) return p;
    p.data = decoded(p.frame->data.value_or(Json()));
    if (p.frame->channel) p.key = publication_key(*p.frame->channel, p.frame->event, p.data);
    return p;
  }

  bool is_server(fakes::EndpointId id) {
    if (id >= server_flags_.size()) server_flags_.resize(id + 1, -1);
    if (server_flags_[id] < 0) server_flags_[id] = trace_.endpoint_name(id) == "server" ? 1 : 0;
    return server_flags_[id] == 1;
  }

  LinkState& link(std::uint64_t id, const TraceRecord& record, bool to_server) {
    LinkState& state = links_[id];
    if (state.client.empty()) state.client = trace_.endpoint_name(to_server ? record.from : record.to);
    return state;
  }

  // ---- publications ------------------------------------------------------------------------
  void collect_rest_publications() {
    std::vector<const fakes::RestExchange*> handled;
    for (const auto& exchange : *in_.rest) {
      if (exchange.handled == 0 || !exchange.response || exchange.response->status != 200) continue;
      handled.push_back(&exchange);
    }
    std::sort(handled.begin(), handled.end(), [](auto* a, auto* b) { return a->handled < b->handled; });
    for (const auto* exchange : handled) {
      // In a cluster the app talks to each node as to another host: order is kept per node
      // (nothing orders two REST calls that went to different nodes).
      rest_publisher_ =
          exchange->node ? std::string(kApp) + " via node" + std::to_string(*exchange->node) : std::string(kApp);
      add_rest(exchange->request);
    }
  }

  void add_rest(const HttpRequest& request) {
    if (request.method != "POST") return;
    const std::string path = request.target.substr(0, request.target.find('?'));
    const Json body = Json::parse(request.body, nullptr, false);
    if (!body.is_object()) return;
    if (path.ends_with("/batch_events") && body.contains("batch") && body["batch"].is_array()) {
      for (const auto& item : body["batch"]) add_rest_event(item, false);
    } else if (path.ends_with("/events") && path.find("/users/") == std::string::npos) {
      add_rest_event(body, true);
    }
  }

  void add_rest_event(const Json& item, bool many_channels) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) return;
    std::vector<std::string> channels;
    if (many_channels && item.contains("channels") && item["channels"].is_array()) {
      for (const auto& c : item["channels"])
        if (c.is_string()) channels.push_back(c.get<std::string>());
    } else if (item.contains("channel") && item["channel"].is_string()) {
      channels.push_back(item["channel"].get<std::string>());
    }
    const Json data = decoded(item.value("data", Json()));
    std::optional<std::string> socket_id;
    if (item.contains("socket_id") && item["socket_id"].is_string()) socket_id = item["socket_id"].get<std::string>();
    for (const auto& channel : channels) {
      Publication p{rest_publisher_, publication_key(channel, item["name"].get<std::string>(), data), {}};
      rest_exclusions_.emplace_back(publications_.size(), socket_id);
      add_publication(std::move(p), channel);
    }
  }

  void add_publication(Publication p, const std::string& channel) {
    by_key_[p.key].push_back(publications_.size());
    sequence_[p.publisher + '\x1f' + channel].push_back(p.key);
    publishers_of_key_[p.key].insert(p.publisher);
    publications_.push_back(std::move(p));
  }

  // ---- the walk ----------------------------------------------------------------------------
  void visit(std::size_t i, const TraceRecord& record) {
    const bool to_server = is_server(record.to);
    const bool from_server = is_server(record.from);
    if (record.link == 0 || (!to_server && !from_server)) return;
    if (record.kind == TraceKind::kOpen && to_server) return on_open(record);
    if (record.kind == TraceKind::kClose || (record.kind == TraceKind::kFault && *record.text == "cut")) {
      links_[record.link].open = false;
      return;
    }
    if (record.kind == TraceKind::kDeliver && to_server) return on_client_frame(i, record);
    if (record.kind == TraceKind::kSend && from_server) return on_server_send(i, record);
    if (record.kind == TraceKind::kDeliver && from_server) return on_delivery(i, record);
  }

  void on_open(const TraceRecord& record) {
    LinkState& state = link(record.link, record, true);
    // "[open /app/KEY?protocol=7...]"
    const std::string& text = *record.text;
    const auto start = text.find("/app/");
    if (start == std::string::npos) return;
    const auto end = text.find_first_of("?] ", start + 5);
    const std::string key = text.substr(start + 5, end == std::string::npos ? std::string::npos : end - start - 5);
    auto app = in_.app_of_key.find(key);
    if (app != in_.app_of_key.end()) state.app_id = app->second;
  }

  void on_client_frame(std::size_t, const TraceRecord& record) {
    const Parsed& p = parsed(record);
    const auto& frame = p.frame;
    if (!frame) return;
    LinkState& state = link(record.link, record, true);
    if (frame->event == "pusher:subscribe" || frame->event == "pusher:unsubscribe") {
      const Json& data = p.data;
      if (data.is_object() && data.contains("channel") && data["channel"].is_string()) {
        state.server_subscribed[data["channel"].get<std::string>()] = frame->event == "pusher:subscribe";
        if (frame->event == "pusher:unsubscribe") {
          state.listed.erase(data["channel"].get<std::string>());
          state.last_count.erase(data["channel"].get<std::string>());
        }
      }
      return;
    }
    if (!frame->event.starts_with("client-") || !frame->channel) return;
    auto subscribed = state.server_subscribed.find(*frame->channel);
    if (subscribed == state.server_subscribed.end() || !subscribed->second) return;  // refused: not a publication
    add_publication(Publication{"link:" + std::to_string(record.link), p.key, record.link}, *frame->channel);
  }

  void on_server_send(std::size_t i, const TraceRecord& record) {
    const auto& frame = parsed(record).frame;
    if (!frame || !frame->channel) return;
    LinkState& state = link(record.link, record, false);
    auto subscribed = state.server_subscribed.find(*frame->channel);
    if (subscribed == state.server_subscribed.end() || subscribed->second) return;
    report("no-event-after-unsubscribe", std::to_string(record.link) + '\x1f' + *frame->channel,
           "the server sent " + frame->event + " on " + *frame->channel + " to " + state.client + " (link " +
               std::to_string(record.link) + ") after it had received " + state.client +
               "'s pusher:unsubscribe and no new pusher:subscribe",
           i);
  }

  void on_delivery(std::size_t i, const TraceRecord& record) {
    const Parsed& p = parsed(record);
    const auto& frame = p.frame;
    if (!frame) return;
    LinkState& state = link(record.link, record, false);
    if (frame->event == events::kConnectionEstablished) {
      const Json& data = p.data;
      if (data.is_object() && data.contains("socket_id") && data["socket_id"].is_string()) {
        link_of_socket_[data["socket_id"].get<std::string>()] = record.link;
      }
      return;
    }
    if (!frame->channel) return;
    const std::string& channel = *frame->channel;
    if (frame->event.starts_with("pusher_internal:")) return on_presence_frame(i, record, state, *frame, p.data);
    if (!counted_event(frame->event) || !counted_channel(channel)) return;
    const std::string& key = p.key;
    Delivery& delivery = deliveries_[std::make_pair(record.link, key)];
    ++delivery.count;
    delivery.positions.push_back(i);
    // An excess delivery is judged by the counts (duplicate or exclusion), not as disorder.
    if (delivery.count <= publications_of(key)) check_order(i, record, state, channel, key, frame->event);
  }

  std::size_t publications_of(const std::string& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? 0 : it->second.size();
  }

  // The receiver's cursor per (publisher, channel) moves forward through that publisher's
  // sequence; a delivery that only matches behind the cursor came out of order.
  void check_order(std::size_t i, const TraceRecord& record, LinkState& state, const std::string& channel,
                   const std::string& key, const std::string& event) {
    auto publishers = publishers_of_key_.find(key);
    if (publishers == publishers_of_key_.end() || publishers->second.size() != 1) return;  // unknown or ambiguous
    const std::string& publisher = *publishers->second.begin();
    const std::string stream = publisher + '\x1f' + channel;
    const auto& sequence = sequence_[stream];
    std::size_t& cursor = state.cursor[stream];
    for (std::size_t j = cursor; j < sequence.size(); ++j) {
      if (sequence[j] == key) {
        cursor = j + 1;
        return;
      }
    }
    if (std::find(sequence.begin(), sequence.begin() + static_cast<std::ptrdiff_t>(cursor), key) ==
        sequence.begin() + static_cast<std::ptrdiff_t>(cursor)) {
      return;  // published after this point of the record: a later check finds any excess
    }
    const std::string who = publisher.starts_with(kApp) ? "the " + publisher : "client link " + publisher.substr(5);
    report("publisher-order", std::to_string(record.link) + '\x1f' + stream,
           state.client + " (link " + std::to_string(record.link) + ") received " + event + " on " + channel +
               " from " + who + " after a later publication of the same publisher",
           i);
  }

  // ---- presence as the client sees it --------------------------------------------------------
  void on_presence_frame(std::size_t i, const TraceRecord& record, LinkState& state, const Frame& frame,
                         const Json& data) {
    const std::string& channel = *frame.channel;
    if (frame.event == "pusher_internal:subscription_succeeded") state.listed.insert(channel);
    if (frame.event == "pusher_internal:subscription_count") {
      // Only while subscribed as the client knows it: a count sent before the server had the
      // client's unsubscribe may still arrive after it.
      const bool counted =
          data.is_object() && data.contains("subscription_count") && data["subscription_count"].is_number_integer();
      if (counted && state.listed.count(channel) != 0) {
        state.last_count[channel] = data["subscription_count"].get<std::int64_t>();
      }
      return;
    }
    if (classify_channel(channel).kind != ChannelKind::kPresence) return;
    const std::string subject = std::to_string(record.link) + '\x1f' + channel;
    const std::string who = state.client + " (link " + std::to_string(record.link) + ")";
    if (frame.event == "pusher_internal:subscription_succeeded") {
      std::set<std::string> ids;
      const Json presence = data.is_object() ? data.value("presence", Json()) : Json();
      const Json list = presence.is_object() ? presence.value("ids", Json::array()) : Json::array();
      for (const auto& id : list) {
        if (!id.is_string()) continue;
        if (!ids.insert(id.get<std::string>()).second) {
          report("one-member-per-user", subject,
                 who + " got a member list for " + channel + " with " + id.get<std::string>() + " twice", i);
        }
      }
      const bool counted = presence.is_object() && presence.contains("count") && presence["count"].is_number();
      if (counted && presence["count"].get<std::size_t>() != ids.size()) {
        report("one-member-per-user", subject,
               who + " got a member list for " + channel + " of " + std::to_string(ids.size()) + " users with count " +
                   presence["count"].dump(),
               i);
      }
      state.members[channel] = std::move(ids);
      state.listed.insert(channel);
      return;
    }
    const bool added = frame.event == "pusher_internal:member_added";
    if (!added && frame.event != "pusher_internal:member_removed") return;
    if (!data.is_object() || !data.contains("user_id") || !data["user_id"].is_string()) return;
    const std::string user = data["user_id"].get<std::string>();
    auto& members = state.members[channel];
    if (added && !members.insert(user).second) {
      report("one-member-per-user", subject,
             who + " got member_added for " + user + " on " + channel + ", a member it already held", i);
    } else if (!added && members.erase(user) == 0) {
      report("member-removed-after-added", subject,
             who + " got member_removed for " + user + " on " + channel + " without a member_added before it", i);
    }
  }

  // ---- end of the record ---------------------------------------------------------------------
  void check_counts() {
    for (const auto& [index, socket_id] : rest_exclusions_) {
      if (!socket_id) continue;
      auto it = link_of_socket_.find(*socket_id);
      if (it != link_of_socket_.end()) publications_[index].excluded_link = it->second;
    }
    for (const auto& [where, delivery] : deliveries_) {
      const auto& [link_id, key] = where;
      auto published = by_key_.find(key);
      if (published == by_key_.end()) continue;  // not a publication we model
      std::size_t excluded = 0;
      for (std::size_t index : published->second) excluded += excludes(publications_[index], link_id) ? 1 : 0;
      const std::size_t total = published->second.size();
      const LinkState& state = links_[link_id];
      const std::string what = describe_key(key);
      if (delivery.count > total) {
        report("no-duplicate-delivery", std::to_string(link_id) + '\x1f' + key,
               state.client + " (link " + std::to_string(link_id) + ") got " + what + " " +
                   std::to_string(delivery.count) + " times; it was published " + std::to_string(total) + " times",
               delivery.positions[total]);
      } else if (delivery.count > total - excluded) {
        report("exclusion-respected", std::to_string(link_id) + '\x1f' + key,
               state.client + " (link " + std::to_string(link_id) + ") got " + what + ", published " +
                   std::to_string(total) + " times of which " + std::to_string(excluded) +
                   " excluded this connection (its socket_id, or it sent the client event)",
               delivery.positions[total - excluded]);
      }
    }
  }

  bool excludes(const Publication& p, std::uint64_t link_id) const {
    if (p.excluded_link) return *p.excluded_link == link_id;
    return false;
  }

  static std::string describe_key(const std::string& key) {
    const auto a = key.find('\x1f');
    const auto b = key.find('\x1f', a + 1);
    return key.substr(a + 1, b - a - 1) + " on " + key.substr(0, a) + " " + key.substr(b + 1);
  }

  void check_convergence() {
    if (!in_.end.settled) return;
    for (const auto& disagreement : in_.end.node_disagreements) {
      report("nodes-agree", disagreement, disagreement + " once quiet", end_position());
    }
    for (const auto& [link_id, state] : links_) {
      // A connection of an app the end state does not cover (live: only the default app's
      // members are queried) is not judged.
      if (!state.open || state.app_id.empty()) continue;
      // Every subscribe and unsubscribe is broadcast with the new count (docs/protocol.md
      // §3.5), at once or, above 100 subscribers, when the throttle's 5 s are up (a held count is
      // owed, so quiet waits for it): the latest count a subscriber got is the channel's once quiet.
      for (const auto& [channel, count] : state.last_count) {
        auto subscribed = state.server_subscribed.find(channel);
        if (subscribed == state.server_subscribed.end() || !subscribed->second) continue;
        auto server = in_.end.subscriptions.find(state.app_id + "/" + channel);
        const std::int64_t expected =
            server == in_.end.subscriptions.end() ? 0 : static_cast<std::int64_t>(server->second);
        if (count == expected) continue;
        report("subscription-count-converges", std::to_string(link_id) + '\x1f' + channel,
               state.client + " (link " + std::to_string(link_id) + ")'s latest subscription_count for " + channel +
                   " is " + std::to_string(count) + " once quiet; the channel has " + std::to_string(expected) +
                   " subscriptions",
               end_position());
      }
      for (const auto& [channel, members] : state.members) {
        auto subscribed = state.server_subscribed.find(channel);
        if (subscribed == state.server_subscribed.end() || !subscribed->second) continue;
        if (state.listed.count(channel) == 0) continue;
        auto server = in_.end.members.find(state.app_id + "/" + channel);
        const std::set<std::string> none;
        const auto& expected = server == in_.end.members.end() ? none : server->second;
        if (members == expected) continue;
        report("members-converge", std::to_string(link_id) + '\x1f' + channel,
               state.client + " (link " + std::to_string(link_id) + ") holds " + joined(members) + " for " + channel +
                   " once quiet; the server's members are " + joined(expected),
               end_position());
      }
    }
  }

  // ---- webhooks ------------------------------------------------------------------------------
  struct Hook {
    std::int64_t time_ms = 0;
    std::string name;
    std::string channel;
    std::string user_id;
    std::size_t post = 0;   // which accepted POST carried it
    bool tie_late = false;  // see the sort below

    std::string subject() const {
      const bool member = name == "member_added" || name == "member_removed";
      return member ? channel + '\x1f' + user_id : channel;
    }
  };

  void check_webhooks() {
    if (in_.webhooks == nullptr) return;
    std::set<std::string> accepted_bodies;
    for (const auto& batch : *in_.webhooks) {
      if (batch.valid && batch.status >= 200 && batch.status <= 299) accepted_bodies.insert(batch.body);
    }
    std::set<std::string> abandoned_channels;
    std::vector<Hook> hooks;
    std::set<std::string> seen_bodies;
    for (const auto& batch : *in_.webhooks) {
      // The catch-all endpoint only: a filtered endpoint repeats some of its events.
      if (!webhook_endpoint_of(batch.target).empty()) continue;
      const bool accepted = accepted_bodies.count(batch.body) != 0;
      for (const auto& event : batch.events) {
        if (!event.is_object()) continue;
        Hook hook{batch.time_ms.value_or(0), string_at(event, "name"), string_at(event, "channel"),
                  string_at(event, "user_id"), seen_bodies.size()};
        if (!accepted) abandoned_channels.insert(hook.channel);
        if (accepted && batch.valid && batch.status >= 200 && batch.status <= 299 &&
            seen_bodies.count(batch.body) == 0) {
          hooks.push_back(std::move(hook));
        }
      }
      if (accepted && batch.valid && batch.status >= 200 && batch.status <= 299) seen_bodies.insert(batch.body);
    }
    // By time_ms; within one millisecond a removal (vacated, member_removed) counts as the later
    // event, as expect_webhook_state does: a re-add that quick would have cancelled the delayed
    // removal, so when both went out, the removal was the later one. Events of one POST share
    // its time_ms and keep the order the POST lists them in (a removal already leaving in a
    // batch can no longer be cancelled, so the re-add follows it there): a POST counts as a
    // removal when its last event on that subject is one. Arrival breaks other ties.
    const auto removal = [](const Hook& hook) {
      return hook.name == "channel_vacated" || hook.name == "member_removed";
    };
    std::map<std::pair<std::size_t, std::string>, bool> last_is_removal;  // by (post, subject)
    for (const auto& hook : hooks) last_is_removal[{hook.post, hook.subject()}] = removal(hook);
    for (auto& hook : hooks) hook.tie_late = last_is_removal[{hook.post, hook.subject()}];
    std::stable_sort(hooks.begin(), hooks.end(), [&](const Hook& a, const Hook& b) {
      if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
      return !a.tie_late && b.tie_late;
    });
    std::map<std::string, bool> occupied;  // by channel
    std::map<std::string, bool> member;    // by channel + user
    for (const auto& hook : hooks) {
      if (abandoned_channels.count(hook.channel) != 0) continue;
      if (hook.name == "channel_occupied" || hook.name == "channel_vacated") {
        alternate("occupied-vacated-alternate", hook.channel, hook, occupied[hook.channel],
                  hook.name == "channel_occupied", "channel_occupied", "channel_vacated");
      } else if (hook.name == "member_added" || hook.name == "member_removed") {
        alternate("member-webhooks-alternate", hook.channel + " " + hook.user_id, hook,
                  member[hook.channel + '\x1f' + hook.user_id], hook.name == "member_added", "member_added",
                  "member_removed");
      }
    }
    if (!in_.end.settled) return;
    check_webhook_end_states(occupied, member, abandoned_channels);
  }

  void alternate(const char* name, const std::string& subject, const Hook& hook, bool& state, bool up,
                 const char* up_name, const char* down_name) {
    if (state != up) {
      state = up;
      return;
    }
    report(name, subject,
           std::string(up ? up_name : down_name) + " for " + subject + " (time_ms " + std::to_string(hook.time_ms) +
               ") follows another " + (up ? up_name : down_name) + " with no " + (up ? down_name : up_name) +
               " between them",
           end_position());
  }

  void check_webhook_end_states(const std::map<std::string, bool>& occupied, const std::map<std::string, bool>& member,
                                const std::set<std::string>& abandoned) {
    const std::string prefix = in_.webhook_app_id + "/";
    std::set<std::string> channels;
    for (const auto& [channel, up] : occupied) channels.insert(channel);
    for (const auto& name : in_.end.occupied)
      if (name.starts_with(prefix)) channels.insert(name.substr(prefix.size()));
    for (const auto& channel : channels) {
      if (abandoned.count(channel) != 0) continue;
      auto it = occupied.find(channel);
      const bool hooked = it != occupied.end() && it->second;
      const bool actual = in_.end.occupied.count(prefix + channel) != 0;
      if (hooked == actual) continue;
      report("occupied-vacated-alternate", channel,
             "the last webhook for " + channel + " says " + (hooked ? "occupied" : "vacated (or none)") +
                 " but once quiet the channel is " + (actual ? "occupied" : "vacant"),
             end_position());
    }
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& [key, up] : member) {
      const auto split = key.find('\x1f');
      pairs.emplace(key.substr(0, split), key.substr(split + 1));
    }
    for (const auto& [channel, users] : in_.end.members) {
      if (!channel.starts_with(prefix)) continue;
      for (const auto& user : users) pairs.emplace(channel.substr(prefix.size()), user);
    }
    for (const auto& [channel, user] : pairs) {
      if (abandoned.count(channel) != 0) continue;
      auto it = member.find(channel + '\x1f' + user);
      const bool hooked = it != member.end() && it->second;
      auto server = in_.end.members.find(prefix + channel);
      const bool actual = server != in_.end.members.end() && server->second.count(user) != 0;
      if (hooked == actual) continue;
      report("member-webhooks-alternate", channel + " " + user,
             "the last member webhook for " + user + " on " + channel + " says " +
                 (hooked ? "added" : "removed (or none)") + " but once quiet the user is " +
                 (actual ? "a member" : "not a member"),
             end_position());
    }
  }

  const InvariantInput& in_;
  const fakes::Trace& trace_;
  std::vector<InvariantViolation> out_;
  std::set<std::string> reported_;
  std::unordered_map<const std::string*, Parsed> parsed_;  // looked up, never iterated
  std::vector<int> server_flags_;                          // by endpoint id: -1 unknown, 0 no, 1 the server
  std::map<std::uint64_t, LinkState> links_;
  std::map<std::string, std::uint64_t> link_of_socket_;
  std::vector<Publication> publications_;
  std::vector<std::pair<std::size_t, std::optional<std::string>>> rest_exclusions_;  // resolved after the walk
  std::map<std::string, std::vector<std::size_t>> by_key_;
  std::string rest_publisher_{kApp};
  std::map<std::string, std::vector<std::string>> sequence_;  // "publisher\x1fchannel" -> keys in order
  std::map<std::string, std::set<std::string>> publishers_of_key_;
  std::map<std::pair<std::uint64_t, std::string>, Delivery> deliveries_;
};

}  // namespace

std::vector<InvariantViolation> check_invariants(const InvariantInput& input) {
  if (input.trace == nullptr || input.rest == nullptr || !input.trace->enabled() || input.trace->truncated()) return {};
  return Checker(input).run();
}

namespace {

// No bus message in flight, and nothing left in the store by a node that is down.
bool cluster_quiet(fakes::World& world) {
  fakes::ClusterBus* bus = world.bus();
  if (bus == nullptr) return true;
  if (bus->in_flight() != 0) return false;
  for (NodeId node = 0; node < world.node_count(); ++node) {
    if (!bus->up(node) && !bus->store().claimed(node)) return false;
  }
  return true;
}

// One node's answer: occupied channels and presence members, keyed "app_id/channel".
void read_end_state(Engine& engine, const fakes::WorldConfig& config, TimeNs now, ServerEndState& end) {
  for (const auto& app : config.apps) {
    for (const auto& channel : engine.channels(app.id, now)) {
      const std::string key = app.id + "/" + channel.name;
      end.occupied.insert(key);
      end.subscriptions[key] = channel.subscription_count;
      if (classify_channel(channel.name).kind != ChannelKind::kPresence) continue;
      auto& users = end.members[key];
      for (const auto& m : channel.members) users.insert(m.user_id);
    }
  }
}

std::string listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return "[" + out + "]";
}

}  // namespace

bool settle(fakes::World& world, DurationNs limit) {
  // Quiet means nothing in flight and no webhook owed. Verbs still scheduled (the end of a
  // latency fault a minute away, say) do not count: they change nothing that is in flight.
  auto quiet = [&world] {
    return world.network().packets_in_flight() == 0 && world.network().http_in_flight() == 0 &&
           world.webhooks_outstanding() == 0 && cluster_quiet(world);
  };
  const TimeNs deadline = world.now() + limit;
  for (std::uint64_t events = 0; !quiet(); ++events) {
    const std::optional<TimeNs> next = world.scheduler().next_time();
    if (!next || *next > deadline || events >= kSettleEventsMax) return false;
    world.step();
  }
  return true;
}

InvariantInput invariant_input(fakes::World& world, bool settled) {
  InvariantInput input;
  input.trace = &world.trace();
  input.rest = &world.rest_log();
  input.webhooks = &world.webhooks().batches();
  input.webhook_app_id = world.config().app().id;
  input.end.settled = settled;
  for (const auto& app : world.config().apps) input.app_of_key[app.key] = app.id;
  read_end_state(world.engine(), world.config(), world.now(), input.end);
  for (NodeId node = 0; node < world.node_count() && world.clustered(); ++node) {
    Engine* engine = world.node_engine(node);
    if (engine == nullptr || engine == &world.engine()) continue;
    ServerEndState other;
    read_end_state(*engine, world.config(), world.now(), other);
    const std::string who = "node " + std::to_string(node);
    if (other.occupied != input.end.occupied) {
      input.end.node_disagreements.push_back(who + " answers occupied " + listed(other.occupied) +
                                             ", the first live node " + listed(input.end.occupied));
    }
    for (const auto& [key, users] : input.end.members) {
      auto it = other.members.find(key);
      const std::set<std::string> none;
      const auto& theirs = it == other.members.end() ? none : it->second;
      if (theirs != users) {
        input.end.node_disagreements.push_back(who + " answers members " + listed(theirs) + " of " + key +
                                               ", the first live node " + listed(users));
      }
    }
  }
  return input;
}

}  // namespace pushsim::harness
