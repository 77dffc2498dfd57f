#pragma once
/// Background health check of one PostgreSQL host: reachability, role and round trip,
/// on its own thread and connection so no request ever waits for it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fraiseql::db {

struct HostStatus {
  bool reachable = false;
  bool in_recovery = false;  // a standby
  std::chrono::microseconds rtt{0};
  std::string error;  // why the last check failed
  // Standbys only: how far replay is behind. Zero when everything received is replayed
  // (an idle primary is not lag); else now() - pg_last_xact_replay_timestamp(), capped
  // by the time since a check last found nothing left to replay.
  std::chrono::milliseconds replay_lag{0};
  std::string replay_lsn;  // pg_last_wal_replay_lsn() of a standby, for read-your-writes
  std::chrono::steady_clock::time_point checked_at{};
  std::uint64_t checks = 0;
};

struct HostCheckerOptions {
  std::string name;  // e.g. "primary"
  std::string url;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{2000};  // connect and statement deadline
  // Called on the checker's thread after every check; must not block.
  std::function<void(const HostStatus&)> on_check;
};

/// Adds libpq connection parameters (connect_timeout, application_name, ...) to a
/// URL or a key=value connection string, keeping what the user set.
std::string with_params(const std::string& conninfo,
                        const std::vector<std::pair<std::string, std::string>>& params);

/// Masks the password of a URL or key=value connection string, for logs.
std::string redact(const std::string& conninfo);

class HostChecker {
 public:
  explicit HostChecker(HostCheckerOptions options);
  ~HostChecker();
  HostChecker(const HostChecker&) = delete;
  HostChecker& operator=(const HostChecker&) = delete;

  void start();
  void stop();

  /// The last result. A check that has not finished within interval + timeout counts
  /// as failed, so a hung server reads as down.
  [[nodiscard]] HostStatus status() const;
  [[nodiscard]] bool healthy() const;
  [[nodiscard]] const std::string& name() const noexcept { return options_.name; }

 private:
  void run();

  HostCheckerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  HostStatus status_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fraiseql::db
