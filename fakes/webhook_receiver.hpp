#pragma once
// The fake webhook receiver: an app's endpoint for Pusher WebHooks. It checks each POST the
// way the Node SDK's validator does (content type, X-Pusher-Key, X-Pusher-Signature over the
// raw body), records it with its arrival time, and answers 200, or 401 when the check fails.
// Told to fail N requests or answer slowly, it makes the engine's retries (docs/protocol.md §8.3)
// observable: every attempt is recorded, including the ones it refused.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fakes/http_faults.hpp"
#include "protocol/http.hpp"
#include "protocol/json.hpp"
#include "protocol/signing.hpp"

namespace pushsim::fakes {

struct WebhookBatch {
  TimeNs arrived_at = 0;
  std::string body;
  bool valid = false;                   // signature, key and content type all checked out
  std::string error;                    // why not, when not
  int status = 0;                       // what we answered; 0 for no answer
  std::optional<std::int64_t> time_ms;  // from the body, when it parses
  std::vector<Json> events;             // from the body, when it parses
  std::string target = {};              // the request target (path and query) it was posted to
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(AppCredentials app) : app_(std::move(app)) {}

  HttpFaults& faults() { return faults_; }
  HttpReply handle(TimeNs now, const HttpRequest& request);

  // Every POST that arrived, in arrival order, whatever was answered.
  const std::vector<WebhookBatch>& batches() const { return batches_; }
  // The events of the batches that were valid and answered 2xx: what the app acted on.
  std::vector<Json> accepted_events() const;
  std::size_t accepted_count() const;

 private:
  AppCredentials app_;
  HttpFaults faults_;
  std::vector<WebhookBatch> batches_;
};

}  // namespace pushsim::fakes
