#pragma once
// The server under test as a child process (`pushsim run --server-cmd CMD`): started with
// `sh -c CMD` in a process group of its own, its stdout and stderr appended to a log file in a
// temporary folder, watched for its exit, and stopped (the whole group: SIGTERM, then SIGKILL)
// when asked, when restarted and when this object goes. Every wait here has a deadline.
//
// kill() is the deliberate crash a scenario asks for (`crash_node` on a live target of several
// nodes): SIGKILL to the whole group at once, no grace, and the process remembers that its end
// was asked for (killed_on_purpose()), so that the target watch restarts it without reporting
// a crash.
//
// Signals: a pushsim killed by SIGINT/SIGTERM/SIGHUP must not leave the server running, so
// kill_on_fatal_signals() installs handlers that kill the current group before pushsim dies,
// and the child asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG) as a last resort.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/result.hpp"

namespace pushsim {

struct ServerProcessOptions {
  std::string command;  // run with /bin/sh -c
  std::string host = "127.0.0.1";
  std::uint16_t port = 6001;                    // ready once a TCP connect to host:port succeeds
  std::chrono::milliseconds ready_max{10'000};  // from start to a port that accepts
  std::chrono::milliseconds stop_grace{2'000};  // from SIGTERM to SIGKILL
  std::size_t log_tail_bytes = 2'000;           // how much of the log a crash report quotes
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions options);
  ~ServerProcess();  // stops the group; removes the log folder unless keep_log()
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the command and waits until its port accepts connections. An error (it exited
  // first, the port never opened in ready_max, fork failed) leaves the group stopped and
  // quotes the log's tail.
  std::optional<Error> start();
  // Stops the group if it runs, then starts again.
  std::optional<Error> restart();
  // SIGTERM to the group, SIGKILL after stop_grace; reaps the child. Idempotent.
  void stop();
  // SIGKILL to the group, no grace; reaps the child. Until the next start, killed_on_purpose().
  void kill();
  // SIGTERM to the group without waiting (a graceful shutdown a scenario asks for): the server
  // closes its connections as it does on SIGTERM and exits by itself; killed_on_purpose() as
  // after kill(), so that the target watch starts it again.
  void terminate();
  bool killed_on_purpose() const { return killed_; }

  // Reaps the child if it has ended: "exited with status 3", "killed by signal 6 (Aborted)".
  // nullopt while it runs (or before start). The first call after the end reports it; later
  // calls report the same.
  std::optional<std::string> ended();
  int pid() const { return pid_; }
  int starts() const { return starts_; }

  const std::string& log_path() const { return log_path_; }
  // The last log_tail_bytes of the log, from a line start.
  std::string log_tail() const;
  // Keeps the log folder when this object goes (the run reports a crash and points at it).
  void keep_log() { keep_log_ = true; }

 private:
  std::optional<Error> wait_ready();

  ServerProcessOptions options_;
  std::string dir_;
  std::string log_path_;
  int pid_ = 0;  // 0: not running (or reaped)
  int starts_ = 0;
  std::optional<std::string> ended_;
  bool keep_log_ = false;
  bool killed_ = false;
};

// Whether a TCP connection to host:port is accepted before the deadline (IPv4 or IPv6 literal,
// or a name; each attempt bounded).
bool tcp_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);

// Installs SIGINT/SIGTERM/SIGHUP handlers that kill the process group of every ServerProcess
// running at the time, then die of the signal as before. Once per process.
void kill_on_fatal_signals();

}  // namespace pushsim
