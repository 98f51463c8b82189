#include "net/detail/serve_driver.hpp"

#include <algorithm>
#include <iterator>

#include <boost/asio/post.hpp>

#include "net/detail/http_exchange.hpp"
#include "net/detail/serve_ws_session.hpp"
#include "net/real_clock.hpp"

namespace pushsim::detail {

namespace asio = boost::asio;

ServeDriver::ServeDriver(asio::io_context& context, const ServeOptions& options, std::vector<AppConfig> apps,
                         std::uint64_t seed)
    : context_(context),
      strand_(asio::make_strand(context)),
      timer_(strand_),
      webhook_timeout_(std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::nanoseconds(options.engine.webhooks.response_timeout))),
      on_client_text_(options.on_client_text),
      wire_(options.wire_log),
      rng_(seed),
      engine_(options.engine, std::move(apps), rng_) {
  for (int i = 0; i < std::max(1, options.io_threads); ++i) shards_.push_back(asio::make_strand(context));
  batches_.resize(shards_.size());
  for (std::size_t i = 0; i < shards_.size(); ++i) shard_queues_.push_back(std::make_unique<ShardQueue>());
  if (wire_ != nullptr) {
    for (const auto& app : options.apps) wire_->mask(app.secret);
  }
}

void ServeDriver::log(std::string_view kind, ConnectionId id, WireDirection direction, std::string_view text) {
  if (wire_ == nullptr) return;
  const auto socket = engine_.socket_id(id);
  log(kind, socket ? *socket : "#" + std::to_string(id), direction, text);
}

void ServeDriver::log(std::string_view kind, std::string_view party, WireDirection direction, std::string_view text) {
  if (wire_ != nullptr) wire_->record(WireEvent{monotonic_now(), kind, party, direction, std::nullopt, text});
}

std::size_t ServeDriver::shard_of(WsSession& session) const {
  const auto executor = session.executor();
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    if (executor == asio::any_io_executor(shards_[i])) return i;
  }
  return shards_.size();  // not one of ours: frames go to it one post at a time
}

void ServeDriver::opened(std::shared_ptr<WsSession> session, std::string target) {
  ++live_sessions_;
  asio::post(strand_, [this, session = std::move(session), target = std::move(target)]() mutable {
    ConnectionId id = session->id();
    const std::size_t shard = shard_of(*session);
    auto& kept = sessions_.emplace(id, Session{std::move(session), shard}).first->second.session;
    // Kept until it reports its end, so that session_count() falls to zero only then.
    if (shutdown_close_) return kept->close(shutdown_close_->first, shutdown_close_->second);
    engine_.on_open(real_now(), id, target);
    log("connect", id, WireDirection::kIn, target);
    flush();
  });
}

void ServeDriver::text(ConnectionId id, std::string text) {
  asio::post(strand_, [this, id, text = std::move(text)] {
    if (on_client_text_) on_client_text_(text);
    log("frame", id, WireDirection::kIn, text);
    engine_.on_text(real_now(), id, text);
    flush();
  });
}

void ServeDriver::binary(ConnectionId id, std::size_t size) {
  asio::post(strand_, [this, id, size] {
    engine_.on_binary(real_now(), id, size);
    flush();
  });
}

void ServeDriver::closed(ConnectionId id) {
  asio::post(strand_, [this, id] {
    if (sessions_.erase(id) == 0) return;
    --live_sessions_;
    if (shutdown_close_) return;  // shutting down: no more engine work, no webhooks
    log("close", id, WireDirection::kIn, "the connection ended");
    engine_.on_closed(real_now(), id);
    flush();
  });
}

void ServeDriver::http(HttpRequest request, std::function<void(HttpResponse)> reply) {
  asio::post(strand_, [this, request = std::move(request), reply = std::move(reply)] {
    log("rest", "rest", WireDirection::kIn,
        request.method + " " + request.target + (request.body.empty() ? "" : "\n" + request.body));
    HttpResponse response = engine_.on_http(real_now(), request);
    log("rest", "rest", WireDirection::kOut, std::to_string(response.status) + " " + response.body);
    flush();
    reply(std::move(response));
  });
}

void ServeDriver::shutdown(int code, std::string reason) {
  asio::post(strand_, [this, code, reason = std::move(reason)] {
    // The broken variant drops every connection without a close frame.
    const bool drop = engine_.options().defects.has(Defect::kShutdownWithoutClose);
    if (!drop) {
      engine_.shutdown(real_now());  // its 4200 closes go out through flush()
      flush();
    }
    shutdown_close_ = std::make_pair(code, reason);
    timer_.cancel();
    for (auto& [id, entry] : sessions_) {
      if (drop) {
        entry.session->drop();
      } else {
        entry.session->close(code, reason);  // the ones the engine did not know (none, normally)
      }
    }
  });
}

void ServeDriver::drop_all() {
  asio::post(strand_, [this] {
    for (auto& [id, entry] : sessions_) entry.session->drop();
  });
}

void ServeDriver::attach_cluster(ClusterLink& link) {
  asio::post(strand_, [this, &link] {
    engine_.attach_cluster(real_now(), link);
    flush();
  });
}

void ServeDriver::peer_message(PeerMessage message) {
  asio::post(strand_, [this, message = std::move(message)] {
    if (shutdown_close_) return;
    engine_.on_peer_message(real_now(), message);
    flush();
  });
}

void ServeDriver::flush() {
  engine_.take_outputs(outputs_);
  for (auto& output : outputs_) {
    if (std::holds_alternative<SendFrame>(output) || std::holds_alternative<BroadcastFrame>(output)) {
      for_each_frame(output, [&](ConnectionId connection, const std::shared_ptr<const std::string>& text) {
        auto it = sessions_.find(connection);
        if (it == sessions_.end()) return;
        log("frame", connection, WireDirection::kOut, *text);
        const Session& entry = it->second;
        if (entry.shard < batches_.size()) {
          batches_[entry.shard].emplace_back(entry.session, text);
        } else {
          entry.session->send(text);
        }
      });
    } else if (auto* close = std::get_if<CloseConnection>(&output)) {
      auto it = sessions_.find(close->connection);
      if (it == sessions_.end()) continue;
      log("close", close->connection, WireDirection::kOut, std::to_string(close->code) + " " + close->reason);
      send_batches();  // the frames before the close go first
      it->second.session->close(close->code, std::move(close->reason));
    } else if (auto* post = std::get_if<WebhookPost>(&output)) {
      post_webhook(std::move(*post));
    }
  }
  send_batches();
  arm_timer();
}

void ServeDriver::send_batches() {
  for (std::size_t shard = 0; shard < batches_.size(); ++shard) {
    Batch& batch = batches_[shard];
    if (batch.empty()) continue;
    ShardQueue& queue = *shard_queues_[shard];
    bool post = false;
    {
      std::lock_guard lock(queue.mutex);
      if (queue.pending.empty()) {
        std::swap(queue.pending, batch);
      } else {
        std::move(batch.begin(), batch.end(), std::back_inserter(queue.pending));
        batch.clear();
      }
      post = !std::exchange(queue.scheduled, true);
    }
    if (post) asio::post(shards_[shard], [this, shard] { drain(shard); });
  }
}

void ServeDriver::drain(std::size_t shard) {
  // On the shard's strand, which is every one of these sessions' strand.
  ShardQueue& queue = *shard_queues_[shard];
  {
    std::lock_guard lock(queue.mutex);
    std::swap(queue.pending, queue.draining);
    queue.scheduled = false;
  }
  for (auto& [session, frame] : queue.draining) {
    if (session->push(std::move(frame))) queue.dirty.push_back(session.get());
  }
  for (WsSession* session : queue.dirty) session->flush();  // kept alive by `draining`
  queue.dirty.clear();
  queue.draining.clear();
}

void ServeDriver::arm_timer() {
  auto deadline = engine_.next_deadline();
  timer_.cancel();
  if (!deadline || shutdown_close_) return;
  timer_.expires_after(std::chrono::nanoseconds(std::max<DurationNs>(0, *deadline - real_now())));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || shutdown_close_) return;
    engine_.on_tick(real_now());
    flush();
  });
}

void ServeDriver::post_webhook(WebhookPost post) {
  std::uint64_t delivery = post.delivery_id;
  auto answer = [this, delivery](int status) {
    asio::post(strand_, [this, delivery, status] {
      if (shutdown_close_) return;
      log("webhook", "webhooks", WireDirection::kIn, "answered " + (status == 0 ? "nothing" : std::to_string(status)));
      engine_.on_webhook_response(real_now(), delivery, status);
      flush();
    });
  };
  auto url = parse_url(post.url);
  if (!url) return answer(0);
  HttpRequest request{"POST", url->target, std::move(post.headers), std::move(post.body)};
  if (wire_ != nullptr) {
    std::string text = "POST " + post.url;
    for (const auto* name : {"X-Pusher-Key", "X-Pusher-Signature"}) {
      if (auto value = request.header(name)) text += " " + std::string(name) + ": " + std::string(*value);
    }
    log("webhook", "webhooks", WireDirection::kOut, text + "\n" + request.body);
  }
  HttpExchangeOptions options;
  options.timeout = webhook_timeout_;
  // 0 tells the engine nobody answered (refused, timed out, garbled): it retries as it sees fit.
  start_http_exchange(context_, *url, std::move(request), options,
                      [answer](Result<HttpResponse> response) { answer(response ? response->status : 0); });
}

}  // namespace pushsim::detail
