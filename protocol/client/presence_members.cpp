#include "protocol/client/presence_members.hpp"

#include <utility>

#include "protocol/client/client_frames.hpp"

namespace pushsim {

std::optional<std::string> member_key(const Json& user_id) {
  if (user_id.is_string()) return user_id.get<std::string>();
  if (user_id.is_number()) return dump_json(user_id);
  return std::nullopt;
}

static Result<std::string> read_user_id(const Json& data, const char* event) {
  if (!data.is_object()) return make_error(std::string(event) + " data must be an object");
  auto it = data.find("user_id");
  if (it == data.end()) return make_error(std::string(event) + " data has no user_id");
  auto key = member_key(*it);
  if (!key) return make_error(std::string(event) + " user_id must be a string or a number");
  return *key;
}

std::optional<Error> PresenceMembers::on_subscription(const Json& data) {
  hash_.clear();
  count_ = 0;
  me_.reset();
  std::optional<Error> error;
  const Json* presence = nullptr;
  if (data.is_object() && data.contains("presence") && data["presence"].is_object()) presence = &data["presence"];
  if (presence == nullptr) return make_error("presence subscription_succeeded data has no \"presence\" object");

  auto hash = presence->find("hash");
  if (hash != presence->end() && hash->is_object()) {
    for (const auto& [id, info] : hash->items()) hash_[id] = info;
  } else {
    error = make_error("presence data has no \"hash\" object");
  }
  auto count = presence->find("count");
  if (count != presence->end() && count->is_number_integer()) {
    count_ = count->get<std::int64_t>();  // a count above INT64_MAX comes out negative here
    // A negative count is no count a server could mean; starting from it, or from a count
    // at the top of the range, member events would overflow the counter.
    if (count_ < 0 || count_ > kCountMax) {
      if (!error) error = make_error("presence \"count\" " + dump_json(*count) + " is out of range");
      count_ = static_cast<std::int64_t>(hash_.size());
    }
  } else {
    count_ = static_cast<std::int64_t>(hash_.size());
    if (!error) error = make_error("presence data has no integer \"count\"");
  }
  if (my_id_) me_ = get(*my_id_);
  return error;
}

Result<MemberInfo> PresenceMembers::add(const Json& data) {
  auto id = read_user_id(data, "member_added");
  if (!id) return id.error();
  // Saturates: a server may send member_added without end.
  if (hash_.find(*id) == hash_.end() && count_ < kCountMax) ++count_;
  auto info = data.find("user_info");
  Json value = info == data.end() ? Json(nullptr) : *info;
  hash_[*id] = value;
  return MemberInfo{*id, std::move(value)};
}

Result<std::optional<MemberInfo>> PresenceMembers::remove(const Json& data) {
  auto id = read_user_id(data, "member_removed");
  if (!id) return id.error();
  auto it = hash_.find(*id);
  if (it == hash_.end()) return std::optional<MemberInfo>{};
  MemberInfo removed{it->first, it->second};
  hash_.erase(it);
  --count_;
  return std::optional<MemberInfo>{std::move(removed)};
}

void PresenceMembers::reset() {
  hash_.clear();
  count_ = 0;
  my_id_.reset();
  me_.reset();
}

std::optional<MemberInfo> PresenceMembers::get(const std::string& id) const {
  auto it = hash_.find(id);
  if (it == hash_.end()) return std::nullopt;
  return MemberInfo{it->first, it->second};
}

}  // namespace pushsim
