#pragma once
// A webhook event by name and channel, for the webhook model and dispatcher tests.
#include <optional>
#include <string>

#include "protocol/webhook.hpp"

namespace pushsim::test {

inline WebhookEvent event(std::string name, std::string channel, std::optional<std::string> user_id = std::nullopt) {
  WebhookEvent e;
  e.name = std::move(name);
  e.channel = std::move(channel);
  e.user_id = std::move(user_id);
  return e;
}

}  // namespace pushsim::test
