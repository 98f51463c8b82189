// Connecting to Redis, one command, the redis:// URL and PeerMessage's JSON on the bus.
#include "net/redis_context.hpp"

#include <sys/time.h>
#include <charconv>

#include "protocol/json.hpp"

namespace pushsim {

namespace detail {

namespace {

timeval to_timeval(std::chrono::milliseconds duration) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(duration.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((duration.count() % 1000) * 1000);
  return tv;
}

}  // namespace

Result<RedisContextPtr> redis_connect(const RedisAddress& address, std::chrono::milliseconds connect_timeout,
                                      std::chrono::milliseconds command_timeout) {
  RedisContextPtr context(redisConnectWithTimeout(address.host.c_str(), address.port, to_timeval(connect_timeout)));
  const std::string where = "redis at " + address.text();
  if (!context) return make_error("cannot reach " + where + ": out of memory");
  if (context->err != 0) return make_error("cannot reach " + where + ": " + context->errstr);
  if (redisSetTimeout(context.get(), to_timeval(command_timeout)) != REDIS_OK ||
      redisEnableKeepAlive(context.get()) != REDIS_OK) {
    return make_error("cannot set timeouts on the connection to " + where + ": " + context->errstr);
  }
  if (address.db != 0) {
    RedisReplyPtr reply = redis_command(*context, {"SELECT", std::to_string(address.db)});
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
      return make_error("cannot SELECT database " + std::to_string(address.db) + " on " + where + ": " +
                        (reply ? redis_reply_text(reply.get()) : std::string(context->errstr)));
    }
  }
  return context;
}

RedisReplyPtr redis_command(redisContext& context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  void* reply = redisCommandArgv(&context, static_cast<int>(args.size()), argv.data(), lengths.data());
  return RedisReplyPtr(static_cast<redisReply*>(reply));
}

std::string redis_reply_text(const redisReply* reply) {
  if (reply == nullptr) return "no reply";
  switch (reply->type) {
    case REDIS_REPLY_ERROR: return "error reply: " + std::string(reply->str, reply->len);
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: return "reply \"" + std::string(reply->str, reply->len) + "\"";
    case REDIS_REPLY_INTEGER: return "reply " + std::to_string(reply->integer);
    case REDIS_REPLY_NIL: return "nil reply";
    case REDIS_REPLY_ARRAY: return "array reply of " + std::to_string(reply->elements);
    default: return "reply of type " + std::to_string(reply->type);
  }
}

}  // namespace detail

std::string RedisAddress::text() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisAddress> parse_redis_url(std::string_view url) {
  const std::string shown = "cluster URL '" + std::string(url) + "'";
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return make_error(shown + ": expected redis://HOST[:PORT][/DB]");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos) return make_error(shown + ": user and password are not supported");
  RedisAddress address;
  const auto slash = rest.find('/');
  std::string_view host_port = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), address.db);
      if (ec != std::errc() || end != db.data() + db.size() || address.db < 0) {
        return make_error(shown + ": the database must be a number");
      }
    }
  }
  const auto colon = host_port.rfind(':');
  address.host = std::string(host_port.substr(0, colon));
  if (colon != std::string_view::npos) {
    std::string_view port = host_port.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
    if (ec != std::errc() || end != port.data() + port.size() || address.port < 1 || address.port > 65535) {
      return make_error(shown + ": the port must be 1..65535");
    }
  }
  if (address.host.empty()) return make_error(shown + ": no host");
  return address;
}

std::string encode_peer_message(const PeerMessage& message) {
  Json json = {
      {"from", message.from}, {"app_id", message.app_id}, {"channel", message.channel}, {"text", message.text}};
  if (message.exclude_socket_id) json["exclude_socket_id"] = *message.exclude_socket_id;
  if (message.cache) {
    json["cache"] = {
        {"event", message.cache->event}, {"data", message.cache->data}, {"expires_at", message.cache->expires_at}};
  }
  if (message.member) {
    json["member"] = *message.member;
    json["member_version"] = message.member_version;
  }
  if (message.user_notice) {
    json["user_notice"] = {{"user_id", message.user_notice->user_id}, {"action", message.user_notice->action}};
  }
  return json.dump();
}

std::optional<PeerMessage> decode_peer_message(std::string_view text) {
  Json json = Json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  auto string_at = [&json](const char* key) -> const std::string* {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const auto from = json.find("from");
  const std::string* app_id = string_at("app_id");
  const std::string* channel = string_at("channel");
  const std::string* frame = string_at("text");
  if (from == json.end() || !from->is_number_unsigned() || !app_id || !channel || !frame) return std::nullopt;
  PeerMessage message;
  message.from = from->get<NodeId>();
  message.app_id = *app_id;
  message.channel = *channel;
  message.text = *frame;
  if (json.contains("exclude_socket_id")) {
    const std::string* socket_id = string_at("exclude_socket_id");
    if (!socket_id) return std::nullopt;
    message.exclude_socket_id = *socket_id;
  }
  if (auto cache = json.find("cache"); cache != json.end()) {
    if (!cache->is_object() || !cache->contains("event") || !(*cache)["event"].is_string() ||
        !cache->contains("data") || !(*cache)["data"].is_string() || !cache->contains("expires_at") ||
        !(*cache)["expires_at"].is_number_integer()) {
      return std::nullopt;
    }
    message.cache = CachedEvent{(*cache)["event"].get<std::string>(), (*cache)["data"].get<std::string>(),
                                (*cache)["expires_at"].get<TimeNs>()};
  }
  if (json.contains("member")) {
    const std::string* member = string_at("member");
    const auto version = json.find("member_version");
    if (!member || version == json.end() || !version->is_number_unsigned()) return std::nullopt;
    message.member = *member;
    message.member_version = version->get<std::uint64_t>();
  }
  if (auto notice = json.find("user_notice"); notice != json.end()) {
    if (!notice->is_object()) return std::nullopt;
    auto user = notice->find("user_id");
    auto action = notice->find("action");
    if (user == notice->end() || !user->is_string() || action == notice->end() || !action->is_string()) {
      return std::nullopt;
    }
    message.user_notice = UserNotice{user->get<std::string>(), action->get<std::string>()};
  }
  return message;
}

}  // namespace pushsim
