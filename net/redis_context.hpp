#pragma once
// hiredis contexts and replies as owning pointers, and the bounded connect both of
// RedisClusterLink's connections use. Included only by net/redis_*.cpp (hiredis is private to
// pushsim_net).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "net/redis_cluster_link.hpp"
#include "protocol/result.hpp"

namespace pushsim::detail {

struct RedisContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextFree>;

struct RedisReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyFree>;

// Connects within connect_timeout, sets command_timeout on the socket and TCP keep-alive, and
// SELECTs the database. The error names the address.
Result<RedisContextPtr> redis_connect(const RedisAddress& address, std::chrono::milliseconds connect_timeout,
                                      std::chrono::milliseconds command_timeout);

// One command, arguments binary-safe. Null when the connection failed (context->err says why);
// an error reply is returned as a reply.
RedisReplyPtr redis_command(redisContext& context, const std::vector<std::string>& args);

// A reply as text for a log line: its error or type.
std::string redis_reply_text(const redisReply* reply);

}  // namespace pushsim::detail
