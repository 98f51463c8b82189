#include "net/server_process.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace pushsim {
namespace {

// The process groups the signal handlers kill: every one started and not yet stopped (one
// per node of a live target of several nodes). A fixed table: the handlers may only read.
constexpr std::size_t kGroupsMax = 32;
std::atomic<int> g_running_groups[kGroupsMax];

void on_fatal_signal(int signal_number) {
  for (auto& slot : g_running_groups) {
    const int group = slot.load();
    if (group > 0) ::kill(-group, SIGKILL);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void remember_group(int group) {
  for (auto& slot : g_running_groups) {
    int expected = 0;
    if (slot.compare_exchange_strong(expected, group)) return;
  }
  // Past the table only PR_SET_PDEATHSIG covers the group: still killed when pushsim dies.
}

Error failure(std::string message) { return Error{std::move(message), std::nullopt}; }

void forget_group(int group) {
  for (auto& slot : g_running_groups) {
    int expected = group;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    std::string out = "killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
#ifdef WCOREDUMP
    if (WCOREDUMP(status)) out += ", core dumped";
#endif
    return out;
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

std::string temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

bool tcp_accepts(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool accepted = false;
  for (addrinfo* a = found; a != nullptr && !accepted; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc == 0) {
      accepted = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        int error = 0;
        socklen_t size = sizeof error;
        accepted = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return accepted;
}

void kill_on_fatal_signals() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &action, nullptr);
}

ServerProcess::ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {}

ServerProcess::~ServerProcess() {
  stop();
  if (!dir_.empty() && !keep_log_) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::optional<Error> ServerProcess::start() {
  if (pid_ != 0) return failure("the server is already running (pid " + std::to_string(pid_) + ")");
  if (dir_.empty()) {
    std::string pattern = temp_root() + "/pushsim-server-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      return failure("cannot make a folder for the server's log in " + temp_root() + ": " + std::strerror(errno));
    }
    dir_ = buffer.data();
    log_path_ = dir_ + "/server.log";
  }
  ++starts_;
  ended_.reset();
  const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return failure("cannot open " + log_path_ + ": " + std::strerror(errno));
  const std::string banner = "--- pushsim: start " + std::to_string(starts_) + ": sh -c " + options_.command + "\n";
  [[maybe_unused]] auto written = ::write(log, banner.data(), banner.size());
  const pid_t parent = ::getpid();
  const long open_max = ::sysconf(_SC_OPEN_MAX);
  const int fd_max = open_max < 0 || open_max > 65'536 ? 65'536 : static_cast<int>(open_max);
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(log);
    return failure(std::string("fork failed: ") + std::strerror(errno));
  }
  if (child == 0) {
    // Only async-signal-safe calls from here to exec. Until exec this is a copy of pushsim (or
    // of a test binary): its signal handlers must not run here, and no signal may stay blocked.
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
#endif
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    // Nothing of pushsim's may live on in the server: a node restarted mid-scenario would
    // otherwise hold the harness's sockets open (its webhook listener, its clients).
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < fd_max; ++fd) ::close(fd);
    }
    ::execl("/bin/sh", "sh", "-c", options_.command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(child, child);  // also here: the group must exist before anyone signals it
  ::close(log);
  pid_ = child;
  killed_ = false;
  remember_group(child);
  if (auto error = wait_ready()) {
    stop();
    return error;
  }
  return std::nullopt;
}

std::optional<Error> ServerProcess::wait_ready() {
  const auto deadline = std::chrono::steady_clock::now() + options_.ready_max;
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  while (true) {
    if (auto end = ended()) {
      return failure("the server " + *end + " before " + where + " accepted connections; the end of its log (" +
                     log_path_ + "):\n" + log_tail());
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (tcp_accepts(options_.host, options_.port, std::min(left, std::chrono::milliseconds(200)))) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return failure("the server did not accept connections on " + where + " within " +
                 std::to_string(options_.ready_max.count()) + " ms (--server-ready-timeout); the end of its log (" +
                 log_path_ + "):\n" + log_tail());
}

std::optional<Error> ServerProcess::restart() {
  stop();
  return start();
}

std::optional<std::string> ServerProcess::ended() {
  if (pid_ == 0) return ended_;
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == pid_ || (reaped < 0 && errno == ECHILD)) {
    ended_ = reaped == pid_ ? describe_status(status) : std::string("ended");
    ::kill(-pid_, SIGKILL);  // what the shell left behind in its group
    forget_group(pid_);
    pid_ = 0;
  }
  return ended_;
}

void ServerProcess::kill() {
  if (pid_ == 0) return;
  const int group = pid_;
  ::kill(-group, SIGKILL);
  int status = 0;
  // SIGKILL cannot be caught: the wait is short, but still bounded.
  for (int i = 0; i < 500 && ::waitpid(group, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ended_ = "killed by pushsim (SIGKILL to its process group)";
  forget_group(group);
  pid_ = 0;
  killed_ = true;
}

void ServerProcess::terminate() {
  if (pid_ == 0) return;
  ::kill(-pid_, SIGTERM);
  killed_ = true;
}

void ServerProcess::stop() {
  if (pid_ == 0) return;
  const int group = pid_;
  ::kill(-group, SIGTERM);
  ::kill(-group, SIGCONT);  // a stopped (hung) server takes its SIGTERM only once continued
  const auto grace_end = std::chrono::steady_clock::now() + options_.stop_grace;
  while (std::chrono::steady_clock::now() < grace_end) {
    if (ended()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-group, SIGKILL);
  if (pid_ != 0) {
    int status = 0;
    // SIGKILL cannot be caught: the wait is short, but still bounded.
    for (int i = 0; i < 500 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ended_ = "stopped by pushsim";
    forget_group(pid_);
    pid_ = 0;
  }
}

std::string ServerProcess::log_tail() const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return "(no log)";
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > options_.log_tail_bytes) {
    text = text.substr(text.size() - options_.log_tail_bytes);
    const auto newline = text.find('\n');
    if (newline != std::string::npos) text = text.substr(newline + 1);
    text = "...\n" + text;
  }
  return text;
}

}  // namespace pushsim
