#include "net/relay_link.hpp"

#include <algorithm>
#include <array>
#include <deque>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "net/real_clock.hpp"
#include "net/relay_framing.hpp"
#include "protocol/random.hpp"

namespace pushsim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

std::string_view direction_name(RelayDirection direction) {
  return direction == RelayDirection::kToServer ? "client to server" : "server to client";
}

}  // namespace

// One direction: reads from one socket, cuts what it read into messages, and writes them to
// the other socket when due and not held, one write in flight.
struct RelayPipe {
  RelayPipe(asio::io_context& context, RelayDirection direction_in, std::uint64_t seed)
      : direction(direction_in),
        framing(direction_in == RelayDirection::kToClient),
        rng(Rng(seed).derive(direction_in == RelayDirection::kToServer ? "to_server" : "to_client")),
        due_timer(context),
        stall_timer(context) {}

  struct Message {
    SteadyTime due;
    std::string bytes;
  };

  RelayDirection direction;
  RelayFraming framing;
  Rng rng;
  DurationNs delay_min = 0;
  DurationNs delay_max = 0;
  bool held = false;
  std::deque<Message> queue;
  std::size_t queued_bytes = 0;
  SteadyTime last_due{};
  bool writing = false;
  bool read_ended = false;  // the source sent FIN
  bool shut = false;        // FIN passed on to the destination
  std::string write_buffer;
  std::array<char, 64 * 1024> read_buffer{};
  asio::steady_timer due_timer;
  asio::steady_timer stall_timer;
  RelayCounts counts;
};

struct RelayLink::Impl : std::enable_shared_from_this<RelayLink::Impl> {
  Impl(IoLoop& loop_in, RelayLinkOptions options_in)
      : context(loop_in.context()),
        options(std::move(options_in)),
        acceptor(context),
        client(context),
        server(context),
        accept_timer(context),
        connect_timer(context),
        pipes{RelayPipe(context, RelayDirection::kToServer, options.seed),
              RelayPipe(context, RelayDirection::kToClient, options.seed)} {}

  RelayPipe& pipe(RelayDirection direction) { return pipes[static_cast<int>(direction)]; }
  tcp::socket& source(const RelayPipe& p) { return p.direction == RelayDirection::kToServer ? client : server; }
  tcp::socket& destination(const RelayPipe& p) { return p.direction == RelayDirection::kToServer ? server : client; }

  void fail(std::string message) {
    if (closed) return;
    errors.push_back(make_error("relay for " + options.name + ": " + std::move(message)));
    reset();
  }

  void reset() {
    if (closed) return;
    closed = true;
    error_code ignored;
    acceptor.close(ignored);
    for (tcp::socket* socket : {&client, &server}) {
      if (!socket->is_open()) continue;
      socket->set_option(asio::socket_base::linger(true, 0), ignored);
      socket->close(ignored);
    }
    accept_timer.cancel();
    connect_timer.cancel();
    for (auto& p : pipes) {
      p.due_timer.cancel();
      p.stall_timer.cancel();
      p.queue.clear();
      p.queued_bytes = 0;
    }
  }

  void accept() {
    accept_timer.expires_after(options.accept_max);
    accept_timer.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->accepted) return;
      self->fail("no client connected within " + std::to_string(self->options.accept_max.count()) + " ms");
    });
    acceptor.async_accept(client, [self = shared_from_this()](error_code ec) {
      if (self->closed) return;
      if (ec) return self->fail("accept failed: " + ec.message());
      self->accepted = true;
      self->accept_timer.cancel();
      error_code ignored;
      self->acceptor.close(ignored);  // one client per link
      self->client.set_option(tcp::no_delay(true), ignored);
      self->connect_upstream();
    });
  }

  void connect_upstream() {
    error_code ec;
    const auto address = asio::ip::make_address(options.upstream_host, ec);
    if (ec) return fail("bad upstream address \"" + options.upstream_host + "\": " + ec.message());
    const tcp::endpoint endpoint{address, options.upstream_port};
    connect_timer.expires_after(options.connect_max);
    connect_timer.async_wait([self = shared_from_this()](error_code timer_ec) {
      if (timer_ec || self->opened) return;
      self->fail("the server did not accept within " + std::to_string(self->options.connect_max.count()) + " ms");
    });
    server.async_connect(endpoint, [self = shared_from_this(), endpoint](error_code connect_ec) {
      if (self->closed) return;
      if (connect_ec) {
        return self->fail("cannot connect to " + endpoint.address().to_string() + ":" +
                          std::to_string(endpoint.port()) + ": " + connect_ec.message());
      }
      self->opened = true;
      self->connect_timer.cancel();
      error_code ignored;
      self->server.set_option(tcp::no_delay(true), ignored);
      for (auto& p : self->pipes) self->read(p);
    });
  }

  void read(RelayPipe& p) {
    source(p).async_read_some(asio::buffer(p.read_buffer),
                              [self = shared_from_this(), &p](error_code ec, std::size_t size) {
                                if (self->closed) return;
                                if (ec == asio::error::eof) {
                                  p.read_ended = true;
                                  return self->pump(p);
                                }
                                // A reset or error at one end is passed on as a reset at the other.
                                if (ec) return self->reset();
                                self->on_read(p, size);
                                if (!self->closed) self->read(p);
                              });
  }

  void on_read(RelayPipe& p, std::size_t size) {
    const SteadyTime now = std::chrono::steady_clock::now();
    for (auto& bytes : p.framing.feed(p.read_buffer.data(), size)) {
      DurationNs delay = 0;
      if (p.delay_max > 0) delay = p.rng.between(p.delay_min, p.delay_max);
      const SteadyTime due = std::max(p.last_due, now + std::chrono::nanoseconds(delay));
      p.last_due = due;
      p.queued_bytes += bytes.size();
      p.queue.push_back(RelayPipe::Message{due, std::move(bytes)});
    }
    if (p.queued_bytes + p.framing.buffered() > options.held_bytes_max) {
      return fail(std::to_string(p.queued_bytes + p.framing.buffered()) + " bytes waiting " +
                  std::string(direction_name(p.direction)) + ", more than the limit of " +
                  std::to_string(options.held_bytes_max));
    }
    pump(p);
  }

  // Writes what is due, or arms the timer for the next message; passes FIN on once drained.
  void pump(RelayPipe& p) {
    if (closed || p.writing || p.held) return;
    if (p.queue.empty()) {
      if (p.read_ended && !p.shut) {
        p.shut = true;
        error_code ignored;
        destination(p).shutdown(tcp::socket::shutdown_send, ignored);
        if (pipes[0].shut && pipes[1].shut) close_both();
      }
      return;
    }
    const SteadyTime now = std::chrono::steady_clock::now();
    if (p.queue.front().due > now) {
      p.due_timer.expires_at(p.queue.front().due);
      p.due_timer.async_wait([self = shared_from_this(), &p](error_code ec) {
        if (!ec) self->pump(p);
      });
      return;
    }
    p.write_buffer.clear();
    while (!p.queue.empty() && p.queue.front().due <= now) {
      p.write_buffer += p.queue.front().bytes;
      p.queued_bytes -= p.queue.front().bytes.size();
      ++p.counts.messages;
      p.queue.pop_front();
    }
    p.counts.bytes += p.write_buffer.size();
    write(p);
  }

  void write(RelayPipe& p) {
    p.writing = true;
    p.stall_timer.expires_after(options.write_stall_max);
    p.stall_timer.async_wait([self = shared_from_this(), &p](error_code ec) {
      if (ec || !p.writing) return;
      self->fail("a write " + std::string(direction_name(p.direction)) + " has not completed in " +
                 std::to_string(self->options.write_stall_max.count()) + " ms");
    });
    asio::async_write(destination(p), asio::buffer(p.write_buffer),
                      [self = shared_from_this(), &p](error_code ec, std::size_t) {
                        p.writing = false;
                        p.stall_timer.cancel();
                        if (self->closed) return;
                        if (ec) return self->reset();
                        self->pump(p);
                      });
  }

  void close_both() {
    closed = true;
    error_code ignored;
    client.close(ignored);
    server.close(ignored);
  }

  asio::io_context& context;
  RelayLinkOptions options;
  tcp::acceptor acceptor;
  tcp::socket client;
  tcp::socket server;
  asio::steady_timer accept_timer;
  asio::steady_timer connect_timer;
  std::array<RelayPipe, 2> pipes;
  std::uint16_t port = 0;
  bool accepted = false;
  bool opened = false;
  bool closed = false;
  std::vector<Error> errors;
};

RelayLink::RelayLink(IoLoop& loop, RelayLinkOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {}

RelayLink::~RelayLink() { impl_->reset(); }

std::optional<Error> RelayLink::start() {
  error_code ec;
  const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(1, ec);
  if (ec) return make_error("relay for " + impl_->options.name + ": cannot listen on 127.0.0.1: " + ec.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  return std::nullopt;
}

std::uint16_t RelayLink::port() const { return impl_->port; }

void RelayLink::set_latency(RelayDirection direction, DurationNs min, DurationNs max) {
  auto& p = impl_->pipe(direction);
  p.delay_min = std::max<DurationNs>(0, std::min(min, max));
  p.delay_max = std::max<DurationNs>(0, std::max(min, max));
}

void RelayLink::hold(RelayDirection direction) {
  auto& p = impl_->pipe(direction);
  p.held = true;
  p.due_timer.cancel();
}

void RelayLink::release(RelayDirection direction) {
  auto& p = impl_->pipe(direction);
  if (!p.held) return;
  p.held = false;
  impl_->pump(p);
}

void RelayLink::reset() { impl_->reset(); }
bool RelayLink::closed() const { return impl_->closed; }
bool RelayLink::open() const { return impl_->opened && !impl_->closed; }

RelayCounts RelayLink::counts(RelayDirection direction) const {
  RelayCounts out = impl_->pipes[static_cast<int>(direction)].counts;
  out.waiting = impl_->pipes[static_cast<int>(direction)].queue.size();
  return out;
}

const std::vector<Error>& RelayLink::errors() const { return impl_->errors; }

}  // namespace pushsim
