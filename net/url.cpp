#include "net/url.hpp"

#include <algorithm>
#include <charconv>

namespace pushsim {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::string_view default_port(std::string_view scheme) { return (scheme == "wss" || scheme == "https") ? "443" : "80"; }

bool valid_port(std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc{} && end == port.data() + port.size() && value > 0 && value <= 65535;
}

}  // namespace

std::string Url::host_header() const {
  std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port == default_port(scheme)) return name;
  return name + ":" + port;
}

Result<Url> parse_url(std::string_view text) {
  auto separator = text.find("://");
  if (separator == std::string_view::npos) return make_error("URL \"" + std::string(text) + "\" has no scheme://");
  Url url;
  url.scheme = lowercase(text.substr(0, separator));
  if (url.scheme != "ws" && url.scheme != "wss" && url.scheme != "http" && url.scheme != "https") {
    return make_error("URL scheme \"" + url.scheme + "\" is not ws, wss, http or https");
  }
  std::string_view rest = text.substr(separator + 3);
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!url.target.empty() && url.target.front() == '?') url.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return make_error("URL user information is not supported");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error("URL has an unclosed IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return make_error("URL has junk after the IPv6 literal");
    if (!after.empty()) port = after.substr(1);
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error("URL \"" + std::string(text) + "\" has no host");
  if (port.empty()) {
    url.port = std::string(default_port(url.scheme));
  } else if (valid_port(port)) {
    url.port = std::string(port);
  } else {
    return make_error("URL port \"" + std::string(port) + "\" is not a number in 1..65535");
  }
  return url;
}

}  // namespace pushsim
