#include <catch2/catch.hpp>

#include "load/detail/ws_client_wire.hpp"

namespace pushsim::load::detail {

TEST_CASE("ws client wire: the accept value of RFC 6455's own example", "[load][ws]") {
  // RFC 6455 §1.3.
  CHECK(ws_accept_of("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("ws client wire: keys are 16 bytes in base64, one per seed", "[load][ws]") {
  CHECK(ws_key_of(1).size() == 24);
  CHECK(ws_key_of(1) == ws_key_of(1));
  CHECK(ws_key_of(1) != ws_key_of(2));
}

TEST_CASE("ws client wire: the upgrade answer must be a 101 that answers the key", "[load][ws]") {
  const std::string key = ws_key_of(7);
  const std::string good =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "sec-websocket-accept:  " +
      ws_accept_of(key) + "\r\n\r\n";
  CHECK_FALSE(check_ws_upgrade_response(good, key).has_value());
  CHECK_THAT(check_ws_upgrade_response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", key).value_or(""),
             Catch::Contains("did not switch protocols: HTTP/1.1 404 Not Found"));
  CHECK_THAT(check_ws_upgrade_response("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n", key).value_or(""),
             Catch::Contains("no Sec-WebSocket-Accept"));
  CHECK_THAT(check_ws_upgrade_response(
                 "HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: " + ws_accept_of(ws_key_of(8)) + "\r\n\r\n", key)
                 .value_or(""),
             Catch::Contains("does not answer the key"));
  CHECK_THAT(check_ws_upgrade_response("garbage", key).value_or(""), Catch::Contains("did not switch"));
  CHECK(ws_upgrade_request("h:1", "/app/k?protocol=7", key).find("Sec-WebSocket-Key: " + key + "\r\n") !=
        std::string::npos);
}

TEST_CASE("ws client wire: frames are final, masked, and unmask to the payload", "[load][ws]") {
  for (std::size_t size :
       {std::size_t{0}, std::size_t{125}, std::size_t{126}, std::size_t{65535}, std::size_t{65536}}) {
    std::string payload(size, 'q');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string frame;
    append_ws_client_frame(frame, WsOpcode::kText, payload, 0x01020304);
    CHECK(static_cast<std::uint8_t>(frame[0]) == 0x81);
    CHECK((static_cast<std::uint8_t>(frame[1]) & 0x80) != 0);
    const std::size_t length_bytes = size < 126 ? 0 : size <= 0xffff ? 2 : 8;
    const std::size_t mask_at = 2 + length_bytes;
    REQUIRE(frame.size() == mask_at + 4 + size);
    CHECK(frame.substr(mask_at, 4) == std::string("\x01\x02\x03\x04", 4));
    std::string unmasked = frame.substr(mask_at + 4);
    for (std::size_t i = 0; i < size; ++i) unmasked[i] = static_cast<char>(unmasked[i] ^ frame[mask_at + i % 4]);
    CHECK(unmasked == payload);
  }
}

}  // namespace pushsim::load::detail
