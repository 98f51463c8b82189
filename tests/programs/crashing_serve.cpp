// A stand-in for a server under test with a crash bug: `pushsim serve`'s engine on a port, which
// dies the moment a client sends a text frame containing MARKER (as a real server died of a
// malformed pusher:subscribe). The server health tests (tests/harness/server_health_test.sh)
// run the suite against it, with and without `pushsim run --server-cmd`.
//
//   crashing_serve PORT MARKER [abort|exit|hang]
//
// abort (default) dies of SIGABRT; exit ends with status 3; hang stops itself (SIGSTOP): the
// process is still there, its port answers nothing. App app-id:app-key:app-secret.
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "net/serve_server.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: crashing_serve PORT MARKER [abort|exit|hang]\n";
    return 2;
  }
  const rlimit no_core{0, 0};  // an abort on purpose leaves no core file behind
  setrlimit(RLIMIT_CORE, &no_core);
  const std::string marker = argv[2];
  const std::string mode = argc < 4 ? "abort" : argv[3];
  pushsim::ServeOptions options;
  options.port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  options.io_threads = 1;
  options.on_client_text = [marker, mode](std::string_view text) {
    if (text.find(marker) == std::string_view::npos) return;
    std::cerr << "crashing_serve: " << (mode == "hang" ? "hanging" : "dying") << " on " << text << std::endl;
    if (mode == "hang") {
      ::raise(SIGSTOP);
      return;
    }
    if (mode == "exit") ::_exit(3);
    std::abort();
  };
  pushsim::ServeServer server;
  if (auto error = server.start(options)) {
    std::cerr << "crashing_serve: " << error->message << "\n";
    return 1;
  }
  std::cout << "crashing_serve: listening on " << server.ws_url() << std::endl;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  int received = 0;
  sigwait(&stop_signals, &received);
  server.stop();
  return 0;
}
