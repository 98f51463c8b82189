#pragma once
// The few URL shapes the live side dials: ws://, wss://, http:// and https:// with a host,
// an optional port and an optional path. Anything else is an error value, not a guess.
#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace pushsim {

struct Url {
  std::string scheme;  // "ws", "wss", "http" or "https", lowercase
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // explicit, or the scheme's default ("80" / "443")
  std::string target;  // path plus query, "/" when the URL had none

  bool tls() const { return scheme == "wss" || scheme == "https"; }
  // The Host header: host, plus ":port" unless it is the scheme's default.
  std::string host_header() const;
};

Result<Url> parse_url(std::string_view text);

}  // namespace pushsim
