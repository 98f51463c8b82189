#include "net/redis_bus.hpp"

#include <poll.h>
#include <cerrno>

namespace pushsim {

namespace {

constexpr std::chrono::milliseconds kBusPollSlice{250};
// A bus silent for this long gets a PING (in RESP2 subscribe mode PING answers ["pong", ""]).
constexpr std::chrono::milliseconds kBusIdleBeforePing{2000};

std::string_view element_text(const redisReply& reply, std::size_t i) {
  if (i >= reply.elements || reply.element[i] == nullptr || reply.element[i]->type != REDIS_REPLY_STRING) return {};
  return std::string_view(reply.element[i]->str, reply.element[i]->len);
}

}  // namespace

RedisClusterLink::Bus::Bus(const RedisClusterOptions& options, NodeId self, std::function<void(PeerMessage)> deliver)
    : options_(options), self_(self), channel_(options.prefix + ":bus"), deliver_(std::move(deliver)) {
  thread_ = std::thread([this] { run(); });
}

void RedisClusterLink::Bus::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void RedisClusterLink::Bus::sleep_for(std::chrono::milliseconds duration) const {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
}

void RedisClusterLink::Bus::run() {
  std::chrono::milliseconds backoff = options_.retry_min;
  bool lost = false;
  while (!stopping_) {
    auto context = detail::redis_connect(options_.address, options_.connect_timeout, options_.command_timeout);
    std::optional<std::string> why;
    if (!context) {
      why = context.error().message;
    } else {
      if (lost) options_.log("cluster bus: connection to redis at " + options_.address.text() + " regained");
      why = listen(**context);
      if (subscribed_) backoff = options_.retry_min;
      subscribed_ = false;
    }
    if (stopping_) break;
    options_.log("cluster bus: " + why.value_or("lost") + "; messages from other nodes are lost until it is back, " +
                 "retrying in " + std::to_string(backoff.count()) + " ms");
    lost = true;
    sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
  }
}

bool RedisClusterLink::Bus::write_all(redisContext& context) {
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(&context, &done) != REDIS_OK) return false;
  }
  return true;
}

std::optional<std::string> RedisClusterLink::Bus::listen(redisContext& context) {
  const std::string where = "redis at " + options_.address.text();
  const char* argv[] = {"SUBSCRIBE", channel_.c_str()};
  const std::size_t lengths[] = {9, channel_.size()};
  if (redisAppendCommandArgv(&context, 2, argv, lengths) != REDIS_OK || !write_all(context)) {
    return "cannot SUBSCRIBE on " + where + ": " + context.errstr;
  }
  auto heard = std::chrono::steady_clock::now();
  bool ping_out = false;  // a PING awaits its answer, sent at `pinged`
  auto pinged = heard;
  while (!stopping_) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(&context, &raw) != REDIS_OK) return "bad reply from " + where + ": " + context.errstr;
    if (raw != nullptr) {
      detail::RedisReplyPtr reply(static_cast<redisReply*>(raw));
      on_reply(*reply);
      heard = std::chrono::steady_clock::now();
      ping_out = false;
      continue;
    }
    pollfd descriptor{context.fd, POLLIN, 0};
    const int ready = poll(&descriptor, 1, static_cast<int>(kBusPollSlice.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return "poll failed on the connection to " + where;
    const auto now = std::chrono::steady_clock::now();
    if (ready == 0) {
      if (ping_out && now - pinged > options_.command_timeout) return where + " did not answer a PING";
      if (!ping_out && now - heard > kBusIdleBeforePing) {
        const char* ping[] = {"PING"};
        const std::size_t ping_length[] = {4};
        if (redisAppendCommandArgv(&context, 1, ping, ping_length) != REDIS_OK || !write_all(context)) {
          return "lost the connection to " + where + ": " + context.errstr;
        }
        pinged = now;
        ping_out = true;
      }
      continue;
    }
    if (redisBufferRead(&context) != REDIS_OK) return "lost the connection to " + where + ": " + context.errstr;
  }
  return std::nullopt;
}

void RedisClusterLink::Bus::on_reply(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 2) return;
  const std::string_view kind = element_text(reply, 0);
  if (kind == "subscribe") {
    subscribed_ = true;
    return;
  }
  if (kind != "message" || reply.elements < 3) return;
  const std::string_view payload = element_text(reply, 2);
  auto message = decode_peer_message(payload);
  if (!message) {
    options_.log("cluster bus: dropped a message that is not a pushsim PeerMessage: " +
                 std::string(payload.substr(0, 200)));
    return;
  }
  if (message->from == self_) return;  // our own publication, back from Redis
  deliver_(std::move(*message));
}

}  // namespace pushsim
