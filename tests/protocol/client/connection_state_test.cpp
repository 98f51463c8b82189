#include <catch2/catch.hpp>

#include <set>
#include <utility>

#include "protocol/client/connection_state.hpp"

using namespace pushsim;
using S = ConnectionState;
using I = ConnectionInput;

TEST_CASE("connection states go initialized, connecting, connected, then disconnected or failed", "[client][state]") {
  CHECK(next_connection_state(S::kInitialized, I::kOpen) == S::kConnecting);
  CHECK(next_connection_state(S::kConnecting, I::kEstablished) == S::kConnected);
  CHECK(next_connection_state(S::kConnecting, I::kClosed) == S::kDisconnected);
  CHECK(next_connection_state(S::kConnecting, I::kRefused) == S::kFailed);
  CHECK(next_connection_state(S::kConnected, I::kClosed) == S::kDisconnected);
  CHECK(next_connection_state(S::kConnected, I::kRefused) == S::kFailed);
  CHECK(next_connection_state(S::kDisconnected, I::kOpen) == S::kConnecting);
  CHECK(next_connection_state(S::kFailed, I::kOpen) == S::kConnecting);
}

TEST_CASE("connection inputs that make no sense in a state are refused", "[client][state]") {
  CHECK(next_connection_state(S::kInitialized, I::kEstablished) == std::nullopt);
  CHECK(next_connection_state(S::kInitialized, I::kClosed) == std::nullopt);
  CHECK(next_connection_state(S::kConnecting, I::kOpen) == std::nullopt);
  CHECK(next_connection_state(S::kConnected, I::kOpen) == std::nullopt);
  CHECK(next_connection_state(S::kConnected, I::kEstablished) == std::nullopt);
  CHECK(next_connection_state(S::kDisconnected, I::kClosed) == std::nullopt);
  CHECK(next_connection_state(S::kFailed, I::kEstablished) == std::nullopt);
}

TEST_CASE("the transition table has one entry per (state, input)", "[client][state]") {
  std::set<std::pair<S, I>> seen;
  for (const auto& t : connection_transitions()) {
    INFO(to_string(t.from) << " --" << to_string(t.input) << "-->");
    CHECK(seen.insert({t.from, t.input}).second);
  }
  CHECK(seen.size() == 8);
}
