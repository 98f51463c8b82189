#include "fakes/rest_caller.hpp"

namespace pushsim::fakes {

namespace {

// The SDK sends this header with every request; servers may log it, none may need it.
const Header kLibraryHeader{"X-Pusher-Library", "pusher-http-node 5.3.4"};

}  // namespace

HttpRequest RestCaller::post(TimeNs now, std::string path, std::string body) const {
  HttpRequest request =
      signed_rest_request(app_, "POST", app_rest_path(app_, path), {}, std::move(body), to_unix_seconds(now));
  request.headers.push_back(kLibraryHeader);
  return request;
}

HttpRequest RestCaller::trigger(TimeNs now, const std::vector<std::string>& channels, std::string_view event,
                                const Json& data, const TriggerParams& params) const {
  return post(now, "/events",
              encode_trigger_body(TriggerBody{std::string(event), sdk_event_data(data), channels, false,
                                              params.socket_id, params.info}));
}

HttpRequest RestCaller::trigger_batch(TimeNs now, const std::vector<BatchItem>& batch) const {
  std::vector<BatchEventBody> events;
  for (const BatchItem& item : batch) {
    events.push_back(
        BatchEventBody{item.channel, item.name, sdk_event_data(item.data), item.params.socket_id, item.params.info});
  }
  return post(now, "/batch_events", encode_batch_body(events));
}

HttpRequest RestCaller::send_to_user(TimeNs now, std::string_view user_id, std::string_view event,
                                     const Json& data) const {
  return trigger(now, {"#server-to-user-" + std::string(user_id)}, event, data);
}

HttpRequest RestCaller::terminate_user_connections(TimeNs now, std::string_view user_id) const {
  return post(now, "/users/" + std::string(user_id) + "/terminate_connections", "{}");
}

HttpRequest RestCaller::get(TimeNs now, std::string_view path, const QueryParams& params) const {
  HttpRequest request = signed_rest_request(app_, "GET", app_rest_path(app_, path), params, "", to_unix_seconds(now));
  request.headers.push_back(kLibraryHeader);
  return request;
}

}  // namespace pushsim::fakes
