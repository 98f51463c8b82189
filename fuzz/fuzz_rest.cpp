// Fuzz target: the REST request verifier and API (protocol/http.*, protocol/rest_signing.cpp,
// protocol/server/rest_*.cpp), on arbitrary requests to an engine with a few subscribers.
//
// Input: line 1 the method, line 2 the request target (path and raw query), the rest the body.
// A leading '!' asks for the request to be signed correctly first (the fuzzer cannot compute
// an HMAC), so that the endpoints behind the signature check are reached as well.
// Properties: parsing and verifying never crash; a verification error answers 400 or 401 with
// a message; a request we signed verifies whenever its query survives the round trip (the
// signer does not percent-encode, as the Node SDK does not); the API answers every request
// with a status and never echoes a secret; the engine's invariants hold throughout.
#include <algorithm>

#include "fuzz/engine_driver.hpp"
#include "protocol/http.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;

namespace {

// Characters that a query value cannot carry unencoded through parse_query.
bool survives_unencoded(std::string_view text) { return text.find_first_of("&=%+#") == std::string_view::npos; }

bool has_duplicate_keys(QueryParams params) {
  std::sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return std::adjacent_find(params.begin(), params.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }) != params.end();
}

void check_verification(const AppConfig& app, const HttpRequest& request, TimeNs now) {
  auto params = parse_query(request.raw_query());
  if (!params) {
    check(!params.error().message.empty(), "parse_query gave an empty error message");
    return;
  }
  auto error = verify_rest_request(app.credentials(), request.method, request.path(), *params, request.body,
                                   to_unix_seconds(now));
  if (!error) return;
  check(error->code == 400 || error->code == 401, "a verification error that is neither 400 nor 401", error->message);
  check(!error->message.empty(), "a verification error without message");
}

// Re-signs the request as the Node SDK would and checks that the signature verifies.
void sign(const AppConfig& app, HttpRequest& request, TimeNs now) {
  auto params = parse_query(request.raw_query());
  if (!params) return;
  auto signed_request =
      sign_rest_request(app.credentials(), request.method, request.path(), *params, request.body, to_unix_seconds(now));
  request.method = signed_request.method;
  request.target = signed_request.target();
  bool plain = survives_unencoded(request.path()) && !has_duplicate_keys(*params);
  for (const auto& [key, value] : *params) plain = plain && survives_unencoded(key) && survives_unencoded(value);
  if (!plain) return;
  auto reparsed = parse_query(request.raw_query());
  check(reparsed.ok(), "a query we signed does not parse", request.target);
  auto error = verify_rest_request(app.credentials(), request.method, request.path(), *reparsed, request.body,
                                   to_unix_seconds(now));
  check(!error, "a request we signed does not verify", error ? error->message : "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = as_text(data, size);
  bool re_sign = !text.empty() && text.front() == '!';
  if (re_sign) text.remove_prefix(1);
  auto [method, rest] = cut(text, '\n');
  auto [target, body] = cut(rest, '\n');
  HttpRequest request{
      std::string(method), std::string(target), {{"Content-Type", "application/json"}}, std::string(body)};

  EngineDriver driver;
  driver.open(0, "");
  driver.subscribe_signed(0, "presence-room\t{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Ann\"}}");
  driver.open(1, "");
  driver.subscribe_signed(1, "private-a");
  driver.open(2, "");
  driver.subscribe_signed(2, "cache-c");

  const AppConfig& app = *driver.engine().app_by_id("1");
  if (re_sign) sign(app, request, driver.now());
  check_verification(app, request, driver.now());
  driver.http(request);
  driver.close_all();
  driver.check_empty();
  return 0;
}
