#pragma once
// The REST side of `bench fanout`: POST /apps/{id}/events over a few keep-alive connections,
// each with one request in flight. A trigger waits in a queue while every connection is busy;
// its stamp already holds the time it was due, so that wait counts as latency. A connection
// that fails is reopened for the next request; the failure is counted, never retried (a
// retried event would arrive twice).
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "load/detail/fanout_tally.hpp"
#include "protocol/signing.hpp"

namespace pushsim::load::detail {

struct FanoutRestSetup {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host_header;
  AppCredentials app;
  std::size_t connections = 8;
  std::chrono::milliseconds timeout{10'000};  // one request, from sending to the full response
};

class FanoutRestPublisher {
 public:
  FanoutRestPublisher(boost::asio::io_context& context, FanoutTally& tally, FanoutRestSetup setup);
  ~FanoutRestPublisher();

  void trigger(const std::string& channel, const std::string& data);
  // Requests queued or in flight.
  std::size_t pending() const;
  std::uint64_t succeeded() const { return succeeded_; }
  std::uint64_t failed() const { return failed_; }
  // Closes the connections (requests in flight are abandoned).
  void shutdown();

  class Connection;

 private:
  friend class Connection;
  void dispatch();
  void completed(bool ok);

  boost::asio::io_context& context_;
  FanoutTally& tally_;
  FanoutRestSetup setup_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::deque<std::string> queue_;  // request bodies
  std::size_t in_flight_ = 0;
  std::uint64_t succeeded_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace pushsim::load::detail
