#pragma once
// The generator's own readiness loop for upgraded peers: one level-triggered epoll set that
// holds every subscriber socket once its WebSocket upgrade is done, watched from the Asio loop
// through the epoll descriptor itself. A wake-up lists every ready socket at once, and each gets
// one recv: no read that finds nothing (Asio 1.18 tries one before each wait) and no epoll_ctl
// per wait (Asio re-arms its edge-triggered registration for each async_wait).
#include <sys/epoll.h>

#include <array>
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace pushsim::load::detail {

class FanoutPollable {
 public:
  virtual ~FanoutPollable() = default;
  // `events` is the epoll mask (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).
  virtual void on_poll(std::uint32_t events) = 0;
};

class FanoutPoller {
 public:
  explicit FanoutPoller(boost::asio::io_context& context);
  ~FanoutPoller();
  FanoutPoller(const FanoutPoller&) = delete;
  FanoutPoller& operator=(const FanoutPoller&) = delete;

  // False (errno set) when epoll refused. The pollable must stay alive until remove().
  bool add(int fd, FanoutPollable* pollable);
  void watch_writable(int fd, FanoutPollable* pollable, bool writable);
  void remove(int fd);

 private:
  void arm();
  void dispatch();

  int epoll_fd_ = -1;
  boost::asio::posix::stream_descriptor descriptor_;
  std::array<epoll_event, 512> events_{};
};

}  // namespace pushsim::load::detail
