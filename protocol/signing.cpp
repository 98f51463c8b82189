#include "protocol/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <optional>

namespace pushsim {
namespace {

// OpenSSL fails on in-memory hashing only when it cannot allocate or is broken: our
// environment's fault, not the input's, so we stop rather than return a wrong signature.
void require_crypto(bool ok) {
  if (!ok) std::abort();
}

const unsigned char* bytes_of(std::string_view text) {
  // A null pointer with length 0 is refused by some OpenSSL entry points; "" never is.
  static constexpr unsigned char kEmpty[1] = {0};
  return text.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

// HMAC-SHA256 through a context kept per thread. OpenSSL 3's one-shot HMAC() looks the
// algorithms up by name on every call, which cost more than the hashing itself where
// exploration signs and verifies thousands of subscriptions a second; re-keying a context
// that already knows its digest does not. Keying costs two SHA-256 blocks more, and a
// simulation signs with one app's secret over and over: the context keeps its key, and a call
// with the same key reuses it.
struct MacContextFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

struct MacContext {
  std::unique_ptr<EVP_MAC_CTX, MacContextFree> ctx;
  std::optional<std::string> key;  // the key the context holds, once keyed
};

MacContext& hmac_sha256_context() {
  thread_local MacContext context = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    require_crypto(mac != nullptr);
    MacContext made{std::unique_ptr<EVP_MAC_CTX, MacContextFree>(EVP_MAC_CTX_new(mac)), std::nullopt};
    EVP_MAC_free(mac);  // the context holds its own reference
    require_crypto(made.ctx != nullptr);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    require_crypto(EVP_MAC_CTX_set_params(made.ctx.get(), params) == 1);
    return made;
  }();
  return context;
}

std::string digest(const EVP_MD* type, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  require_crypto(EVP_Digest(bytes_of(data), data.size(), out.data(), &size, type, nullptr) == 1);
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  auto at = kBase64Alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

// --- primitives --------------------------------------------------------------------------

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  MacContext& mac = hmac_sha256_context();
  EVP_MAC_CTX* ctx = mac.ctx.get();
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t size = 0;
  if (mac.key && *mac.key == key) {
    require_crypto(EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1);  // a null key: the one it holds
  } else {
    mac.key.reset();  // bytes_of never gives null, which would mean "the key held"
    require_crypto(EVP_MAC_init(ctx, bytes_of(key), key.size(), nullptr) == 1);
    mac.key = std::string(key);
  }
  require_crypto(EVP_MAC_update(ctx, bytes_of(message), message.size()) == 1);
  require_crypto(EVP_MAC_final(ctx, out.data(), &size, out.size()) == 1);
  return to_hex(out.data(), size);
}

std::string md5_hex(std::string_view data) {
  auto raw = digest(EVP_md5(), data);
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string sha256_bytes(std::string_view data) { return digest(EVP_sha256(), data); }

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t chunk = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      group <<= 8;
      if (j < chunk) group |= static_cast<unsigned char>(bytes[i + j]);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      out += j <= chunk ? kBase64Alphabet[(group >> (18 - 6 * j)) & 0x3f] : '=';
    }
  }
  return out;
}

// Standard alphabet, padding required, no whitespace: configuration values are exact.
Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return make_error("base64 text length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t group = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool is_padding = i >= text.size() - padding;
    int value = is_padding ? 0 : base64_value(text[i]);
    if (value < 0) return make_error("base64 text has an invalid character at position " + std::to_string(i));
    group = (group << 6) | static_cast<std::uint32_t>(value);
    if (i % 4 != 3) continue;
    out += static_cast<char>((group >> 16) & 0xff);
    out += static_cast<char>((group >> 8) & 0xff);
    out += static_cast<char>(group & 0xff);
    group = 0;
  }
  out.resize(out.size() - padding);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Lengths are not secret (a signature is always 64 hex digits), so differing lengths may
  // return at once; equal lengths are compared without an early exit.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// --- channel authorization and user authentication ---------------------------------------

std::string channel_string_to_sign(std::string_view socket_id, std::string_view channel,
                                   std::optional<std::string_view> channel_data) {
  std::string out;
  out.append(socket_id).append(":").append(channel);
  if (channel_data) out.append(":").append(*channel_data);
  return out;
}

std::string sign_channel(const AppCredentials& app, std::string_view socket_id, std::string_view channel,
                         std::optional<std::string_view> channel_data) {
  return app.key + ":" + hmac_sha256_hex(app.secret, channel_string_to_sign(socket_id, channel, channel_data));
}

// Compares the whole "key:hex" string, as soketi does: a wrong key part fails too.
bool verify_channel_auth(const AppCredentials& app, std::string_view auth, std::string_view socket_id,
                         std::string_view channel, std::optional<std::string_view> channel_data) {
  return constant_time_equal(auth, sign_channel(app, socket_id, channel, channel_data));
}

std::string user_string_to_sign(std::string_view socket_id, std::string_view user_data) {
  std::string out;
  out.append(socket_id).append("::user::").append(user_data);
  return out;
}

std::string sign_user(const AppCredentials& app, std::string_view socket_id, std::string_view user_data) {
  return app.key + ":" + hmac_sha256_hex(app.secret, user_string_to_sign(socket_id, user_data));
}

bool verify_user_auth(const AppCredentials& app, std::string_view auth, std::string_view socket_id,
                      std::string_view user_data) {
  return constant_time_equal(auth, sign_user(app, socket_id, user_data));
}

Result<std::string> encrypted_channel_shared_secret(std::string_view channel, std::string_view master_key_base64) {
  auto master_key = base64_decode(master_key_base64);
  if (!master_key) return make_error("encryption master key is not valid base64: " + master_key.error().message);
  if (master_key->size() != 32) {
    return make_error("encryption master key must be 32 bytes, got " + std::to_string(master_key->size()));
  }
  std::string input(channel);
  input += *master_key;
  return base64_encode(sha256_bytes(input));
}

// --- webhooks ----------------------------------------------------------------------------

std::string sign_webhook(std::string_view secret, std::string_view body) { return hmac_sha256_hex(secret, body); }

std::optional<Error> verify_webhook(const AppCredentials& app, const std::vector<Header>& headers,
                                    std::string_view body) {
  auto content_type = find_header(headers, "Content-Type");
  if (!content_type) return make_error("missing Content-Type header; expected application/json", 400);
  // Exactly, as the SDK's validator: "application/json; charset=utf-8" is refused.
  if (*content_type != "application/json") {
    return make_error("Content-Type must be exactly application/json, got '" + std::string(*content_type) + "'", 400);
  }
  auto key = find_header(headers, "X-Pusher-Key");
  if (!key) return make_error("missing X-Pusher-Key header", 401);
  if (*key != app.key) return make_error("X-Pusher-Key '" + std::string(*key) + "' is not this app's key", 401);
  auto signature = find_header(headers, "X-Pusher-Signature");
  if (!signature) return make_error("missing X-Pusher-Signature header", 401);
  if (!constant_time_equal(*signature, sign_webhook(app.secret, body))) {
    return make_error("X-Pusher-Signature does not match the body (lowercase hex HMAC-SHA256 of the raw body)", 401);
  }
  return std::nullopt;
}

}  // namespace pushsim
