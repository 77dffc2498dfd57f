#pragma once
/// The database front door: reads to healthy, lag-bounded replicas (fallback to the
/// primary), writes to the primary, per-host pools, health checkers and circuit
/// breakers. Calls never block the caller: they run on threads owned by the db module
/// and complete through a callback (docs/adr/0004-db-execution.md).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fraiseql/core/deadline.hpp"
#include "fraiseql/core/result.hpp"
#include "fraiseql/db/balancer.hpp"
#include "fraiseql/db/host_checker.hpp"
#include "fraiseql/db/plan.hpp"
#include "fraiseql/db/pool.hpp"
#include "fraiseql/db/write_tracker.hpp"
#include "fraiseql/resilience/circuit_breaker.hpp"

namespace prometheus {
class Counter;
}

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace fraiseql::metrics {
class Registry;
}

namespace fraiseql::db {

/// Text parameters ($1, $2, ...); nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

/// A query's result in text form. For FraiseQL's own queries it is one row, one column:
/// the JSON PostgreSQL built, passed on untouched.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::uint64_t affected_rows = 0;
  std::string target;  // the host that answered, e.g. "replica1"
  // Writes only, when the router has replicas: the WAL position just past the commit.
  // A later read that carries it is served where the write is visible.
  std::string consistency_token;
};

/// Who is reading, for read-your-writes. A write by `subject` makes that subject's
/// reads, for RouterOptions::read_your_writes_window, go only to a replica that has
/// replayed the write (else the primary); a read carrying `token` (a write's
/// Rows::consistency_token) likewise, with no window.
struct Consistency {
  std::string subject;  // auth subject; empty for anonymous callers
  std::string token;    // empty: none
};

enum class Intent { kRead, kWrite };

/// Per-request settings (name, value), applied with `set_config(name, value, true)` in
/// the statement's transaction, before it: e.g. `request.jwt.claims`, `app.tenant_id`,
/// so row-level security sees the caller. Never visible to another request.
using Settings = std::vector<std::pair<std::string, std::string>>;

/// Runs on a db thread, exactly once. It must not block: post to your own executor.
/// May also run on the calling thread when the call fails at once (breaker open).
/// Errors: kUnavailable (host down, breaker open, connection lost: SERVICE_UNAVAILABLE),
/// kTimeout (pool exhausted past the acquire timeout or deadline, statement canceled),
/// kResourceExhausted (server out of resources), kInternal (other SQL errors). SQL
/// errors start with their SQLSTATE, e.g. "42P01: relation ... does not exist".
using Callback = std::function<void(Result<Rows>)>;
using PlanCallback = std::function<void(Result<Plan>)>;

struct RouterOptions {
  std::string primary_url;
  std::vector<std::string> replica_urls;
  PoolLimits primary_limits = primary_pool_limits(100, 1);
  PoolLimits replica_limits = replica_pool_limits(100, 1);
  ConnectionSettings connection;
  std::string application_name = "fraiseql";  // sessions show as "<this>:<target>:<host:port>"
  std::chrono::milliseconds max_replica_lag{5000};
  std::chrono::milliseconds health_interval{1000};
  std::chrono::milliseconds health_timeout{2000};
  unsigned breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_recovery_timeout{60000};
  resilience::Clock clock;  // for the breakers; tests inject one
  // How long a subject's reads follow their last write (see Consistency); 0: off.
  std::chrono::milliseconds read_your_writes_window{10000};
  // Statements that take at least this long are logged at WARN; 0: off.
  std::chrono::milliseconds slow_query_threshold{500};
};

/// What the router currently thinks of one host (for /ready and /admin).
struct HostView {
  std::string target;  // "primary", "replica1", ...
  bool primary = false;
  HostStatus health;
  resilience::BreakerState breaker = resilience::BreakerState::kClosed;
  bool reads_eligible = false;  // replicas: healthy, within max lag, breaker not open
  std::size_t outstanding = 0;
  Pool::Stats pool;
};

/// Thread-safe. Exports fraiseql_db_query_duration_seconds{operation,target},
/// fraiseql_db_replica_lag_seconds{target}, fraiseql_db_replica_fallback_total,
/// fraiseql_db_read_your_writes_primary_total, fraiseql_db_slow_queries_total{target},
/// fraiseql_db_errors_total{target,sqlstate_class}, the pool metrics and
/// fraiseql_circuit_breaker_state{target}.
class Router {
 public:
  explicit Router(RouterOptions options, metrics::Registry* registry = nullptr);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  /// Starts the health checkers. Reads go to the primary until a replica has been
  /// checked healthy.
  void start();

  /// Called on an I/O thread before its event loop runs: reads issued from this thread
  /// then run on `loop` itself with non-blocking libpq, on connections of its own (at
  /// most a 1/`loop_count` share of each host's pool limits), and their callbacks run on
  /// this thread. Other calls, and calls from unbound threads, use the db threads.
  void bind_loop(boost::asio::io_context& loop, unsigned loop_count);
  /// Called on the same thread after its loop stopped and before the loop is destroyed:
  /// closes the thread's connections; reads still in flight end with kUnavailable.
  void unbind_loop();
  /// Stops the checkers and the db threads; calls still queued complete with kUnavailable.
  void stop();

  /// One statement on a replica (or the primary when none is fit, or none has replayed
  /// what `consistency` asks for), autocommit; retried once on another host if the
  /// connection is lost. kInvalidArgument for a malformed consistency token.
  void read(std::string sql, Params params, Deadline deadline, Callback callback,
            const Consistency& consistency = {}, Settings settings = {});
  /// One statement in a transaction on the primary; never retried. Records the write's
  /// position under consistency.subject and returns it as Rows::consistency_token.
  void write(std::string sql, Params params, Deadline deadline, Callback callback,
             const Consistency& consistency = {}, Settings settings = {});
  void execute(Intent intent, std::string sql, Params params, Deadline deadline, Callback callback,
               const Consistency& consistency = {}, Settings settings = {});

  /// Runs `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) sql` where `intent` would send the
  /// statement (kRead: a replica if one is fit), inside a transaction that is rolled
  /// back, so explaining a write changes nothing.
  void explain(Intent intent, const std::string& sql, Params params, Deadline deadline, PlanCallback callback,
               Settings settings = {});

  /// For /ready: ok when the primary's last health check reached it and its breaker is
  /// not open; else kUnavailable saying which. Cheap, never touches the network.
  [[nodiscard]] Result<void> primary_ready() const;
  [[nodiscard]] HostView primary() const;
  [[nodiscard]] std::vector<HostView> hosts() const;

 private:
  friend class LoopReads;
  struct Host;
  struct Call;
  // The bookkeeping after a statement ended on `host`, whichever thread ran it: timing,
  // slow log, breaker verdict, error count, one retry of a read whose connection was
  // lost, then the callback. `sqlstate` is "08" for a lost connection, "XX" when the
  // failure says nothing about the server.
  void conclude(const std::shared_ptr<Call>& call, Host& host, resilience::CircuitBreaker::Permit& permit,
                std::chrono::steady_clock::time_point started, Result<Rows> result,
                const std::string& sqlstate, bool lost);
  // Runs a read on this thread's event loop when the thread is bound (loop_reads.cpp).
  bool run_on_loop(const std::shared_ptr<Call>& call, Host& host, resilience::CircuitBreaker::Permit& permit);
  void dispatch(const std::shared_ptr<Call>& call);
  void run(const std::shared_ptr<Call>& call, Host& host,
           const std::shared_ptr<resilience::CircuitBreaker::Permit>& permit);
  bool retry(const std::shared_ptr<Call>& call, const Error& error);
  void finish(const std::shared_ptr<Call>& call, Result<Rows> result);
  [[nodiscard]] bool reads_eligible(const Host& host) const;
  [[nodiscard]] HostView view(Host& host) const;

  RouterOptions options_;
  metrics::Registry* registry_;
  std::vector<std::unique_ptr<Host>> hosts_;  // [0] is the primary
  LeastOutstanding balancer_;
  std::atomic<bool> on_fallback_{false};
  std::atomic<bool> stopped_{false};
  prometheus::Counter* fallback_counter_ = nullptr;
  prometheus::Counter* ryw_primary_counter_ = nullptr;
  WriteTracker writes_;
};

}  // namespace fraiseql::db
