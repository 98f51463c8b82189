#pragma once
// The reference engine behind real sockets. The engine is single-threaded, so it lives on one
// strand: every input (a connection opened, a frame, a close, an HTTP request, a webhook
// answer, the timer) is posted there, and after each one the driver carries out the engine's
// outputs: frames go to the sessions (each frame one shared buffer, whatever the fan-out),
// closes to the sessions, webhook POSTs to an HTTP client. One steady timer is armed at
// engine.next_deadline(). The real clock is read here and handed to the engine as TimeNs.
//
// Connections are spread over a few shard strands, one per I/O thread, rather than each
// having its own: a fan-out to N sessions is then one posted batch per shard, which the shard
// hands to its sessions in a loop, instead of N posts each taking the scheduler's lock and
// perhaps waking a thread. A shard that has not yet taken its last batch gets the next one
// appended to it instead of a second post, so a shard that falls behind takes the frames of
// several events at once and writes each session's share in one writev. Order per session is
// kept: batches and closes reach the shard's strand in the order the engine produced them.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/serve_options.hpp"
#include "protocol/random.hpp"
#include "protocol/server/cluster_link.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::detail {

class WsSession;

class ServeDriver {
 public:
  ServeDriver(boost::asio::io_context& context, const ServeOptions& options, std::vector<AppConfig> apps,
              std::uint64_t seed);

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Thread-safe: each posts onto the engine's strand.
  ConnectionId new_connection_id() { return next_id_++; }
  // The strand a newly accepted connection runs on, round-robin over the shards.
  Strand next_shard() { return shards_[next_shard_++ % shards_.size()]; }
  void opened(std::shared_ptr<WsSession> session, std::string target);
  void text(ConnectionId id, std::string text);
  void binary(ConnectionId id, std::size_t size);
  void closed(ConnectionId id);
  void http(HttpRequest request, std::function<void(HttpResponse)> reply);
  // Stops the timer and closes every connection with `code`; later connections get the same.
  void shutdown(int code, std::string reason);
  // Ends every connection still open at once, without a close frame (as the process's exit
  // would): after shutdown()'s grace, for clients that never answered the close.
  void drop_all();
  // Cluster mode: the engine becomes one node of the cluster behind `link` (which outlives the
  // driver), and each message from another node, posted in the order they come, reaches it.
  void attach_cluster(ClusterLink& link);
  void peer_message(PeerMessage message);

  // Connections open at the WebSocket level (opened and not yet closed).
  std::size_t session_count() const { return live_sessions_; }
  // Called only once no thread runs the io_context: drops the session references.
  void release_sessions() { sessions_.clear(); }

 private:
  struct Session {
    std::shared_ptr<WsSession> session;
    std::size_t shard = 0;  // index into shards_; shards_.size() when it runs elsewhere
  };
  using Batch = std::vector<std::pair<std::shared_ptr<WsSession>, std::shared_ptr<const std::string>>>;

  // One shard's hand-over: the engine's strand fills `pending`, the shard's strand drains it.
  struct ShardQueue {
    std::mutex mutex;
    Batch pending;           // under mutex
    bool scheduled = false;  // under mutex: a drain is posted and has not yet taken `pending`
    Batch draining;          // the shard strand's own
    std::vector<WsSession*> dirty;
  };

  void flush();
  void send_batches();
  void drain(std::size_t shard);
  void arm_timer();
  void post_webhook(WebhookPost post);
  std::size_t shard_of(WsSession& session) const;
  // The wire log's line for a connection (by socket id, "#N" before it has one); no-op without one.
  void log(std::string_view kind, ConnectionId id, WireDirection direction, std::string_view text);
  void log(std::string_view kind, std::string_view party, WireDirection direction, std::string_view text);

  boost::asio::io_context& context_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds webhook_timeout_;
  std::function<void(std::string_view)> on_client_text_;
  WireSink* wire_ = nullptr;
  Rng rng_;
  Engine engine_;
  std::vector<Strand> shards_;
  std::atomic<std::size_t> next_shard_{0};
  std::map<ConnectionId, Session> sessions_;
  std::vector<EngineOutput> outputs_;  // kept between flushes: its capacity is reused
  std::vector<Batch> batches_;         // per shard, filled by flush(), handed over by send_batches()
  std::vector<std::unique_ptr<ShardQueue>> shard_queues_;
  std::atomic<ConnectionId> next_id_{1};
  std::atomic<std::size_t> live_sessions_{0};
  std::optional<std::pair<int, std::string>> shutdown_close_;
};

}  // namespace pushsim::detail
