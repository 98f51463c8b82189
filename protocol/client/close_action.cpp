#include "protocol/client/close_action.hpp"

namespace pushsim {

CloseAction close_action(int code) {
  if (code < 4000) {
    // Only protocol error, unsupported data and message too big are worth a back-off; the
    // clean and abnormal closes (1000, 1001, 1005, 1006, ...) carry no advice.
    if (code >= 1002 && code <= 1004) return CloseAction::kBackoff;
    return CloseAction::kNone;
  }
  if (code == 4000) return CloseAction::kTls;
  if (code < 4100) return CloseAction::kRefused;
  if (code < 4200) return CloseAction::kBackoff;
  if (code < 4300) return CloseAction::kReconnectNow;
  return CloseAction::kRefused;  // unknown codes: pusher-js gives up rather than hammer
}

std::string_view to_string(CloseAction action) {
  switch (action) {
    case CloseAction::kNone: return "none";
    case CloseAction::kBackoff: return "backoff";
    case CloseAction::kReconnectNow: return "reconnect-now";
    case CloseAction::kTls: return "tls";
    case CloseAction::kRefused: return "refused";
  }
  return "unknown";
}

std::optional<DurationNs> reconnect_delay(CloseAction action) {
  switch (action) {
    case CloseAction::kNone:
    case CloseAction::kBackoff: return seconds(1);
    case CloseAction::kReconnectNow:
    case CloseAction::kTls: return DurationNs{0};
    case CloseAction::kRefused: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace pushsim
