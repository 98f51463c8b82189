#pragma once
// The HTTP request/response model the engine's REST API and webhooks speak. Plain values:
// the live driver fills them from Beast, the simulator builds them directly.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.hpp"

namespace pushsim {

using Header = std::pair<std::string, std::string>;
using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded, in wire order

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // path plus raw query, exactly as on the wire: "/apps/1/events?auth_key=..."
  std::vector<Header> headers;
  std::string body;

  std::string_view path() const;       // target up to '?'
  std::string_view raw_query() const;  // after '?', or empty
  // Case-insensitive header lookup.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const;
};

// Splits a raw query string on '&' and '=', percent-decoding keys and values ('+' is a space).
// Malformed percent escapes are an error naming the offending parameter.
Result<QueryParams> parse_query(std::string_view raw_query);

// Case-insensitive lookup of the first header with this name (HTTP names are ASCII).
std::optional<std::string_view> find_header(const std::vector<Header>& headers, std::string_view name);
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);

// Decodes every well-formed %XX escape and keeps any malformed '%' literally, so that it
// never fails (for display and for path segments). '+' stays '+': only queries mean space.
std::string percent_decode_or_keep(std::string_view text);
// RFC 3986 unreserved characters are kept, everything else is %XX-encoded.
std::string percent_encode(std::string_view text);

}  // namespace pushsim
