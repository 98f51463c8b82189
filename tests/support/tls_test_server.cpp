#include "support/tls_test_server.hpp"

#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace pushsim::test {

struct TlsTestServer::Impl {
  using tcp = boost::asio::ip::tcp;
  using Wss = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  explicit Impl(IoLoop& loop)
      : context(boost::asio::ssl::context::tls_server),
        acceptor(loop.context(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    install_self_signed_certificate();
    accept();
  }

  void install_self_signed_certificate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    SSL_CTX_use_certificate(context.native_handle(), cert);
    SSL_CTX_use_PrivateKey(context.native_handle(), key);
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  void accept() {
    acceptor.async_accept([this](boost::beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto peer = std::make_shared<Wss>(std::move(socket), context);
      peers.push_back(peer);
      peer->next_layer().async_handshake(
          boost::asio::ssl::stream_base::server, [peer](boost::beast::error_code tls_ec) {
            if (tls_ec) return;
            peer->async_accept([peer](boost::beast::error_code ws_ec) {
              if (ws_ec) return;
              peer->async_write(boost::asio::buffer(kEstablished), [peer](boost::beast::error_code, std::size_t) {});
            });
          });
      accept();
    });
  }

  boost::asio::ssl::context context;
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<Wss>> peers;
};

TlsTestServer::TlsTestServer(IoLoop& loop) : impl_(std::make_unique<Impl>(loop)) {}
TlsTestServer::~TlsTestServer() = default;

std::string TlsTestServer::url() const {
  return "wss://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

}  // namespace pushsim::test
