#pragma once
// The Lua scripts behind RedisClusterLink's store calls: each call is one script, so one atomic
// step in Redis (the same operations as fakes/cluster_store.cpp, key for key). Every script takes
// the key prefix as ARGV[1] and builds its key names from it; CID is "LEN:APP:CHANNEL" and HID
// "LEN:APP:LEN:CHANNEL:USER" (lengths in bytes), so that no names can make two keys collide.
//
//   PREFIX:sub:CID            hash node -> that node's subscriptions to the channel
//   PREFIX:occupied:LEN:APP   set of the app's channels with a subscriber on some node
//   PREFIX:mnode:NODE:CID     hash user -> that node's connections of the user in the channel
//   PREFIX:mcount:CID         hash user -> the user's connections over all nodes
//   PREFIX:minfo:CID          hash user -> user_info (JSON) recorded at the first join
//   PREFIX:morder:CID         sorted set user -> join sequence (PREFIX:joins)
//   PREFIX:version:CID        the channel's member version (kept when the channel empties)
//   PREFIX:hold:HID           hash token, node: a held removal webhook (token from PREFIX:holds)
//   PREFIX:node:NODE:channels set of CIDs where the node has subscriptions or members
//   PREFIX:node:NODE:holds    set of HIDs the node holds
//   PREFIX:nodes              set of nodes that heartbeat and have not been claimed
//   PREFIX:alive:NODE         the heartbeat, with a PX expiry
//   PREFIX:node_ids           counter for nodes started without --node-id
//   PREFIX:bus                the pub/sub channel
#include <string_view>

namespace pushsim::redis_scripts {

// Shared by the scripts that need a CID taken apart.
#define PUSHSIM_LUA_SPLIT_CID                                                        \
  "local function split(cid)\n"                                                      \
  "  local colon = string.find(cid, ':', 1, true)\n"                                 \
  "  local n = tonumber(string.sub(cid, 1, colon - 1))\n"                            \
  "  return string.sub(cid, colon + 1, colon + n), string.sub(cid, colon + n + 2)\n" \
  "end\n"

// Holds and cancels of removal webhooks (PREFIX:hold:HID), shared by the scripts that move a
// count (the decision is made in the same atomic step as the count: ClusterLink::RemovalDecision)
// and by the hold/cancel scripts. decide() returns {hold token or 0, 1 when it cancelled a hold}.
#define PUSHSIM_LUA_HOLDS                                                                                          \
  "local function hid_of(app, ch, user) return #app .. ':' .. app .. ':' .. #ch .. ':' .. ch .. ':' .. user end\n" \
  "local function hold(p, node, hid)\n"                                                                            \
  "  local key = p .. ':hold:' .. hid\n"                                                                           \
  "  local old = redis.call('HGET', key, 'node')\n"                                                                \
  "  if old then redis.call('SREM', p .. ':node:' .. old .. ':holds', hid) end\n"                                  \
  "  local token = redis.call('INCR', p .. ':holds')\n"                                                            \
  "  redis.call('HSET', key, 'token', token, 'node', node)\n"                                                      \
  "  redis.call('SADD', p .. ':node:' .. node .. ':holds', hid)\n"                                                 \
  "  return token\n"                                                                                               \
  "end\n"                                                                                                          \
  "local function cancel(p, hid)\n"                                                                                \
  "  local key = p .. ':hold:' .. hid\n"                                                                           \
  "  local old = redis.call('HGET', key, 'node')\n"                                                                \
  "  if not old then return 0 end\n"                                                                               \
  "  redis.call('DEL', key)\n"                                                                                     \
  "  redis.call('SREM', p .. ':node:' .. old .. ':holds', hid)\n"                                                  \
  "  return 1\n"                                                                                                   \
  "end\n"                                                                                                          \
  "local function decide(p, node, hid, delay, before, after)\n"                                                    \
  "  if delay ~= '1' then return {0, 0} end\n"                                                                     \
  "  if before > 0 and after == 0 then return {hold(p, node, hid), 0} end\n"                                       \
  "  if before == 0 and after > 0 then return {0, cancel(p, hid)} end\n"                                           \
  "  return {0, 0}\n"                                                                                              \
  "end\n"

// ARGV: prefix, node, app, channel, delta, delay_removal ("1"/"0"). Returns {the cluster-wide
// total after, hold token, cancelled}.
inline constexpr std::string_view kAddSubscription = PUSHSIM_LUA_HOLDS R"lua(
local p, node, app, ch, delta, delay = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local cid = #app .. ':' .. app .. ':' .. ch
local key = p .. ':sub:' .. cid
local mine = tonumber(redis.call('HGET', key, node) or '0')
local after = mine + delta
if after < 0 then after = 0 end
if after == 0 then redis.call('HDEL', key, node) else redis.call('HSET', key, node, after) end
local total = 0
for _, v in ipairs(redis.call('HVALS', key)) do total = total + tonumber(v) end
local occupied = p .. ':occupied:' .. #app .. ':' .. app
if total > 0 then redis.call('SADD', occupied, ch) else redis.call('SREM', occupied, ch) end
local index = p .. ':node:' .. node .. ':channels'
if after > 0 then
  redis.call('SADD', index, cid)
elseif redis.call('EXISTS', p .. ':mnode:' .. node .. ':' .. cid) == 0 then
  redis.call('SREM', index, cid)
end
local decision = decide(p, node, hid_of(app, ch, ''), delay, total - after + mine, total)
return {total, decision[1], decision[2]}
)lua";

// ARGV: prefix, node, app, channel, user, user_info JSON, delta, delay_removal. Returns
// {connections, version, hold token, cancelled}.
inline constexpr std::string_view kAddMember = PUSHSIM_LUA_HOLDS R"lua(
local p, node, app, ch, user, info, delta = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local delay = ARGV[8]
local cid = #app .. ':' .. app .. ':' .. ch
local mine_key = p .. ':mnode:' .. node .. ':' .. cid
local totals = p .. ':mcount:' .. cid
local mine = tonumber(redis.call('HGET', mine_key, user) or '0')
local before = redis.call('HGET', totals, user)
local added = not before
local after = mine + delta
if after < 0 then after = 0 end
local total = tonumber(before or '0') - mine + after
if after == 0 then redis.call('HDEL', mine_key, user) else redis.call('HSET', mine_key, user, after) end
local vkey = p .. ':version:' .. cid
local version
if added or total == 0 then
  version = redis.call('INCR', vkey)
else
  version = tonumber(redis.call('GET', vkey) or '0')
end
if total == 0 then
  redis.call('HDEL', totals, user)
  redis.call('HDEL', p .. ':minfo:' .. cid, user)
  redis.call('ZREM', p .. ':morder:' .. cid, user)
else
  redis.call('HSET', totals, user, total)
  if added then
    redis.call('HSET', p .. ':minfo:' .. cid, user, info)
    redis.call('ZADD', p .. ':morder:' .. cid, redis.call('INCR', p .. ':joins'), user)
  end
end
local index = p .. ':node:' .. node .. ':channels'
if after > 0 then
  redis.call('SADD', index, cid)
elseif redis.call('HEXISTS', p .. ':sub:' .. cid, node) == 0 and redis.call('EXISTS', mine_key) == 0 then
  redis.call('SREM', index, cid)
end
local decision = decide(p, node, hid_of(app, ch, user), delay, tonumber(before or '0'), total)
return {total, version, decision[1], decision[2]}
)lua";

// ARGV: prefix, app, channel. Returns {version, user1, info1, user2, info2, ...} by first join.
inline constexpr std::string_view kMembers = R"lua(
local p, app, ch = ARGV[1], ARGV[2], ARGV[3]
local cid = #app .. ':' .. app .. ':' .. ch
local out = {tonumber(redis.call('GET', p .. ':version:' .. cid) or '0')}
for _, user in ipairs(redis.call('ZRANGE', p .. ':morder:' .. cid, 0, -1)) do
  out[#out + 1] = user
  out[#out + 1] = redis.call('HGET', p .. ':minfo:' .. cid, user) or 'null'
end
return out
)lua";

// ARGV: prefix, app, channel. Returns the cluster-wide subscription count.
inline constexpr std::string_view kSubscriptionCount = R"lua(
local p, app, ch = ARGV[1], ARGV[2], ARGV[3]
local total = 0
for _, v in ipairs(redis.call('HVALS', p .. ':sub:' .. #app .. ':' .. app .. ':' .. ch)) do total = total + tonumber(v) end
return total
)lua";

// ARGV: prefix, node, app, channel, user. Returns the new hold's token.
inline constexpr std::string_view kHoldRemoval = PUSHSIM_LUA_HOLDS R"lua(
local p, node, app, ch, user = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
return hold(p, node, hid_of(app, ch, user))
)lua";

// ARGV: prefix, app, channel, user. Returns 1 when there was a hold (whoever held it).
inline constexpr std::string_view kCancelRemoval = PUSHSIM_LUA_HOLDS R"lua(
local p, app, ch, user = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
return cancel(p, hid_of(app, ch, user))
)lua";

// ARGV: prefix, node, app, channel, user, token. Returns 1 when the hold was still this one.
inline constexpr std::string_view kReleaseRemoval = R"lua(
local p, node, app, ch, user, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local hid = #app .. ':' .. app .. ':' .. #ch .. ':' .. ch .. ':' .. user
local key = p .. ':hold:' .. hid
local hold = redis.call('HMGET', key, 'token', 'node')
if hold[1] ~= token or hold[2] ~= node then return 0 end
redis.call('DEL', key)
redis.call('SREM', p .. ':node:' .. node .. ':holds', hid)
return 1
)lua";

// ARGV: prefix, node, ttl in ms. Returns 1 when the node was not in PREFIX:nodes before.
inline constexpr std::string_view kHeartbeat = R"lua(
local p, node, ttl = ARGV[1], ARGV[2], ARGV[3]
local fresh = redis.call('SADD', p .. ':nodes', node)
redis.call('SET', p .. ':alive:' .. node, '1', 'PX', ttl)
return fresh
)lua";

// ARGV: prefix, asking node. Returns the other nodes whose alive key has expired.
inline constexpr std::string_view kExpiredNodes = R"lua(
local p, asking = ARGV[1], ARGV[2]
local out = {}
for _, node in ipairs(redis.call('SMEMBERS', p .. ':nodes')) do
  if node ~= asking and redis.call('EXISTS', p .. ':alive:' .. node) == 0 then out[#out + 1] = node end
end
return out
)lua";

// ARGV: prefix, claimer, node. Returns nil when the node is alive or claimed already, else
// {vacated CIDs, {CID, user, version, hold token, ...} of removed members, {HID, token, ...} of
// the removals it held (now the claimer's), the hold tokens of the vacated channels, {CID,
// count, ...} of the channels other nodes still hold}: every
// removal held for the claimer in this same step (the node's own holds first, as the
// simulated store does).
inline constexpr std::string_view kClaimNode = PUSHSIM_LUA_SPLIT_CID PUSHSIM_LUA_HOLDS R"lua(
local p, claimer, node = ARGV[1], ARGV[2], ARGV[3]
if claimer ~= node then
  if redis.call('EXISTS', p .. ':alive:' .. node) == 1 then return false end
  if redis.call('SREM', p .. ':nodes', node) == 0 then return false end
else
  redis.call('SREM', p .. ':nodes', node)
end
redis.call('DEL', p .. ':alive:' .. node)
local vacated, removed, held, vacated_holds, recounted = {}, {}, {}, {}, {}
local hindex = p .. ':node:' .. node .. ':holds'
local hids = redis.call('SMEMBERS', hindex)
table.sort(hids)
if claimer ~= node then redis.call('DEL', hindex) end
for _, hid in ipairs(hids) do
  local key = p .. ':hold:' .. hid
  if redis.call('HGET', key, 'node') == node then
    redis.call('HSET', key, 'node', claimer)
    redis.call('SADD', p .. ':node:' .. claimer .. ':holds', hid)
    held[#held + 1] = hid
    held[#held + 1] = redis.call('HGET', key, 'token')
  end
end
local index = p .. ':node:' .. node .. ':channels'
local cids = redis.call('SMEMBERS', index)
table.sort(cids)
for _, cid in ipairs(cids) do
  local mine_key = p .. ':mnode:' .. node .. ':' .. cid
  local shares = redis.call('HGETALL', mine_key)
  local users, share_of = {}, {}
  for i = 1, #shares, 2 do
    users[#users + 1] = shares[i]
    share_of[shares[i]] = tonumber(shares[i + 1])
  end
  table.sort(users)
  local totals = p .. ':mcount:' .. cid
  for _, user in ipairs(users) do
    local total = tonumber(redis.call('HGET', totals, user) or '0') - share_of[user]
    if total <= 0 then
      redis.call('HDEL', totals, user)
      redis.call('HDEL', p .. ':minfo:' .. cid, user)
      redis.call('ZREM', p .. ':morder:' .. cid, user)
      removed[#removed + 1] = cid
      removed[#removed + 1] = user
      removed[#removed + 1] = redis.call('INCR', p .. ':version:' .. cid)
      local app, ch = split(cid)
      removed[#removed + 1] = hold(p, claimer, hid_of(app, ch, user))
    else
      redis.call('HSET', totals, user, total)
    end
  end
  redis.call('DEL', mine_key)
  local subs = p .. ':sub:' .. cid
  if redis.call('HDEL', subs, node) == 1 then
    local total = 0
    for _, v in ipairs(redis.call('HVALS', subs)) do total = total + tonumber(v) end
    if total == 0 then
      local app, ch = split(cid)
      redis.call('SREM', p .. ':occupied:' .. #app .. ':' .. app, ch)
      vacated[#vacated + 1] = cid
      vacated_holds[#vacated_holds + 1] = hold(p, claimer, hid_of(app, ch, ''))
    else
      recounted[#recounted + 1] = cid
      recounted[#recounted + 1] = total
    end
  end
end
redis.call('DEL', index)
return {vacated, removed, held, vacated_holds, recounted}
)lua";

#undef PUSHSIM_LUA_SPLIT_CID
#undef PUSHSIM_LUA_HOLDS

}  // namespace pushsim::redis_scripts
