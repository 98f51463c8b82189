#include <catch2/catch.hpp>

#include "fakes/webhook_receiver.hpp"
#include "protocol/vectors.hpp"

using namespace pushsim;
using namespace pushsim::fakes;
using pushsim::test::vector_named;

namespace {

const AppCredentials kApp{"1", "app-key", "app-secret"};

HttpRequest webhook_post(const std::string& body, const std::string& key, const std::string& signature,
                         const std::string& content_type = "application/json") {
  return HttpRequest{"POST",
                     "/webhooks",
                     {{"Content-Type", content_type}, {"X-Pusher-Key", key}, {"X-Pusher-Signature", signature}},
                     body};
}

}  // namespace

TEST_CASE("webhook receiver accepts a correctly signed batch and records its events", "[webhook_receiver]") {
  const Json v = vector_named("webhook_signature");
  const std::string body = v["inputs"]["body"];
  WebhookReceiver receiver(kApp);
  const HttpReply reply = receiver.handle(
      kSimulationEpoch + ms(7), webhook_post(body, "app-key", v["expected"]["headers"]["X-Pusher-Signature"]));
  REQUIRE(reply.response);
  CHECK(reply.response->status == 200);
  REQUIRE(receiver.batches().size() == 1);
  const WebhookBatch& batch = receiver.batches()[0];
  CHECK(batch.valid);
  CHECK(batch.arrived_at == kSimulationEpoch + ms(7));
  CHECK(batch.time_ms == 1700000000000);
  REQUIRE(batch.events.size() == 3);
  CHECK(batch.events[1] == Json{{"name", "member_added"}, {"channel", "presence-foo"}, {"user_id", "u1"}});
  CHECK(receiver.accepted_events().size() == 3);
}

TEST_CASE("webhook receiver refuses wrong key, wrong signature, uppercase hex and a charset", "[webhook_receiver]") {
  const Json v = vector_named("webhook_signature");
  const std::string body = v["inputs"]["body"];
  const std::string signature = v["expected"]["headers"]["X-Pusher-Signature"];
  std::string upper = signature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  WebhookReceiver receiver(kApp);
  const std::vector<HttpRequest> bad = {
      webhook_post(body, "other-key", signature),
      webhook_post(body + " ", "app-key", signature),
      webhook_post(body, "app-key", upper),
      webhook_post(body, "app-key", signature, "application/json; charset=utf-8"),
  };
  for (const auto& request : bad) {
    const HttpReply reply = receiver.handle(kSimulationEpoch, request);
    REQUIRE(reply.response);
    CHECK(reply.response->status == 401);
  }
  CHECK(receiver.batches().size() == 4);
  CHECK(receiver.accepted_count() == 0);
  for (const auto& batch : receiver.batches()) CHECK_FALSE(batch.error.empty());
}

TEST_CASE("webhook receiver told to fail N requests fails exactly those, then accepts", "[webhook_receiver]") {
  const std::string body = R"({"time_ms":1,"events":[{"name":"channel_occupied","channel":"c"}]})";
  WebhookReceiver receiver(kApp);
  receiver.faults().fail_next(3, 500);
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) {
    statuses.push_back(
        receiver.handle(kSimulationEpoch, webhook_post(body, "app-key", sign_webhook("app-secret", body)))
            .response->status);
  }
  CHECK(statuses == std::vector<int>{500, 500, 500, 200, 200});
  CHECK(receiver.batches().size() == 5);
  CHECK(receiver.accepted_count() == 2);
}
