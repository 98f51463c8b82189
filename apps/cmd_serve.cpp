#include "net/serve_command.hpp"

#include <csignal>
#include <ostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "net/serve_server.hpp"

namespace pushsim {

int run_serve_command(ServeOptions options, std::ostream& out, std::ostream& err) {
  // The signal handlers are in place before the port is announced, so that a signal sent by
  // whoever read the announcement is always a clean shutdown.
  boost::asio::io_context signals_context{1};
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&received](const boost::system::error_code& ec, int number) {
    if (!ec) received = number;
  });

  ServeServer server;
  if (auto error = server.start(std::move(options))) {
    err << "pushsim serve: " << error->message << "\n";
    return 1;
  }
  out << "pushsim serve: listening on " << server.ws_url() << std::endl;
  for (const auto& app : server.apps()) {
    out << "pushsim serve: app id=" << app.id << " key=" << app.key << " webhooks=" << app.webhooks.size() << std::endl;
  }
  signals_context.run();
  out << "pushsim serve: signal " << received << ", closing " << server.connection_count() << " connection(s) with 4200"
      << std::endl;
  server.stop();
  out << "pushsim serve: stopped" << std::endl;
  return 0;
}

}  // namespace pushsim
