#include "load/detail/tcp_acks.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace pushsim::load::detail {

bool delay_acks(int fd) {
  const int quick = 0;
  return ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quick, sizeof quick) == 0;
}

bool delays_acks(int fd) {
  int quick = 1;
  socklen_t size = sizeof quick;
  return ::getsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &quick, &size) == 0 && quick == 0;
}

}  // namespace pushsim::load::detail
