#include <catch2/catch.hpp>

#include <string>

#include "protocol/channel_name.hpp"

using namespace pushsim;

TEST_CASE("channel kinds are decided by prefix, encrypted before private", "[channel_name]") {
  CHECK(classify_channel("my-channel") == ChannelType{ChannelKind::kPublic, false});
  CHECK(classify_channel("private-foo") == ChannelType{ChannelKind::kPrivate, false});
  CHECK(classify_channel("presence-foo") == ChannelType{ChannelKind::kPresence, false});
  CHECK(classify_channel("private-encrypted-foo") == ChannelType{ChannelKind::kEncrypted, false});
  CHECK(classify_channel("cache-foo") == ChannelType{ChannelKind::kPublic, true});
  CHECK(classify_channel("private-cache-foo") == ChannelType{ChannelKind::kPrivate, true});
  CHECK(classify_channel("private-encrypted-cache-foo") == ChannelType{ChannelKind::kEncrypted, true});
  CHECK(classify_channel("presence-cache-foo") == ChannelType{ChannelKind::kPresence, true});
  CHECK(classify_channel("#server-to-user-u1") == ChannelType{ChannelKind::kServerToUser, false});
  CHECK(classify_channel("#other") == ChannelType{ChannelKind::kReservedInternal, false});
  // Prefixes only count at the start of the name.
  CHECK(classify_channel("my-private-foo") == ChannelType{ChannelKind::kPublic, false});
  CHECK(classify_channel("privatefoo") == ChannelType{ChannelKind::kPublic, false});
}

TEST_CASE("auth and client events follow the channel kind", "[channel_name]") {
  CHECK_FALSE(requires_auth(ChannelKind::kPublic));
  CHECK(requires_auth(ChannelKind::kPrivate));
  CHECK(requires_auth(ChannelKind::kPresence));
  CHECK(requires_auth(ChannelKind::kEncrypted));
  CHECK_FALSE(allows_client_events(ChannelKind::kPublic));
  CHECK(allows_client_events(ChannelKind::kPrivate));
  CHECK(allows_client_events(ChannelKind::kPresence));
  CHECK_FALSE(allows_client_events(ChannelKind::kEncrypted));
  CHECK(server_to_user_id("#server-to-user-u1") == std::optional<std::string>("u1"));
  CHECK_FALSE(server_to_user_id("private-u1").has_value());
}

TEST_CASE("channel names: allowed characters and length limit", "[channel_name]") {
  CHECK_FALSE(validate_channel_name("foo-bar_1234@=,.;", 164, false));
  CHECK_FALSE(validate_channel_name(std::string(164, 'a'), 164, false));
  auto too_long = validate_channel_name(std::string(165, 'a'), 164, false);
  REQUIRE(too_long);
  CHECK(too_long->message == "channel name is 165 characters long; the limit is 164");
  CHECK(validate_channel_name("", 164, false)->message == "channel name is empty");
  CHECK(validate_channel_name("foo bar", 164, false)->message ==
        "channel name has invalid character byte 0x20 at position 3; allowed: A-Z a-z 0-9 _ - = @ , . ;");
  CHECK(validate_channel_name("foo:bar", 164, false)->message ==
        "channel name has invalid character ':' at position 3; allowed: A-Z a-z 0-9 _ - = @ , . ;");
  CHECK(validate_channel_name("f\xc3\xb6o", 164, false));
  CHECK(validate_channel_name("foo#bar", 164, true));
}

TEST_CASE("a leading # is accepted only on the internal path", "[channel_name]") {
  CHECK(validate_channel_name("#server-to-user-1", 164, false)->message ==
        "channel names starting with '#' are reserved for internal use");
  CHECK_FALSE(validate_channel_name("#server-to-user-1", 164, true));
}

TEST_CASE("event names are non-empty and bounded", "[channel_name]") {
  CHECK_FALSE(validate_event_name(std::string(200, 'e'), 200));
  CHECK(validate_event_name(std::string(201, 'e'), 200)->message ==
        "event name is 201 characters long; the limit is 200");
  CHECK(validate_event_name("", 200)->message == "event name is empty");
}

TEST_CASE("user ids use the channel character set and a length limit", "[channel_name]") {
  CHECK_FALSE(validate_user_id("u1", 128));
  CHECK(validate_user_id(std::string(129, 'u'), 128));
  CHECK(validate_user_id("a b", 128));
  CHECK(validate_user_id("", 128));
}
