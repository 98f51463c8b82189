#pragma once
// The member list a presence-channel subscriber keeps, the way pusher-js's Members does
// (docs/protocol.md §3.2, §3.4):
// - subscription_succeeded replaces everything with the server's `hash` and `count` (pusher-js
//   never reads `ids`) and fixes `me` from the user id of our own channel_data;
// - member_added counts up only for a user id it did not know, but always stores the info;
// - member_removed counts down only for a user id it knew; an unknown id changes nothing.
// `count` is the server's number adjusted by those rules, not the size of the hash: when a
// server sends a count that disagrees with its hash, the app sees that disagreement too.
//
// User ids are object keys in pusher-js, so a numeric id 10 and the string "10" are one
// member; other JSON types are refused as malformed.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "protocol/json.hpp"
#include "protocol/result.hpp"

namespace pushsim {

struct MemberInfo {
  std::string id;
  Json info;  // user_info; null when the server gave none

  bool operator==(const MemberInfo&) const = default;
};

class PresenceMembers {
 public:
  // The largest count accepted from a server, and where member_added stops counting: far
  // above any real presence channel, and far from overflowing the counter.
  static constexpr std::int64_t kCountMax = 1'000'000'000'000;

  // From our own channel_data, before subscribing.
  void set_my_id(std::optional<std::string> id) { my_id_ = std::move(id); }

  // `data` is the decoded subscription_succeeded data: {"presence":{"hash":{…},"count":N}}.
  // On malformed data the parts that could be read are kept and an Error says what was wrong.
  std::optional<Error> on_subscription(const Json& data);
  // `data` is the decoded member_added data: {"user_id":…,"user_info":…}.
  Result<MemberInfo> add(const Json& data);
  // `data` is the decoded member_removed data: {"user_id":…}. nullopt when the id was unknown.
  Result<std::optional<MemberInfo>> remove(const Json& data);
  void reset();

  std::int64_t count() const { return count_; }
  const std::map<std::string, Json>& hash() const { return hash_; }
  std::optional<MemberInfo> get(const std::string& id) const;
  // As pusher-js: looked up once, when the subscription succeeded.
  const std::optional<MemberInfo>& me() const { return me_; }
  const std::optional<std::string>& my_id() const { return my_id_; }

  bool operator==(const PresenceMembers&) const = default;

 private:
  std::map<std::string, Json> hash_;
  std::int64_t count_ = 0;
  std::optional<std::string> my_id_;
  std::optional<MemberInfo> me_;
};

// A user id as pusher-js would key it: strings as they are, numbers in their JSON spelling.
std::optional<std::string> member_key(const Json& user_id);

}  // namespace pushsim
