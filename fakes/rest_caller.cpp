#include "fakes/rest_caller.hpp"

namespace pushsim::fakes {

namespace {

// The SDK sends this header with every request; servers may log it, none may need it.
const Header kLibraryHeader{"X-Pusher-Library", "pusher-http-node 5.3.4"};

void add_params(nlohmann::ordered_json& body, const TriggerParams& params) {
  if (params.socket_id) body["socket_id"] = *params.socket_id;
  if (params.info) body["info"] = *params.info;
}

}  // namespace

std::string sdk_event_data(const Json& data) { return data.is_string() ? data.get<std::string>() : data.dump(); }

HttpRequest RestCaller::post(TimeNs now, std::string path, std::string body) const {
  const SignedRestRequest signed_request =
      sign_rest_request(app_, "POST", "/apps/" + app_.app_id + path, {}, body, to_unix_seconds(now));
  return HttpRequest{
      "POST", signed_request.target(), {{"Content-Type", "application/json"}, kLibraryHeader}, signed_request.body};
}

HttpRequest RestCaller::trigger(TimeNs now, const std::vector<std::string>& channels, std::string_view event,
                                const Json& data, const TriggerParams& params) const {
  // Key order matters for byte equality with the SDK: name, data, channels, then params.
  nlohmann::ordered_json body;
  body["name"] = std::string(event);
  body["data"] = sdk_event_data(data);
  body["channels"] = channels;
  add_params(body, params);
  return post(now, "/events", body.dump());
}

HttpRequest RestCaller::trigger_batch(TimeNs now, const std::vector<BatchItem>& batch) const {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const BatchItem& item : batch) {
    nlohmann::ordered_json entry;
    entry["channel"] = item.channel;
    entry["name"] = item.name;
    entry["data"] = sdk_event_data(item.data);
    add_params(entry, item.params);
    items.push_back(std::move(entry));
  }
  nlohmann::ordered_json body;
  body["batch"] = std::move(items);
  return post(now, "/batch_events", body.dump());
}

HttpRequest RestCaller::send_to_user(TimeNs now, std::string_view user_id, std::string_view event,
                                     const Json& data) const {
  return trigger(now, {"#server-to-user-" + std::string(user_id)}, event, data);
}

HttpRequest RestCaller::terminate_user_connections(TimeNs now, std::string_view user_id) const {
  return post(now, "/users/" + std::string(user_id) + "/terminate_connections", "{}");
}

HttpRequest RestCaller::get(TimeNs now, std::string_view path, const QueryParams& params) const {
  const SignedRestRequest signed_request =
      sign_rest_request(app_, "GET", "/apps/" + app_.app_id + std::string(path), params, "", to_unix_seconds(now));
  return HttpRequest{"GET", signed_request.target(), {kLibraryHeader}, ""};
}

}  // namespace pushsim::fakes
