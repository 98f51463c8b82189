#pragma once
// Test helper: a wss:// server on the test's IoLoop with a freshly made self-signed
// certificate (EC P-256, CN=127.0.0.1), which completes the handshake and sends
// pusher:connection_established (kEstablished). A verifying client must refuse it; a trusting
// one connects.
//
// Boost and OpenSSL stay out of this header: the server is compiled once, in tls_test_server.cpp.
#include <memory>
#include <string>

#include "net/io_loop.hpp"
#include "support/rogue_server.hpp"

namespace pushsim::test {

class TlsTestServer {
 public:
  explicit TlsTestServer(IoLoop& loop);
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pushsim::test
