#include "net/detail/tls_context.hpp"

#include <mutex>

namespace pushsim::detail {
namespace {

std::unique_ptr<boost::asio::ssl::context> make_context(bool verify) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
  if (verify) {
    context->set_default_verify_paths();
    context->set_verify_mode(ssl::verify_peer);
  } else {
    context->set_verify_mode(ssl::verify_none);
  }
  return context;
}

}  // namespace

boost::asio::ssl::context& tls_client_context(bool verify) {
  static std::once_flag once;
  static std::unique_ptr<boost::asio::ssl::context> verifying;
  static std::unique_ptr<boost::asio::ssl::context> trusting;
  std::call_once(once, [] {
    verifying = make_context(true);
    trusting = make_context(false);
  });
  return verify ? *verifying : *trusting;
}

}  // namespace pushsim::detail
