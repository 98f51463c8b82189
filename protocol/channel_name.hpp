#pragma once
// Channel kinds and name rules (docs/protocol.md §2). Kinds are decided by prefix, longest first:
// "private-encrypted-" must be tested before "private-".
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace pushsim {

enum class ChannelKind {
  kPublic,
  kPrivate,
  kPresence,
  kEncrypted,         // private-encrypted-*
  kServerToUser,      // #server-to-user-{user_id}
  kReservedInternal,  // any other #-name: reserved, never subscribable
};

struct ChannelType {
  ChannelKind kind = ChannelKind::kPublic;
  bool cache = false;  // cache-, private-cache-, private-encrypted-cache-, presence-cache-

  bool operator==(const ChannelType&) const = default;
};

ChannelType classify_channel(std::string_view name);
std::string_view to_string(ChannelKind kind);

// Private, presence and encrypted channels need an auth signature to subscribe.
bool requires_auth(ChannelKind kind);
// Client events are allowed on private and presence channels only (§5 rule 2).
bool allows_client_events(ChannelKind kind);

// For #server-to-user-{id}, the id; otherwise nullopt.
std::optional<std::string> server_to_user_id(std::string_view name);

// Name rules: non-empty, at most max_length characters, characters from
// [A-Za-z0-9_\-=@,.;]. A leading '#' is accepted only when allow_internal is set (the
// subscribe path of a server, for #server-to-user-*); applications can never create one.
std::optional<Error> validate_channel_name(std::string_view name, std::size_t max_length, bool allow_internal);

// Event names: non-empty, at most max_length characters.
std::optional<Error> validate_event_name(std::string_view name, std::size_t max_length);

// socket_id format: ^\d+\.\d+$ (§1.5), anchored, no whitespace or sign.
bool is_valid_socket_id(std::string_view socket_id);

// User ids share the channel-name character set; presence ids are at most max_length long.
std::optional<Error> validate_user_id(std::string_view user_id, std::size_t max_length);

}  // namespace pushsim
