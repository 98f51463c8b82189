#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "load/detail/fanout_poller.hpp"

namespace pushsim::load::detail {
namespace {

struct Recorder : FanoutPollable {
  int fd = -1;
  std::vector<std::uint32_t> polls;
  std::size_t bytes = 0;
  bool read_on_poll = true;
  void on_poll(std::uint32_t events) override {
    polls.push_back(events);
    if (!read_on_poll || (events & EPOLLIN) == 0) return;
    char buffer[4];  // small on purpose: the rest must be listed again
    const ssize_t size = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (size > 0) bytes += static_cast<std::size_t>(size);
  }
};

struct Pair {
  int a = -1, b = -1;
  Pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    a = fds[0];
    b = fds[1];
  }
  ~Pair() {
    ::close(a);
    ::close(b);
  }
};

void run_a_while(boost::asio::io_context& context) {
  context.restart();
  context.run_for(std::chrono::milliseconds(50));
}

}  // namespace

TEST_CASE("fanout poller: a readable socket is listed until all it holds is read", "[load][poller]") {
  boost::asio::io_context context;
  FanoutPoller poller(context);
  Pair pair;
  Recorder recorder;
  recorder.fd = pair.a;
  REQUIRE(poller.add(pair.a, &recorder));
  run_a_while(context);
  CHECK(recorder.polls.empty());  // nothing to read yet

  REQUIRE(::send(pair.b, "0123456789", 10, 0) == 10);
  run_a_while(context);
  CHECK(recorder.bytes == 10);  // 4 + 4 + 2: listed again while bytes were left
  CHECK(recorder.polls.size() >= 3);
}

TEST_CASE("fanout poller: writable only while asked, and nothing after remove", "[load][poller]") {
  boost::asio::io_context context;
  FanoutPoller poller(context);
  Pair pair;
  Recorder recorder;
  recorder.fd = pair.a;
  REQUIRE(poller.add(pair.a, &recorder));
  poller.watch_writable(pair.a, &recorder, true);
  run_a_while(context);
  REQUIRE_FALSE(recorder.polls.empty());
  CHECK((recorder.polls.front() & EPOLLOUT) != 0);

  poller.watch_writable(pair.a, &recorder, false);
  recorder.polls.clear();
  run_a_while(context);
  CHECK(recorder.polls.empty());

  poller.remove(pair.a);
  REQUIRE(::send(pair.b, "x", 1, 0) == 1);
  run_a_while(context);
  CHECK(recorder.polls.empty());
}

}  // namespace pushsim::load::detail
