#include "load/detail/fanout_poller.hpp"

#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace pushsim::load::detail {

FanoutPoller::FanoutPoller(boost::asio::io_context& context) : descriptor_(context) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error("epoll_create1: " + std::to_string(errno));
  descriptor_.assign(::dup(epoll_fd_));  // Asio closes its own copy
  arm();
}

FanoutPoller::~FanoutPoller() {
  boost::system::error_code ignored;
  descriptor_.close(ignored);
  ::close(epoll_fd_);
}

bool FanoutPoller::add(int fd, FanoutPollable* pollable) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = pollable;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void FanoutPoller::watch_writable(int fd, FanoutPollable* pollable, bool writable) {
  epoll_event event{};
  event.events = EPOLLIN | (writable ? EPOLLOUT : 0u);
  event.data.ptr = pollable;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
}

void FanoutPoller::remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void FanoutPoller::arm() {
  descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read, [this](boost::system::error_code ec) {
    if (ec) return;  // closed: the poller is going away
    dispatch();
    arm();
  });
}

// Level-triggered: a socket with bytes left after its one read is listed again next time.
void FanoutPoller::dispatch() {
  const int count = epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), 0);
  for (int i = 0; i < count; ++i) {
    static_cast<FanoutPollable*>(events_[static_cast<std::size_t>(i)].data.ptr)
        ->on_poll(events_[static_cast<std::size_t>(i)].events);
  }
}

}  // namespace pushsim::load::detail
