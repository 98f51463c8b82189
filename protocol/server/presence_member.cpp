#include "protocol/server/presence_member.hpp"

#include <string>

#include "protocol/channel_name.hpp"

namespace pushsim {
namespace {

Result<std::string> user_id_of(const Json& object) {
  auto it = object.find("user_id");
  if (it == object.end()) return make_error("channel_data has no user_id");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_unsigned()) return std::to_string(it->get<std::uint64_t>());
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return make_error("channel_data user_id must be a string");
}

}  // namespace

Result<PresenceMember> parse_presence_member(std::string_view channel_data, const Limits& limits) {
  if (channel_data.size() > limits.presence_user_object_max_bytes) {
    return make_error("channel_data is " + std::to_string(channel_data.size()) + " bytes; the limit is " +
                      std::to_string(limits.presence_user_object_max_bytes));
  }
  Json parsed = Json::parse(channel_data.begin(), channel_data.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return make_error("channel_data must be a JSON object");
  auto user_id = user_id_of(parsed);
  if (!user_id) return user_id.error();
  if (auto invalid = validate_user_id(*user_id, limits.presence_user_id_max)) return *invalid;
  PresenceMember member;
  member.user_id = std::move(user_id).value();
  if (auto info = parsed.find("user_info"); info != parsed.end()) member.user_info = *info;
  return member;
}

}  // namespace pushsim
