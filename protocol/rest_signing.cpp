// REST request signing and verification (docs/protocol.md §7.2), the part of signing.hpp that
// deals with query strings. Signing follows the Node SDK byte for byte; verification adds
// the official service's checks (key, version, timestamp window, body_md5) with one distinct
// message per failure so that a conformance report can say exactly what was wrong.
#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <vector>

#include "protocol/signing.hpp"

namespace pushsim {
namespace {

constexpr std::string_view kSignatureParam = "auth_signature";
// Parameters the signer adds itself; the SDK refuses them from callers, we let ours win.
constexpr std::array<std::string_view, 5> kReservedParams = {"auth_key", "auth_timestamp", "auth_version", "body_md5",
                                                             kSignatureParam};

bool is_reserved(std::string_view key) {
  return std::find(kReservedParams.begin(), kReservedParams.end(), key) != kReservedParams.end();
}

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Sorted by key in byte order (std::string compares as unsigned char), which equals the
// SDK's JavaScript sort for every ASCII key. Keys are not lowercased: the SDK, soketi and
// reverb sign them as given. Stable, so repeated keys keep their wire order.
QueryParams sorted_without_signature(const QueryParams& params) {
  QueryParams out;
  for (const auto& param : params) {
    if (param.first != kSignatureParam) out.push_back(param);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// "k=v&k=v" with values as they are: the SDK does not URL-encode them.
std::string join_params(const QueryParams& sorted) {
  std::string out;
  for (const auto& [key, value] : sorted) {
    if (!out.empty()) out += '&';
    out.append(key).append("=").append(value);
  }
  return out;
}

const std::string* find_param(const QueryParams& params, std::string_view key) {
  for (const auto& param : params) {
    if (param.first == key) return &param.second;
  }
  return nullptr;
}

// For error messages: the string to sign with its newlines visible, bounded in length.
std::string quote_for_message(std::string_view text, std::size_t max_chars = 512) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (text[i] == '\n') {
      out += "\\n";
    } else if (text[i] == '"' || text[i] == '\\') {
      out += '\\';
      out += text[i];
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += text[i];
    }
  }
  if (text.size() > max_chars) out += "...";
  return out + "\"";
}

std::optional<Error> check_duplicates_and_presence(const QueryParams& params, bool has_body) {
  // Sorted copy of the keys: a hostile query with many parameters stays O(n log n).
  std::vector<std::string_view> keys;
  keys.reserve(params.size());
  for (const auto& param : params) keys.push_back(param.first);
  std::sort(keys.begin(), keys.end());
  if (auto dup = std::adjacent_find(keys.begin(), keys.end()); dup != keys.end()) {
    return make_error("query parameter '" + std::string(*dup) + "' appears more than once", 400);
  }
  for (auto required : {"auth_key", "auth_timestamp", "auth_version", "auth_signature"}) {
    if (!find_param(params, required))
      return make_error(std::string("missing query parameter '") + required + "'", 401);
  }
  if (has_body && !find_param(params, "body_md5")) {
    return make_error("missing query parameter 'body_md5' (required when the request has a body)", 401);
  }
  return std::nullopt;
}

Result<std::int64_t> parse_timestamp(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  bool digits_only =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (!digits_only || ec != std::errc() || ptr != end) {
    return make_error("auth_timestamp '" + std::string(text) + "' is not a whole number of Unix seconds", 400);
  }
  return value;
}

bool within_window(std::int64_t timestamp_s, std::int64_t now_s, const RestVerifyOptions& options) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t window_s = options.timestamp_window_s - (options.window_exclusive ? 1 : 0);
  std::int64_t low = now_s < kMin + window_s ? kMin : now_s - window_s;
  std::int64_t high = now_s > kMax - window_s ? kMax : now_s + window_s;
  if (options.future_timestamp_accepted) high = kMax;
  return timestamp_s >= low && timestamp_s <= high;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The parameters as a broken verifier would order them before signing; the reference sorts
// (rest_string_to_sign does), so it gets them unchanged.
QueryParams as_verifier_orders(const QueryParams& params, const RestVerifyOptions& options) {
  if (options.unsorted_params) return params;
  if (!options.body_md5_last) return params;
  QueryParams out = sorted_without_signature(params);
  std::stable_partition(out.begin(), out.end(), [](const auto& param) { return param.first != "body_md5"; });
  return out;
}

// The string to sign as the verifier builds it: sorted (the reference), or not.
std::string verifier_string_to_sign(std::string_view method, std::string_view path, const QueryParams& params,
                                    const RestVerifyOptions& options) {
  if (!options.unsorted_params && !options.body_md5_last) return rest_string_to_sign(method, path, params);
  QueryParams ordered;
  for (const auto& param : as_verifier_orders(params, options)) {
    if (param.first != kSignatureParam) ordered.push_back(param);
  }
  std::string out = ascii_upper(method);
  out.append("\n").append(path).append("\n");
  return out + join_params(ordered);
}

std::optional<Error> check_timestamp(const std::string& text, std::int64_t now_s, const RestVerifyOptions& options) {
  auto timestamp_s = parse_timestamp(text);
  if (!timestamp_s) return timestamp_s.error();
  if (!options.check_timestamp || within_window(*timestamp_s, now_s, options)) return std::nullopt;
  // The official service's wording (docs/protocol.md §7.1).
  return make_error("Timestamp expired: Given timestamp (" + text + ") not within " +
                        std::to_string(options.timestamp_window_s) + "s of server time (" + std::to_string(now_s) + ")",
                    401);
}

}  // namespace

std::string rest_string_to_sign(std::string_view method, std::string_view path,
                                const QueryParams& params_without_signature) {
  std::string out = ascii_upper(method);
  out.append("\n").append(path).append("\n");
  return out + join_params(sorted_without_signature(params_without_signature));
}

SignedRestRequest sign_rest_request(const AppCredentials& app, std::string_view method, std::string_view path,
                                    const QueryParams& params, std::string_view body, std::int64_t auth_timestamp) {
  QueryParams all{{"auth_key", app.key}, {"auth_timestamp", std::to_string(auth_timestamp)}, {"auth_version", "1.0"}};
  // The SDK adds body_md5 whenever the body is a non-empty string, even "{}".
  if (!body.empty()) all.emplace_back("body_md5", md5_hex(body));
  for (const auto& param : params) {
    if (!is_reserved(param.first)) all.push_back(param);
  }
  auto sorted = sorted_without_signature(all);
  SignedRestRequest request;
  request.method = ascii_upper(method);
  request.path = std::string(path);
  request.body = std::string(body);
  auto signature = hmac_sha256_hex(app.secret, rest_string_to_sign(method, path, sorted));
  request.query_string = join_params(sorted) + "&auth_signature=" + signature;
  return request;
}

// Order: malformed or missing parameters first, then who is asking (key), then when
// (timestamp), then what (body_md5), and the signature last, so that each failure is
// reported by its own message. Malformed parameters answer 400, failed authentication 401.
std::optional<Error> verify_rest_request(const AppCredentials& app, std::string_view method, std::string_view path,
                                         const QueryParams& params, std::string_view body, std::int64_t now_s,
                                         const RestVerifyOptions& options) {
  if (auto error = check_duplicates_and_presence(params, !body.empty())) return error;
  const std::string& version = *find_param(params, "auth_version");
  if (version != "1.0") return make_error("unsupported auth_version '" + version + "'; expected 1.0", 400);
  const std::string& key = *find_param(params, "auth_key");
  if (key != app.key) return make_error("unknown auth_key '" + key + "'", 401);
  if (auto error = check_timestamp(*find_param(params, "auth_timestamp"), now_s, options)) return error;
  // A body_md5 sent with an empty body is signed like any parameter and must still be right.
  if (const std::string* body_md5 = find_param(params, "body_md5"); body_md5 && *body_md5 != md5_hex(body)) {
    return make_error("body_md5 " + quote_for_message(*body_md5, 64) + " does not match the MD5 of the request body (" +
                          md5_hex(body) + ")",
                      401);
  }
  auto string_to_sign = verifier_string_to_sign(method, path, params, options);
  const std::string& given = *find_param(params, "auth_signature");
  const std::string compared = options.uppercase_signature_accepted ? ascii_lower(given) : given;
  if (!constant_time_equal(compared, hmac_sha256_hex(app.secret, string_to_sign))) {
    return make_error("Invalid signature: expected the lowercase hex HMAC-SHA256, keyed with the app secret, of " +
                          quote_for_message(string_to_sign) + ", but got " + quote_for_message(given, 128),
                      401);
  }
  return std::nullopt;
}

}  // namespace pushsim
