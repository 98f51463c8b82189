#pragma once
// The pusher:error / close codes the reference engine uses (docs/protocol.md §1.8), and the choices
// made where the official service's code is unconfirmed (§11).
#include <optional>

namespace pushsim::server_codes {

inline constexpr int kUnknownApp = 4001;
inline constexpr int kAppDisabled = 4003;
inline constexpr int kOverConnectionQuota = 4004;  // official; soketi uses 4100
inline constexpr int kPathNotFound = 4005;
// Also for a missing `protocol` parameter: the official service then assumes version 1, which
// is unsupported; 4008 ("no protocol version") is only documented as future behaviour.
inline constexpr int kUnsupportedProtocol = 4007;
// Authorized-connections timeout and terminate_connections (soketi's choice; official
// unconfirmed), and a rejected pusher:signin (sent as pusher:error only; the connection stays).
inline constexpr int kUnauthorized = 4009;
inline constexpr int kShuttingDown = 4200;  // a graceful shutdown: reconnect at once (soketi's code)
inline constexpr int kPongTimeout = 4201;
inline constexpr int kClientEventRateLimit = 4301;
// Sent as pusher:error after signin_success; the sign-in stands with the first 100 ids.
inline constexpr int kWatchlistLimit = 4302;

// Non-fatal errors that leave the connection open carry code null, as the official service
// does for rejected subscriptions: malformed or oversized frames, binary frames, unknown
// events, rejected subscriptions (bad auth, bad name, full presence channel, bad channel_data)
// and rejected client events other than the rate limit.
inline constexpr std::optional<int> kNonFatal = std::nullopt;

}  // namespace pushsim::server_codes
