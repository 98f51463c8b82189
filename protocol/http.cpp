#include "protocol/http.hpp"

#include <optional>

namespace pushsim {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte of the escape at text[i] ('%' then two hex digits), or nullopt when malformed.
std::optional<char> escape_at(std::string_view text, std::size_t i) {
  if (text.size() - i < 3) return std::nullopt;  // i < size() holds: the caller found '%' there
  int high = hex_value(text[i + 1]);
  int low = hex_value(text[i + 2]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<char>(high * 16 + low);
}

// Strict query-component decoding: '+' is a space and every '%' must start a valid escape.
std::optional<std::string> decode_query_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      auto byte = escape_at(text, i);
      if (!byte) return std::nullopt;
      out += *byte;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equals_ignoring_ascii_case(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view HttpRequest::path() const {
  std::string_view all(target);
  return all.substr(0, all.find('?'));
}

std::string_view HttpRequest::raw_query() const {
  std::string_view all(target);
  auto question = all.find('?');
  if (question == std::string_view::npos) return {};
  return all.substr(question + 1);
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const { return find_header(headers, name); }

std::optional<std::string_view> HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

Result<QueryParams> parse_query(std::string_view raw_query) {
  QueryParams params;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    auto end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    auto part = raw_query.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;  // "a=1&&b=2" and a trailing '&' carry no parameter
    auto equals = part.find('=');
    auto raw_key = part.substr(0, equals);
    auto raw_value = equals == std::string_view::npos ? std::string_view{} : part.substr(equals + 1);
    auto key = decode_query_component(raw_key);
    if (!key) {
      return make_error("query parameter name '" + std::string(raw_key) + "' has a malformed percent escape", 400);
    }
    auto value = decode_query_component(raw_value);
    if (!value) {
      return make_error("query parameter '" + *key + "' has a malformed percent escape in its value", 400);
    }
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return params;
}

std::string percent_decode_or_keep(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = text[i] == '%' ? escape_at(text, i) : std::nullopt;
    if (byte) {
      out += *byte;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c)) {
      out += c;
      continue;
    }
    auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

}  // namespace pushsim
