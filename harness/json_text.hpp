#pragma once
// JSON text for messages and request bodies. nlohmann's dump() throws on invalid UTF-8;
// scenario files may hold any bytes, so the harness always dumps with replacement.
#include <string>

#include "protocol/json.hpp"

namespace pushsim::harness {

inline std::string to_json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace pushsim::harness
