// The server under test as a child process: ready when its port accepts, its end reported with
// status or signal, its whole process group stopped, every wait bounded. The port is an
// in-process listener of the test's (a ServeServer), so the commands can be plain shell.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "net/serve_server.hpp"
#include "net/server_process.hpp"
#include "support/free_port.hpp"

namespace pushsim {
namespace {

struct Listener {
  ServeServer server;
  Listener() {
    ServeOptions options;
    options.port = 0;
    REQUIRE_FALSE(server.start(options));
  }
};

ServerProcessOptions options_for(std::string command, std::uint16_t port) {
  ServerProcessOptions options;
  options.command = std::move(command);
  options.port = port;
  options.ready_max = std::chrono::milliseconds(3'000);
  options.stop_grace = std::chrono::milliseconds(500);
  return options;
}

// Whether a process of the group still runs: zombies (children of the killed shell, waiting for
// whoever reaps orphans here) do not count.
bool group_alive(int group) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!stat || !std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = '?';
    int parent = 0, process_group = 0;
    rest >> state >> parent >> process_group;
    if (process_group == group && state != 'Z' && state != 'X') return true;
  }
  return false;
}

// Whether the group is gone within a bound: its members die of a signal already sent, but on a
// loaded machine may take a while to be scheduled and exit.
bool group_ends(int group) {
  for (int i = 0; i < 1'000; ++i) {
    if (!group_alive(group)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::optional<std::string> wait_ended(ServerProcess& process) {
  for (int i = 0; i < 300; ++i) {
    if (auto end = process.ended()) return end;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

TEST_CASE("tcp_accepts tells a listening port from a closed one") {
  Listener listener;
  CHECK(tcp_accepts("127.0.0.1", listener.server.port(), std::chrono::milliseconds(500)));
  CHECK_FALSE(tcp_accepts("127.0.0.1", test::free_loopback_port(), std::chrono::milliseconds(500)));
}

TEST_CASE("a started server runs until stopped, and stopping ends its whole group") {
  Listener listener;
  ServerProcess process(options_for("sleep 30 & sleep 30; wait", listener.server.port()));
  REQUIRE_FALSE(process.start());
  const int group = process.pid();
  CHECK(group > 0);
  CHECK_FALSE(process.ended());
  CHECK(group_alive(group));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the shell has started its children
  const auto start = std::chrono::steady_clock::now();
  process.stop();
  // Far sooner than the sleeps would end by themselves (not a speed bound: a loaded machine may
  // take seconds).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  const auto end = process.ended();
  REQUIRE(end);
  CHECK(end->find("killed by signal 15") == 0);  // the shell took the SIGTERM
  CHECK(group_ends(group));                      // the shell's children too
}

TEST_CASE("a server that dies is reported with its signal or status, and restarts") {
  Listener listener;
  ServerProcess process(options_for("sleep 0.2; kill -SEGV $$", listener.server.port()));
  REQUIRE_FALSE(process.start());
  const auto end = wait_ended(process);
  REQUIRE(end);
  CHECK(end->find("killed by signal 11") == 0);
  REQUIRE_FALSE(process.restart());
  CHECK(process.starts() == 2);
  CHECK_FALSE(process.ended());
}

TEST_CASE("kill() is SIGKILL to the whole group at once, remembered as asked for until the next start") {
  Listener listener;
  // The shell ignores SIGTERM: only a SIGKILL ends it in time.
  auto options = options_for("trap '' TERM; sleep 30 & sleep 30; wait", listener.server.port());
  options.stop_grace = std::chrono::seconds(60);  // kill() must not wait for it
  ServerProcess process(options);
  REQUIRE_FALSE(process.start());
  const int group = process.pid();
  CHECK_FALSE(process.killed_on_purpose());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  process.kill();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));  // not the 60 s stop_grace
  CHECK(process.killed_on_purpose());
  REQUIRE(process.ended());
  CHECK(process.ended()->find("killed by pushsim") == 0);
  // The shell is reaped; its children die of the same SIGKILL but may still be exiting.
  CHECK(group_ends(group));
  REQUIRE_FALSE(process.start());
  CHECK_FALSE(process.killed_on_purpose());
  CHECK_FALSE(process.ended());
  process.kill();  // it ignores the destructor's SIGTERM: not the 60 s grace
}

TEST_CASE("the server inherits none of the harness's descriptors, only stdin, stdout and stderr") {
  Listener listener;  // its listening socket is open in this process
  // The shell's own descriptors, listed straight into the log (no pipe of its own).
  ServerProcess process(
      options_for("echo fds-of-the-shell; ls /proc/$$/fd; echo end; sleep 30", listener.server.port()));
  REQUIRE_FALSE(process.start());
  std::string log;
  for (int i = 0; i < 200 && log.find("\nend") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = process.log_tail();
  }
  INFO(log);
  CHECK(log.find("\nfds-of-the-shell\n0\n1\n2\nend\n") != std::string::npos);
}

TEST_CASE("a server that exits before its port opens is an error quoting its log") {
  ServerProcess process(options_for("echo cannot read config.toml >&2; exit 4", test::free_loopback_port()));
  const auto error = process.start();
  REQUIRE(error);
  CHECK(error->message.find("exited with status 4 before 127.0.0.1:") != std::string::npos);
  CHECK(error->message.find("cannot read config.toml") != std::string::npos);
  CHECK(process.log_tail().find("--- pushsim: start 1: sh -c echo") == 0);
}

TEST_CASE("a server whose port never opens is stopped at the ready deadline") {
  auto options = options_for("sleep 30", test::free_loopback_port());
  options.ready_max = std::chrono::milliseconds(300);
  ServerProcess process(options);
  const auto start = std::chrono::steady_clock::now();
  const auto error = process.start();
  REQUIRE(error);
  CHECK(error->message.find("the server did not accept connections on 127.0.0.1:") == 0);
  // Far sooner than the sleeps would end by themselves (not a speed bound: a loaded machine may
  // take seconds).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(process.pid() == 0);
}

TEST_CASE("the log folder goes with the process unless kept") {
  Listener listener;
  std::string log;
  {
    ServerProcess process(options_for("echo hi; sleep 30", listener.server.port()));
    REQUIRE_FALSE(process.start());
    log = process.log_path();
    CHECK(std::filesystem::exists(log));
  }
  CHECK_FALSE(std::filesystem::exists(log));
  {
    ServerProcess process(options_for("sleep 30", listener.server.port()));
    REQUIRE_FALSE(process.start());
    process.keep_log();
    log = process.log_path();
  }
  CHECK(std::filesystem::exists(log));
  std::filesystem::remove_all(std::filesystem::path(log).parent_path());
}

}  // namespace
}  // namespace pushsim
