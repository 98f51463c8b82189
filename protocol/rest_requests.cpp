#include "protocol/rest_requests.hpp"

namespace pushsim {
namespace {

// Appends the optional parameters every event of a trigger or batch may carry, in the SDK's order.
void add_event_params(nlohmann::ordered_json& body, const std::optional<std::string>& socket_id,
                      const std::optional<std::string>& info) {
  if (socket_id) body["socket_id"] = *socket_id;
  if (info) body["info"] = *info;
}

}  // namespace

std::string sdk_event_data(const Json& data) { return data.is_string() ? data.get<std::string>() : data.dump(); }

std::string encode_trigger_body(const TriggerBody& trigger) {
  nlohmann::ordered_json body;
  body["name"] = trigger.name;
  body["data"] = trigger.data;
  if (trigger.single_channel_form && trigger.channels.size() == 1) {
    body["channel"] = trigger.channels.front();
  } else {
    body["channels"] = trigger.channels;
  }
  add_event_params(body, trigger.socket_id, trigger.info);
  return body.dump();
}

std::string encode_batch_body(const std::vector<BatchEventBody>& events) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const BatchEventBody& event : events) {
    nlohmann::ordered_json item;
    item["channel"] = event.channel;
    item["name"] = event.name;
    item["data"] = event.data;
    add_event_params(item, event.socket_id, event.info);
    items.push_back(std::move(item));
  }
  nlohmann::ordered_json body;
  body["batch"] = std::move(items);
  return body.dump();
}

std::string app_rest_path(const AppCredentials& app, std::string_view path) {
  return "/apps/" + app.app_id + std::string(path);
}

HttpRequest signed_rest_request(const AppCredentials& app, std::string method, std::string_view path,
                                const QueryParams& params, std::string body, std::int64_t now_s) {
  HttpRequest request;
  request.target = sign_rest_request(app, method, path, params, body, now_s).target();
  request.method = std::move(method);
  if (!body.empty()) request.headers.push_back({"Content-Type", "application/json"});
  request.body = std::move(body);
  return request;
}

}  // namespace pushsim
