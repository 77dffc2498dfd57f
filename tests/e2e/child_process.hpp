#pragma once
// A child process started with exactly the environment a test gives it, its stdout and
// stderr captured to files, killed (SIGKILL) if a test leaves it running.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fraiseql::e2e {

using Env = std::map<std::string, std::string>;

class ChildProcess {
 public:
  /// Starts `program args...`; throws std::runtime_error when it cannot.
  ChildProcess(const std::string& program, const std::vector<std::string>& args, const Env& env);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  void signal(int sig) const;

  /// The exit code (128 + signal number when killed by one), or nullopt when the
  /// process is still running after `deadline`.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  [[nodiscard]] bool running();

  /// What the process wrote so far.
  [[nodiscard]] std::string out() const;
  [[nodiscard]] std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string dir_;  // holds the stdout / stderr files
};

}  // namespace fraiseql::e2e
