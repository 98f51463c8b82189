#include "load/detail/fanout_rest_publisher.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/real_clock.hpp"
#include "protocol/json.hpp"

namespace pushsim::load::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// One keep-alive connection; opened on first use and again after any failure.
class FanoutRestPublisher::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& context, FanoutRestPublisher& owner) : stream_(context), owner_(&owner) {}

  bool busy() const { return busy_; }
  void detach() {
    owner_ = nullptr;
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  void send(http::request<http::string_body> request) {
    busy_ = true;
    request_ = std::move(request);
    stream_.expires_after(owner_->setup_.timeout);
    if (open_) return write();
    stream_.async_connect(owner_->setup_.endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->done("REST connect: " + ec.message());
      self->open_ = true;
      self->stream_.socket().set_option(asio::ip::tcp::no_delay(true));
      self->write();
    });
  }

 private:
  void write() {
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->done("REST write: " + ec.message());
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_, [self](beast::error_code read_ec, std::size_t) {
        if (read_ec) return self->done("REST read: " + read_ec.message());
        if (self->response_.result_int() != 200) {
          return self->done("REST trigger answered " + std::to_string(self->response_.result_int()) + ": " +
                            self->response_.body().substr(0, 200));
        }
        if (!self->response_.keep_alive()) self->reset();
        self->done(std::nullopt);
      });
    });
  }

  void reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    open_ = false;
  }

  void done(std::optional<std::string> error) {
    busy_ = false;
    if (owner_ == nullptr) return;  // shut down meanwhile
    if (error) {
      reset();
      owner_->tally_.error(std::move(*error));
    }
    owner_->completed(!error.has_value());
  }

  beast::tcp_stream stream_;
  FanoutRestPublisher* owner_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  bool open_ = false;
  bool busy_ = false;
};

FanoutRestPublisher::FanoutRestPublisher(asio::io_context& context, FanoutTally& tally, FanoutRestSetup setup)
    : context_(context), tally_(tally), setup_(std::move(setup)) {
  for (std::size_t i = 0; i < setup_.connections; ++i)
    connections_.push_back(std::make_shared<Connection>(context_, *this));
}

FanoutRestPublisher::~FanoutRestPublisher() { shutdown(); }

void FanoutRestPublisher::trigger(const std::string& channel, const std::string& data) {
  // The body as the SDK writes it; the data holds nothing JSON escapes.
  std::string body = R"({"name":"bench","data":")" + data + R"(","channels":[")" + channel + "\"]}";
  queue_.push_back(std::move(body));
  dispatch();
}

std::size_t FanoutRestPublisher::pending() const { return queue_.size() + in_flight_; }

void FanoutRestPublisher::dispatch() {
  for (auto& connection : connections_) {
    if (queue_.empty()) return;
    if (connection->busy()) continue;
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    const std::string path = "/apps/" + setup_.app.app_id + "/events";
    SignedRestRequest signed_request =
        sign_rest_request(setup_.app, "POST", path, {}, body, to_unix_seconds(real_now()));
    http::request<http::string_body> request{http::verb::post, signed_request.target(), 11};
    request.set(http::field::host, setup_.host_header);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = std::move(signed_request.body);
    request.prepare_payload();
    ++in_flight_;
    connection->send(std::move(request));
  }
}

void FanoutRestPublisher::completed(bool ok) {
  --in_flight_;
  if (ok) {
    ++succeeded_;
  } else {
    ++failed_;
  }
  dispatch();
}

void FanoutRestPublisher::shutdown() {
  for (auto& connection : connections_) connection->detach();
  connections_.clear();
  queue_.clear();
  in_flight_ = 0;
}

}  // namespace pushsim::load::detail
