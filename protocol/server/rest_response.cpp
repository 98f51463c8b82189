#include "protocol/server/rest_response.hpp"

namespace pushsim {

HttpResponse rest_json_response(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse rest_error_response(int status, std::string_view message) {
  Json body = Json::object();
  body["error"] = std::string(message);
  return rest_json_response(status, body);
}

HttpResponse rest_error_response(const Error& error) {
  return rest_error_response(error.code.value_or(400), error.message);
}

std::string json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "invalid JSON";
  }
  return "unknown";
}

}  // namespace pushsim
