// Fuzz target: the webhook verifier (protocol/signing.cpp verify_webhook) and the receiving
// side's reading of the body (fakes/webhook_receiver.*), on arbitrary POSTs.
//
// Input: header lines "Name: value" up to an empty line, then the body. A leading '!' asks for
// correct Content-Type, X-Pusher-Key and X-Pusher-Signature headers to be put first, so that
// the body is read as an app would read it.
// Properties: never a crash; a request signed correctly is accepted (200) and one that is not
// is refused (401) with a reason; events are kept only from a JSON object body.
#include "fakes/webhook_receiver.hpp"
#include "fuzz/fuzz_support.hpp"
#include "protocol/signing.hpp"

using namespace pushsim;
using namespace pushsim::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = as_text(data, size);
  bool re_sign = !text.empty() && text.front() == '!';
  if (re_sign) text.remove_prefix(1);
  const AppCredentials app{"1", "key1", "secret-one-3f9c2a7d1b6e4058"};

  HttpRequest request;
  request.method = "POST";
  request.target = "/webhooks";
  std::string_view rest = text;
  for (;;) {
    auto [line, after] = cut(rest, '\n');
    rest = after;
    if (line.empty()) break;
    auto [name, value] = cut(line, ':');
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::string(name), std::string(value));
  }
  request.body = std::string(rest);
  if (re_sign) {
    std::vector<Header> headers = {{"Content-Type", "application/json"},
                                   {"X-Pusher-Key", app.key},
                                   {"X-Pusher-Signature", sign_webhook(app.secret, request.body)}};
    headers.insert(headers.end(), request.headers.begin(), request.headers.end());
    request.headers = std::move(headers);
  }

  fakes::WebhookReceiver receiver(app);
  auto reply = receiver.handle(kSimulationEpoch, request);
  check(receiver.batches().size() == 1, "a POST was not recorded exactly once");
  const auto& batch = receiver.batches().front();
  check(reply.response.has_value(), "no answer without a fault plan");
  if (re_sign) {
    check(batch.valid && reply.response->status == 200, "a correctly signed webhook was refused", batch.error);
  } else if (!batch.valid) {
    check(reply.response->status == 401 && !batch.error.empty(), "a refused webhook without 401 and reason");
  }
  auto verdict = verify_webhook(app, request.headers, request.body);
  check(verdict.has_value() != batch.valid, "verify_webhook and the receiver disagree");
  // The secret must not leak into a message, unless the request itself carried it (a message
  // may quote what was sent; the fuzzer learns the secret from this very comparison).
  if (verdict && text.find(app.secret) == std::string_view::npos) {
    check(verdict->message.find(app.secret) == std::string::npos, "the secret in an error message");
  }
  return 0;
}
