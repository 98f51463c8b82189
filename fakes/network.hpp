#pragma once
// The simulated network: WebSocket links between clients and the server, and HTTP
// exchanges between any two endpoints, with delays drawn from seeded streams and faults.
//
// Theory of operation. A link has two directions, each a FIFO queue of packets. Sending
// draws a one-way delay and files one scheduler task per packet, due at
//     max(now + drawn delay, due time of the previous packet in that direction),
// so within a connection packets arrive in order and none is lost (what TCP gives), while
// packets of different connections interleave by their delays. Because a direction's due
// times never decrease and the scheduler breaks ties by filing order, the task that fires
// is always the one for the packet at the front of its queue.
//
// Faults: a partition of a client cancels the tasks of its links' queued packets and keeps
// the packets (traced as held); new sends queue behind them; heal() files them again with
// fresh delays, in order. A partition cuts a client off the Pusher server only: its HTTP
// calls to the app server go on (the app server is another host), which keeps "the server
// timed out first" and "the auth endpoint failed" separate faults. cut() loses every queued packet and every later one,
// telling neither side (an abrupt drop: each side notices only by its own timeouts). A close packet closes its sending
// side at once and the receiving side when it arrives; packets that reach a closed side are dropped. Every one of these
// steps is written to the trace.
//
// Randomness: each client's links draw from a stream derived from the client's name, each
// HTTP route (from, to) from one derived from both names, so adding a client or a route
// leaves everybody else's draws unchanged.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fakes/latency.hpp"
#include "fakes/packet_queue.hpp"
#include "fakes/scheduler.hpp"
#include "fakes/trace.hpp"
#include "protocol/http.hpp"
#include "protocol/random.hpp"

namespace pushsim::fakes {

using LinkId = std::uint64_t;  // doubles as the engine's ConnectionId

enum class Direction : std::uint8_t { kToServer = 0, kToClient = 1 };

struct Packet {
  enum class Kind : std::uint8_t {
    kOpen,    // client -> server: the WebSocket handshake; text is the request target
    kAccept,  // server -> client: the handshake answer
    kText,    // a text frame
    kClose,   // a close frame with a code; text is the reason
    kBinary,  // a binary frame (client -> server only); text is its bytes
    // Control frames (RFC 6455 §5.5), modelled only as far as pings go: a client's ping and
    // the server's pong; text is the payload. They carry no protocol message.
    kPing,  // client -> server
    kPong,  // server -> client
  };
  Kind kind = Kind::kText;
  int code = 0;
  std::shared_ptr<const std::string> text;
  EventId event;  // the delivery task while one is filed
};

// Receives what arrives. The network has already updated link state when it calls.
class NetworkSink {
 public:
  virtual ~NetworkSink() = default;
  virtual void on_packet(TimeNs now, LinkId link, Direction direction, const Packet& packet) = 0;
};

struct NetworkConfig {
  Latency websocket = Latency::uniform(ms(1), ms(20));  // one way, per packet
  Latency http = Latency::uniform(ms(1), ms(20));       // one way, per request or response
  Ratio http_loss;                                      // a lost HTTP request is never answered
  std::size_t max_queued_packets = 10'000'000;          // over it: dropped and counted as overflow
};

// The answer an HTTP service gives: nullopt never answers (the caller times out).
struct HttpReply {
  std::optional<HttpResponse> response;
  DurationNs processing_delay = 0;
};
using HttpService = std::function<HttpReply(TimeNs now, const HttpRequest& request)>;
// nullopt: no answer (lost, or timed out).
using HttpCallback = std::function<void(TimeNs now, std::optional<HttpResponse> response)>;

class Network {
 public:
  Network(NetworkConfig config, Scheduler& scheduler, Trace& trace, const Rng& root, NetworkSink& sink,
          EndpointId server);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const NetworkConfig& config() const { return config_; }

  // --- WebSocket links ------------------------------------------------------------------
  // Opens a link from a client endpoint; the open packet travels to the server.
  LinkId connect(EndpointId client, std::string target);
  void send_text(LinkId link, Direction direction, std::shared_ptr<const std::string> text);
  void send_binary(LinkId link, Direction direction, std::shared_ptr<const std::string> bytes);
  // A ping (kToServer) or pong (kToClient) control frame with this payload.
  void send_control(LinkId link, Direction direction, std::string payload);
  void send_accept(LinkId link);
  // Closes the sending side now; the close packet travels in `direction`.
  void send_close(LinkId link, Direction direction, int code, std::string reason);
  // Abrupt drop: queued and later packets are lost; neither side is told.
  void cut(LinkId link);

  bool side_open(LinkId link, Direction toward) const;  // may packets still arrive there?
  EndpointId client_of(LinkId link) const;
  std::size_t queued(LinkId link, Direction direction) const;
  std::vector<LinkId> links_of(EndpointId client) const;

  // --- faults ---------------------------------------------------------------------------
  void partition(EndpointId client);
  void heal(EndpointId client);
  bool partitioned(EndpointId client) const;
  // Added to every one-way WebSocket delay of this client (nullopt removes it).
  void set_extra_latency(EndpointId client, std::optional<Latency> extra);
  // Added to every one-way WebSocket delay of every client.
  void set_extra_latency_all(std::optional<Latency> extra);
  void set_client_latency(EndpointId client, Latency latency);
  void set_http_route_latency(EndpointId from, EndpointId to, Latency latency);

  // --- HTTP -----------------------------------------------------------------------------
  // One request/response exchange. With a timeout, `done` gets nullopt when no answer has
  // come by then (and a late answer is dropped); without one, a lost request never calls it.
  std::uint64_t http(EndpointId from, EndpointId to, HttpRequest request, HttpService service, HttpCallback done,
                     std::optional<DurationNs> timeout);
  std::size_t http_in_flight() const { return http_.size(); }

  // --- accounting -----------------------------------------------------------------------
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t overflows() const { return overflows_; }
  std::size_t packets_in_flight() const { return in_flight_; }

 private:
  struct Lane {
    FifoQueue<Packet> queue;
    TimeNs last_due = 0;
    bool receiver_open = true;
  };
  struct ClientNet;
  struct Link {
    EndpointId client = 0;
    ClientNet* net = nullptr;  // std::map nodes never move: looked up once per link
    bool cut = false;
    Lane lanes[2];  // by Direction
  };
  struct ClientNet {
    Rng rng;
    std::optional<Latency> latency;  // overrides config_.websocket
    std::optional<Latency> extra;
    bool partitioned = false;
    std::vector<LinkId> links;
  };
  struct Route {
    Rng rng;
    std::optional<Latency> latency;
  };
  struct Exchange {
    HttpCallback done;
    EventId timeout;
    EndpointId from = 0;
    EndpointId to = 0;
  };

  Link& link(LinkId id);
  const Link& link(LinkId id) const;
  ClientNet& client(EndpointId id);
  Route& route(EndpointId from, EndpointId to);
  DurationNs draw_ws_delay(ClientNet& net);
  void enqueue(LinkId id, Direction direction, Packet packet);
  void file(LinkId id, Direction direction, Packet& packet, ClientNet& net);
  void deliver(LinkId id, Direction direction);
  void drop_queue(LinkId id, Direction direction);
  void trace_packet(TraceKind kind, LinkId id, Direction direction, const Packet& packet);
  EndpointId from_of(const Link& l, Direction d) const { return d == Direction::kToServer ? l.client : server_; }
  EndpointId to_of(const Link& l, Direction d) const { return d == Direction::kToServer ? server_ : l.client; }
  void finish_http(std::uint64_t id, std::optional<HttpResponse> response);

  NetworkConfig config_;
  Scheduler& scheduler_;
  Trace& trace_;
  Rng root_;
  NetworkSink& sink_;
  EndpointId server_;
  std::optional<Latency> extra_all_;
  std::vector<Link> links_;  // LinkId n is links_[n - 1]
  std::map<EndpointId, ClientNet> clients_;
  std::map<std::pair<EndpointId, EndpointId>, Route> routes_;
  std::map<std::uint64_t, Exchange> http_;
  std::uint64_t next_http_id_ = 1;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t overflows_ = 0;
  std::size_t in_flight_ = 0;
};

std::string describe_packet(const Packet& packet);

}  // namespace pushsim::fakes
