#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <string>

#include "hex_of.hpp"
#include "protocol/signing.hpp"

using pushsim::test::hex_of;

using namespace pushsim;

namespace {

const AppCredentials kApp{"1", "app-key", "app-secret"};
constexpr std::int64_t kT = 1'700'000'000;
const std::string kBody = R"({"name":"my-event","data":"hi","channels":["my-channel"]})";

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// The parameters a server receives for a request the SDK signed.
QueryParams received(const SignedRestRequest& request) {
  auto params = parse_query(request.query_string);
  REQUIRE(params.ok());
  return *params;
}

QueryParams without(QueryParams params, std::string_view key) {
  std::erase_if(params, [&](const auto& param) { return param.first == key; });
  return params;
}

QueryParams replaced(QueryParams params, std::string_view key, std::string value) {
  for (auto& param : params) {
    if (param.first == key) param.second = value;
  }
  return params;
}

// Failures never reveal the secret or the signature the server expected.
void check_no_secret_in(const Error& error, std::string_view expected_signature) {
  CHECK(error.message.find(kApp.secret) == std::string::npos);
  CHECK(error.message.find(expected_signature) == std::string::npos);
}

}  // namespace

// The per-thread context keeps its key between calls (signing.cpp): a call must never sign
// with the key of the call before it.
TEST_CASE("HMAC answers do not depend on the key used before, an empty or null one included", "[signing]") {
  const std::string jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";  // RFC 4231 #2
  const std::string hi = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";    // RFC 4231 #1
  const std::string empty = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
  const std::string key1(20, '\x0b');
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") == jefe);
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") == jefe);
  CHECK(hmac_sha256_hex(key1, "Hi There") == hi);
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") == jefe);
  CHECK(hmac_sha256_hex(std::string_view(), "") == empty);  // null data: not "the previous key"
  CHECK(hmac_sha256_hex("", "") == empty);
  CHECK(hmac_sha256_hex(key1, "Hi There") == hi);
  CHECK(hmac_sha256_hex("Jef", "what do ya want for nothing?") != jefe);    // a prefix of the held key
  CHECK(hmac_sha256_hex("Jefe!", "what do ya want for nothing?") != jefe);  // an extension of it
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") == jefe);
}

TEST_CASE("hash primitives give the published known answers", "[signing]") {
  // RFC 4231 test case 2, and HMAC with an empty key and message.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex("", "") == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("{}") == "99914b932bd37a50b983c5e7c90ae93b");
  CHECK(sha256_bytes("abc").size() == 32);
  CHECK(hex_of(sha256_bytes("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex_of(sha256_bytes("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("base64 encodes and decodes the RFC 4648 examples", "[signing]") {
  const std::vector<std::pair<std::string, std::string>> cases = {{"", ""},
                                                                  {"f", "Zg=="},
                                                                  {"fo", "Zm8="},
                                                                  {"foo", "Zm9v"},
                                                                  {"foob", "Zm9vYg=="},
                                                                  {"fooba", "Zm9vYmE="},
                                                                  {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    CHECK(base64_encode(plain) == encoded);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == plain);
  }
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(255 - i);
  auto round_trip = base64_decode(base64_encode(all_bytes));
  REQUIRE(round_trip.ok());
  CHECK(*round_trip == all_bytes);
  CHECK(base64_encode("\xfb\xff") == "+/8=");
}

TEST_CASE("base64_decode refuses bad length, characters and misplaced padding", "[signing]") {
  auto bad_length = base64_decode("Zg=");
  REQUIRE_FALSE(bad_length.ok());
  CHECK(bad_length.error().message == "base64 text length 3 is not a multiple of 4");
  auto bad_char = base64_decode("Zm9v!A==");
  REQUIRE_FALSE(bad_char.ok());
  CHECK(bad_char.error().message == "base64 text has an invalid character at position 4");
  CHECK_FALSE(base64_decode("Zm9v\nZm9v").ok());
  CHECK_FALSE(base64_decode("Zg==Zg==").ok());  // padding only at the very end
  CHECK_FALSE(base64_decode("Z===").ok());
  CHECK_FALSE(base64_decode("====").ok());
  CHECK_FALSE(base64_decode("Zm9-").ok());  // the URL-safe alphabet is not accepted
}

TEST_CASE("constant_time_equal is exact and handles different lengths", "[signing]") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc123", "abc123"));
  CHECK_FALSE(constant_time_equal("abc123", "abc124"));
  CHECK_FALSE(constant_time_equal("abc123", "ABC123"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("abcd", "abc"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("channel auth is key:hex over socket_id:channel[:channel_data]", "[signing]") {
  CHECK(channel_string_to_sign("123.456", "private-foo", std::nullopt) == "123.456:private-foo");
  CHECK(channel_string_to_sign("123.456", "presence-foo", R"({"user_id":"u1"})") ==
        R"(123.456:presence-foo:{"user_id":"u1"})");
  // An empty channel_data is still appended: it is a different string to sign.
  CHECK(channel_string_to_sign("1.2", "presence-x", "") == "1.2:presence-x:");
  CHECK(sign_channel(kApp, "123.456", "private-foo") ==
        "app-key:c53bc505cb3d68dc9905dea8d5ed3c42f9e24aeed9453b7b9b200ff759958c02");
}

TEST_CASE("channel auth verification rejects anything but the exact signature", "[signing]") {
  const std::string data = R"({"user_id":"u1","user_info":{"name":"Alice"}})";
  const std::string good = sign_channel(kApp, "123.456", "presence-foo", data);
  const std::string hex = good.substr(good.find(':') + 1);
  CHECK(verify_channel_auth(kApp, good, "123.456", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, good, "123.457", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, good, "123.456", "presence-bar", data));
  CHECK_FALSE(verify_channel_auth(kApp, good, "123.456", "presence-foo", data + " "));
  CHECK_FALSE(verify_channel_auth(kApp, good, "123.456", "presence-foo", std::nullopt));
  CHECK_FALSE(verify_channel_auth(kApp, "other-key:" + hex, "123.456", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, "app-key:" + upper(hex), "123.456", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, "app-key::" + hex, "123.456", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, hex, "123.456", "presence-foo", data));
  CHECK_FALSE(verify_channel_auth(kApp, "", "123.456", "presence-foo", data));
  AppCredentials other_secret{"1", "app-key", "other-secret"};
  CHECK_FALSE(verify_channel_auth(other_secret, good, "123.456", "presence-foo", data));
}

TEST_CASE("user auth signs socket_id::user::user_data with a single-colon auth", "[signing]") {
  const std::string user_data = R"({"id":"12345"})";
  CHECK(user_string_to_sign("1234.1234", user_data) == R"(1234.1234::user::{"id":"12345"})");
  AppCredentials docs{"3", "278d425bdf160c739803", "7ad3773142a6692b25b8"};
  const std::string auth = sign_user(docs, "1234.1234", user_data);
  CHECK(auth == "278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
  CHECK(verify_user_auth(docs, auth, "1234.1234", user_data));
  CHECK_FALSE(verify_user_auth(docs, auth, "1234.1235", user_data));
  CHECK_FALSE(verify_user_auth(docs, auth, "1234.1234", R"({"id":"12346"})"));
  // The docs erratum form "<key>::user::<hex>" is not accepted.
  CHECK_FALSE(
      verify_user_auth(docs, "278d425bdf160c739803::user::" + auth.substr(auth.find(':') + 1), "1234.1234", user_data));
  // A channel signature is not a user signature.
  CHECK_FALSE(verify_user_auth(docs, sign_channel(docs, "1234.1234", "user"), "1234.1234", user_data));
}

TEST_CASE("encrypted shared secret needs a 32-byte base64 master key", "[signing]") {
  auto secret =
      encrypted_channel_shared_secret("private-encrypted-foo", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  REQUIRE(secret.ok());
  CHECK(*secret == "E3I6KxLwqP1Rr/p1676Vpnrw23CkRdS5bkX5NazRkeY=");
  auto other_channel =
      encrypted_channel_shared_secret("private-encrypted-bar", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  REQUIRE(other_channel.ok());
  CHECK(*other_channel != *secret);
  auto short_key = encrypted_channel_shared_secret("private-encrypted-foo", base64_encode(std::string(31, 'k')));
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.error().message == "encryption master key must be 32 bytes, got 31");
  auto not_base64 = encrypted_channel_shared_secret("private-encrypted-foo", "not base64!");
  REQUIRE_FALSE(not_base64.ok());
  CHECK(not_base64.error().message ==
        "encryption master key is not valid base64: base64 text length 11 is not a multiple of 4");
}

TEST_CASE("REST signing sorts params, adds body_md5 only with a body, and keeps values raw", "[signing]") {
  auto get = sign_rest_request(kApp, "get", "/apps/1/channels",
                               {{"info", "user_count,subscription_count"}, {"filter_by_prefix", "presence-"}}, "", kT);
  CHECK(get.method == "GET");
  CHECK(get.body.empty());
  const std::string get_params =
      "auth_key=app-key&auth_timestamp=1700000000&auth_version=1.0&filter_by_prefix=presence-&info=user_count,"
      "subscription_count";
  CHECK(get.query_string ==
        get_params + "&auth_signature=" + hmac_sha256_hex("app-secret", "GET\n/apps/1/channels\n" + get_params));
  CHECK(get.target() == "/apps/1/channels?" + get.query_string);

  auto post = sign_rest_request(kApp, "POST", "/apps/1/events", {}, "{}", kT);
  CHECK(post.query_string.find("&body_md5=99914b932bd37a50b983c5e7c90ae93b&auth_signature=") != std::string::npos);
}

TEST_CASE("REST signing: byte-order sort, and the signer's own params win over the caller's", "[signing]") {
  CHECK(rest_string_to_sign("post", "/p", {{"b", "2"}, {"a", "1"}, {"B", "3"}, {"auth_signature", "x"}}) ==
        "POST\n/p\nB=3&a=1&b=2");
  auto request = sign_rest_request(kApp, "GET", "/apps/1/channels",
                                   {{"auth_timestamp", "5"}, {"auth_key", "evil"}, {"auth_signature", "x"}}, "", kT);
  auto params = received(request);
  REQUIRE(params.size() == 4);
  CHECK(params[0] == std::pair<std::string, std::string>{"auth_key", "app-key"});
  CHECK(params[1] == std::pair<std::string, std::string>{"auth_timestamp", "1700000000"});
  CHECK(params[2] == std::pair<std::string, std::string>{"auth_version", "1.0"});
  CHECK(params[3].first == "auth_signature");
}

TEST_CASE("REST verification accepts timestamps up to 600 s away in either direction", "[signing]") {
  auto request = sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT);
  auto params = received(request);
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 600));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT - 600));
  CHECK_FALSE(verify_rest_request(kApp, "post", "/apps/1/events", params, kBody, kT));  // method is uppercased

  auto late = verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 601);
  REQUIRE(late);
  CHECK(*late ==
        Error{"Timestamp expired: Given timestamp (1700000000) not within 600s of server time (1700000601)", 401});
  auto early = verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT - 601);
  REQUIRE(early);
  CHECK(*early ==
        Error{"Timestamp expired: Given timestamp (1700000000) not within 600s of server time (1699999399)", 401});
}

TEST_CASE("REST verification: the timestamp check can be widened or turned off", "[signing]") {
  auto params = received(sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 100'000, {false, 600}));
  auto narrow = verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 31, {true, 30});
  REQUIRE(narrow);
  CHECK(narrow->message ==
        "Timestamp expired: Given timestamp (1700000000) not within 30s of server time (1700000031)");
  // Extreme server times do not overflow the window arithmetic.
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  auto far = verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kMax);
  REQUIRE(far);
  CHECK(far->code == 401);
  auto far_past =
      verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, std::numeric_limits<std::int64_t>::min());
  REQUIRE(far_past);
  CHECK(far_past->code == 401);
}

TEST_CASE("REST verification's broken variants: future timestamps, an open window, uppercase hex, wire order",
          "[signing][defects]") {
  auto params = received(sign_rest_request(kApp, "POST", "/apps/1/events", {{"info", "user_count"}}, kBody, kT));
  RestVerifyOptions future;
  future.future_timestamp_accepted = true;
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT - 601));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT - 100'000, future));
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 601, future));

  RestVerifyOptions open;
  open.window_exclusive = true;
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 600, open));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT + 599, open));

  auto upper = params;
  for (auto& [key, value] : upper) {
    if (key != "auth_signature") continue;
    for (char& c : value) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  }
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", upper, kBody, kT));
  RestVerifyOptions any_case;
  any_case.uppercase_signature_accepted = true;
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", upper, kBody, kT, any_case));

  auto reversed = params;
  std::reverse(reversed.begin(), reversed.end());
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", reversed, kBody, kT));
  RestVerifyOptions unsorted;
  unsorted.unsorted_params = true;
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT, unsorted));  // as the SDK sends
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", reversed, kBody, kT, unsorted));

  // info sorts after body_md5: signing body_md5 last gives another string.
  RestVerifyOptions md5_last;
  md5_last.body_md5_last = true;
  CHECK(verify_rest_request(kApp, "POST", "/apps/1/events", params, kBody, kT, md5_last));
  auto no_info = received(sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT));
  CHECK_FALSE(verify_rest_request(kApp, "POST", "/apps/1/events", no_info, kBody, kT, md5_last));
}

TEST_CASE("REST verification: a tampered body fails on body_md5, a re-hashed one on the signature", "[signing]") {
  auto request = sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT);
  auto params = received(request);
  const std::string tampered = R"({"name":"my-event","data":"ho","channels":["my-channel"]})";
  auto md5_error = verify_rest_request(kApp, "POST", "/apps/1/events", params, tampered, kT);
  REQUIRE(md5_error);
  CHECK(*md5_error == Error{"body_md5 \"" + md5_hex(kBody) + "\" does not match the MD5 of the request body (" +
                                md5_hex(tampered) + ")",
                            401});

  auto rehashed = replaced(params, "body_md5", md5_hex(tampered));
  auto signature_error = verify_rest_request(kApp, "POST", "/apps/1/events", rehashed, tampered, kT);
  REQUIRE(signature_error);
  const std::string string_to_sign =
      "POST\\n/apps/1/events\\nauth_key=app-key&auth_timestamp=1700000000&auth_version=1.0&body_md5=" +
      md5_hex(tampered);
  const std::string given = params.back().second;
  CHECK(*signature_error ==
        Error{"Invalid signature: expected the lowercase hex HMAC-SHA256, keyed with the app secret, of \"" +
                  string_to_sign + "\", but got \"" + given + "\"",
              401});
  check_no_secret_in(
      *signature_error,
      hmac_sha256_hex(kApp.secret, rest_string_to_sign("POST", "/apps/1/events", without(rehashed, "auth_signature"))));
}

TEST_CASE("REST verification: wrong key, wrong version, uppercase signature, other path", "[signing]") {
  AppCredentials other_key{"1", "other-key", "app-secret"};
  auto wrong_key =
      verify_rest_request(kApp, "POST", "/apps/1/events",
                          received(sign_rest_request(other_key, "POST", "/apps/1/events", {}, kBody, kT)), kBody, kT);
  REQUIRE(wrong_key);
  CHECK(*wrong_key == Error{"unknown auth_key 'other-key'", 401});

  auto params = received(sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT));
  auto wrong_version =
      verify_rest_request(kApp, "POST", "/apps/1/events", replaced(params, "auth_version", "2.0"), kBody, kT);
  REQUIRE(wrong_version);
  CHECK(*wrong_version == Error{"unsupported auth_version '2.0'; expected 1.0", 400});

  const std::string signature = params.back().second;
  auto uppercase = verify_rest_request(kApp, "POST", "/apps/1/events",
                                       replaced(params, "auth_signature", upper(signature)), kBody, kT);
  REQUIRE(uppercase);
  CHECK(uppercase->code == 401);
  CHECK(uppercase->message.starts_with("Invalid signature: "));
  check_no_secret_in(*uppercase, signature);

  auto other_path = verify_rest_request(kApp, "POST", "/apps/1/batch_events", params, kBody, kT);
  REQUIRE(other_path);
  CHECK(other_path->code == 401);
  check_no_secret_in(*other_path, hmac_sha256_hex(kApp.secret, rest_string_to_sign("POST", "/apps/1/batch_events",
                                                                                   without(params, "auth_signature"))));
  AppCredentials other_secret{"1", "app-key", "other-secret"};
  auto wrong_secret = verify_rest_request(other_secret, "POST", "/apps/1/events", params, kBody, kT);
  REQUIRE(wrong_secret);
  CHECK(wrong_secret->code == 401);
  CHECK(wrong_secret->message.find("other-secret") == std::string::npos);
}

TEST_CASE("REST verification: each missing parameter has its own message", "[signing]") {
  auto params = received(sign_rest_request(kApp, "POST", "/apps/1/events", {}, kBody, kT));
  for (std::string name : {"auth_key", "auth_timestamp", "auth_version", "auth_signature"}) {
    auto error = verify_rest_request(kApp, "POST", "/apps/1/events", without(params, name), kBody, kT);
    REQUIRE(error);
    CHECK(*error == Error{"missing query parameter '" + name + "'", 401});
  }
  auto no_md5 = verify_rest_request(kApp, "POST", "/apps/1/events", without(params, "body_md5"), kBody, kT);
  REQUIRE(no_md5);
  CHECK(*no_md5 == Error{"missing query parameter 'body_md5' (required when the request has a body)", 401});
  auto nothing = verify_rest_request(kApp, "GET", "/apps/1/channels", {}, "", kT);
  REQUIRE(nothing);
  CHECK(*nothing == Error{"missing query parameter 'auth_key'", 401});
}

TEST_CASE("REST verification: duplicated parameters are refused as malformed", "[signing]") {
  auto params = received(sign_rest_request(kApp, "GET", "/apps/1/channels", {{"info", "user_count"}}, "", kT));
  auto twice_key = params;
  twice_key.emplace_back("auth_key", "app-key");
  auto key_error = verify_rest_request(kApp, "GET", "/apps/1/channels", twice_key, "", kT);
  REQUIRE(key_error);
  CHECK(*key_error == Error{"query parameter 'auth_key' appears more than once", 400});
  auto twice_info = params;
  twice_info.emplace_back("info", "subscription_count");
  auto info_error = verify_rest_request(kApp, "GET", "/apps/1/channels", twice_info, "", kT);
  REQUIRE(info_error);
  CHECK(*info_error == Error{"query parameter 'info' appears more than once", 400});
}

TEST_CASE("REST verification: a timestamp that is not whole seconds is a 400", "[signing]") {
  auto params = received(sign_rest_request(kApp, "GET", "/apps/1/channels", {}, "", kT));
  for (std::string bad : {"", "17e8", "-5", "+1700000000", " 1700000000", "1700000000.5", "99999999999999999999"}) {
    auto error = verify_rest_request(kApp, "GET", "/apps/1/channels", replaced(params, "auth_timestamp", bad), "", kT);
    REQUIRE(error);
    CHECK(*error == Error{"auth_timestamp '" + bad + "' is not a whole number of Unix seconds", 400});
  }
}

TEST_CASE("REST verification: extra params are signed, and body_md5 on an empty body must be right", "[signing]") {
  auto params = received(sign_rest_request(kApp, "GET", "/apps/1/channels", {{"info", "user_count"}}, "", kT));
  CHECK_FALSE(verify_rest_request(kApp, "GET", "/apps/1/channels", params, "", kT));
  auto changed_info =
      verify_rest_request(kApp, "GET", "/apps/1/channels", replaced(params, "info", "subscription_count"), "", kT);
  REQUIRE(changed_info);
  CHECK(changed_info->code == 401);

  // Not what the SDK sends, but a correct body_md5 of "" is a valid signed parameter.
  QueryParams with_md5 = {
      {"auth_key", "app-key"}, {"auth_timestamp", "1700000000"}, {"auth_version", "1.0"}, {"body_md5", md5_hex("")}};
  with_md5.emplace_back("auth_signature", hmac_sha256_hex(kApp.secret, rest_string_to_sign("GET", "/p", with_md5)));
  CHECK_FALSE(verify_rest_request(kApp, "GET", "/p", with_md5, "", kT));
  auto wrong_md5 = verify_rest_request(kApp, "GET", "/p", replaced(with_md5, "body_md5", md5_hex("x")), "", kT);
  REQUIRE(wrong_md5);
  CHECK(wrong_md5->code == 401);
}

TEST_CASE("webhook verification: content type exact, key and signature headers any case", "[signing]") {
  const std::string body = R"({"time_ms":1700000000000,"events":[{"name":"channel_occupied","channel":"c"}]})";
  const std::string signature = sign_webhook(kApp.secret, body);
  CHECK(signature == hmac_sha256_hex("app-secret", body));
  CHECK_FALSE(verify_webhook(
      kApp, {{"content-type", "application/json"}, {"x-pusher-key", "app-key"}, {"x-pusher-signature", signature}},
      body));

  auto no_type = verify_webhook(kApp, {{"X-Pusher-Key", "app-key"}, {"X-Pusher-Signature", signature}}, body);
  REQUIRE(no_type);
  CHECK(*no_type == Error{"missing Content-Type header; expected application/json", 400});
  auto charset = verify_webhook(kApp,
                                {{"Content-Type", "application/json; charset=utf-8"},
                                 {"X-Pusher-Key", "app-key"},
                                 {"X-Pusher-Signature", signature}},
                                body);
  REQUIRE(charset);
  CHECK(*charset == Error{"Content-Type must be exactly application/json, got 'application/json; charset=utf-8'", 400});
  auto no_key = verify_webhook(kApp, {{"Content-Type", "application/json"}, {"X-Pusher-Signature", signature}}, body);
  REQUIRE(no_key);
  CHECK(*no_key == Error{"missing X-Pusher-Key header", 401});
  auto wrong_key = verify_webhook(
      kApp, {{"Content-Type", "application/json"}, {"X-Pusher-Key", "other"}, {"X-Pusher-Signature", signature}}, body);
  REQUIRE(wrong_key);
  CHECK(*wrong_key == Error{"X-Pusher-Key 'other' is not this app's key", 401});
  auto no_signature = verify_webhook(kApp, {{"Content-Type", "application/json"}, {"X-Pusher-Key", "app-key"}}, body);
  REQUIRE(no_signature);
  CHECK(*no_signature == Error{"missing X-Pusher-Signature header", 401});
  auto bad_signature = verify_webhook(
      kApp,
      {{"Content-Type", "application/json"}, {"X-Pusher-Key", "app-key"}, {"X-Pusher-Signature", upper(signature)}},
      body);
  REQUIRE(bad_signature);
  CHECK(*bad_signature ==
        Error{"X-Pusher-Signature does not match the body (lowercase hex HMAC-SHA256 of the raw body)", 401});
  check_no_secret_in(*bad_signature, signature);
}
