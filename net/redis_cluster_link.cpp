// RedisClusterLink's store connection and its store calls (the header has the theory of
// operation; net/redis_scripts.hpp the key layout and the scripts).
#include "net/redis_cluster_link.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>

#include "net/real_clock.hpp"
#include "net/redis_bus.hpp"
#include "net/redis_context.hpp"
#include "net/redis_scripts.hpp"
#include "protocol/json.hpp"

namespace pushsim {

using detail::RedisContextPtr;
using detail::RedisReplyPtr;

namespace {

// The scripts by index, loaded once per connection (SCRIPT LOAD answers their SHA1).
enum Script : std::size_t {
  kAddSubscriptionScript,
  kAddMemberScript,
  kMembersScript,
  kSubscriptionCountScript,
  kHoldRemovalScript,
  kCancelRemovalScript,
  kReleaseRemovalScript,
  kHeartbeatScript,
  kExpiredNodesScript,
  kClaimNodeScript,
  kScriptCount
};

constexpr std::string_view kScriptText[kScriptCount] = {
    redis_scripts::kAddSubscription,   redis_scripts::kAddMember,   redis_scripts::kMembers,
    redis_scripts::kSubscriptionCount, redis_scripts::kHoldRemoval, redis_scripts::kCancelRemoval,
    redis_scripts::kReleaseRemoval,    redis_scripts::kHeartbeat,   redis_scripts::kExpiredNodes,
    redis_scripts::kClaimNode};

constexpr const char* kScriptName[kScriptCount] = {
    "add_subscription", "add_member",      "members",   "subscription_count", "hold_removal",
    "cancel_removal",   "release_removal", "heartbeat", "expired_nodes",      "claim_node"};

std::string cid_text(std::string_view app_id, std::string_view channel) {
  return std::to_string(app_id.size()) + ":" + std::string(app_id) + ":" + std::string(channel);
}

// "LEN:TEXT" at the front of `text`: TEXT, and `text` moved past it and the ':' after it.
std::optional<std::string> take_counted(std::string_view& text) {
  const auto colon = text.find(':');
  std::size_t length = 0;
  if (colon == std::string_view::npos) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + colon, length);
  if (ec != std::errc() || end != text.data() + colon || colon + 1 + length > text.size()) return std::nullopt;
  std::string out(text.substr(colon + 1, length));
  text.remove_prefix(std::min(text.size(), colon + 1 + length + 1));
  return out;
}

std::optional<std::pair<std::string, std::string>> parse_cid(std::string_view cid) {
  auto app = take_counted(cid);
  if (!app) return std::nullopt;
  return std::make_pair(std::move(*app), std::string(cid));
}

std::optional<RemovalKey> parse_hid(std::string_view hid) {
  auto app = take_counted(hid);
  if (!app) return std::nullopt;
  auto channel = take_counted(hid);
  if (!channel) return std::nullopt;
  return RemovalKey{std::move(*app), std::move(*channel), std::string(hid)};
}

std::string reply_string(const redisReply* reply) {
  if (reply == nullptr || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS)) return {};
  return std::string(reply->str, reply->len);
}

std::uint64_t reply_unsigned(const redisReply* reply) {
  if (reply == nullptr) return 0;
  if (reply->type == REDIS_REPLY_INTEGER) return reply->integer < 0 ? 0 : static_cast<std::uint64_t>(reply->integer);
  if (reply->type == REDIS_REPLY_STRING) {
    std::uint64_t value = 0;
    std::from_chars(reply->str, reply->str + reply->len, value);
    return value;
  }
  return 0;
}

bool is_array(const redisReply* reply, std::size_t elements_min = 0) {
  return reply != nullptr && reply->type == REDIS_REPLY_ARRAY && reply->elements >= elements_min;
}

}  // namespace

// The store connection: used only from the engine's strand, one call at a time.
struct RedisClusterLink::Store {
  const RedisClusterOptions& options;
  RedisContextPtr context;
  std::string sha[kScriptCount];
  SteadyTime retry_at{};
  std::chrono::milliseconds backoff;
  bool lost = false;  // logged as lost, not yet regained

  explicit Store(const RedisClusterOptions& opts) : options(opts), backoff(opts.retry_min) {}

  std::optional<Error> open() {
    auto connected = detail::redis_connect(options.address, options.connect_timeout, options.command_timeout);
    if (!connected) return connected.error();
    for (std::size_t i = 0; i < kScriptCount; ++i) {
      RedisReplyPtr reply = detail::redis_command(**connected, {"SCRIPT", "LOAD", std::string(kScriptText[i])});
      if (!reply || reply->type != REDIS_REPLY_STRING) {
        return make_error(
            std::string("redis at ") + options.address.text() + " did not load the " + kScriptName[i] +
            " script: " + (reply ? detail::redis_reply_text(reply.get()) : std::string((*connected)->errstr)));
      }
      sha[i] = reply_string(reply.get());
    }
    context = std::move(connected).value();
    return std::nullopt;
  }

  // A usable context, reconnecting when the backoff allows; false means "answer without Redis".
  bool ready() {
    if (context) return true;
    if (std::chrono::steady_clock::now() < retry_at) return false;
    if (auto error = open()) {
      fail("reconnecting failed: " + error->message);
      return false;
    }
    options.log("cluster store: connection to redis at " + options.address.text() + " regained");
    lost = false;
    backoff = options.retry_min;
    return true;
  }

  void fail(const std::string& why) {
    context.reset();
    retry_at = std::chrono::steady_clock::now() + backoff;
    options.log("cluster store: redis at " + options.address.text() + " " + why + "; store calls answer without it, " +
                "retrying in " + std::to_string(backoff.count()) + " ms");
    lost = true;
    backoff = std::min(backoff * 2, options.retry_max);
  }

  // The script's reply; null (logged) when Redis could not be asked or the script failed.
  RedisReplyPtr eval(Script script, std::vector<std::string> args) {
    if (!ready()) return nullptr;
    std::vector<std::string> command{"EVALSHA", sha[script], "0", options.prefix};
    for (auto& arg : args) command.push_back(std::move(arg));
    RedisReplyPtr reply = detail::redis_command(*context, command);
    if (reply && reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str, reply->len).find("NOSCRIPT") == 0) {
      command[0] = "EVAL";
      command[1] = std::string(kScriptText[script]);
      reply = detail::redis_command(*context, command);
    }
    if (!reply) {
      fail(std::string("lost during ") + kScriptName[script] + ": " + context->errstr);
      return nullptr;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      options.log(std::string("cluster store: the ") + kScriptName[script] +
                  " script failed: " + detail::redis_reply_text(reply.get()));
      return nullptr;
    }
    return reply;
  }

  RedisReplyPtr command(const std::vector<std::string>& args) {
    if (!ready()) return nullptr;
    RedisReplyPtr reply = detail::redis_command(*context, args);
    if (!reply) {
      fail("lost during " + args.front() + ": " + context->errstr);
      return nullptr;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      options.log("cluster store: " + args.front() + " failed: " + detail::redis_reply_text(reply.get()));
      return nullptr;
    }
    return reply;
  }
};

RedisClusterLink::RedisClusterLink(RedisClusterOptions options) : options_(std::move(options)) {
  auto log = options_.log ? std::move(options_.log)
                          : std::function<void(const std::string&)>(
                                [](const std::string& line) { std::cerr << "pushsim: " << line << std::endl; });
  options_.log = [mutex = std::make_shared<std::mutex>(), log = std::move(log)](const std::string& line) {
    std::lock_guard lock(*mutex);
    log(line);
  };
}

Result<std::unique_ptr<RedisClusterLink>> RedisClusterLink::connect(RedisClusterOptions options) {
  if (options.prefix.empty()) return make_error("cluster: the key prefix must not be empty");
  std::unique_ptr<RedisClusterLink> link(new RedisClusterLink(std::move(options)));
  link->store_ = std::make_unique<Store>(link->options_);
  if (auto error = link->store_->open()) return *error;
  if (link->options_.node) {
    link->node_ = *link->options_.node;
  } else {
    RedisReplyPtr id = link->store_->command({"INCR", link->options_.prefix + ":node_ids"});
    if (!id || id->type != REDIS_REPLY_INTEGER) return make_error("cluster: redis did not hand out a node id");
    link->node_ = static_cast<NodeId>(id->integer);
  }
  return link;
}

RedisClusterLink::~RedisClusterLink() { stop(); }

void RedisClusterLink::start_bus(std::function<void(PeerMessage)> deliver) {
  if (bus_) return;
  bus_ = std::make_unique<Bus>(options_, node_, std::move(deliver));
}

void RedisClusterLink::stop() {
  if (bus_) bus_->stop();
  if (store_ && beaten_) {
    store_->command({"DEL", options_.prefix + ":alive:" + std::to_string(node_)});
    beaten_ = false;
  }
}

bool RedisClusterLink::bus_subscribed() const { return bus_ && bus_->subscribed(); }

void RedisClusterLink::publish(PeerMessage message) {
  last_members_version_.reset();
  if (!store_->command({"PUBLISH", options_.prefix + ":bus", encode_peer_message(message)})) ++store_failures_;
}

ClusterLink::SubscriptionChange RedisClusterLink::add_subscription(std::string_view app_id, std::string_view channel,
                                                                   int delta, bool delay_removal) {
  last_members_version_.reset();
  RedisReplyPtr reply =
      store_->eval(kAddSubscriptionScript, {std::to_string(node_), std::string(app_id), std::string(channel),
                                            std::to_string(delta), delay_removal ? "1" : "0"});
  if (!is_array(reply.get(), 3)) {
    ++store_failures_;
    return SubscriptionChange{delta > 0 ? 2u : 1u,
                              {}};  // as if another node held the channel: no occupied / vacated webhook
  }
  return SubscriptionChange{static_cast<std::size_t>(reply_unsigned(reply->element[0])),
                            {reply_unsigned(reply->element[1]), reply_unsigned(reply->element[2]) == 1}};
}

ClusterLink::MemberChange RedisClusterLink::add_member(std::string_view app_id, std::string_view channel,
                                                       const PresenceMember& member, int delta, bool delay_removal) {
  last_members_version_.reset();
  RedisReplyPtr reply =
      store_->eval(kAddMemberScript, {std::to_string(node_), std::string(app_id), std::string(channel), member.user_id,
                                      member.user_info.dump(), std::to_string(delta), delay_removal ? "1" : "0"});
  if (!is_array(reply.get(), 4)) {
    ++store_failures_;
    return MemberChange{delta > 0 ? 2u : 1u, 0, {}};  // as if another node had the user: no member event
  }
  return MemberChange{static_cast<std::size_t>(reply_unsigned(reply->element[0])),
                      reply_unsigned(reply->element[1]),
                      {reply_unsigned(reply->element[2]), reply_unsigned(reply->element[3]) == 1}};
}

std::uint64_t RedisClusterLink::member_version(std::string_view app_id, std::string_view channel) const {
  if (last_members_version_ && last_members_version_->first.first == app_id &&
      last_members_version_->first.second == channel) {
    const std::uint64_t version = last_members_version_->second;
    last_members_version_.reset();
    return version;
  }
  RedisReplyPtr reply = store_->command({"GET", options_.prefix + ":version:" + cid_text(app_id, channel)});
  if (!reply) ++store_failures_;
  return reply_unsigned(reply.get());
}

std::size_t RedisClusterLink::subscription_count(std::string_view app_id, std::string_view channel) const {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kSubscriptionCountScript, {std::string(app_id), std::string(channel)});
  if (!reply) ++store_failures_;
  return static_cast<std::size_t>(reply_unsigned(reply.get()));
}

std::vector<PresenceMember> RedisClusterLink::members(std::string_view app_id, std::string_view channel) const {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kMembersScript, {std::string(app_id), std::string(channel)});
  std::vector<PresenceMember> out;
  if (!is_array(reply.get(), 1)) {
    ++store_failures_;
    return out;
  }
  last_members_version_.emplace(std::make_pair(std::string(app_id), std::string(channel)),
                                reply_unsigned(reply->element[0]));
  for (std::size_t i = 1; i + 1 < reply->elements; i += 2) {
    Json info = Json::parse(reply_string(reply->element[i + 1]), nullptr, false);
    if (info.is_discarded()) info = nullptr;
    out.push_back(PresenceMember{reply_string(reply->element[i]), std::move(info)});
  }
  return out;
}

std::vector<std::string> RedisClusterLink::occupied_channels(std::string_view app_id) const {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->command(
      {"SMEMBERS", options_.prefix + ":occupied:" + std::to_string(app_id.size()) + ":" + std::string(app_id)});
  std::vector<std::string> out;
  if (!is_array(reply.get())) {
    ++store_failures_;
    return out;
  }
  for (std::size_t i = 0; i < reply->elements; ++i) out.push_back(reply_string(reply->element[i]));
  std::sort(out.begin(), out.end());
  return out;
}

std::uint64_t RedisClusterLink::hold_removal(const RemovalKey& key) {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kHoldRemovalScript, {std::to_string(node_), key.app_id, key.channel, key.user_id});
  if (!reply) ++store_failures_;
  return reply_unsigned(reply.get());  // 0 never releases: the webhook is not sent
}

bool RedisClusterLink::cancel_removal(const RemovalKey& key) {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kCancelRemovalScript, {key.app_id, key.channel, key.user_id});
  if (!reply) ++store_failures_;
  return reply_unsigned(reply.get()) == 1;
}

bool RedisClusterLink::release_removal(const RemovalKey& key, std::uint64_t token) {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(
      kReleaseRemovalScript, {std::to_string(node_), key.app_id, key.channel, key.user_id, std::to_string(token)});
  if (!reply) ++store_failures_;
  return reply_unsigned(reply.get()) == 1;
}

void RedisClusterLink::heartbeat(TimeNs expires_at) {
  last_members_version_.reset();
  const DurationNs ttl = std::max<DurationNs>(expires_at - real_now(), ms(1));
  RedisReplyPtr reply = store_->eval(kHeartbeatScript, {std::to_string(node_), std::to_string(ttl / kNsPerMs)});
  if (!reply) {
    ++store_failures_;
    return;
  }
  if (beaten_ && reply_unsigned(reply.get()) == 1) {
    options_.log("cluster: node " + std::to_string(node_) + " was missing from " + options_.prefix +
                 ":nodes when its heartbeat reached redis again (another node claimed it as dead, or redis lost "
                 "its data): the members and subscriptions of its connections are out of the cluster's view "
                 "until they reconnect");
  }
  beaten_ = true;
}

std::vector<NodeId> RedisClusterLink::expired_nodes(TimeNs /*now*/) const {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kExpiredNodesScript, {std::to_string(node_)});
  std::vector<NodeId> out;
  if (!is_array(reply.get())) {
    if (!reply) ++store_failures_;
    return out;
  }
  for (std::size_t i = 0; i < reply->elements; ++i)
    out.push_back(static_cast<NodeId>(reply_unsigned(reply->element[i])));
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<NodeRemains> RedisClusterLink::claim_node(NodeId node, TimeNs /*now*/) {
  last_members_version_.reset();
  RedisReplyPtr reply = store_->eval(kClaimNodeScript, {std::to_string(node_), std::to_string(node)});
  if (!reply) ++store_failures_;
  if (!is_array(reply.get(), 5)) return std::nullopt;
  NodeRemains remains;
  const redisReply* vacated = reply->element[0];
  const redisReply* removed = reply->element[1];
  const redisReply* held = reply->element[2];
  const redisReply* vacated_holds = reply->element[3];
  for (std::size_t i = 0; is_array(vacated) && i < vacated->elements; ++i) {
    if (auto cid = parse_cid(reply_string(vacated->element[i]))) {
      remains.vacated.push_back(std::move(*cid));
      const bool token = is_array(vacated_holds) && i < vacated_holds->elements;
      remains.vacated_holds.push_back(token ? reply_unsigned(vacated_holds->element[i]) : 0);
    }
  }
  for (std::size_t i = 0; is_array(removed) && i + 3 < removed->elements; i += 4) {
    if (auto cid = parse_cid(reply_string(removed->element[i]))) {
      remains.removed_members.push_back({cid->first, cid->second, reply_string(removed->element[i + 1]),
                                         reply_unsigned(removed->element[i + 2]),
                                         reply_unsigned(removed->element[i + 3])});
    }
  }
  const redisReply* recounted = reply->element[4];
  for (std::size_t i = 0; is_array(recounted) && i + 1 < recounted->elements; i += 2) {
    if (auto cid = parse_cid(reply_string(recounted->element[i]))) {
      remains.recounted.push_back(
          {cid->first, cid->second, static_cast<std::size_t>(reply_unsigned(recounted->element[i + 1]))});
    }
  }
  for (std::size_t i = 0; is_array(held) && i + 1 < held->elements; i += 2) {
    if (auto key = parse_hid(reply_string(held->element[i]))) {
      remains.held_removals.push_back(std::move(*key));
      remains.held_tokens.push_back(reply_unsigned(held->element[i + 1]));
    }
  }
  if (node != node_) {
    options_.log("cluster: node " + std::to_string(node_) + " claimed dead node " + std::to_string(node) + ": " +
                 std::to_string(remains.removed_members.size()) + " member(s) removed, " +
                 std::to_string(remains.vacated.size()) + " channel(s) vacated");
  }
  return remains;
}

}  // namespace pushsim
