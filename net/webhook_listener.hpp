#pragma once
// An HTTP server on loopback that receives a Pusher server's WebHooks (docs/protocol.md §8) and
// records each POST: when it arrived, whether X-Pusher-Key / X-Pusher-Signature verify
// (verify_webhook, as the Node SDK's validator), and the events it carried. It answers 200,
// or a configured failure status for the next N requests (to exercise retries), or no answer
// at all (status 0) until the sender gives up.
//
// It runs on the caller's IoLoop: requests are accepted and answered only while the caller
// runs the loop (inside any wait), so a test must wait for what it expects.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/io_loop.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"
#include "protocol/signing.hpp"
#include "protocol/time.hpp"

namespace pushsim {

struct WebhookListenerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;            // 0: an ephemeral port, see port()
  std::vector<AppCredentials> apps;  // X-Pusher-Key picks the app whose secret verifies
  std::size_t body_max_bytes = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  // Limits against a flood of deliveries: requests beyond received_max are answered but only
  // counted (see unrecorded()); connections beyond sessions_max at once are closed on accept.
  std::size_t received_max = 10'000;
  std::size_t sessions_max = 256;
  // A failure with status 0 answers nothing: the request is held open until the sender gives
  // up (closes), or at most this long, then the connection is closed without an answer.
  std::chrono::milliseconds hold_max{30'000};
};

struct ReceivedWebhook {
  TimeNs at = 0;
  std::string method;
  std::string target;
  std::vector<Header> headers;
  std::string body;
  std::optional<std::string> app_id;  // the app X-Pusher-Key named, when it names one
  bool verified = false;
  std::optional<Error> error;           // why it did not verify, or why the body is unusable
  std::optional<std::int64_t> time_ms;  // from the envelope
  Json events = Json::array();          // the envelope's events, as received
  int answered_status = 200;            // 0: held unanswered
};

class WebhookListener {
 public:
  WebhookListener(IoLoop& loop, WebhookListenerOptions options);
  ~WebhookListener();
  WebhookListener(const WebhookListener&) = delete;
  WebhookListener& operator=(const WebhookListener&) = delete;

  // Binds and starts accepting. An error names the address that could not be bound.
  std::optional<Error> start();
  void stop();
  std::uint16_t port() const;
  // "http://HOST:PORT/webhooks", for a server's webhook configuration.
  std::string url() const;

  // The next `count` requests are answered with `status` instead of 200 (0: not answered).
  void fail_next(std::size_t count, int status);
  const std::vector<ReceivedWebhook>& received() const;
  // Requests answered after received_max were recorded, and how many of them did not verify.
  std::size_t unrecorded() const;
  std::size_t unrecorded_unverified() const;
  // Every event of every verified POST, in arrival order.
  std::vector<Json> verified_events() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace pushsim
