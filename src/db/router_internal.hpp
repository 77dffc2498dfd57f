#pragma once
// What router.cpp (statements on the db threads) and loop_reads.cpp (reads driven by
// non-blocking libpq on an I/O thread's event loop) share: the router's per-host state,
// a call in flight, and the SQLSTATE rules.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "fraiseql/db/router.hpp"

#include "executor.hpp"

namespace fraiseql::db {

enum class Mode { kRun, kExplain };

// SQLSTATEs after which the session is gone: connection exceptions (08) and the
// server shutting the backend down (57P01 admin, 57P02 crash, 57P03 cannot connect now).
bool connection_lost(const std::string& sqlstate);
ErrorCode code_for(const std::string& sqlstate);

// Prepared statements a connection keeps before it drops them all and starts again:
// bounds server memory when clients send many distinct documents.
constexpr std::size_t kMaxPreparedPerConnection = 256;
// `SELECT set_config($1, $2, true), ...` for `count` settings (name, value pairs).
std::string set_config_sql(std::size_t count);

// The server-side name of the prepared statement for `sql`.
std::string statement_name(const std::string& sql);

struct Router::Host {
  std::string target;
  bool primary = false;
  std::unique_ptr<Pool> pool;
  std::unique_ptr<resilience::CircuitBreaker> breaker;
  std::unique_ptr<HostChecker> checker;
  std::atomic<std::size_t> outstanding{0};
  std::atomic<bool> fit{false};  // last check: reachable and, for a replica, within max lag
  std::atomic<std::chrono::steady_clock::rep> checked_at{0};
  std::atomic<std::uint64_t> replay_lsn{0};  // replicas: as of the last check
  prometheus::Counter* slow_counter = nullptr;
  prometheus::Gauge* lag_gauge = nullptr;
  prometheus::Histogram* read_duration = nullptr;
  prometheus::Histogram* write_duration = nullptr;
  prometheus::Family<prometheus::Counter>* errors = nullptr;
  std::unique_ptr<Executor> executor;  // last, so its threads stop before the rest goes

  void count_error(const std::string& sqlstate) const {
    if (errors != nullptr)
      errors->Add({{"target", target}, {"sqlstate_class", sqlstate.substr(0, 2)}}).Increment();
  }
};

struct Router::Call {
  Intent intent = Intent::kRead;
  std::string sql;
  Params params;
  Settings settings;  // set_config(name, value, true) before the statement
  Deadline deadline = Deadline::never();
  Callback callback;
  Mode mode = Mode::kRun;
  std::string subject;        // writes: whose position to remember
  std::uint64_t min_lsn = 0;  // reads: only hosts that replayed this far
  std::vector<const Host*> tried;
  bool retried = false;
};

}  // namespace fraiseql::db
