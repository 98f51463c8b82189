#include "protocol/channel_name.hpp"

#include <array>
#include <utility>

namespace pushsim {
namespace {

constexpr std::string_view kServerToUserPrefix = "#server-to-user-";

struct Prefix {
  std::string_view text;
  ChannelType type;
};

// Longest first, so that the first match is the right one.
constexpr std::array<Prefix, 7> kPrefixes{{
    {"private-encrypted-cache-", {ChannelKind::kEncrypted, true}},
    {"private-encrypted-", {ChannelKind::kEncrypted, false}},
    {"private-cache-", {ChannelKind::kPrivate, true}},
    {"private-", {ChannelKind::kPrivate, false}},
    {"presence-cache-", {ChannelKind::kPresence, true}},
    {"presence-", {ChannelKind::kPresence, false}},
    {"cache-", {ChannelKind::kPublic, true}},
}};

bool is_name_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_':
    case '-':
    case '=':
    case '@':
    case ',':
    case '.':
    case ';': return true;
    default: return false;
  }
}

std::string printable(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
}

std::optional<Error> check_chars(std::string_view what, std::string_view text, std::size_t from) {
  for (std::size_t i = from; i < text.size(); ++i) {
    if (!is_name_char(text[i])) {
      return make_error(std::string(what) + " has invalid character " + printable(text[i]) + " at position " +
                        std::to_string(i) + "; allowed: A-Z a-z 0-9 _ - = @ , . ;");
    }
  }
  return std::nullopt;
}

}  // namespace

ChannelType classify_channel(std::string_view name) {
  if (name.starts_with(kServerToUserPrefix)) return {ChannelKind::kServerToUser, false};
  if (name.starts_with("#")) return {ChannelKind::kReservedInternal, false};
  for (const auto& prefix : kPrefixes) {
    if (name.starts_with(prefix.text)) return prefix.type;
  }
  return {ChannelKind::kPublic, false};
}

std::string_view to_string(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::kPublic: return "public";
    case ChannelKind::kPrivate: return "private";
    case ChannelKind::kPresence: return "presence";
    case ChannelKind::kEncrypted: return "encrypted";
    case ChannelKind::kServerToUser: return "server-to-user";
    case ChannelKind::kReservedInternal: return "reserved";
  }
  return "unknown";
}

bool requires_auth(ChannelKind kind) {
  return kind == ChannelKind::kPrivate || kind == ChannelKind::kPresence || kind == ChannelKind::kEncrypted;
}

bool allows_client_events(ChannelKind kind) { return kind == ChannelKind::kPrivate || kind == ChannelKind::kPresence; }

std::optional<std::string> server_to_user_id(std::string_view name) {
  if (!name.starts_with(kServerToUserPrefix)) return std::nullopt;
  return std::string(name.substr(kServerToUserPrefix.size()));
}

std::optional<Error> validate_channel_name(std::string_view name, std::size_t max_length, bool allow_internal) {
  if (name.empty()) return make_error("channel name is empty");
  if (name.size() > max_length) {
    return make_error("channel name is " + std::to_string(name.size()) + " characters long; the limit is " +
                      std::to_string(max_length));
  }
  std::size_t from = 0;
  if (name.front() == '#') {
    if (!allow_internal) return make_error("channel names starting with '#' are reserved for internal use");
    from = 1;
  }
  return check_chars("channel name", name, from);
}

std::optional<Error> validate_event_name(std::string_view name, std::size_t max_length) {
  if (name.empty()) return make_error("event name is empty");
  if (name.size() > max_length) {
    return make_error("event name is " + std::to_string(name.size()) + " characters long; the limit is " +
                      std::to_string(max_length));
  }
  return std::nullopt;
}

bool is_valid_socket_id(std::string_view socket_id) {
  auto dot = socket_id.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == socket_id.size()) return false;
  for (std::size_t i = 0; i < socket_id.size(); ++i) {
    if (i == dot) continue;
    if (socket_id[i] < '0' || socket_id[i] > '9') return false;
  }
  return true;
}

std::optional<Error> validate_user_id(std::string_view user_id, std::size_t max_length) {
  if (user_id.empty()) return make_error("user id is empty");
  if (user_id.size() > max_length) {
    return make_error("user id is " + std::to_string(user_id.size()) + " characters long; the limit is " +
                      std::to_string(max_length));
  }
  return check_chars("user id", user_id, 0);
}

}  // namespace pushsim
