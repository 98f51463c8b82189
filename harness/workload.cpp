#include "harness/workload.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "protocol/random.hpp"

namespace pushsim::harness {
namespace {

// The channels a workload uses: few, so that clients meet on them.
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

bool is_presence(const std::string& channel) { return channel.starts_with("presence-"); }
bool is_private(const std::string& channel) { return channel.starts_with("private-"); }
bool is_cache(const std::string& channel) { return channel.starts_with("cache-"); }
bool allows_client_events(const std::string& channel) { return is_presence(channel) || is_private(channel); }

constexpr const char* kWithin = "within: 5s";
// Longer than the latency any workload sets (150 ms) plus the network's own (20 ms), both ways.
constexpr const char* kSettle = "- advance: 1s";
// Past the activity timeout (120 s) and the pong timeout (30 s) after it: the server has closed a
// connection the network dropped.
constexpr const char* kDropSettle = "- advance: 155s";
constexpr int kLatencyMaxMs = 150;
// Two drops (310 s) leave room for the rest inside a scenario's 10 minutes of virtual time.
constexpr int kDropsMax = 2;
// Operations while a dropped connection may still be on the server: each takes a second or
// two of virtual time, well inside the 30 s the server keeps it at least.
constexpr int kDropWindowOps = 6;

std::string client_name(int index) { return "c" + std::to_string(index + 1); }
// Every connection of a user declares the same user_info, so the member list has one answer.
std::string user_info(const std::string& user_id) { return "{ name: " + user_id + " }"; }
std::string probe_name(int number) { return "x" + std::to_string(number); }
std::string data_of(int number) { return "{ n: " + std::to_string(number) + " }"; }
std::string event_of(int number) { return "e" + std::to_string(number); }
std::string client_event_of(int number) { return "client-e" + std::to_string(number); }

struct ClientModel {
  bool connected = false;
  bool had_connection = false;  // its socket_id variable names its latest connection
  bool partitioned = false;
  bool signed_in = false;
  std::set<std::string> subscriptions;  // confirmed by subscription_succeeded
  // A dropped connection's subscriptions, which the server keeps until it closes it.
  std::set<std::string> dropped;
  bool has_dropped = false;
  std::vector<std::string> owed;  // expectations held back while partitioned
};

// The protocol's account of the workload (workload.hpp, theory of operation), and the
// steps it writes.
class Model {
 public:
  explicit Model(const Workload& workload)
      : workload_(workload), clients_(static_cast<std::size_t>(workload.clients)) {}

  bool possible(const WorkloadOp& op) const;
  void apply(const WorkloadOp& op);
  void finish();

  const ClientModel& client(int index) const { return clients_[static_cast<std::size_t>(index)]; }
  int clients() const { return workload_.clients; }
  int drops() const { return drops_; }
  bool any_dropped() const {
    return std::any_of(clients_.begin(), clients_.end(), [](const ClientModel& c) { return c.has_dropped; });
  }
  bool any_partitioned() const {
    return std::any_of(clients_.begin(), clients_.end(), [](const ClientModel& c) { return c.partitioned; });
  }
  // Connected and free to act (not partitioned).
  bool active(int index) const { return valid(index) && client(index).connected && !client(index).partitioned; }
  bool subscribed(int index, const std::string& channel) const {
    return valid(index) && client(index).connected && client(index).subscriptions.count(channel) != 0;
  }
  // Connections the server holds on the channel: live ones and dropped ones not yet closed.
  std::size_t subscriber_count(const std::string& channel) const;

  std::vector<std::string> steps;
  std::set<int> used_clients;
  std::set<int> probes;
  std::size_t concurrent = 0;

 private:
  bool valid(int index) const { return index >= 0 && index < workload_.clients; }
  ClientModel& mut(int index) { return clients_[static_cast<std::size_t>(index)]; }
  const std::string& user(int index) const { return workload_.user_ids[static_cast<std::size_t>(index)]; }
  std::map<std::string, int> members(const std::string& channel) const;

  void emit(std::string step) { steps.push_back(std::move(step)); }
  // An expectation on client `index`'s frames: now, or after its heal when partitioned.
  void expect_at(int index, const std::string& step) {
    if (client(index).partitioned) {
      mut(index).owed.push_back(step);
    } else {
      emit(step);
    }
  }
  void use(int index) { used_clients.insert(index); }

  void connect(int index);
  void disconnect(int index);
  void drop(int index);
  void drop_timeout();
  void leave_all(int index);
  void subscribe(int index, const std::string& channel);
  void subscribe_checks(int index, const std::string& channel, bool exact);
  void unsubscribe(int index, const std::string& channel);
  void member_joined(int index, const std::string& channel, const std::set<int>& skip);
  void member_left(int index, const std::string& channel, const std::set<int>& skip);
  void publish(const std::string& channel, int number, int excluded);
  std::string exclusion(int exclude, int& excluded) const;
  void trigger(const WorkloadOp& op);
  void batch(const WorkloadOp& op);
  void client_event(int index, const std::string& channel, int number, const std::set<int>& skip);
  void heal(int index);
  void probe_connect(const WorkloadOp& op);
  void query_presence(const std::string& channel);
  void query_channels();
  void race(const WorkloadOp& op);

  const Workload& workload_;
  std::vector<ClientModel> clients_;
  std::map<std::string, int> cache_;  // cache channel -> number of its last event
  std::set<std::string> channels_used_;
  std::set<std::pair<std::string, std::string>> members_used_;
  int drops_ = 0;
};

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
    case K::kConnect: return valid(op.a) && !client(op.a).connected;
    case K::kDisconnect:
    case K::kSignin:
    case K::kPing:
    case K::kPartition: return active(op.a) && (op.kind != K::kSignin || !client(op.a).signed_in);
    case K::kDrop: return valid(op.a) && client(op.a).connected && !client(op.a).has_dropped && drops_ < kDropsMax;
    case K::kDropTimeout: return any_dropped();
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
    case K::kConnect: return connect(op.a);
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
      return;
    case K::kBadAuth:
      emit("- subscribe: { client: " + a + ", channel: " + op.channel + ", auth: wrong_signature }");
      emit("- expect_refused: { client: " + a + ", channel: " + op.channel + ", " + kWithin + " }");
      return;
    case K::kStaleRest:
      emit("- request: { method: POST, path: /events, body: { name: " + event_of(op.number) +
           ", channels: [room-9], data: \"{}\" }, signing: stale_timestamp }");
      emit("- expect_response: { status: 401 }");
      return;
    case K::kBadKey:
    case K::kBadProtocol: return probe_connect(op);
    case K::kQueryPresence: return query_presence(op.channel);
    case K::kQueryChannels: return query_channels();
    case K::kRaceJoin:
    case K::kRaceFlap:
    case K::kRaceCache:
    case K::kRaceRelay:
      if (op.b >= 0) use(op.b);
      return race(op);
  }
}

void Model::connect(int index) {
  const std::string name = client_name(index);
  emit("- connect: " + name);
  emit("- expect: { client: " + name + ", event: pusher:connection_established, " + kWithin + " }");
  mut(index).connected = true;
  mut(index).had_connection = true;
  mut(index).partitioned = false;
  mut(index).signed_in = false;
}

void Model::disconnect(int index) {
  emit("- disconnect: " + client_name(index));
  emit(kSettle);
  leave_all(index);
}

// The client's side is gone at once; the server's side stays until drop_timeout(). A
// partition is per client, not per connection, so a partitioned client is healed first (else
// its next connection would start partitioned).
void Model::drop(int index) {
  if (client(index).partitioned) heal(index);
  emit("- drop: " + client_name(index));
  ++drops_;
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
                     channel + ", data: { user_id: " + user(index) + ", user_info: " + user_info(user(index)) + " }, " +
                     kWithin + " }");
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
  channels_used_.insert(channel);
  subscribe_checks(index, channel, true);
  if (is_presence(channel)) member_joined(index, channel, {});
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
  if (is_cache(channel) && exact) {
    auto cached = cache_.find(channel);
    const std::string what = cached == cache_.end()
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
  emit(kSettle);
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
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: " + event + ", channel: " + channel +
                     ", data: " + data_of(number) + ", " + kWithin + " }");
  }
  if (excluded >= 0 && subscribed(excluded, channel)) {
    expect_at(excluded, "- expect_none: { client: " + client_name(excluded) + ", event: " + event +
                            ", channel: " + channel + ", for: 500ms }");
  }
  if (is_cache(channel)) cache_[channel] = number;
}

void Model::trigger(const WorkloadOp& op) {
  int excluded = -1;
  const std::string exclude = exclusion(op.exclude, excluded);
  if (!exclude.empty()) use(op.exclude);
  std::string channels;
  for (const auto& channel : op.channels) channels += (channels.empty() ? "" : ", ") + channel;
  emit("- trigger: { channels: [" + channels + "], event: " + event_of(op.number) + ", data: " + data_of(op.number) +
       exclude + " }");
  emit("- expect_response: { status: 200 }");
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
  emit("- batch_trigger:" + items);
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
  for (int j = 0; j < clients(); ++j) {
    if (j == index || skip.count(j) != 0 || !subscribed(j, channel)) continue;
    expect_at(j, "- expect: { client: " + client_name(j) + ", event: " + event + ", channel: " + channel +
                     ", data: " + data_of(number) + user_id + ", " + kWithin + " }");
  }
  emit("- expect_webhook: { name: client_event, channel: " + channel + ", event: " + event + user_id +
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

void Model::query_presence(const std::string& channel) {
  const auto present = members(channel);
  emit("- query: { path: /channels/" + channel + ", params: { info: user_count } }");
  if (present.empty()) {
    emit("- expect_response: { status: 200, body: { occupied: false } }");
  } else {
    emit("- expect_response: { status: 200, body: { occupied: true, user_count: " + std::to_string(present.size()) +
         " } }");
  }
}

void Model::query_channels() {
  std::string listed;
  for (const auto& channel : all_channels()) {
    if (subscriber_count(channel) > 0) listed += (listed.empty() ? "" : ", ") + channel + ": {}";
  }
  emit("- query: { path: /channels }");
  emit("- expect_response: { status: 200, body: { channels: !exact {" + (listed.empty() ? "" : " " + listed + " ") +
       "} } }");
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
    emit(kSettle);
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
                           op.channel + ", data: { user_id: " + user_id + ", user_info: " + user_info(user_id) +
                           " }, " + kWithin + " }");
        }
      }
    }
    return;
  }
  if (op.kind == K::kRaceFlap) {
    emit("- concurrently:\n      - unsubscribe: { client: " + a + ", channel: " + op.channel +
         " }\n      - subscribe: { client: " + b + ", channel: " + op.channel + " }");
    emit(kSettle);
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
         ", data: " + data_of(op.number) + " }\n      - subscribe: { client: " + a + ", channel: " + op.channel + " }");
    emit("- expect_response: { status: 200 }");
    emit("- expect: { client: " + a + ", event: pusher_internal:subscription_succeeded, channel: " + op.channel + ", " +
         kWithin + " }");
    // Before the trigger it gets the event live, after it as the cached one: either way once.
    emit("- expect: { client: " + a + ", event: " + event_of(op.number) + ", channel: " + op.channel +
         ", data: " + data_of(op.number) + ", " + kWithin + " }");
    publish(op.channel, op.number, -1);
    mut(op.a).subscriptions.insert(op.channel);
    emit(kSettle);
    return;
  }
  // kRaceRelay: a sends a client event as b unsubscribes; b may or may not get it.
  emit("- concurrently:\n      - client_event: { client: " + a + ", channel: " + op.channel +
       ", event: " + client_event_of(op.number) + ", data: " + data_of(op.number) +
       " }\n      - unsubscribe: { client: " + b + ", channel: " + op.channel + " }");
  emit(kSettle);
  client_event(op.a, op.channel, op.number, {op.b});
  mut(op.b).subscriptions.erase(op.channel);
  if (is_presence(op.channel)) member_left(op.b, op.channel, {});
}

void Model::finish() {
  if (any_dropped()) drop_timeout();
  for (int j = 0; j < clients(); ++j) {
    if (client(j).connected && client(j).partitioned) heal(j);
  }
  if (steps.empty()) return;
  emit("- advance: 10s");
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
}

// ---- generation ----------------------------------------------------------------------------

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& values) {
  return values[rng.below(values.size())];
}

int pick_client(Rng& rng, const Model& model, bool (*fits)(const Model&, int)) {
  std::vector<int> fitting;
  for (int i = 0; i < model.clients(); ++i) {
    if (fits(model, i)) fitting.push_back(i);
  }
  return fitting.empty() ? -1 : pick(rng, fitting);
}

bool is_active(const Model& model, int i) { return model.active(i); }
bool is_offline(const Model& model, int i) { return !model.client(i).connected; }
bool is_partitioned(const Model& model, int i) { return model.client(i).connected && model.client(i).partitioned; }
bool is_connected(const Model& model, int i) { return model.client(i).connected; }

struct Weighted {
  WorkloadOp::Kind kind;
  int weight;
};

const std::vector<Weighted>& weights() {
  using K = WorkloadOp::Kind;
  static const std::vector<Weighted> kAll = {
      {K::kConnect, 8},       {K::kDisconnect, 3},    {K::kSubscribe, 18},  {K::kUnsubscribe, 5},
      {K::kTrigger, 12},      {K::kBatchTrigger, 5},  {K::kClientEvent, 8}, {K::kPublicClientEvent, 2},
      {K::kSignin, 3},        {K::kPing, 2},          {K::kLatency, 3},     {K::kPartition, 3},
      {K::kHeal, 4},          {K::kDrop, 2},          {K::kDropTimeout, 1}, {K::kWebhookFailures, 2},
      {K::kBadAuth, 2},       {K::kStaleRest, 1},     {K::kBadKey, 1},      {K::kBadProtocol, 1},
      {K::kQueryPresence, 3}, {K::kQueryChannels, 2}, {K::kRaceJoin, 4},    {K::kRaceFlap, 4},
      {K::kRaceCache, 3},     {K::kRaceRelay, 3},
  };
  return kAll;
}

WorkloadOp::Kind draw_kind(Rng& rng) {
  int total = 0;
  for (const auto& w : weights()) total += w.weight;
  auto at = static_cast<int>(rng.below(static_cast<std::uint64_t>(total)));
  for (const auto& w : weights()) {
    if (at < w.weight) return w.kind;
    at -= w.weight;
  }
  return weights().front().kind;
}

// A channel `index` is (or is not) subscribed to, of those `channels`; "" when none.
std::string pick_channel(Rng& rng, const Model& model, int index, const std::vector<std::string>& channels,
                         bool subscribed) {
  std::vector<std::string> fitting;
  for (const auto& channel : channels) {
    if (model.subscribed(index, channel) == subscribed) fitting.push_back(channel);
  }
  return fitting.empty() ? std::string() : pick(rng, fitting);
}

std::vector<std::string> client_event_channels() { return authorized_channels(); }

// An op of `kind` that the model allows now, or none.
std::optional<WorkloadOp> draw_op(Rng& rng, const Model& model, WorkloadOp::Kind kind, int& number) {
  using K = WorkloadOp::Kind;
  WorkloadOp op;
  op.kind = kind;
  auto exclude = [&] {
    return rng.chance(1, 2) ? static_cast<int>(rng.below(static_cast<std::uint64_t>(model.clients()))) : -1;
  };
  switch (kind) {
    case K::kConnect: op.a = pick_client(rng, model, is_offline); break;
    case K::kDisconnect:
    case K::kSignin:
    case K::kPing:
    case K::kPartition: op.a = pick_client(rng, model, is_active); break;
    case K::kDrop: op.a = pick_client(rng, model, is_connected); break;
    case K::kDropTimeout: break;
    case K::kHeal: op.a = pick_client(rng, model, is_partitioned); break;
    case K::kSubscribe:
    case K::kBadAuth:
      op.a = pick_client(rng, model, is_active);
      if (op.a >= 0) {
        op.channel =
            pick_channel(rng, model, op.a, kind == K::kBadAuth ? authorized_channels() : all_channels(), false);
      }
      break;
    case K::kUnsubscribe:
    case K::kClientEvent:
    case K::kPublicClientEvent:
      op.a = pick_client(rng, model, is_active);
      if (op.a >= 0) {
        op.channel = pick_channel(rng, model, op.a,
                                  kind == K::kPublicClientEvent ? public_channels()
                                  : kind == K::kClientEvent     ? client_event_channels()
                                                                : all_channels(),
                                  true);
      }
      op.number = ++number;
      break;
    case K::kTrigger: {
      const auto count = 1 + rng.below(3);
      std::set<std::string> chosen;
      for (std::uint64_t i = 0; i < count; ++i) chosen.insert(pick(rng, all_channels()));
      op.channels.assign(chosen.begin(), chosen.end());
      op.number = ++number;
      op.exclude = exclude();
      break;
    }
    case K::kBatchTrigger: {
      const auto count = 1 + rng.below(4);
      for (std::uint64_t i = 0; i < count; ++i) {
        op.items.push_back(WorkloadBatchItem{pick(rng, all_channels()), ++number, exclude()});
      }
      break;
    }
    case K::kLatency:
      op.a = rng.chance(1, 2) ? static_cast<int>(rng.below(static_cast<std::uint64_t>(model.clients()))) : -1;
      op.min_ms = static_cast<int>(rng.between(0, 50));
      op.max_ms = static_cast<int>(rng.between(op.min_ms, kLatencyMaxMs));
      break;
    case K::kWebhookFailures:
      // Retries would stretch a drop window past the 30 s the server keeps a dead connection.
      if (model.any_dropped()) return std::nullopt;
      op.number = static_cast<int>(rng.between(1, 3));
      break;
    case K::kStaleRest:
    case K::kBadKey:
    case K::kBadProtocol: op.number = ++number; break;
    case K::kQueryPresence: op.channel = rng.chance(1, 2) ? "presence-1" : "presence-2"; break;
    case K::kQueryChannels: break;
    case K::kRaceJoin:
    case K::kRaceFlap:
    case K::kRaceCache:
    case K::kRaceRelay: {
      op.a = pick_client(rng, model, is_active);
      op.b = kind == K::kRaceCache ? -1 : pick_client(rng, model, is_active);
      if (op.a < 0) return std::nullopt;
      if (kind == K::kRaceJoin) op.channel = pick_channel(rng, model, op.a, authorized_channels(), false);
      if (kind == K::kRaceFlap) op.channel = pick_channel(rng, model, op.a, all_channels(), true);
      if (kind == K::kRaceCache) op.channel = rng.chance(1, 2) ? "cache-1" : "cache-2";
      if (kind == K::kRaceRelay) op.channel = pick_channel(rng, model, op.a, client_event_channels(), true);
      op.number = ++number;
      break;
    }
  }
  if (!model.possible(op)) return std::nullopt;
  return op;
}

}  // namespace

std::string workload_id(std::uint64_t seed) { return "generated." + std::to_string(seed); }

std::string_view op_kind_name(WorkloadOp::Kind kind) {
  using K = WorkloadOp::Kind;
  switch (kind) {
    case K::kConnect: return "connect";
    case K::kDisconnect: return "disconnect";
    case K::kSubscribe: return "subscribe";
    case K::kUnsubscribe: return "unsubscribe";
    case K::kTrigger: return "trigger";
    case K::kBatchTrigger: return "batch-trigger";
    case K::kClientEvent: return "client-event";
    case K::kPublicClientEvent: return "public-client-event";
    case K::kSignin: return "signin";
    case K::kPing: return "ping";
    case K::kLatency: return "latency";
    case K::kPartition: return "partition";
    case K::kHeal: return "heal";
    case K::kDrop: return "drop";
    case K::kDropTimeout: return "drop-timeout";
    case K::kWebhookFailures: return "webhook-failures";
    case K::kBadAuth: return "bad-auth";
    case K::kStaleRest: return "stale-rest";
    case K::kBadKey: return "bad-key";
    case K::kBadProtocol: return "bad-protocol";
    case K::kQueryPresence: return "query-presence";
    case K::kQueryChannels: return "query-channels";
    case K::kRaceJoin: return "race-join";
    case K::kRaceFlap: return "race-flap";
    case K::kRaceCache: return "race-cache";
    case K::kRaceRelay: return "race-relay";
  }
  return "?";
}

Workload generate_workload(const WorkloadOptions& options) {
  Rng rng = Rng(options.seed).derive("workload");
  Workload workload;
  workload.seed = options.seed;
  workload.clients = std::clamp(options.clients, 1, 16);
  // Fewer users than clients, so that some users hold several connections.
  const int users = std::max(1, (workload.clients + 1) / 2 + 1);
  for (int i = 0; i < workload.clients; ++i) {
    workload.user_ids.push_back("u" + std::to_string(1 + rng.below(static_cast<std::uint64_t>(users))));
  }
  workload.batch_webhooks = rng.chance(1, 2);
  workload.subscription_count = rng.chance(1, 2);
  Model model(workload);
  int number = 0;
  const int steps = std::clamp(options.steps, 1, 150);
  constexpr int kDrawsPerOp = 20;
  int since_drop = 0;
  for (int s = 0; s < steps; ++s) {
    since_drop = model.any_dropped() ? since_drop + 1 : 0;
    if (since_drop > kDropWindowOps) {
      WorkloadOp timeout;
      timeout.kind = WorkloadOp::Kind::kDropTimeout;
      model.apply(timeout);
      workload.ops.push_back(std::move(timeout));
      continue;
    }
    for (int attempt = 0; attempt < kDrawsPerOp; ++attempt) {
      // Few clients online: connect one first.
      std::size_t online = 0;
      for (int i = 0; i < workload.clients; ++i) online += model.client(i).connected ? 1 : 0;
      const bool connect_first = online < 2 && online < static_cast<std::size_t>(workload.clients) && rng.chance(2, 3);
      const auto kind = connect_first ? WorkloadOp::Kind::kConnect : draw_kind(rng);
      auto op = draw_op(rng, model, kind, number);
      if (!op) continue;
      model.apply(*op);
      workload.ops.push_back(std::move(*op));
      break;
    }
  }
  return workload;
}

RenderedWorkload render_workload(const Workload& workload, const std::vector<std::string>& comment) {
  Model model(workload);
  RenderedWorkload out;
  for (const auto& op : workload.ops) {
    if (!model.possible(op)) continue;
    model.apply(op);
    ++out.ops_kept;
  }
  model.finish();
  std::string yaml;
  for (const auto& line : comment) yaml += "# " + line + "\n";
  yaml += "id: " + (workload.id.empty() ? workload_id(workload.seed) : workload.id) + "\n";
  yaml += "name: generated workload, seed " + std::to_string(workload.seed) + "\n";
  yaml += "level: must\nsection: \"6\"\ntags: [generated]\n";
  yaml += "requires: [client_events, webhooks, cache_channels, user_authentication";
  if (workload.batch_webhooks) yaml += ", batch_webhooks";
  if (workload.subscription_count) yaml += ", subscription_count";
  yaml += "]\n";
  yaml += "simulation_only: plays latency, partitions and drops, and waits minutes of virtual time\n";
  yaml += "clients:\n";
  for (int i : model.used_clients) {
    const std::string& user_id = workload.user_ids[static_cast<std::size_t>(i)];
    yaml += "  " + client_name(i) + ": { user_id: " + user_id + ", user_info: " + user_info(user_id) + " }\n";
  }
  for (int n : model.probes) yaml += "  " + probe_name(n) + ":\n";
  out.clients = model.used_clients.size() + model.probes.size();
  if (out.clients == 0) {
    yaml += "  c1: { user_id: u1 }\n";
    out.clients = 1;
  }
  yaml += "steps:\n";
  if (model.steps.empty()) model.steps.emplace_back("- advance: 1s");
  for (const auto& step : model.steps) yaml += "  " + step + "\n";
  out.steps = model.steps.size();
  out.concurrent = model.concurrent;
  out.yaml = std::move(yaml);
  return out;
}

}  // namespace pushsim::harness
