#pragma once
// How a client reacts when the server ends a connection (docs/protocol.md §1.8), as pusher-js's
// Protocol.getCloseAction decides it. The same table applies to the `code` of a pusher:error
// received during the handshake. The protocol client never reconnects by itself: it reports
// the action, and the driver (simulated client, live harness) reconnects or not.
#include <optional>
#include <string_view>

#include "protocol/time.hpp"

namespace pushsim {

enum class CloseAction {
  kNone,          // 1000, 1001, 1005-3999 except 1002-1004: nothing specific
  kBackoff,       // 1002-1004, 4100-4199: reconnect after a 1 s back-off
  kReconnectNow,  // 4200-4299: reconnect at once
  kTls,           // 4000: reconnect at once, over TLS
  kRefused,       // 4001-4099, 4300 and above: do not reconnect unchanged
};

CloseAction close_action(int code);
std::string_view to_string(CloseAction action);

// The delay after which pusher-js would reconnect following a close with this action, or
// nullopt when it stays disconnected. kNone also retries after 1 s: pusher-js's `closed`
// handler retries any connection that was connecting or connected when it closed.
std::optional<DurationNs> reconnect_delay(CloseAction action);

}  // namespace pushsim
