#include "harness/live_invariants.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "fakes/trace.hpp"
#include "fakes/webhook_receiver.hpp"
#include "fakes/world.hpp"
#include "harness/invariants.hpp"

namespace pushsim::harness {
namespace {

// One trace line as the checker's record, with the index of the line it came from.
struct LiveRecord {
  std::size_t line = 0;
  TimeNs at = 0;
  fakes::TraceKind kind = fakes::TraceKind::kNote;
  std::string from;
  std::string to;
  std::uint64_t link = 0;
  std::string text;
};

// Links per client: a new one at every connect, so that a reconnect is a new connection.
std::vector<LiveRecord> records_of(const std::vector<TraceLine>& trace) {
  std::vector<LiveRecord> out;
  std::map<std::string, std::uint64_t> link_of;
  std::uint64_t links = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const TraceLine& line = trace[i];
    const bool from_client = line.to == "server" && line.from != "app" && line.from != "webhooks";
    const bool to_client = line.from == "server" && line.to != "app" && line.to != "webhooks";
    if (line.kind == "connect" && from_client) {
      link_of[line.from] = ++links;
      out.push_back({i, line.at, fakes::TraceKind::kOpen, line.from, "server", links, "[open " + line.text + "]"});
      continue;
    }
    const std::string& client = from_client ? line.from : line.to;
    if (!from_client && !to_client) continue;
    auto link = link_of.find(client);
    if (link == link_of.end()) continue;
    if (line.kind == "send" && from_client) {
      // As the server received it: one connection's frames arrive in the order sent.
      out.push_back({i, line.at, fakes::TraceKind::kDeliver, client, "server", link->second, line.text});
    } else if (line.kind == "deliver" && to_client) {
      out.push_back({i, line.at, fakes::TraceKind::kDeliver, "server", client, link->second, line.text});
    } else if (line.kind == "close" || (line.kind == "fault" && line.text == "drop")) {
      out.push_back({i, line.at, fakes::TraceKind::kClose, line.from, line.to, link->second, line.text});
    }
  }
  // The live trace notes a received frame when the target looks, with the time it arrived:
  // ordered by time, the record reads as it happened.
  std::stable_sort(out.begin(), out.end(), [](const LiveRecord& a, const LiveRecord& b) { return a.at < b.at; });
  return out;
}

// REST calls from the trace: "METHOD target[ via node K]\nbody" from the app, then the answer
// ("STATUS body") or an error. The live target makes one call at a time.
std::vector<fakes::RestExchange> rest_of(const std::vector<TraceLine>& trace) {
  std::vector<fakes::RestExchange> out;
  bool pending = false;
  for (const TraceLine& line : trace) {
    if (line.kind == "http_request" && line.from == "app" && line.to == "server") {
      fakes::RestExchange exchange;
      exchange.sent_at = line.at;
      const auto newline = line.text.find('\n');
      const std::string head = line.text.substr(0, newline);
      const auto space = head.find(' ');
      exchange.request.method = head.substr(0, space);
      exchange.request.target = space == std::string::npos ? std::string() : head.substr(space + 1);
      // " via node K": a call to one node of several, ordered only with the others sent there.
      constexpr std::string_view kVia = " via node ";
      if (const auto via = exchange.request.target.rfind(kVia); via != std::string::npos) {
        exchange.node = static_cast<NodeId>(std::atoi(exchange.request.target.c_str() + via + kVia.size()));
        exchange.request.target.resize(via);
      }
      if (newline != std::string::npos) exchange.request.body = line.text.substr(newline + 1);
      exchange.handled = out.size() + 1;
      out.push_back(std::move(exchange));
      pending = true;
    } else if (pending && line.from == "server" && line.to == "app") {
      pending = false;
      if (line.kind != "http_response") continue;  // an error: no answer
      HttpResponse response;
      response.status = std::atoi(line.text.c_str());
      const auto space = line.text.find(' ');
      if (space != std::string::npos) response.body = line.text.substr(space + 1);
      out.back().answered_at = line.at;
      out.back().response = std::move(response);
    }
  }
  return out;
}

// Accepted webhook events, one batch per POST.
std::vector<fakes::WebhookBatch> batches_of(const std::vector<ObservedWebhook>& webhooks) {
  std::vector<fakes::WebhookBatch> out;
  std::uint64_t post = 0;
  for (const auto& hook : webhooks) {
    if (!hook.endpoint.empty()) continue;  // a filtered endpoint repeats some of the catch-all's events
    if (out.empty() || hook.post != post) {
      post = hook.post;
      out.push_back(fakes::WebhookBatch{hook.at, {}, true, {}, 200, hook.time_ms, {}});
    }
    out.back().events.push_back(hook.event);
  }
  // A POST sent again (a retry the app had accepted already) is the same body: the checker
  // counts equal bodies once.
  for (auto& batch : out) {
    batch.body = Json{{"time_ms", batch.time_ms ? Json(*batch.time_ms) : Json()}, {"events", batch.events}}.dump();
  }
  return out;
}

bool refused_webhooks(const std::vector<TraceLine>& trace) {
  return std::any_of(trace.begin(), trace.end(),
                     [](const TraceLine& line) { return line.kind == "fault" && line.from == "webhooks"; });
}

// A node crashed on purpose takes the webhook deliveries it had in flight with it (docs/cluster.md
// accepts that), so what the listener got need not alternate.
bool crashed_a_node(const std::vector<TraceLine>& trace) {
  return std::any_of(trace.begin(), trace.end(),
                     [](const TraceLine& line) { return line.kind == "fault" && line.text.starts_with("crash_node"); });
}

// How long the run stays untouched before the final members query: the frames of its last
// steps arrive meanwhile.
constexpr DurationNs kQuietBeforeQuery = 500'000'000;

}  // namespace

std::set<std::string> subscribed_channels_of(const std::vector<TraceLine>& trace, bool presence_only) {
  std::set<std::string> out;
  for (const TraceLine& line : trace) {
    if (line.kind != "send" || line.to != "server") continue;
    auto frame = decode_frame(line.text);
    if (!frame || frame->event != "pusher:subscribe" || !frame->data || !frame->data->is_object()) continue;
    auto channel = frame->data->find("channel");
    if (channel == frame->data->end() || !channel->is_string()) continue;
    const std::string name = channel->get<std::string>();
    if (!presence_only || name.starts_with("presence-")) out.insert(name);
  }
  return out;
}

namespace {

// The channels where a client got a pusher_internal:subscription_count.
std::set<std::string> counted_channels_of(const std::vector<TraceLine>& trace) {
  std::set<std::string> out;
  for (const TraceLine& line : trace) {
    if (line.kind != "deliver" || line.from != "server") continue;
    if (line.text.find("pusher_internal:subscription_count") == std::string::npos) continue;
    auto frame = decode_frame(line.text);
    if (frame && frame->event == "pusher_internal:subscription_count" && frame->channel) out.insert(*frame->channel);
  }
  return out;
}

// When a client last acted on the server (connected, sent, closed, was dropped).
std::optional<TimeNs> last_client_action(const std::vector<TraceLine>& trace) {
  std::optional<TimeNs> out;
  for (const TraceLine& line : trace) {
    const bool client = line.from != "app" && line.from != "webhooks" && line.from != "server";
    const bool acting = line.kind == "connect" || line.kind == "send" || line.kind == "close" || line.kind == "fault";
    if (client && acting && (!out || line.at > *out)) out = line.at;
  }
  return out;
}

// GET `path` with `params`; the answer's JSON object, or nullopt unless it answered 200 with one.
std::optional<Json> query_object(Target& target, const std::string& path, ParamList params = {}) {
  RestCall call;
  call.path = path;
  call.params = std::move(params);
  if (target.rest(call)) return std::nullopt;
  const auto& responses = target.responses();
  if (responses.empty() || responses.back().status != 200) return std::nullopt;
  Json body = Json::parse(responses.back().body, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  return body;
}

}  // namespace

std::optional<LiveMembers> query_members(Target& target, const std::string& app_key) {
  const auto before = target.trace();
  const auto channels = subscribed_channels_of(before, false);
  if (channels.empty()) return std::nullopt;
  target.wait_until(target.now() + kQuietBeforeQuery, [] { return false; });
  LiveMembers out;
  out.app_key = app_key;
  const auto trace = target.trace();
  const auto last = last_client_action(trace);
  out.webhooks_quiet = !last || target.now() - *last >= kWebhookQuiet;
  for (const auto& channel : channels) {
    if (!channel.starts_with("presence-")) continue;
    auto body = query_object(target, "/channels/" + channel + "/users");
    if (!body || !body->contains("users") || !(*body)["users"].is_array()) return std::nullopt;
    auto& users = out.by_channel[channel];
    for (const auto& user : (*body)["users"]) {
      if (user.is_object() && user.contains("id") && user["id"].is_string())
        users.insert(user["id"].get<std::string>());
    }
  }
  for (const auto& channel : counted_channels_of(trace)) {
    auto body = query_object(target, "/channels/" + channel, {{"info", "subscription_count"}});
    if (!body) {
      out.counts_known = false;
      continue;
    }
    auto count = body->find("subscription_count");
    const bool occupied = body->value("occupied", false);
    if (count != body->end() && count->is_number_unsigned()) {
      out.subscriptions[channel] = count->get<std::size_t>();
    } else if (!occupied) {
      out.subscriptions[channel] = 0;
    } else {
      out.counts_known = false;
    }
  }
  if (auto listing = query_object(target, "/channels"); listing && listing->contains("channels")) {
    const Json& listed = (*listing)["channels"];
    if (listed.is_object()) {
      out.occupied.emplace();
      for (const auto& [name, info] : listed.items()) out.occupied->insert(name);
    }
  }
  return out;
}

std::vector<InvariantViolation> check_live_invariants(const std::vector<TraceLine>& trace,
                                                      const std::vector<ObservedWebhook>& webhooks,
                                                      const std::optional<LiveMembers>& members) {
  const std::vector<LiveRecord> records = records_of(trace);
  fakes::Trace record(fakes::RunId{"live", 0, ""});
  for (const auto& r : records) {
    record.record(r.at, r.kind, record.endpoint(r.from), record.endpoint(r.to), r.link, r.text);
  }
  const std::vector<fakes::RestExchange> rest = rest_of(trace);
  const std::vector<fakes::WebhookBatch> batches = batches_of(webhooks);
  InvariantInput input;
  input.trace = &record;
  input.rest = &rest;
  input.webhooks = refused_webhooks(trace) || crashed_a_node(trace) ? nullptr : &batches;
  input.end.settled = false;  // the server's end state is not known live
  std::vector<InvariantViolation> out;
  for (auto violation : check_invariants(input)) {
    const bool live =
        std::find(std::begin(kLiveInvariants), std::end(kLiveInvariants), violation.name) != std::end(kLiveInvariants);
    if (!live) continue;
    if (violation.position < records.size()) violation.position = records[violation.position].line;
    out.push_back(std::move(violation));
  }
  if (!members) return out;
  // The end states against the final query. subscription-count-converges judges only the
  // channels whose count was asked (a channel missing from the map counts as 0 subscriptions).
  InvariantInput end;
  end.trace = &record;
  end.rest = &rest;
  end.app_of_key[members->app_key] = "app";
  end.webhook_app_id = "app";
  end.end.settled = true;
  for (const auto& [channel, users] : members->by_channel) end.end.members["app/" + channel] = users;
  for (const auto& [channel, count] : members->subscriptions) end.end.subscriptions["app/" + channel] = count;
  if (members->occupied) {
    for (const auto& channel : *members->occupied) end.end.occupied.insert("app/" + channel);
  }
  const bool webhook_ends =
      members->occupied && members->webhooks_quiet && !batches.empty() && input.webhooks != nullptr;
  if (webhook_ends) end.webhooks = &batches;
  for (auto violation : check_invariants(end)) {
    const bool judged = violation.name == "members-converge" ||
                        (violation.name == "subscription-count-converges" && members->counts_known) ||
                        (webhook_ends && (violation.name == "occupied-vacated-alternate" ||
                                          violation.name == "member-webhooks-alternate"));
    if (!judged) continue;
    if (violation.position < records.size()) violation.position = records[violation.position].line;
    // The alternation itself was judged above already.
    const bool seen = std::any_of(out.begin(), out.end(), [&](const InvariantViolation& v) {
      return v.name == violation.name && v.message == violation.message;
    });
    if (!seen) out.push_back(std::move(violation));
  }
  return out;
}

}  // namespace pushsim::harness
