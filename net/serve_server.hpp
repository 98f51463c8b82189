#pragma once
// The reference engine behind one real port: WebSocket on /app/{key} and the REST API on
// /apps/..., told apart per connection by the upgrade request. Embeddable: a test (or
// `--target serve`) starts one in-process on an ephemeral port, reads port(), and stops it.
//
// Threads: an io_context run by options.io_threads threads for socket I/O; the engine on one
// strand (see net/detail/serve_driver.hpp). stop() closes every connection with 4200, as
// soketi does on shutdown, waits up to shutdown_grace for the closes, then joins the threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/serve_options.hpp"
#include "protocol/result.hpp"

namespace pushsim {

class ServeServer {
 public:
  ServeServer();
  ~ServeServer();  // stops
  ServeServer(const ServeServer&) = delete;
  ServeServer& operator=(const ServeServer&) = delete;

  // Binds, then starts the threads. A server starts once; an error leaves it stopped.
  std::optional<Error> start(ServeOptions options);
  void stop();
  bool running() const;

  std::uint16_t port() const;
  std::string ws_url() const;    // "ws://HOST:PORT"
  std::string http_url() const;  // "http://HOST:PORT"
  // The apps being served (the default app when none was given).
  const std::vector<AppConfig>& apps() const;
  // WebSocket connections open now.
  std::size_t connection_count() const;
  // Cluster mode: this node's id in the cluster (none for a single server).
  std::optional<std::uint32_t> cluster_node() const;
  // Cluster mode: true while the link's bus is subscribed (tests wait for it).
  bool cluster_bus_subscribed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim
