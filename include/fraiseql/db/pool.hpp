#pragma once
/// A libpqxx connection pool for one host: a fixed core of kept connections plus an
/// overflow closed on return, acquire with a timeout, lifetime recycle, pre-ping after
/// idle, session settings on connect. Acquire blocks: call it from db worker threads only.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <pqxx/connection>

#include "fraiseql/core/deadline.hpp"
#include "fraiseql/core/result.hpp"

namespace prometheus {
class Gauge;
class Histogram;
}  // namespace prometheus

namespace fraiseql::metrics {
class Registry;
}

namespace fraiseql::db {

/// How many connections a pool keeps and how many more it may open under load.
struct PoolLimits {
  std::size_t size = 10;
  std::size_t max_overflow = 10;
};

/// Primary: min(max_connections / web_concurrency, 20), the same again as overflow.
PoolLimits primary_pool_limits(unsigned max_db_connections, unsigned web_concurrency);
/// Replica: min(max_connections / (web_concurrency * 2), 10), half that as overflow.
PoolLimits replica_pool_limits(unsigned max_db_connections, unsigned web_concurrency);

/// Settings shared by every pool of a process.
struct ConnectionSettings {
  std::chrono::milliseconds acquire_timeout{30000};
  std::chrono::seconds max_lifetime{3600};              // recycle older connections on checkout/return
  std::chrono::milliseconds pre_ping_after_idle{1000};  // 0: ping on every checkout
  std::chrono::milliseconds statement_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  bool jit = false;
  /// Run statements as server-side prepared statements, one per distinct SQL text and
  /// connection; off behind PgBouncer in transaction pooling mode.
  bool prepared_statements = true;
};

struct PoolOptions {
  std::string target;  // metric label and log name: "primary", "replica1"
  std::string url;
  std::string application_name;  // shown in pg_stat_activity; "fraiseql:<target>" when empty
  PoolLimits limits;
  ConnectionSettings settings;
};

class Pool;

/// One open connection and its age, as the pool keeps it.
struct PooledConnection {
  std::unique_ptr<pqxx::connection> conn;
  std::chrono::steady_clock::time_point created_at;
  std::chrono::steady_clock::time_point last_used;
  std::unordered_set<std::string> prepared;  // names of the statements prepared on it
};

/// A connection checked out of a Pool; move-only, returned on destruction. A lease
/// marked bad (or whose connection is no longer open) is destroyed instead of returned.
/// A lease must not outlive its pool.
class Lease {
 public:
  Lease() = default;
  ~Lease() { release(); }
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  [[nodiscard]] pqxx::connection& conn() const;
  [[nodiscard]] PooledConnection& slot() const { return *slot_; }
  pqxx::connection* operator->() const { return &conn(); }
  /// The connection is in an unknown state (lost, commit in doubt): never reuse it.
  void mark_bad() noexcept { bad_ = true; }
  explicit operator bool() const noexcept { return pool_ != nullptr; }
  void release();

 private:
  friend class Pool;
  Lease(Pool* pool, std::unique_ptr<PooledConnection> slot) noexcept;

  Pool* pool_ = nullptr;
  std::unique_ptr<PooledConnection> slot_;
  bool bad_ = false;
};

/// Thread-safe. With a registry, exports fraiseql_db_pool_size{target} (open
/// connections), fraiseql_db_pool_checked_out{target}, fraiseql_db_pool_overflow{target}
/// (open beyond `size`) and fraiseql_db_pool_wait_seconds{target}.
class Pool {
 public:
  explicit Pool(PoolOptions options, metrics::Registry* registry = nullptr);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A connection, waiting at most until the earlier of `deadline` and the acquire
  /// timeout: kTimeout when the pool stays exhausted, kUnavailable when a new
  /// connection cannot be opened.
  Result<Lease> acquire(Deadline deadline = Deadline::never());

  /// Closes idle connections and refuses new acquires; leases out are destroyed on return.
  void close();

  struct Stats {
    std::size_t open = 0;
    std::size_t idle = 0;
    std::size_t checked_out = 0;
    std::size_t waiting = 0;
  };
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] const PoolOptions& options() const noexcept { return options_; }
  /// The connection string the pool connects with (application_name, connect_timeout set).
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }

 private:
  friend class Lease;
  void give_back(std::unique_ptr<PooledConnection> slot, bool bad);
  void update_gauges_locked();
  std::unique_ptr<PooledConnection> connect();
  bool usable(PooledConnection& slot, std::chrono::steady_clock::time_point now);

  PoolOptions options_;
  std::string conninfo_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;  // most recently used last
  std::size_t open_ = 0;                                 // idle + checked out + being opened
  std::size_t checked_out_ = 0;
  std::size_t waiting_ = 0;
  bool closed_ = false;
  std::map<std::string, std::string> labels_;
  prometheus::Gauge* size_gauge_ = nullptr;
  prometheus::Gauge* checked_out_gauge_ = nullptr;
  prometheus::Gauge* overflow_gauge_ = nullptr;
  prometheus::Histogram* wait_histogram_ = nullptr;
};

}  // namespace fraiseql::db
