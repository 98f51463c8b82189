#include "fakes/webhook_receiver.hpp"

namespace pushsim::fakes {

namespace {

void parse_body(WebhookBatch& batch) {
  const Json body = Json::parse(batch.body, nullptr, false);
  if (!body.is_object()) return;
  if (auto it = body.find("time_ms"); it != body.end() && it->is_number_integer()) {
    batch.time_ms = it->get<std::int64_t>();
  }
  if (auto it = body.find("events"); it != body.end() && it->is_array()) {
    for (const auto& event : *it) batch.events.push_back(event);
  }
}

}  // namespace

HttpReply WebhookReceiver::handle(TimeNs now, const HttpRequest& request) {
  WebhookBatch batch;
  batch.arrived_at = now;
  batch.body = request.body;
  batch.target = request.target;
  if (auto error = verify_webhook(app_, request.headers, request.body)) {
    batch.error = error->message;
  } else {
    batch.valid = true;
  }
  parse_body(batch);
  HttpReply reply;
  if (auto forced = faults_.intercept()) {
    reply = *forced;
  } else if (!batch.valid) {
    reply = HttpReply{HttpResponse{401, {{"Content-Type", "text/plain"}}, batch.error}, faults_.delay()};
  } else {
    reply = HttpReply{HttpResponse{200, {{"Content-Type", "application/json"}}, "{}"}, faults_.delay()};
  }
  batch.status = reply.response ? reply.response->status : 0;
  batches_.push_back(std::move(batch));
  return reply;
}

std::vector<Json> WebhookReceiver::accepted_events() const {
  std::vector<Json> out;
  for (const auto& batch : batches_) {
    if (!batch.valid || batch.status < 200 || batch.status > 299) continue;
    out.insert(out.end(), batch.events.begin(), batch.events.end());
  }
  return out;
}

std::size_t WebhookReceiver::accepted_count() const {
  std::size_t n = 0;
  for (const auto& batch : batches_) n += batch.valid && batch.status >= 200 && batch.status <= 299 ? 1 : 0;
  return n;
}

}  // namespace pushsim::fakes
