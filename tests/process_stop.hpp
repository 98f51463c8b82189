#pragma once
// Runs a piece of a test in a forked child, to check that it stops the process (an assertion
// of our own that aborts) and what it says on stderr, without stopping the test binary.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace pushsim::test {

struct ProcessStop {
  bool aborted = false;   // the child died of SIGABRT
  bool returned = false;  // the body returned and the child exited normally
  std::string stderr_text;
};

template <class Body>
ProcessStop run_in_child(Body&& body) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // an expected abort leaves no core file behind
    body();
    std::fflush(stderr);
    _exit(0);
  }
  close(fds[1]);
  ProcessStop stop;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
    stop.stderr_text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return stop;
  stop.aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  stop.returned = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return stop;
}

}  // namespace pushsim::test
