#include "fakes/network.hpp"

#include <algorithm>
#include <cassert>

namespace pushsim::fakes {

std::string describe_packet(const Packet& packet) {
  switch (packet.kind) {
    case Packet::Kind::kOpen: return "[open " + *packet.text + "]";
    case Packet::Kind::kAccept: return "[accept]";
    case Packet::Kind::kText: return *packet.text;
    case Packet::Kind::kClose: return "[close " + std::to_string(packet.code) + " " + *packet.text + "]";
    case Packet::Kind::kBinary: return "[binary " + std::to_string(packet.text->size()) + " bytes]";
    case Packet::Kind::kPing: return "[ping " + *packet.text + "]";
    case Packet::Kind::kPong: return "[pong " + *packet.text + "]";
  }
  return "[?]";
}

Network::Network(NetworkConfig config, Scheduler& scheduler, Trace& trace, const Rng& root, NetworkSink& sink,
                 EndpointId server)
    : config_(std::move(config)), scheduler_(scheduler), trace_(trace), root_(root), sink_(sink), server_(server) {}

Network::Link& Network::link(LinkId id) {
  assert(id >= 1 && id <= links_.size());
  return links_[id - 1];
}
const Network::Link& Network::link(LinkId id) const {
  assert(id >= 1 && id <= links_.size());
  return links_[id - 1];
}

Network::ClientNet& Network::client(EndpointId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) {
    it = clients_.emplace(id, ClientNet{root_.derive("ws:" + trace_.endpoint_name(id)), {}, {}, false, {}}).first;
  }
  return it->second;
}

Network::Route& Network::route(EndpointId from, EndpointId to) {
  auto key = std::make_pair(from, to);
  auto it = routes_.find(key);
  if (it == routes_.end()) {
    Rng rng = root_.derive("http:" + trace_.endpoint_name(from) + ">" + trace_.endpoint_name(to));
    it = routes_.emplace(key, Route{rng, {}}).first;
  }
  return it->second;
}

DurationNs Network::draw_ws_delay(ClientNet& net) {
  DurationNs delay = (net.latency ? *net.latency : config_.websocket).draw(net.rng);
  if (extra_all_) delay += extra_all_->draw(net.rng);
  if (net.extra) delay += net.extra->draw(net.rng);
  return delay;
}

void Network::trace_packet(TraceKind kind, LinkId id, Direction direction, const Packet& packet) {
  if (!trace_.enabled()) return;
  const Link& l = link(id);
  if (packet.kind == Packet::Kind::kText) {
    trace_.record(scheduler_.now(), kind, from_of(l, direction), to_of(l, direction), id, packet.text);
  } else {
    trace_.record(scheduler_.now(), kind, from_of(l, direction), to_of(l, direction), id, describe_packet(packet));
  }
}

// --- links ---------------------------------------------------------------------------------

LinkId Network::connect(EndpointId client_id, std::string target) {
  links_.push_back(Link{});
  const LinkId id = links_.size();
  link(id).client = client_id;
  link(id).net = &client(client_id);
  link(id).net->links.push_back(id);
  Packet open{Packet::Kind::kOpen, 0, std::make_shared<const std::string>(std::move(target)), {}};
  enqueue(id, Direction::kToServer, std::move(open));
  return id;
}

void Network::send_text(LinkId id, Direction direction, std::shared_ptr<const std::string> text) {
  enqueue(id, direction, Packet{Packet::Kind::kText, 0, std::move(text), {}});
}

void Network::send_binary(LinkId id, Direction direction, std::shared_ptr<const std::string> bytes) {
  enqueue(id, direction, Packet{Packet::Kind::kBinary, 0, std::move(bytes), {}});
}

void Network::send_control(LinkId id, Direction direction, std::string payload) {
  const auto kind = direction == Direction::kToServer ? Packet::Kind::kPing : Packet::Kind::kPong;
  enqueue(id, direction, Packet{kind, 0, std::make_shared<const std::string>(std::move(payload)), {}});
}

void Network::send_accept(LinkId id) {
  enqueue(id, Direction::kToClient, Packet{Packet::Kind::kAccept, 0, std::make_shared<const std::string>(), {}});
}

void Network::send_close(LinkId id, Direction direction, int code, std::string reason) {
  const Direction back = direction == Direction::kToServer ? Direction::kToClient : Direction::kToServer;
  // A side that has sent its close frame has closed: nothing more reaches it.
  const bool sender_was_open = link(id).lanes[static_cast<int>(back)].receiver_open;
  enqueue(id, direction,
          Packet{Packet::Kind::kClose, code, std::make_shared<const std::string>(std::move(reason)), {}});
  if (sender_was_open) {
    Link& l = link(id);
    l.lanes[static_cast<int>(back)].receiver_open = false;
    drop_queue(id, back);
  }
}

void Network::enqueue(LinkId id, Direction direction, Packet packet) {
  Link& l = link(id);
  Lane& lane = l.lanes[static_cast<int>(direction)];
  const Direction back = direction == Direction::kToServer ? Direction::kToClient : Direction::kToServer;
  trace_packet(TraceKind::kSend, id, direction, packet);
  // A cut link loses everything; a side that closed sends nothing more.
  if (l.cut || !l.lanes[static_cast<int>(back)].receiver_open || in_flight_ >= config_.max_queued_packets) {
    if (!l.cut && l.lanes[static_cast<int>(back)].receiver_open) ++overflows_;
    trace_packet(TraceKind::kDrop, id, direction, packet);
    ++dropped_;
    return;
  }
  ClientNet& net = *l.net;
  lane.queue.push_back(std::move(packet));
  ++in_flight_;
  if (net.partitioned) {
    trace_packet(TraceKind::kHold, id, direction, lane.queue.back());
    return;
  }
  file(id, direction, lane.queue.back(), net);
}

void Network::file(LinkId id, Direction direction, Packet& packet, ClientNet& net) {
  Lane& lane = link(id).lanes[static_cast<int>(direction)];
  const TimeNs due = std::max(scheduler_.now() + draw_ws_delay(net), lane.last_due);
  lane.last_due = due;
  // The key fits std::function's small buffer next to `this`: no allocation per packet.
  const std::uint64_t key = (id << 1) | static_cast<std::uint64_t>(direction);
  packet.event = scheduler_.schedule_at(due, [this, key] { deliver(key >> 1, static_cast<Direction>(key & 1)); });
}

void Network::deliver(LinkId id, Direction direction) {
  Lane& lane = link(id).lanes[static_cast<int>(direction)];
  assert(!lane.queue.empty());
  Packet packet = std::move(lane.queue.front());
  lane.queue.pop_front();
  --in_flight_;
  if (!lane.receiver_open) {
    trace_packet(TraceKind::kDrop, id, direction, packet);
    ++dropped_;
    return;
  }
  const bool control = packet.kind == Packet::Kind::kOpen || packet.kind == Packet::Kind::kAccept;
  const TraceKind kind = packet.kind == Packet::Kind::kClose ? TraceKind::kClose
                         : control                           ? TraceKind::kOpen
                                                             : TraceKind::kDeliver;
  trace_packet(kind, id, direction, packet);
  if (packet.kind == Packet::Kind::kClose) {
    lane.receiver_open = false;
    drop_queue(id, direction);
  }
  ++delivered_;
  sink_.on_packet(scheduler_.now(), id, direction, packet);
}

void Network::drop_queue(LinkId id, Direction direction) {
  Lane& lane = link(id).lanes[static_cast<int>(direction)];
  for (Packet& packet : lane.queue) {
    scheduler_.cancel(packet.event);
    trace_packet(TraceKind::kDrop, id, direction, packet);
    ++dropped_;
    --in_flight_;
  }
  lane.queue.clear();
}

void Network::cut(LinkId id) {
  Link& l = link(id);
  if (l.cut) return;
  l.cut = true;
  trace_.record(scheduler_.now(), TraceKind::kFault, l.client, server_, id, "cut");
  drop_queue(id, Direction::kToServer);
  drop_queue(id, Direction::kToClient);
}

bool Network::side_open(LinkId id, Direction toward) const {
  const Link& l = link(id);
  return !l.cut && l.lanes[static_cast<int>(toward)].receiver_open;
}

EndpointId Network::client_of(LinkId id) const { return link(id).client; }

std::size_t Network::queued(LinkId id, Direction direction) const {
  return link(id).lanes[static_cast<int>(direction)].queue.size();
}

std::vector<LinkId> Network::links_of(EndpointId client_id) const {
  auto it = clients_.find(client_id);
  return it == clients_.end() ? std::vector<LinkId>{} : it->second.links;
}

// --- faults --------------------------------------------------------------------------------

void Network::partition(EndpointId client_id) {
  ClientNet& net = client(client_id);
  if (net.partitioned) return;
  net.partitioned = true;
  trace_.record(scheduler_.now(), TraceKind::kFault, client_id, server_, 0, "partition");
  for (LinkId id : net.links) {
    for (int d = 0; d < 2; ++d) {
      for (Packet& packet : link(id).lanes[d].queue) {
        if (scheduler_.cancel(packet.event)) trace_packet(TraceKind::kHold, id, static_cast<Direction>(d), packet);
        packet.event = {};
      }
    }
  }
}

void Network::heal(EndpointId client_id) {
  ClientNet& net = client(client_id);
  if (!net.partitioned) return;
  net.partitioned = false;
  trace_.record(scheduler_.now(), TraceKind::kFault, client_id, server_, 0, "heal");
  for (LinkId id : net.links) {
    for (int d = 0; d < 2; ++d) {
      for (Packet& packet : link(id).lanes[d].queue) file(id, static_cast<Direction>(d), packet, net);
    }
  }
}

bool Network::partitioned(EndpointId client_id) const {
  auto it = clients_.find(client_id);
  return it != clients_.end() && it->second.partitioned;
}

void Network::set_extra_latency(EndpointId client_id, std::optional<Latency> extra) {
  client(client_id).extra = extra;
  trace_.record(scheduler_.now(), TraceKind::kFault, client_id, server_, 0,
                extra ? "extra_latency" : "extra_latency off");
}

void Network::set_extra_latency_all(std::optional<Latency> extra) {
  extra_all_ = extra;
  trace_.record(scheduler_.now(), TraceKind::kFault, 0, server_, 0,
                extra ? "extra_latency all" : "extra_latency all off");
}

void Network::set_client_latency(EndpointId client_id, Latency latency) { client(client_id).latency = latency; }

void Network::set_http_route_latency(EndpointId from, EndpointId to, Latency latency) {
  route(from, to).latency = latency;
}

// --- HTTP ----------------------------------------------------------------------------------

std::uint64_t Network::http(EndpointId from, EndpointId to, HttpRequest request, HttpService service, HttpCallback done,
                            std::optional<DurationNs> timeout) {
  const std::uint64_t id = next_http_id_++;
  trace_.record(scheduler_.now(), TraceKind::kHttpRequest, from, to, id,
                request.method + " " + request.target + " " + request.body);
  Exchange& exchange = http_[id];
  exchange.done = std::move(done);
  exchange.from = from;
  exchange.to = to;
  if (timeout) {
    exchange.timeout = scheduler_.schedule_after(*timeout, [this, id] {
      auto it = http_.find(id);
      if (it == http_.end()) return;
      trace_.record(scheduler_.now(), TraceKind::kHttpResponse, it->second.to, it->second.from, id, "timeout");
      it->second.timeout = {};
      finish_http(id, std::nullopt);
    });
  }
  Route& r = route(from, to);
  const Latency& latency = r.latency ? *r.latency : config_.http;
  if (!config_.http_loss.never() && r.rng.chance(config_.http_loss.numerator, config_.http_loss.denominator)) {
    trace_.record(scheduler_.now(), TraceKind::kDrop, from, to, id, "request lost");
    if (!timeout) http_.erase(id);
    return id;
  }
  const DurationNs there = latency.draw(r.rng);
  const DurationNs back = latency.draw(r.rng);  // drawn now so the stream does not depend on timing
  scheduler_.schedule_after(there, [this, id, back, service = std::move(service), request = std::move(request)] {
    HttpReply reply = service(scheduler_.now(), request);
    auto it = http_.find(id);
    if (it == http_.end()) return;  // the caller gave up before the request even arrived
    if (!reply.response) {
      if (!it->second.timeout) http_.erase(it);  // nobody will ever hear of it
      return;
    }
    scheduler_.schedule_after(reply.processing_delay + back, [this, id, response = std::move(*reply.response)] {
      auto found = http_.find(id);
      if (found == http_.end()) {
        trace_.record(scheduler_.now(), TraceKind::kDrop, 0, 0, id, "late response " + std::to_string(response.status));
        return;
      }
      trace_.record(scheduler_.now(), TraceKind::kHttpResponse, found->second.to, found->second.from, id,
                    std::to_string(response.status) + " " + response.body);
      finish_http(id, response);
    });
  });
  return id;
}

void Network::finish_http(std::uint64_t id, std::optional<HttpResponse> response) {
  auto it = http_.find(id);
  if (it == http_.end()) return;
  scheduler_.cancel(it->second.timeout);
  HttpCallback done = std::move(it->second.done);
  http_.erase(it);
  if (done) done(scheduler_.now(), std::move(response));
}

}  // namespace pushsim::fakes
