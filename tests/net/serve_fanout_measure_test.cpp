// A measurement, not a check: hidden from the default run ([.measure]); run it with
//   build/tests/net_tests "[.measure]"
// 20 live clients on one channel of pushsim serve, 200 REST triggers; prints deliveries/s and
// the trigger-to-receive latency percentiles (loopback, both ends in this process).
#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>

#include "support/serve_fixture.hpp"

namespace pushsim::test {

TEST_CASE("serve: fan-out over loopback, measured", "[.measure][net][serve]") {
  constexpr int kClients = 20;
  constexpr int kTriggers = 200;
  ServeFixture fixture(false);
  std::vector<std::unique_ptr<LiveConnection>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(fixture.connected_client());
    ServeFixture::subscribe(*clients.back(), "fanout");
  }
  std::vector<TimeNs> sent_at;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kTriggers; ++i) {
    sent_at.push_back(real_now());
    auto response = fixture.rest->trigger({{"fanout"}, "tick", std::to_string(i), std::nullopt, std::nullopt}, soon());
    REQUIRE(response.ok());
  }
  auto delivered = [&] {
    for (const auto& client : clients) {
      if (client->frames().size() < static_cast<std::size_t>(kTriggers) + 2) return false;
    }
    return true;
  };
  REQUIRE_FALSE(clients.front()->wait_for(delivered, deadline_after(10s), "every delivery").has_value());
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::vector<double> latency_ms;
  for (const auto& client : clients) {
    for (const auto& frame : client->frames()) {
      auto decoded = decode_frame(frame.text);
      if (!decoded || decoded->event != "tick") continue;
      int index = std::stoi(decoded->data->get<std::string>());
      latency_ms.push_back(static_cast<double>(frame.at - sent_at[static_cast<std::size_t>(index)]) / 1e6);
    }
  }
  std::sort(latency_ms.begin(), latency_ms.end());
  auto pct = [&](double p) {
    return latency_ms[static_cast<std::size_t>(p * static_cast<double>(latency_ms.size() - 1))];
  };
  std::cout << "fan-out: " << kClients << " clients x " << kTriggers << " triggers = " << latency_ms.size()
            << " deliveries in " << elapsed_s << " s (" << static_cast<double>(latency_ms.size()) / elapsed_s
            << "/s, REST round trips included); latency ms p50 " << pct(0.5) << " p99 " << pct(0.99) << " max "
            << latency_ms.back() << "\n";
  CHECK(latency_ms.size() == static_cast<std::size_t>(kClients * kTriggers));
}

}  // namespace pushsim::test
