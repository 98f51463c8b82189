#pragma once
// The closed word lists of the scenario format. Closed on purpose: a misspelt feature in
// `requires:` would otherwise skip its scenario on every target, silently, forever.
#include <span>
#include <string>
#include <string_view>

namespace pushsim::harness {

// Server features a scenario may require; a target profile says which ones it has.
// Sorted, so that messages listing them are stable.
inline constexpr std::string_view kKnownFeatures[] = {
    "batch_webhooks",      "cache_channels", "client_events",      "encrypted_channels",
    "publish_info",        "server_to_user", "subscription_count", "terminate_connections",
    "user_authentication", "watchlist",      "webhooks",
};

// WebHook event names (docs/protocol.md §8.2), in the order of that table.
inline constexpr std::string_view kWebhookNames[] = {
    "channel_occupied", "channel_vacated", "member_added",       "member_removed",
    "client_event",     "cache_miss",      "subscription_count",
};

// Step kinds as written in YAML, in the order of the StepAction variant (scenario.hpp).
inline constexpr std::string_view kStepKinds[] = {
    "connect",
    "disconnect",
    "subscribe",
    "unsubscribe",
    "signin",
    "client_event",
    "send",
    "trigger",
    "batch_trigger",
    "query",
    "request",
    "expect",
    "expect_none",
    "expect_close",
    "expect_response",
    "expect_webhook",
    "expect_no_webhook",
    "expect_webhook_state",
    "expect_refused",
    "expect_pong",
    "advance",
    "partition",
    "heal",
    "drop",
    "latency",
    "webhook_failures",
    "auth_refuse",
    "crash_node",
    "restart_node",
    "partition_nodes",
    "heal_nodes",
    "shutdown_server",
    "concurrently",
    "one_of",
};

// expect_webhook_state's states, in the order of ExpectWebhookStateStep::State.
inline constexpr std::string_view kWebhookStates[] = {"occupied", "vacated", "member", "absent"};

// Scenario levels as written in YAML: must, should, info.
inline constexpr std::string_view kLevelNames[] = {"must", "should", "info"};

bool is_known(std::span<const std::string_view> words, std::string_view word);
// "a, b, c" for error messages.
std::string join_words(std::span<const std::string_view> words);

}  // namespace pushsim::harness
