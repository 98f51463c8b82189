// Timers: the idle ping / pong timeout (§1.6), the authorized-connections deadline (§4.6),
// the webhook dispatcher's own deadlines, the subscription_count throttle's windows (§3.5),
// and the work race-only broken variants put off.
//
// Every frame received from a connection proves it alive (touch). After activity_timeout_s of
// silence we send pusher:ping; if nothing at all arrives within pong_timeout after that, the
// connection gets pusher:error 4201 and a close 4201. A connection's single entry in
// `deadlines` is the earlier of that liveness deadline and its authorization deadline.
#include <algorithm>

#include "protocol/server/engine_state.hpp"
#include "protocol/server/server_codes.hpp"
#include "protocol/server/server_frames.hpp"

namespace pushsim {
namespace {

TimeNs liveness_deadline(const Connection& connection, const EngineOptions& options) {
  if (connection.ping_sent_at) return *connection.ping_sent_at + options.pong_timeout;
  return connection.last_received + seconds(options.activity_timeout_s);
}

}  // namespace

void Engine::State::touch(TimeNs now, Connection& connection) {
  connection.last_received = now;
  connection.ping_sent_at.reset();
  reschedule(connection);
}

void Engine::State::unschedule(Connection& connection) {
  if (connection.scheduled_deadline) {
    const std::size_t erased = deadlines.erase({*connection.scheduled_deadline, connection.id});
    PUSHSIM_ENGINE_ASSERT(erased == 1, "one-deadline-per-connection",
                          "connection " + std::to_string(connection.id) + " had no entry at its recorded deadline " +
                              std::to_string(*connection.scheduled_deadline));
  }
  connection.scheduled_deadline.reset();
}

void Engine::State::reschedule(Connection& connection) {
  TimeNs due = liveness_deadline(connection, options);
  if (connection.authorization_deadline) due = std::min(due, *connection.authorization_deadline);
  if (connection.scheduled_deadline == due) return;
  unschedule(connection);
  const bool added = deadlines.emplace(due, connection.id).second;
  PUSHSIM_ENGINE_ASSERT(
      added, "one-deadline-per-connection",
      "connection " + std::to_string(connection.id) + " already had an entry at " + std::to_string(due));
  connection.scheduled_deadline = due;
}

// Each call either removes the connection or moves its deadline entry (tick() asserts it), so
// tick() ends.
void Engine::State::on_connection_deadline(TimeNs now, ConnectionId id) {
  Connection& connection = connections.at(id);
  if (connection.authorization_deadline && *connection.authorization_deadline <= now) {
    return close_with_error(now, id, server_codes::kUnauthorized, "Connection not authorized within timeout");
  }
  if (connection.ping_sent_at && *connection.ping_sent_at + options.pong_timeout <= now) {
    return close_with_error(now, id, server_codes::kPongTimeout, "Pong reply not received in time");
  }
  if (!connection.ping_sent_at && liveness_deadline(connection, options) <= now) {
    send(id, server_frames::ping());
    connection.ping_sent_at = now;
  }
  reschedule(connection);
}

void Engine::State::defer(TimeNs now, std::function<void(TimeNs)> work) {
  deferred.emplace(std::pair(now + kRaceWindow, deferred_sequence++), std::move(work));
}

// Each piece runs at its own due time, so what it emits carries the time it would have had.
void Engine::State::run_deferred(TimeNs now) {
  while (!deferred.empty() && deferred.begin()->first.first <= now) {
    auto node = deferred.extract(deferred.begin());
    node.mapped()(node.key().first);
  }
}

void Engine::State::tick(TimeNs now) {
  run_deferred(now);
  end_count_windows(now);
  if (cluster != nullptr && next_heartbeat <= now) cluster_tick(now);
  while (!deadlines.empty() && deadlines.begin()->first <= now) {
    const std::pair<TimeNs, ConnectionId> handled = *deadlines.begin();
    on_connection_deadline(now, handled.second);
    // Progress, or this loop would not end: the handled entry is gone (the connection was
    // removed or is due at another time), unless the connection was just pinged with a
    // pong_timeout of zero, which makes it due now again, to be closed on the next pass.
    const Connection* after = find(handled.second);
    PUSHSIM_ENGINE_ASSERT(deadlines.count(handled) == 0 || (after != nullptr && after->ping_sent_at == now),
                          "handled-deadline-leaves-the-queue",
                          "connection " + std::to_string(handled.second) + " is still queued at " +
                              std::to_string(handled.first) + " after that deadline was handled");
  }
  std::vector<WebhookPost> posts;
  webhooks.on_tick(now, posts);
  for (auto& post : posts) outputs.emplace_back(std::move(post));
}

std::optional<TimeNs> Engine::State::next_deadline() const {
  std::optional<TimeNs> earliest = webhooks.next_deadline();
  if (!deadlines.empty() && (!earliest || deadlines.begin()->first < *earliest)) earliest = deadlines.begin()->first;
  if (!deferred.empty() && (!earliest || deferred.begin()->first.first < *earliest)) {
    earliest = deferred.begin()->first.first;
  }
  if (!count_window_ends.empty() && (!earliest || count_window_ends.begin()->first < *earliest)) {
    earliest = count_window_ends.begin()->first;
  }
  if (cluster != nullptr && (!earliest || next_heartbeat < *earliest)) earliest = next_heartbeat;
  return earliest;
}

}  // namespace pushsim
