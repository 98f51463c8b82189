#include "harness/workload_model.hpp"

#include <algorithm>

namespace pushsim::harness::workload_model {

const std::vector<std::string>& public_channels() {
  static const std::vector<std::string> kAll = {"room-1", "room-2"};
  return kAll;
}
const std::vector<std::string>& authorized_channels() {
  static const std::vector<std::string> kAll = {"private-1", "private-2", "presence-1", "presence-2"};
  return kAll;
}
const std::vector<std::string>& all_channels() {
  static const std::vector<std::string> kAll = {"room-1",     "room-2",     "private-1", "private-2",
                                                "presence-1", "presence-2", "cache-1",   "cache-2"};
  return kAll;
}

namespace {

bool is_presence(const std::string& channel) { return channel.starts_with("presence-"); }
bool is_private(const std::string& channel) { return channel.starts_with("private-"); }
bool is_cache(const std::string& channel) { return channel.starts_with("cache-"); }
bool allows_client_events(const std::string& channel) { return is_presence(channel) || is_private(channel); }

constexpr const char* kWithin = "within: 5s";
// Longer than the latency any workload sets (150 ms) plus the network's own (20 ms), both ways.
constexpr const char* kSettle = "- advance: 1s";
// Live, the same in real time: the relay's latency (150 ms at most) both ways and the server's
// own handling, which on loopback takes well under a millisecond.
constexpr const char* kSettleLive = "- advance: 500ms";
// Before the final webhook and REST checks: webhooks settle (retries included) in virtual time;
// live, past the server's 3 s removal delay (the checks then wait up to their `within` more).
constexpr const char* kFinalSettle = "- advance: 10s";
constexpr const char* kFinalSettleLive = "- advance: 4s";
// Past the activity timeout (120 s) and the pong timeout (30 s) after it: the server has closed a
// connection the network dropped.
constexpr const char* kDropSettle = "- advance: 155s";
// Two drops (310 s) leave room for the rest inside a scenario's 10 minutes of virtual time.
constexpr int kDropsMax = 2;

std::string data_of(int number) { return "{ n: " + std::to_string(number) + " }"; }
std::string event_of(int number) { return "e" + std::to_string(number); }
std::string client_event_of(int number) { return "client-e" + std::to_string(number); }

}  // namespace

const char* Model::settle() const { return workload_.live ? kSettleLive : kSettle; }

std::string Model::member_data(const std::string& user_id) const {
  if (workload_.should) return "'{\"user_id\":\"" + user_id + "\",\"user_info\":{\"name\":\"" + user_id + "\"}}'";
  return "{ user_id: " + user_id + ", user_info: " + user_info(user_id) + " }";
}

std::string Model::at_node(int node) const {
  if (nodes() < 2 || !node_up(node)) return "";
  return ", node: " + std::to_string(node);
}

std::size_t Model::subscriber_count(const std::string& channel) const {
  std::size_t count = 0;
  for (int i = 0; i < clients(); ++i) {
    count += subscribed(i, channel) ? 1 : 0;
    count += client(i).dropped.count(channel);
  }
  return count;
}

std::map<std::string, int> Model::members(const std::string& channel) const {
  std::map<std::string, int> out;
  for (int i = 0; i < clients(); ++i) {
    if (subscribed(i, channel)) ++out[user(i)];
    if (client(i).dropped.count(channel) != 0) ++out[user(i)];
  }
  return out;
}

bool Model::possible(const WorkloadOp& op) const {
  using K = WorkloadOp::Kind;
  const bool needs_channel = op.kind == K::kSubscribe || op.kind == K::kBadAuth || op.kind == K::kUnsubscribe ||
                             op.kind == K::kClientEvent || op.kind == K::kPublicClientEvent ||
                             op.kind == K::kQueryPresence || op.kind == K::kRaceJoin || op.kind == K::kRaceFlap ||
                             op.kind == K::kRaceCache || op.kind == K::kRaceRelay;
  if (needs_channel && op.channel.empty()) return false;
  switch (op.kind) {
    case K::kConnect: return valid(op.a) && !client(op.a).connected && (nodes() < 2 || node_up(op.node));
    case K::kDisconnect:
    case K::kSignin:
    case K::kPing:
    case K::kPartition: return active(op.a) && (op.kind != K::kSignin || !client(op.a).signed_in);
    case K::kDrop: return valid(op.a) && client(op.a).connected && !client(op.a).has_dropped && drops_ < kDropsMax;
    case K::kDropTimeout: return !workload_.live && any_dropped();
    case K::kHeal: return valid(op.a) && client(op.a).connected && client(op.a).partitioned;
    case K::kSubscribe:
    case K::kBadAuth: return active(op.a) && !subscribed(op.a, op.channel);
    case K::kUnsubscribe: return active(op.a) && subscribed(op.a, op.channel);
    case K::kClientEvent: return active(op.a) && subscribed(op.a, op.channel) && allows_client_events(op.channel);
    case K::kPublicClientEvent:
      return active(op.a) && subscribed(op.a, op.channel) && !allows_client_events(op.channel);
    case K::kLatency: return op.a == -1 || valid(op.a);
    case K::kTrigger: return !op.channels.empty();
    case K::kBatchTrigger: return !op.items.empty();
    case K::kCrashNode:
    case K::kRestartNode:
    case K::kBusPartition:
    case K::kRestEdge:
    case K::kSigninAsOther:
    case K::kWatchlist:
    case K::kWatchlistLimit:
    case K::kAppProbe:
    case K::kPrivateFormAuth:
    case K::kCacheTtl:
    case K::kBinaryFrame: return possible_edge(op);
    case K::kWebhookFilter:
    case K::kWsPing:
    case K::kShutdown:
    case K::kTerminate:
    case K::kWatchlistNodes:
    case K::kQuotaNodes: return possible_extra(op);
    case K::kWebhookFailures:
    case K::kStaleRest:
    case K::kBadKey:
    case K::kBadProtocol:
    case K::kQueryPresence:
    case K::kQueryChannels: return true;
    case K::kRaceJoin:
      return op.a != op.b && active(op.a) && active(op.b) && !subscribed(op.a, op.channel) &&
             !subscribed(op.b, op.channel);
    case K::kRaceFlap:
      return op.a != op.b && active(op.a) && active(op.b) && subscribed(op.a, op.channel) &&
             !subscribed(op.b, op.channel);
    case K::kRaceCache: return active(op.a) && !subscribed(op.a, op.channel);
    case K::kRaceRelay:
      return op.a != op.b && active(op.a) && active(op.b) && subscribed(op.a, op.channel) &&
             subscribed(op.b, op.channel) && allows_client_events(op.channel);
  }
  return false;
}

void Model::apply(const WorkloadOp& op) {
  using K = WorkloadOp::Kind;
  const std::string a = op.a >= 0 ? client_name(op.a) : std::string();
  if (op.a >= 0 && op.kind != K::kLatency) use(op.a);
  switch (op.kind) {
    case K::kConnect: return connect(op.a, op.node);
    case K::kDisconnect: return disconnect(op.a);
    case K::kDrop: return drop(op.a);
    case K::kDropTimeout: return drop_timeout();
    case K::kSubscribe: return subscribe(op.a, op.channel);
    case K::kUnsubscribe: return unsubscribe(op.a, op.channel);
    case K::kTrigger: return trigger(op);
    case K::kBatchTrigger: return batch(op);
    case K::kClientEvent: return client_event(op.a, op.channel, op.number, {});
    case K::kPublicClientEvent: {
      const std::string event = client_event_of(op.number);
      emit("- client_event: { client: " + a + ", channel: " + op.channel + ", event: " + event +
           ", data: " + data_of(op.number) + " }");
      for (int j = 0; j < clients(); ++j) {
        if (subscribed(j, op.channel)) {
          expect_at(j, "- expect_none: { client: " + client_name(j) + ", event: " + event + ", for: 500ms }");
        }
      }
      return;
    }
    case K::kSignin:
      emit("- signin: " + a);
      emit("- expect: { client: " + a + ", event: pusher:signin_success, " + kWithin + " }");
      mut(op.a).signed_in = true;
      return;
    case K::kPing:
      emit("- send: { client: " + a + ", text: '{\"event\":\"pusher:ping\",\"data\":{}}' }");
      emit("- expect: { client: " + a + ", event: pusher:pong, " + kWithin + " }");
      return;
    case K::kLatency:
      if (op.a >= 0) use(op.a);
      emit("- latency: { " + (op.a >= 0 ? "client: " + a + ", " : std::string()) + "min: " + std::to_string(op.min_ms) +
           "ms, max: " + std::to_string(op.max_ms) + "ms }");
      return;
    case K::kPartition:
      emit("- partition: " + a);
      mut(op.a).partitioned = true;
      return;
    case K::kHeal: return heal(op.a);
    case K::kWebhookFailures:
      emit("- webhook_failures: { count: " + std::to_string(std::max(1, op.number)) + ", status: 500 }");
      webhook_failures_seen_ = true;
      return;
    case K::kBadAuth:
      emit("- subscribe: { client: " + a + ", channel: " + op.channel + ", auth: wrong_signature }");
      if (workload_.should) {
        // SHOULD: the official form of a refusal (docs/protocol.md §3.3, presence.69).
        emit("- expect: { client: " + a + ", event: pusher:error, data: { code: null }, " + kWithin + " }");
        emit("- expect_none: { client: " + a +
             ", event: pusher_internal:subscription_succeeded, channel: " + op.channel + ", for: 500ms }");
      } else {
        emit("- expect_refused: { client: " + a + ", channel: " + op.channel + ", " + kWithin + " }");
      }
      return;
    case K::kStaleRest:
      emit("- request: { method: POST, path: /events, body: { name: " + event_of(op.number) +
           ", channels: [room-9], data: \"{}\" }, signing: stale_timestamp" + at_node(op.node) + " }");
      emit("- expect_response: { status: 401 }");
      return;
    case K::kBadKey:
    case K::kBadProtocol: return probe_connect(op);
    case K::kQueryPresence: return query_presence(op.channel, at_node(op.node));
    case K::kQueryChannels: return query_channels(at_node(op.node));
    case K::kCrashNode: return crash_node(op.node);
    case K::kRestartNode: return restart_node(op.node);
    case K::kBusPartition: return bus_partition(op.node, op.node_b);
    case K::kRestEdge: return rest_edge(op);
    case K::kSigninAsOther: return signin_as_other(op);
    case K::kWatchlist: return watchlist(op);
    case K::kWatchlistLimit: return watchlist_limit(op);
    case K::kAppProbe: return app_probe(op);
    case K::kPrivateFormAuth: return private_form_auth(op);
    case K::kCacheTtl: return cache_ttl(op);
    case K::kBinaryFrame: return binary_frame(op);
    case K::kWebhookFilter: return webhook_filter(op);
    case K::kWsPing: return ws_ping(op);
    case K::kShutdown: shutdown_number_ = op.number; return;  // its steps come last (finish)
    case K::kTerminate: return terminate(op);
    case K::kWatchlistNodes: return watchlist(op);
    case K::kQuotaNodes: return quota_nodes(op);
    case K::kRaceJoin:
    case K::kRaceFlap:
    case K::kRaceCache:
    case K::kRaceRelay:
      if (op.b >= 0) use(op.b);
      return race(op);
  }
}

void Model::connect(int index, int node) {
  const std::string name = client_name(index);
  if (nodes() > 1) {
    emit("- connect: { client: " + name + ", node: " + std::to_string(node) + " }");
    client_node_[static_cast<std::size_t>(index)] = node;
  } else {
    emit("- connect: " + name);
  }
  emit("- expect: { client: " + name + ", event: pusher:connection_established, " + kWithin + " }");
  mut(index).connected = true;
  mut(index).had_connection = true;
  mut(index).partitioned = false;
  mut(index).signed_in = false;
}

void Model::disconnect(int index) {
  emit("- disconnect: " + client_name(index));
  emit(settle());
  leave_all(index);
}

// The client's side is gone at once; the server's side stays until drop_timeout(). A
// partition is per client, not per connection, so a partitioned client is healed first (else
// its next connection would start partitioned).
void Model::drop(int index) {
  if (client(index).partitioned) heal(index);
  emit("- drop: " + client_name(index));
  ++drops_;
  if (workload_.live) {
    // The relay resets both sides: the server's connection ends as the client's does.
    emit(settle());
    leave_all(index);
    return;
  }
  ClientModel& dropped = mut(index);
  dropped.dropped = dropped.subscriptions;
  dropped.has_dropped = true;
  dropped.subscriptions.clear();
  dropped.owed.clear();
  dropped.connected = false;
  dropped.partitioned = false;
  dropped.signed_in = false;
}

// The server has closed every dropped connection: others see their users leave.
void Model::drop_timeout() {
  // Nothing may stay partitioned through 155 s: the server would time those connections out.
  for (int j = 0; j < clients(); ++j) {
    if (client(j).connected && client(j).partitioned) heal(j);
  }
  emit(kDropSettle);
  for (int i = 0; i < clients(); ++i) {
    if (!client(i).has_dropped) continue;
    const std::set<std::string> channels = client(i).dropped;
    for (const auto& channel : channels) {
      mut(i).dropped.erase(channel);
      if (is_presence(channel)) member_left(i, channel, {});
    }
    mut(i).has_dropped = false;
  }
}

void Model::leave_all(int index) {
  const std::set<std::string> channels = client(index).subscriptions;
  for (const auto& channel : channels) {
    mut(index).subscriptions.erase(channel);
    if (is_presence(channel)) member_left(index, channel, {});
  }
  mut(index).connected = false;
  mut(index).partitioned = false;
  mut(index).signed_in = false;
}

void Model::heal(int index) {
  emit("- heal: " + client_name(index));
  mut(index).partitioned = false;
  for (auto& step : mut(index).owed) emit(std::move(step));
  mut(index).owed.clear();
}

// Others on the channel get member_added when the joiner's user was not there yet.
void Model::member_joined(int index, const std::string& channel, const std::set<int>& skip) {
  const auto present = members(channel);
  if (present.at(user(index)) != 1) return;
  members_used_.insert({channel, user(index)});
  for (int j = 0; j < clients(); ++j) {
    if (j == index || skip.count(j) != 0 || !subscribed(j, channel) || user(j) == user(index)) continue;
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: pusher_internal:member_added, channel: " +
                     channel + ", data: " + member_data(user(index)) + ", " + kWithin + " }");
  }
}

// Called once the leaver's subscription is gone from the model.
void Model::member_left(int index, const std::string& channel, const std::set<int>& skip) {
  if (members(channel).count(user(index)) != 0) return;
  for (int j = 0; j < clients(); ++j) {
    if (j == index || skip.count(j) != 0 || !subscribed(j, channel)) continue;
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: pusher_internal:member_removed, channel: " +
                     channel + ", data: { user_id: " + user(index) + " }, " + kWithin + " }");
  }
}

void Model::subscribe(int index, const std::string& channel) {
  emit("- subscribe: { client: " + client_name(index) + ", channel: " + channel + " }");
  mut(index).subscriptions.insert(channel);
  const bool first_use = channels_used_.insert(channel).second;
  subscribe_checks(index, channel, true);
  if (is_presence(channel)) member_joined(index, channel, {});
  // A channel's first subscriber ever: its channel_occupied is surely sent (no vacated pending
  // to cancel it). Without batch webhooks its POST carries it alone (§8.1, webhooks.75) and
  // its time_ms is the Unix time in ms (webhooks.76), unless a failing receiver may have
  // delayed its delivery past that. (Batched, time_ms is the POST's oldest event's: a
  // channel_vacated held through the removal delay may share the POST.)
  if (first_use && !workload_.live) {
    emit("- expect_webhook: { name: channel_occupied, channel: " + channel +
         (workload_.batch_webhooks ? "" : ", batch_size: 1") +
         (webhook_failures_seen_ || workload_.batch_webhooks ? "" : ", time_ms_within: 2s") + ", within: 60s }");
  }
}

// What the subscriber itself is owed: subscription_succeeded (with the member list when
// `exact`, i.e. nobody else joined or left meanwhile), the cached event or cache_miss, and
// the new subscription count.
void Model::subscribe_checks(int index, const std::string& channel, bool exact) {
  const std::string name = client_name(index);
  std::string data;
  if (is_presence(channel) && exact) {
    const auto present = members(channel);
    std::string hash;
    for (const auto& [id, connections] : present) hash += (hash.empty() ? "" : ", ") + id + ": " + user_info(id);
    data = ", data: { presence: { count: " + std::to_string(present.size()) + ", hash: { " + hash + " } } }";
  }
  emit("- expect: { client: " + name + ", event: pusher_internal:subscription_succeeded, channel: " + channel + data +
       ", " + kWithin + " }");
  // The cached event again, surely when nothing raced the subscribe.
  const auto& cache = cache_of(index);
  if (auto cached = cache.find(channel); is_cache(channel) && cached != cache.end()) {
    owe(index, channel, event_of(cached->second), exact);
  }
  if (is_cache(channel) && exact) {
    auto cached = cache.find(channel);
    const std::string what = cached == cache.end()
                                 ? "event: pusher:cache_miss"
                                 : "event: " + event_of(cached->second) + ", data: " + data_of(cached->second);
    emit("- expect: { client: " + name + ", " + what + ", channel: " + channel + ", after_previous: true, " + kWithin +
         " }");
  }
  if (workload_.subscription_count && !is_presence(channel) && exact) {
    emit("- expect: { client: " + name + ", event: pusher_internal:subscription_count, channel: " + channel +
         ", data: { subscription_count: " + std::to_string(subscriber_count(channel)) + " }, " + kWithin + " }");
  }
}

void Model::unsubscribe(int index, const std::string& channel) {
  emit("- unsubscribe: { client: " + client_name(index) + ", channel: " + channel + " }");
  emit(settle());
  mut(index).subscriptions.erase(channel);
  if (is_presence(channel)) member_left(index, channel, {});
}

// The exclusion as a step writes it; `excluded` is the client it excludes (-1: none). A
// client not connected is excluded by the socket_id it had, which must exclude nobody now.
std::string Model::exclusion(int exclude, int& excluded) const {
  excluded = -1;
  if (!valid(exclude)) return "";
  if (client(exclude).connected) {
    excluded = exclude;
    return ", exclude: " + client_name(exclude);
  }
  if (client(exclude).had_connection) return ", exclude: { socket_id: \"${" + client_name(exclude) + ".socket_id}\" }";
  return "";
}

// Every subscribed connection but the excluded one gets the event once; the excluded one,
// when subscribed, must not.
void Model::publish(const std::string& channel, int number, int excluded) {
  const std::string event = event_of(number);
  for (int j = 0; j < clients(); ++j) {
    if (!subscribed(j, channel) || j == excluded) continue;
    owe(j, channel, event, true);
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: " + event + ", channel: " + channel +
                     ", data: " + data_of(number) + ", " + kWithin + " }");
  }
  if (excluded >= 0 && subscribed(excluded, channel)) {
    expect_at(excluded, "- expect_none: { client: " + client_name(excluded) + ", event: " + event +
                            ", channel: " + channel + ", for: 500ms }");
  }
  // Every node that is up keeps a copy (docs/cluster.md: over the bus); a down one misses it.
  for (int n = 0; n < nodes(); ++n) {
    if (is_cache(channel) && node_up(n)) caches_[static_cast<std::size_t>(n)][channel] = number;
  }
}

void Model::trigger(const WorkloadOp& op) {
  int excluded = -1;
  const std::string exclude = exclusion(op.exclude, excluded);
  if (!exclude.empty()) use(op.exclude);
  std::string channels;
  for (const auto& channel : op.channels) channels += (channels.empty() ? "" : ", ") + channel;
  // §7.3: with subscription counting on, a publish asked for info=subscription_count answers
  // the channel's count (rest.68). Asked by every other event number (no draw of its own, so
  // seeds keep their operations), of one counted channel whose count the model knows exactly:
  // one node, no connection whose server side may linger.
  const std::string only = op.channels.size() == 1 ? op.channels.front() : std::string();
  const bool counted = workload_.subscription_count && !workload_.live && nodes() == 1 && op.number % 2 == 0 &&
                       !only.empty() && !is_presence(only) && subscriber_count(only) > 0 && !any_dropped() &&
                       !any_partitioned();
  emit("- trigger: { channels: [" + channels + "], event: " + event_of(op.number) + ", data: " + data_of(op.number) +
       exclude + at_node(op.node) + (counted ? ", info: subscription_count" : "") + " }");
  if (counted) {
    requires_extra.insert("publish_info");
    emit("- expect_response: { status: 200, body: { channels: { " + only +
         ": { subscription_count: " + std::to_string(subscriber_count(only)) + " } } } }");
  } else {
    emit("- expect_response: { status: 200 }");
  }
  for (const auto& channel : op.channels) publish(channel, op.number, excluded);
}

void Model::batch(const WorkloadOp& op) {
  std::string items;
  std::vector<int> excluded(op.items.size(), -1);
  for (std::size_t i = 0; i < op.items.size(); ++i) {
    const auto& item = op.items[i];
    const std::string exclude = exclusion(item.exclude, excluded[i]);
    if (!exclude.empty()) use(item.exclude);
    items += "\n      - { channel: " + item.channel + ", event: " + event_of(item.number) +
             ", data: " + data_of(item.number) + exclude + " }";
  }
  const std::string node = at_node(op.node);
  if (node.empty()) {
    emit("- batch_trigger:" + items);
  } else {
    // The map form, to name the node: the items one level deeper.
    std::string nested;
    for (std::size_t at = 0; at < items.size(); ++at) {
      nested += items[at];
      if (items[at] == '\n') nested += "  ";
    }
    emit("- batch_trigger:\n      node: " + std::to_string(op.node) + "\n      items:" + nested);
  }
  emit("- expect_response: { status: 200 }");
  for (std::size_t i = 0; i < op.items.size(); ++i) publish(op.items[i].channel, op.items[i].number, excluded[i]);
}

// The other subscribers (but `skip`) get it, with the sender's user_id on presence; the app
// gets a client_event webhook naming the sender's socket; the sender gets nothing back. With a
// `skip` (a race) the event went out in the race's concurrently block, so no step sends it here.
void Model::client_event(int index, const std::string& channel, int number, const std::set<int>& skip) {
  const std::string name = client_name(index);
  const std::string event = client_event_of(number);
  const std::string user_id = is_presence(channel) ? ", user_id: " + user(index) : std::string();
  if (skip.empty()) {
    emit("- client_event: { client: " + name + ", channel: " + channel + ", event: " + event +
         ", data: " + data_of(number) + " }");
  }
  for (int j : skip) owe(j, channel, event, false);
  for (int j = 0; j < clients(); ++j) {
    if (j == index || skip.count(j) != 0 || !subscribed(j, channel)) continue;
    owe(j, channel, event, true);
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: " + event + ", channel: " + channel +
                     ", data: " + data_of(number) + user_id + ", " + kWithin + " }");
  }
  // SHOULD: no user_id on a private channel's client_event, even from a signed-in sender
  // (docs/protocol.md §8.2, webhooks.78).
  const std::string no_user_id =
      workload_.should && is_private(channel) && client(index).signed_in ? ", user_id: !absent" : "";
  emit("- expect_webhook: { name: client_event, channel: " + channel + ", event: " + event + user_id + no_user_id +
       ", socket_id: \"${" + name + ".socket_id}\", within: 60s }");
  emit("- expect_none: { client: " + name + ", event: " + event + ", for: 500ms }");
}

void Model::probe_connect(const WorkloadOp& op) {
  const bool key = op.kind == WorkloadOp::Kind::kBadKey;
  const std::string name = probe_name(op.number);
  const std::string code = key ? "4001" : "4007";
  probes.insert(op.number);
  emit("- connect: { client: " + name + (key ? ", app_key: no-such-key" : ", protocol: 3") + " }");
  emit("- one_of:\n      - - expect: { client: " + name + ", event: pusher:error, data: { code: " + code + " }, " +
       kWithin + " }\n      - - expect_close: { client: " + name + ", code: " + code + ", " + kWithin + " }");
  emit("- expect_none: { client: " + name + ", event: pusher:connection_established, for: 1s }");
}

void Model::query_presence(const std::string& channel, const std::string& at) {
  const auto present = members(channel);
  emit("- query: { path: /channels/" + channel + ", params: { info: user_count }" + at + " }");
  if (present.empty()) {
    emit("- expect_response: { status: 200, body: { occupied: false } }");
  } else {
    emit("- expect_response: { status: 200, body: { occupied: true, user_count: " + std::to_string(present.size()) +
         " } }");
  }
}

// Live, one listing per channel family: a live client subscribes to #server-to-user-<id> after
// signing in, as pusher-js does, and a server may list that channel too.
void Model::query_channels(const std::string& at) {
  const std::vector<std::string> everything = {""};
  const std::vector<std::string> families = {"room-", "private-", "presence-", "cache-"};
  for (const auto& prefix : workload_.live ? families : everything) {
    std::string listed;
    for (const auto& channel : all_channels()) {
      if (channel.starts_with(prefix) && subscriber_count(channel) > 0) {
        listed += (listed.empty() ? "" : ", ") + channel + ": {}";
      }
    }
    emit("- query: { path: /channels" +
         (prefix.empty() ? std::string() : ", params: { filter_by_prefix: " + prefix + " }") + at + " }");
    emit("- expect_response: { status: 200, body: { channels: !exact {" + (listed.empty() ? "" : " " + listed + " ") +
         "} } }");
  }
}

// Two inputs issued at one instant; afterwards, only what holds for either order.
void Model::race(const WorkloadOp& op) {
  using K = WorkloadOp::Kind;
  const std::string a = client_name(op.a);
  const std::string b = op.b >= 0 ? client_name(op.b) : std::string();
  ++concurrent;
  channels_used_.insert(op.channel);
  if (op.kind == K::kRaceJoin) {
    emit("- concurrently:\n      - subscribe: { client: " + a + ", channel: " + op.channel +
         " }\n      - subscribe: { client: " + b + ", channel: " + op.channel + " }");
    emit(settle());
    const auto before = members(op.channel);
    mut(op.a).subscriptions.insert(op.channel);
    subscribe_checks(op.a, op.channel, false);
    mut(op.b).subscriptions.insert(op.channel);
    subscribe_checks(op.b, op.channel, false);
    // A joiner may or may not find the other in its list (and then get no member_added for
    // it): the joiners are not judged; everyone already there gets each new user once.
    if (is_presence(op.channel)) {
      std::set<std::string> joined;
      for (int joiner : {op.a, op.b}) {
        if (before.count(user(joiner)) == 0) joined.insert(user(joiner));
      }
      for (const auto& user_id : joined) {
        members_used_.insert({op.channel, user_id});
        for (int j = 0; j < clients(); ++j) {
          if (j == op.a || j == op.b || !subscribed(j, op.channel) || user(j) == user_id) continue;
          expect_at(j, "- expect: { client: " + client_name(j) + ", event: pusher_internal:member_added, channel: " +
                           op.channel + ", data: " + member_data(user_id) + ", " + kWithin + " }");
        }
      }
    }
    return;
  }
  if (op.kind == K::kRaceFlap) {
    emit("- concurrently:\n      - unsubscribe: { client: " + a + ", channel: " + op.channel +
         " }\n      - subscribe: { client: " + b + ", channel: " + op.channel + " }");
    emit(settle());
    const bool had_b = members(op.channel).count(user(op.b)) != 0;
    mut(op.a).subscriptions.erase(op.channel);
    mut(op.b).subscriptions.insert(op.channel);
    subscribe_checks(op.b, op.channel, false);
    if (is_presence(op.channel) && user(op.a) != user(op.b)) {
      member_left(op.a, op.channel, {op.b});
      if (!had_b) member_joined(op.b, op.channel, {});
    }
    return;
  }
  if (op.kind == K::kRaceCache) {
    emit("- concurrently:\n      - trigger: { channel: " + op.channel + ", event: " + event_of(op.number) +
         ", data: " + data_of(op.number) + at_node(op.node) + " }\n      - subscribe: { client: " + a +
         ", channel: " + op.channel + " }");
    emit("- expect_response: { status: 200 }");
    emit("- expect: { client: " + a + ", event: pusher_internal:subscription_succeeded, channel: " + op.channel + ", " +
         kWithin + " }");
    // Before the trigger it gets the event live, after it as the cached one: either way once.
    emit("- expect: { client: " + a + ", event: " + event_of(op.number) + ", channel: " + op.channel +
         ", data: " + data_of(op.number) + ", " + kWithin + " }");
    // Subscribed first, it got the event the cache held before too.
    if (auto cached = cache_of(op.a).find(op.channel); cached != cache_of(op.a).end()) {
      owe(op.a, op.channel, event_of(cached->second), false);
    }
    owe(op.a, op.channel, event_of(op.number), true);
    publish(op.channel, op.number, -1);
    mut(op.a).subscriptions.insert(op.channel);
    emit(settle());
    return;
  }
  // kRaceRelay: a sends a client event as b unsubscribes; b may or may not get it.
  emit("- concurrently:\n      - client_event: { client: " + a + ", channel: " + op.channel +
       ", event: " + client_event_of(op.number) + ", data: " + data_of(op.number) +
       " }\n      - unsubscribe: { client: " + b + ", channel: " + op.channel + " }");
  emit(settle());
  client_event(op.a, op.channel, op.number, {op.b});
  mut(op.b).subscriptions.erase(op.channel);
  if (is_presence(op.channel)) member_left(op.b, op.channel, {});
}

std::string concurrently_step(const std::vector<std::string>& items) {
  if (items.size() == 1) return "- " + items.front();
  std::string out = "- concurrently:";
  for (const auto& item : items) out += "\n      - " + item;
  return out;
}

// §3.5: subscription counting is not for presence channels (presence.83, SHOULD): with the
// feature on, no client got a count for one, at any time of the workload (expect_none also
// looks at frames that came before it and nobody consumed).
void Model::no_presence_counts() {
  if (!workload_.subscription_count || !workload_.should || workload_.live) return;
  std::vector<std::string> items;
  for (const auto& channel : channels_used_) {
    if (!is_presence(channel)) continue;
    for (int j = 0; j < clients(); ++j) {
      if (!client(j).had_connection) continue;
      items.push_back("expect_none: { client: " + client_name(j) +
                      ", event: pusher_internal:subscription_count, channel: " + channel + ", for: 100ms }");
    }
  }
  if (!items.empty()) emit(concurrently_step(items));
}

void Model::finish() {
  if (any_dropped()) drop_timeout();
  for (int j = 0; j < clients(); ++j) {
    if (client(j).connected && client(j).partitioned) heal(j);
  }
  if (!steps.empty()) {
    emit(workload_.live ? kFinalSettleLive : kFinalSettle);
    for (const auto& channel : channels_used_) {
      emit("- expect_webhook_state: { channel: " + channel +
           ", state: " + (subscriber_count(channel) > 0 ? "occupied" : "vacated") + ", within: 60s }");
    }
    for (const auto& [channel, user_id] : members_used_) {
      emit("- expect_webhook_state: { channel: " + channel + ", user_id: " + user_id +
           ", state: " + (members(channel).count(user_id) != 0 ? "member" : "absent") + ", within: 60s }");
    }
    query_channels();
    for (const auto& channel : channels_used_) {
      if (is_presence(channel)) query_presence(channel);
    }
    no_presence_counts();
  }
  // After every other check: the server is gone then.
  if (shutdown_number_ >= 0) shutdown_steps();
}

}  // namespace pushsim::harness::workload_model
