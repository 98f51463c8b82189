#pragma once
// Names unique to one scenario of one live run, so that scenarios sharing a long-lived server
// (one after another, in parallel with --jobs, or in two runs within the hour a cache channel
// keeps its last event) never meet in a channel, a presence member list, a subscription count,
// a user's connections or a webhook.
//
// Theory of operation. Every channel name and user id the scenario sends gets a suffix,
// "_" + run token + "_" + scenario id + "_" (NameIsolation::channel, ::user); everything that
// comes back has every occurrence of the suffix removed (NameIsolation::unmap), so frames,
// webhooks, REST answers, traces and reports read as the scenario wrote them. A suffix keeps
// every prefix rule (private-, presence-, private-encrypted-, cache-, and filter_by_prefix)
// as it was, and starts with '_' so that it never completes one ("private" + "-x" would).
//
// A name keeps its exact form when suffixing would change what it tests: a name that is not
// valid (it must stay refused), one that would grow past the limit (164 characters for
// channels, 128 for user ids), a bare prefix ("private-"), or a reserved #-name other than
// #server-to-user-{id} (whose id is mapped as a user id). Such names are kept as written and
// remembered, so that they still count as the scenario's own (owns_channel).
//
// No suffix is a substring of another: the scenario id holds exactly one '.', no '_' after it,
// and is followed by '_', so "_T_presence.3_" never occurs inside "_T_presence.30_".
#include <set>
#include <string>
#include <string_view>

#include "protocol/json.hpp"

namespace pushsim::harness {

inline constexpr std::size_t kIsolatedChannelNameMax = 164;  // docs/protocol.md §2.3
inline constexpr std::size_t kIsolatedUserIdMax = 128;       // docs/protocol.md §2.4, presence user ids

// "_" + run_token + "_" + scenario_id + "_": what every isolated name of the scenario ends with.
std::string isolation_suffix(std::string_view run_token, std::string_view scenario_id);

class NameIsolation {
 public:
  explicit NameIsolation(std::string suffix);

  const std::string& suffix() const { return suffix_; }

  // The name the server sees for a channel the scenario names: name + suffix, or the name as
  // written when suffixing would change what it tests (see the header).
  std::string channel(std::string_view name);
  // The id the server sees for a user id the scenario names, by the same rule.
  std::string user(std::string_view user_id) const;

  // A REST path, app-relative or under /apps/ID: the segment after /channels/ as a channel,
  // the one after /users/ as a user id. Query parameters (filter_by_prefix) are left alone:
  // a suffix keeps every prefix.
  std::string rest_path(std::string_view path);
  // A REST body: the names under "channel", "channels" and "batch" items' "channel". The rest
  // of the text keeps its bytes (a malformed body stays as malformed); text that is not JSON
  // is sent as is.
  std::string rest_body(std::string_view body);
  // A frame a client sends: the names in its "channel" and its data's "channel" (an object, or
  // a string holding one), byte-preserving as rest_body.
  std::string frame_text(std::string_view text);
  // A presence channel_data given by a step: its "user_id" as a user id.
  Json channel_data(const Json& data) const;

  // What the server says, as the scenario wrote it: every occurrence of the suffix removed.
  std::string unmap(std::string_view text) const;
  Json unmap_json(const Json& value) const;

  // Whether a channel name the server reports (a webhook's channel, a key of a GET /channels
  // answer) is this scenario's: it carries the suffix, or the scenario sent it as written.
  bool owns_channel(std::string_view wire_name) const;

 private:
  // Replaces each whole-name occurrence of each name in `text` by its mapping.
  std::string replace_names(std::string_view text, const std::set<std::string>& names);

  std::string suffix_;
  std::set<std::string, std::less<>> kept_;  // channel names sent as written
};

}  // namespace pushsim::harness
