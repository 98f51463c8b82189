#pragma once
// TLS client contexts, made once per process: loading the system CA store is slow, and a
// context can be shared by every connection that wants the same verification.
#include <boost/asio/ssl/context.hpp>

namespace pushsim::detail {

// verify: check the certificate chain against the system store (the host name is checked per
// connection); false accepts any certificate, for self-signed test servers.
boost::asio::ssl::context& tls_client_context(bool verify);

}  // namespace pushsim::detail
