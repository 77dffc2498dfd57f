#pragma once
// The built `fraiseql` binary run as a child process, as an operator would run it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.hpp"
#include "raw_client.hpp"

namespace fraiseql::e2e {

/// Path of the built daemon.
std::string daemon_path();

/// The environment tests start the daemon with: DATABASE_URL of the fixture's primary,
/// loopback only, a port picked by the kernel (PORT=0, read back from the log), two
/// I/O threads and a fast database health check. Tests add or remove keys.
Env daemon_env();

/// daemon_env() serving tests/e2e/schema.graphql, whose one view (v_user: ids "1" and
/// "2", names "user 1" and "user 2") this creates in the fixture's database.
Env graphql_daemon_env();

struct Exit {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs `fraiseql args...` to completion (killed after `deadline`, code -1).
Exit run_fraiseql(const std::vector<std::string>& args, const Env& env,
                  std::chrono::milliseconds deadline = 30s);

/// The value of the first sample of `name` whose labels include every `labels` pair, in
/// a Prometheus text exposition; nullopt when there is none.
std::optional<double> metric_value(const std::string& exposition, std::string_view name,
                                   const std::vector<std::pair<std::string, std::string>>& labels = {});

class Daemon {
 public:
  /// Starts `fraiseql args...` and waits until GET /health answers 200. Throws
  /// std::runtime_error, with the daemon's log, when it exits or does not answer.
  explicit Daemon(const Env& env = daemon_env(), const std::vector<std::string>& args = {"serve"});
  /// Kills the daemon if a test left it running; prints its log when the test failed.
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] ChildProcess& process() noexcept { return *child_; }

  void signal(int sig) const { child_->signal(sig); }
  std::optional<int> wait_exit(std::chrono::milliseconds deadline) { return child_->wait_exit(deadline); }

  /// The daemon's log (its stderr) so far.
  [[nodiscard]] std::string log() const { return child_->err(); }
  /// Waits until the log contains `needle`; false at the deadline.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds deadline = 10s) const;

  /// One request on a fresh connection.
  HttpResponse get(const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {});

  /// Polls GET `target` until it answers `status`; the last answer (whatever its status)
  /// when the deadline passes.
  HttpResponse wait_for_status(const std::string& target, int status,
                               std::chrono::milliseconds deadline = 20s);

 private:
  std::unique_ptr<ChildProcess> child_;
  std::uint16_t port_ = 0;
};

}  // namespace fraiseql::e2e
