#pragma once
// Helpers for the db integration tests: blocking wrappers over the router's callbacks
// (fine on a test thread, never on an I/O thread), direct connections to the fixture's
// servers for checks and fault injection, and polling bounded by a deadline.

#include <chrono>
#include <functional>
#include <string>

#include <pqxx/pqxx>

#include "fraiseql/db/router.hpp"

namespace fraiseql::db::pgtest {

using namespace std::chrono_literals;

std::string primary_url();
std::string replica_url();
int replica_port();
int primary_port();

/// A name unique to this process and call, for application_name prefixes and tables.
std::string unique_name(const std::string& prefix);

/// Runs one call and waits for its callback (60 s at most, then a failed Result).
Result<Rows> call(Router& router, Intent intent, const std::string& sql, Params params = {},
                  Deadline deadline = Deadline::after(30s));
/// The same with a reader's or writer's identity, for read-your-writes.
Result<Rows> call(Router& router, Intent intent, const std::string& sql, Params params,
                  const Consistency& consistency);
/// Runs one explain and waits for it (60 s at most).
Result<Plan> explain(Router& router, Intent intent, const std::string& sql, Params params = {});
inline Result<Rows> read(Router& router, const std::string& sql, Params params = {}) {
  return call(router, Intent::kRead, sql, std::move(params));
}
inline Result<Rows> write(Router& router, const std::string& sql, Params params = {}) {
  return call(router, Intent::kWrite, sql, std::move(params));
}

/// First cell of a one-off query on a fresh connection to `url`.
std::string scalar(const std::string& url, const std::string& sql);

/// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s);

/// `services.sh COMMAND DIR ARGS`; its exit status.
int services(const std::string& command, const std::string& args = {});

/// Stops a fixture server; whatever happens to the test, starts it again and waits for
/// the replica to stream, so later tests find the fixture as it was.
class StoppedServer {
 public:
  explicit StoppedServer(std::string role);
  ~StoppedServer() { start(); }
  StoppedServer(const StoppedServer&) = delete;
  StoppedServer& operator=(const StoppedServer&) = delete;
  [[nodiscard]] bool stopped() const { return stopped_; }
  bool start();

 private:
  std::string role_;
  bool stopped_ = false;
};

/// Pauses WAL replay on the replica; resumes it whatever happens to the test.
class PausedReplay {
 public:
  PausedReplay();
  ~PausedReplay() { resume(); }
  PausedReplay(const PausedReplay&) = delete;
  PausedReplay& operator=(const PausedReplay&) = delete;
  void resume();

 private:
  bool resumed_ = false;
};

/// Options for a router on the fixture, with short health intervals for tests.
RouterOptions router_options(const std::string& app, bool with_replica = true);

}  // namespace fraiseql::db::pgtest
