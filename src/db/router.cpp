#include "fraiseql/db/router.hpp"

#include <cstdio>
#include <functional>
#include <limits>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <spdlog/spdlog.h>

#include "fraiseql/db/lsn.hpp"
#include "fraiseql/db/statement_log.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "executor.hpp"
#include "router_internal.hpp"
#include "text.hpp"

namespace fraiseql::db {
namespace {

using steady = std::chrono::steady_clock;

// "host:port" of a URL or key=value conninfo, for application_name.
std::string host_port(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme != std::string::npos) {
    auto begin = scheme + 3;
    auto end = url.find_first_of("/?", begin);
    std::string authority = url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    auto at = authority.rfind('@');
    return at == std::string::npos ? authority : authority.substr(at + 1);
  }
  auto value = [&](const std::string& key) -> std::string {
    auto p = (" " + url).find(" " + key + "=");
    if (p == std::string::npos) return {};
    auto begin = p + key.size() + 1;
    return url.substr(begin, url.find(' ', begin) - begin);
  };
  std::string host = value("host");
  std::string port = value("port");
  return port.empty() ? host : host + ":" + port;
}

Rows to_rows(const pqxx::result& r) {
  Rows out;
  out.columns.reserve(static_cast<std::size_t>(r.columns()));
  for (pqxx::row::size_type c = 0; c < r.columns(); ++c) out.columns.emplace_back(r.column_name(c));
  out.rows.reserve(r.size());
  for (const auto& row : r) {
    auto& cells = out.rows.emplace_back();
    cells.reserve(row.size());
    for (const auto& field : row) {
      if (field.is_null()) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(std::string(field.c_str(), field.size()));
      }
    }
  }
  out.affected_rows = static_cast<std::uint64_t>(r.affected_rows());
  return out;
}

// A commit that waited for its flush (synchronous_commit other than off) leaves the
// write position at or past its commit record, and that position is flushed, so a
// standby can always reach it. Without the wait only the insert position is sure to be
// past the commit; it may sit just after a page header that replay reaches only with
// the next record, which at worst keeps the reader on the primary a little longer.
constexpr const char* kWritePositionSql =
    "SELECT CASE WHEN current_setting('synchronous_commit') = 'off' THEN pg_current_wal_insert_lsn()"
    " ELSE pg_current_wal_lsn() END::text";

// Taken after COMMIT, so the position is past the commit record: a standby that has
// replayed up to it sees the write. Empty when it cannot be read: the write is
// committed, only its position is unknown (the caller falls back to the primary).
std::string write_position(pqxx::connection& conn) {
  try {
    pqxx::nontransaction tx(conn);
    return tx.exec(kWritePositionSql)[0][0].as<std::string>();
  } catch (const std::exception& ex) {
    spdlog::debug("write committed but its WAL position could not be read: {}", one_line(ex.what()));
    return {};
  }
}

// The name of `sql` prepared on `slot`, preparing it there first; empty to run it
// unprepared. A repeated statement then skips PostgreSQL's parse and plan.
std::string prepared_name(PooledConnection& slot, const std::string& sql) {
  std::string name = statement_name(sql);
  if (slot.prepared.contains(name)) return name;
  if (slot.prepared.size() >= kMaxPreparedPerConnection) {
    for (const auto& n : slot.prepared) slot.conn->unprepare(n);
    slot.prepared.clear();
  }
  slot.conn->prepare(name, sql);
  slot.prepared.insert(name);
  return name;
}

// The request's settings, local to `tx`.
void apply_settings(pqxx::transaction_base& tx, const Settings& settings) {
  if (settings.empty()) return;
  std::vector<const char*> values;
  values.reserve(settings.size() * 2);
  for (const auto& [name, value] : settings) {
    values.push_back(name.c_str());
    values.push_back(value.c_str());
  }
  tx.exec_params(set_config_sql(settings.size()), pqxx::prepare::make_dynamic_params(values));
}

Rows exec(PooledConnection& slot, bool prepare, Intent intent, Mode mode, const std::string& sql,
          const Params& params, const Settings& settings, bool want_lsn) {
  pqxx::connection& conn = *slot.conn;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);  // nullptr is SQL NULL
  auto dynamic = pqxx::prepare::make_dynamic_params(values);
  const bool use_prepared = prepare && mode == Mode::kRun;
  const std::string name = use_prepared ? prepared_name(slot, sql) : std::string();
  auto run = [&](pqxx::transaction_base& tx) {
    return use_prepared ? tx.exec_prepared(name, dynamic) : tx.exec_params(sql, dynamic);
  };
  if (mode == Mode::kExplain) {
    // EXPLAIN ANALYZE executes the statement; never committing keeps explain side-effect free.
    pqxx::work tx(conn);
    apply_settings(tx, settings);
    auto r = to_rows(run(tx));
    tx.abort();
    return r;
  }
  if (intent == Intent::kRead && settings.empty()) {
    pqxx::nontransaction tx(conn);
    return to_rows(run(tx));
  }
  // Settings are transaction-local, so a read that has some runs in a transaction too.
  Rows out;
  {
    pqxx::work tx(conn);
    apply_settings(tx, settings);
    auto r = run(tx);
    tx.commit();
    out = to_rows(r);
  }
  if (want_lsn) out.consistency_token = write_position(conn);
  return out;
}

}  // namespace

bool connection_lost(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0;
}

ErrorCode code_for(const std::string& sqlstate) {
  if (sqlstate == "57014") return ErrorCode::kTimeout;  // statement_timeout or cancel
  if (sqlstate.rfind("53", 0) == 0) return ErrorCode::kResourceExhausted;
  if (connection_lost(sqlstate) || sqlstate == "25006") return ErrorCode::kUnavailable;  // 25006: read-only
  return ErrorCode::kInternal;
}

std::string set_config_sql(std::size_t count) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) sql += ", ";
    sql += "set_config($" + std::to_string(2 * i + 1) + ", $" + std::to_string(2 * i + 2) + ", true)";
  }
  return sql;
}

std::string statement_name(const std::string& sql) {
  char name[24];
  std::snprintf(name, sizeof name, "fq_%016zx", std::hash<std::string>{}(sql));
  return name;
}

Router::Router(RouterOptions options, metrics::Registry* registry)
    : options_(std::move(options)), registry_(registry), writes_(options_.read_your_writes_window) {
  prometheus::Family<prometheus::Histogram>* duration = nullptr;
  prometheus::Family<prometheus::Counter>* slow = nullptr;
  prometheus::Family<prometheus::Gauge>* lag = nullptr;
  prometheus::Family<prometheus::Counter>* errors = nullptr;
  if (registry_ != nullptr) {
    auto& prom = registry_->prom();
    duration = &prometheus::BuildHistogram()
                    .Name("fraiseql_db_query_duration_seconds")
                    .Help("Time a statement took on the server, by operation (read, write) and host.")
                    .Register(prom);
    lag = &prometheus::BuildGauge()
               .Name("fraiseql_db_replica_lag_seconds")
               .Help("Replication lag of each replica as last measured by its health check.")
               .Register(prom);
    errors = &prometheus::BuildCounter()
                  .Name("fraiseql_db_errors_total")
                  .Help("Failed database calls by host and SQLSTATE class (08: connection).")
                  .Register(prom);
    fallback_counter_ = &prometheus::BuildCounter()
                             .Name("fraiseql_db_replica_fallback_total")
                             .Help("Reads sent to the primary because no replica was fit to serve them.")
                             .Register(prom)
                             .Add({});
    ryw_primary_counter_ =
        &prometheus::BuildCounter()
             .Name("fraiseql_db_read_your_writes_primary_total")
             .Help("Reads sent to the primary because no fit replica had replayed the reader's last write.")
             .Register(prom)
             .Add({});
    slow = &prometheus::BuildCounter()
                .Name("fraiseql_db_slow_queries_total")
                .Help("Statements that took longer than the slow-query threshold, by host.")
                .Register(prom);
  }
  auto add_host = [&](std::string target, const std::string& url, bool primary) {
    auto h = std::make_unique<Host>();
    h->target = std::move(target);
    h->primary = primary;
    PoolOptions po;
    po.target = h->target;
    po.url = url;
    po.application_name = (options_.application_name + ":" + h->target + ":" + host_port(url)).substr(0, 63);
    po.limits = primary ? options_.primary_limits : options_.replica_limits;
    po.settings = options_.connection;
    h->pool = std::make_unique<Pool>(po, registry_);
    h->breaker = std::make_unique<resilience::CircuitBreaker>(
        resilience::CircuitBreakerOptions{.target = h->target,
                                          .failure_threshold = options_.breaker_failure_threshold,
                                          .recovery_timeout = options_.breaker_recovery_timeout,
                                          .clock = options_.clock},
        registry_);
    if (duration != nullptr) {
      h->read_duration =
          &duration->Add({{"operation", "read"}, {"target", h->target}}, metrics::latency_buckets());
      h->write_duration =
          &duration->Add({{"operation", "write"}, {"target", h->target}}, metrics::latency_buckets());
      if (!primary) h->lag_gauge = &lag->Add({{"target", h->target}});
      h->errors = errors;
      h->slow_counter = &slow->Add({{"target", h->target}});
    }
    Host* raw = h.get();
    auto max_lag = options_.max_replica_lag;
    h->checker = std::make_unique<HostChecker>(
        HostCheckerOptions{.name = h->target,
                           .url = url,
                           .interval = options_.health_interval,
                           .timeout = options_.health_timeout,
                           .on_check = [raw, max_lag](const HostStatus& s) {
                             if (raw->lag_gauge != nullptr && s.reachable) {
                               raw->lag_gauge->Set(std::chrono::duration<double>(s.replay_lag).count());
                             }
                             if (!raw->primary && s.reachable) {
                               if (auto lsn = parse_lsn(s.replay_lsn)) raw->replay_lsn = *lsn;
                             }
                             bool fit = s.reachable && (raw->primary || s.replay_lag <= max_lag);
                             if (!raw->primary && s.reachable && raw->fit.load() && !fit) {
                               spdlog::warn("replica {} lags {} ms (max {} ms): no reads until it catches up",
                                            raw->target, s.replay_lag.count(), max_lag.count());
                             }
                             raw->fit = fit;
                             raw->checked_at = s.checked_at.time_since_epoch().count();
                           }});
    // Each thread holds at most one lease, so a job never waits on the pool itself; the
    // queue is where callers wait for a connection, bounded by the acquire timeout.
    h->executor = std::make_unique<Executor>(h->target, po.limits.size + po.limits.max_overflow);
    hosts_.push_back(std::move(h));
  };
  add_host("primary", options_.primary_url, true);
  for (std::size_t i = 0; i < options_.replica_urls.size(); ++i) {
    add_host("replica" + std::to_string(i + 1), options_.replica_urls[i], false);
  }
}

Router::~Router() {
  stop();
}

void Router::start() {
  for (auto& h : hosts_) h->checker->start();
}

void Router::stop() {
  stopped_ = true;
  for (auto& h : hosts_) h->checker->stop();
  for (auto& h : hosts_) h->executor->stop();
  for (auto& h : hosts_) h->pool->close();
}

void Router::read(std::string sql, Params params, Deadline deadline, Callback callback,
                  const Consistency& consistency, Settings settings) {
  execute(Intent::kRead, std::move(sql), std::move(params), deadline, std::move(callback), consistency,
          std::move(settings));
}

void Router::write(std::string sql, Params params, Deadline deadline, Callback callback,
                   const Consistency& consistency, Settings settings) {
  execute(Intent::kWrite, std::move(sql), std::move(params), deadline, std::move(callback), consistency,
          std::move(settings));
}

void Router::execute(Intent intent, std::string sql, Params params, Deadline deadline, Callback callback,
                     const Consistency& consistency, Settings settings) {
  auto call = std::make_shared<Call>();
  call->intent = intent;
  call->sql = std::move(sql);
  call->params = std::move(params);
  call->settings = std::move(settings);
  call->deadline = deadline;
  call->callback = std::move(callback);
  if (intent == Intent::kWrite) {
    call->subject = consistency.subject;
  } else {
    if (!consistency.token.empty()) {
      auto lsn = parse_lsn(consistency.token);
      if (!lsn) {
        finish(call, make_error(ErrorCode::kInvalidArgument,
                                "malformed consistency token (expected a WAL position like 0/16B3748)"));
        return;
      }
      call->min_lsn = *lsn;
    }
    call->min_lsn = std::max(call->min_lsn, writes_.required(consistency.subject));
  }
  dispatch(call);
}

void Router::explain(Intent intent, const std::string& sql, Params params, Deadline deadline,
                     PlanCallback callback, Settings settings) {
  auto call = std::make_shared<Call>();
  call->intent = intent;
  call->settings = std::move(settings);
  call->mode = Mode::kExplain;
  call->sql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql;
  call->params = std::move(params);
  call->deadline = deadline;
  call->callback = [callback = std::move(callback)](Result<Rows> rows) {
    if (!rows) {
      callback(std::move(rows).error());
      return;
    }
    if (rows->rows.empty() || rows->rows[0].empty() || !rows->rows[0][0]) {
      callback(make_error(ErrorCode::kInternal, "EXPLAIN returned no plan"));
      return;
    }
    auto plan = parse_plan(*rows->rows[0][0]);
    if (plan) plan->target = rows->target;
    callback(std::move(plan));
  };
  dispatch(call);
}

bool Router::reads_eligible(const Host& host) const {
  if (!host.fit.load()) return false;
  // A check that hangs leaves `fit` as it was; treat a stale view as unfit.
  auto stale_after = 2 * (options_.health_interval + options_.health_timeout);
  auto checked = steady::time_point(steady::duration(host.checked_at.load()));
  return steady::now() - checked <= stale_after;
}

void Router::dispatch(const std::shared_ptr<Call>& call) {
  if (stopped_) {
    finish(call, make_error(ErrorCode::kUnavailable, "database router is shutting down"));
    return;
  }
  Host* chosen = nullptr;
  std::optional<resilience::CircuitBreaker::Permit> permit;
  Host& primary = *hosts_.front();
  if (call->intent == Intent::kWrite) {
    permit = primary.breaker->try_acquire();
    if (!permit) {
      finish(call, make_error(ErrorCode::kUnavailable,
                              "primary database unavailable: circuit breaker open after repeated failures"));
      return;
    }
    chosen = &primary;
  } else {
    std::vector<Host*> candidates;
    std::vector<std::size_t> load;
    bool behind = false;  // a fit replica has not replayed what the reader must see
    for (std::size_t i = 1; i < hosts_.size(); ++i) {
      Host* h = hosts_[i].get();
      if (std::find(call->tried.begin(), call->tried.end(), h) != call->tried.end()) continue;
      if (!reads_eligible(*h)) continue;
      if (call->min_lsn != 0 && h->replay_lsn.load() < call->min_lsn) {
        behind = true;
        continue;
      }
      candidates.push_back(h);
      load.push_back(h->outstanding.load());
    }
    for (auto i : balancer_.order(load)) {
      if ((permit = candidates[i]->breaker->try_acquire())) {
        chosen = candidates[i];
        break;
      }
    }
    if (chosen != nullptr) {
      if (on_fallback_.exchange(false)) spdlog::info("reads are back on replicas");
    } else {
      permit = primary.breaker->try_acquire();
      if (!permit) {
        finish(call,
               make_error(ErrorCode::kUnavailable,
                          hosts_.size() > 1 ? "no database host can serve reads: no replica fit and the "
                                              "primary's circuit breaker is open"
                                            : "primary database unavailable: circuit breaker open after "
                                              "repeated failures"));
        return;
      }
      chosen = &primary;
      if (behind) {
        // Expected after a write, not a degradation: counted apart, not warned about.
        if (ryw_primary_counter_ != nullptr) ryw_primary_counter_->Increment();
      } else if (hosts_.size() > 1) {
        if (fallback_counter_ != nullptr) fallback_counter_->Increment();
        if (!on_fallback_.exchange(true)) {
          spdlog::warn(
              "no replica is fit for reads (down, lagging or breaker open): reading from the primary");
        }
      }
    }
  }
  call->tried.push_back(chosen);
  ++chosen->outstanding;
  if (call->mode == Mode::kRun && call->intent == Intent::kRead && run_on_loop(call, *chosen, *permit))
    return;
  auto shared_permit = std::make_shared<resilience::CircuitBreaker::Permit>(std::move(*permit));
  auto start_by = std::min(call->deadline.at(), steady::now() + options_.connection.acquire_timeout);
  bool queued = chosen->executor->submit(
      start_by, [this, call, chosen, shared_permit] { run(call, *chosen, shared_permit); },
      [this, call, chosen](bool stopping) {
        --chosen->outstanding;
        if (stopping) {
          finish(call, make_error(ErrorCode::kUnavailable, "database router is shutting down"));
          return;
        }
        finish(call,
               make_error(ErrorCode::kTimeout, "database pool " + chosen->target +
                                                   " exhausted: no connection free before the deadline"));
      });
  if (!queued) {
    --chosen->outstanding;
    finish(call, make_error(ErrorCode::kUnavailable, "database router is shutting down"));
  }
}

void Router::run(const std::shared_ptr<Call>& call, Host& host,
                 const std::shared_ptr<resilience::CircuitBreaker::Permit>& permit) {
  auto lease = host.pool->acquire(call->deadline);
  if (!lease) {
    --host.outstanding;
    Error error = std::move(lease).error();
    if (error.code == ErrorCode::kUnavailable) {
      permit->failure();
      host.count_error("08");
      if (retry(call, error)) return;
    }
    finish(call, std::move(error));
    return;
  }
  auto t0 = steady::now();
  bool explain = call->mode == Mode::kExplain;
  std::optional<Error> failed;
  bool lost = false;
  std::string sqlstate;
  try {
    bool want_lsn = call->intent == Intent::kWrite && !explain && hosts_.size() > 1;
    Rows rows = exec(lease->slot(), options_.connection.prepared_statements, call->intent, call->mode,
                     call->sql, call->params, call->settings, want_lsn);
    if (want_lsn) {
      auto lsn = parse_lsn(rows.consistency_token);
      if (!lsn) lease->mark_bad();  // the position query failed after COMMIT
      // Position unknown: the subject reads from the primary for the whole window.
      writes_.record(call->subject, lsn.value_or(std::numeric_limits<std::uint64_t>::max()));
    }
    lease->release();
    conclude(call, host, *permit, t0, std::move(rows), {}, false);
    return;
  } catch (const pqxx::broken_connection& ex) {
    lost = true;
    failed = make_error(ErrorCode::kUnavailable,
                        "connection to database " + host.target + " lost: " + one_line(ex.what()));
  } catch (const pqxx::in_doubt_error& ex) {
    lease->mark_bad();
    // It may have committed: its writer reads from the primary for the window.
    writes_.record(call->subject, std::numeric_limits<std::uint64_t>::max());
    failed = make_error(ErrorCode::kUnavailable,
                        "connection to database " + host.target +
                            " lost during commit; the outcome is unknown: " + one_line(ex.what()));
    sqlstate = "08";
  } catch (const pqxx::sql_error& ex) {
    sqlstate = ex.sqlstate();
    if (connection_lost(sqlstate) || !lease->conn().is_open()) {
      lost = true;
      failed = make_error(ErrorCode::kUnavailable,
                          "connection to database " + host.target + " lost: " + one_line(ex.what()));
    } else {
      failed = make_error(code_for(sqlstate), sqlstate + ": " + one_line(ex.what()));
    }
  } catch (const std::exception& ex) {
    if (!lease->conn().is_open()) {
      lost = true;
      failed = make_error(ErrorCode::kUnavailable,
                          "connection to database " + host.target + " lost: " + one_line(ex.what()));
    } else {
      lease->mark_bad();  // unknown state: do not hand it to someone else
      failed = make_error(ErrorCode::kInternal, one_line(ex.what()));
      sqlstate = "XX";
    }
  }
  if (lost) {
    lease->mark_bad();
    sqlstate = "08";
  }
  lease->release();
  conclude(call, host, *permit, t0, std::move(*failed), sqlstate, lost);
}

void Router::conclude(const std::shared_ptr<Call>& call, Host& host,
                      resilience::CircuitBreaker::Permit& permit, steady::time_point started,
                      Result<Rows> result, const std::string& sqlstate, bool lost) {
  bool explain = call->mode == Mode::kExplain;
  auto took = steady::now() - started;
  // Explain is an operator's tool: it is neither timed as traffic nor logged as slow.
  auto note_slow = [&](std::string_view outcome) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(took);
    if (explain || options_.slow_query_threshold.count() <= 0 || us < options_.slow_query_threshold) return;
    if (host.slow_counter != nullptr) host.slow_counter->Increment();
    spdlog::warn("{}", slow_query_message(host.target, us, outcome, call->sql, call->params));
  };
  --host.outstanding;
  if (result) {
    auto* hist = call->intent == Intent::kRead ? host.read_duration : host.write_duration;
    if (hist != nullptr && !explain) hist->Observe(std::chrono::duration<double>(took).count());
    note_slow("ok");
    permit.success();
    result->target = host.target;
    finish(call, std::move(result));
    return;
  }
  if (sqlstate == "08") {
    permit.failure();
  } else if (sqlstate != "XX") {
    permit.success();  // the server answered; the statement was at fault
  }
  note_slow(result.error().message);
  host.count_error(sqlstate.empty() ? "XX" : sqlstate);
  if (!lost && sqlstate != "08" && sqlstate != "XX") {
    // Which server refused it, for the logs: "42P01: ... (on replica1)".
    Error e = std::move(result).error();
    e.message += " (on " + host.target + ")";
    result = std::move(e);
  }
  if (lost && retry(call, result.error())) return;
  finish(call, std::move(result));
}

bool Router::retry(const std::shared_ptr<Call>& call, const Error& error) {
  if (call->intent != Intent::kRead || call->retried || stopped_ || call->deadline.expired()) return false;
  call->retried = true;
  spdlog::info("read failed on {} ({}); retrying once on another host", call->tried.back()->target,
               error.message);
  // With a single host, "another host" is the same one on a fresh connection.
  if (call->tried.size() >= hosts_.size()) call->tried.clear();
  dispatch(call);
  return true;
}

void Router::finish(const std::shared_ptr<Call>& call, Result<Rows> result) {
  auto callback = std::move(call->callback);
  call->callback = nullptr;
  if (!callback) return;
  try {
    callback(std::move(result));
  } catch (const std::exception& ex) {
    spdlog::error("database callback threw: {}", ex.what());
  } catch (...) {
    spdlog::error("database callback threw a non-exception");
  }
}

HostView Router::view(Host& host) const {
  HostView v;
  v.target = host.target;
  v.primary = host.primary;
  v.health = host.checker->status();
  v.breaker = host.breaker->state();
  v.reads_eligible = reads_eligible(host) && v.breaker != resilience::BreakerState::kOpen;
  v.outstanding = host.outstanding.load();
  v.pool = host.pool->stats();
  return v;
}

Result<void> Router::primary_ready() const {
  const Host& primary = *hosts_.front();
  auto health = primary.checker->status();
  if (!health.reachable) {
    return make_error(ErrorCode::kUnavailable,
                      "primary database unreachable" + (health.error.empty() ? "" : ": " + health.error));
  }
  if (primary.breaker->state() == resilience::BreakerState::kOpen) {
    return make_error(ErrorCode::kUnavailable, "primary database circuit breaker open");
  }
  return {};
}

HostView Router::primary() const {
  return view(*hosts_.front());
}

std::vector<HostView> Router::hosts() const {
  std::vector<HostView> out;
  out.reserve(hosts_.size());
  for (const auto& h : hosts_) out.push_back(view(*h));
  return out;
}

}  // namespace fraiseql::db
