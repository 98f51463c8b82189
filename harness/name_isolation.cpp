#include "harness/name_isolation.hpp"

#include <array>

#include "protocol/channel_name.hpp"

namespace pushsim::harness {
namespace {

// The characters of channel names and user ids (docs/protocol.md §2.3).
bool is_name_char(char c) {
  const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
}

// The kind prefixes, whole: a bare prefix is a name of its own (names.20 checks "private-").
constexpr std::array<std::string_view, 7> kBarePrefixes = {"private-encrypted-cache-",
                                                           "private-encrypted-",
                                                           "private-cache-",
                                                           "presence-cache-",
                                                           "private-",
                                                           "presence-",
                                                           "cache-"};

bool is_bare_prefix(std::string_view name) {
  for (auto prefix : kBarePrefixes) {
    if (name == prefix) return true;
  }
  return false;
}

std::optional<Json> parse_json(std::string_view text) {
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

void add_string(const Json& value, std::set<std::string>& names) {
  if (value.is_string()) names.insert(value.get<std::string>());
}

// The channel names a REST body carries: "channel", "channels", and those of "batch" items.
void body_names(const Json& body, std::set<std::string>& names) {
  if (!body.is_object()) return;
  if (auto it = body.find("channel"); it != body.end()) add_string(*it, names);
  if (auto it = body.find("channels"); it != body.end() && it->is_array()) {
    for (const auto& item : *it) add_string(item, names);
  }
  if (auto it = body.find("batch"); it != body.end() && it->is_array()) {
    for (const auto& item : *it) body_names(item, names);
  }
}

}  // namespace

std::string isolation_suffix(std::string_view run_token, std::string_view scenario_id) {
  return "_" + std::string(run_token) + "_" + std::string(scenario_id) + "_";
}

NameIsolation::NameIsolation(std::string suffix) : suffix_(std::move(suffix)) {}

std::string NameIsolation::channel(std::string_view name) {
  if (auto user_id = server_to_user_id(name)) return "#server-to-user-" + user(*user_id);
  const std::string mapped = std::string(name) + suffix_;
  const bool keep = validate_channel_name(name, kIsolatedChannelNameMax, false).has_value() || is_bare_prefix(name) ||
                    validate_channel_name(mapped, kIsolatedChannelNameMax, false).has_value() ||
                    !(classify_channel(mapped) == classify_channel(name));
  if (!keep) return mapped;
  kept_.emplace(name);
  return std::string(name);
}

std::string NameIsolation::user(std::string_view user_id) const {
  const std::string mapped = std::string(user_id) + suffix_;
  const bool keep = validate_user_id(user_id, kIsolatedUserIdMax).has_value() ||
                    validate_user_id(mapped, kIsolatedUserIdMax).has_value();
  return keep ? std::string(user_id) : mapped;
}

std::string NameIsolation::rest_path(std::string_view path) {
  const std::size_t query = path.find('?');
  const std::string_view route = path.substr(0, query);
  std::string out;
  std::size_t from = 0;
  for (const std::string_view marker : {std::string_view("/channels/"), std::string_view("/users/")}) {
    const std::size_t at = route.find(marker);
    if (at == std::string_view::npos || at < from) continue;
    const std::size_t start = at + marker.size();
    const std::size_t end = std::min(route.find('/', start), route.size());
    const std::string_view segment = route.substr(start, end - start);
    out += route.substr(from, start - from);
    out += marker == "/users/" ? user(segment) : channel(segment);
    from = end;
  }
  out += path.substr(from);
  return out;
}

std::string NameIsolation::rest_body(std::string_view body) {
  auto parsed = parse_json(body);
  if (!parsed) return std::string(body);
  std::set<std::string> names;
  body_names(*parsed, names);
  return replace_names(body, names);
}

std::string NameIsolation::frame_text(std::string_view text) {
  auto parsed = parse_json(text);
  if (!parsed || !parsed->is_object()) return std::string(text);
  std::set<std::string> names;
  if (auto it = parsed->find("channel"); it != parsed->end()) add_string(*it, names);
  if (auto it = parsed->find("data"); it != parsed->end()) {
    std::optional<Json> data = *it;
    if (it->is_string()) data = parse_json(it->get<std::string>());
    if (data && data->is_object()) {
      if (auto channel = data->find("channel"); channel != data->end()) add_string(*channel, names);
    }
  }
  return replace_names(text, names);
}

Json NameIsolation::channel_data(const Json& data) const {
  if (!data.is_object()) return data;
  auto it = data.find("user_id");
  if (it == data.end() || !it->is_string()) return data;
  Json out = data;
  out["user_id"] = user(it->get<std::string>());
  return out;
}

std::string NameIsolation::replace_names(std::string_view text, const std::set<std::string>& names) {
  std::string out(text);
  for (const auto& name : names) {
    if (name.empty()) continue;
    const std::string mapped = channel(name);
    if (mapped == name) continue;
    // Whole names only: "news" in "news2" is another name. A name in a JSON string is bounded
    // by quotes (or by \" inside a string-encoded object), which are not name characters.
    std::size_t at = 0;
    while ((at = out.find(name, at)) != std::string::npos) {
      const std::size_t end = at + name.size();
      const bool whole = (at == 0 || !is_name_char(out[at - 1])) && (end == out.size() || !is_name_char(out[end]));
      if (!whole) {
        ++at;
        continue;
      }
      out.replace(at, name.size(), mapped);
      at += mapped.size();
    }
  }
  return out;
}

std::string NameIsolation::unmap(std::string_view text) const {
  std::string out;
  std::size_t from = 0;
  for (std::size_t at = text.find(suffix_); at != std::string_view::npos; at = text.find(suffix_, from)) {
    out += text.substr(from, at - from);
    from = at + suffix_.size();
  }
  out += text.substr(from);
  return out;
}

Json NameIsolation::unmap_json(const Json& value) const {
  if (value.is_string()) return Json(unmap(value.get_ref<const std::string&>()));
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(unmap_json(item));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, item] : value.items()) out[unmap(key)] = unmap_json(item);
  return out;
}

bool NameIsolation::owns_channel(std::string_view wire_name) const {
  return wire_name.ends_with(suffix_) || kept_.find(wire_name) != kept_.end();
}

}  // namespace pushsim::harness
