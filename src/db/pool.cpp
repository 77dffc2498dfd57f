#include "fraiseql/db/pool.hpp"

#include <algorithm>

#include <pqxx/nontransaction>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <spdlog/spdlog.h>

#include "fraiseql/db/host_checker.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "text.hpp"

namespace fraiseql::db {
namespace {

using steady = std::chrono::steady_clock;

std::size_t at_least_one(std::size_t n) {
  return n == 0 ? 1 : n;
}

}  // namespace

PoolLimits primary_pool_limits(unsigned max_db_connections, unsigned web_concurrency) {
  std::size_t size = std::min<std::size_t>(max_db_connections / std::max(1u, web_concurrency), 20);
  size = at_least_one(size);
  return {.size = size, .max_overflow = size};
}

PoolLimits replica_pool_limits(unsigned max_db_connections, unsigned web_concurrency) {
  std::size_t size = std::min<std::size_t>(max_db_connections / (std::max(1u, web_concurrency) * 2), 10);
  size = at_least_one(size);
  return {.size = size, .max_overflow = size / 2};
}

Lease::Lease(Pool* pool, std::unique_ptr<PooledConnection> slot) noexcept
    : pool_(pool), slot_(std::move(slot)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(std::move(other.slot_)), bad_(other.bad_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = std::move(other.slot_);
    bad_ = other.bad_;
  }
  return *this;
}

pqxx::connection& Lease::conn() const {
  return *slot_->conn;
}

void Lease::release() {
  if (auto* pool = std::exchange(pool_, nullptr)) pool->give_back(std::move(slot_), bad_);
  bad_ = false;
}

Pool::Pool(PoolOptions options, metrics::Registry* registry) : options_(std::move(options)) {
  options_.limits.size = at_least_one(options_.limits.size);
  if (options_.application_name.empty()) options_.application_name = "fraiseql:" + options_.target;
  auto connect_s = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(options_.settings.connect_timeout).count());
  conninfo_ = with_params(options_.url, {{"application_name", options_.application_name},
                                         {"connect_timeout", std::to_string(connect_s)}});
  if (registry != nullptr) {
    auto& prom = registry->prom();
    labels_ = {{"target", options_.target}};
    size_gauge_ = &prometheus::BuildGauge()
                       .Name("fraiseql_db_pool_size")
                       .Help("Open connections in the pool (idle and checked out).")
                       .Register(prom)
                       .Add(labels_);
    checked_out_gauge_ = &prometheus::BuildGauge()
                              .Name("fraiseql_db_pool_checked_out")
                              .Help("Connections currently leased from the pool.")
                              .Register(prom)
                              .Add(labels_);
    overflow_gauge_ = &prometheus::BuildGauge()
                           .Name("fraiseql_db_pool_overflow")
                           .Help("Open connections beyond the pool's core size.")
                           .Register(prom)
                           .Add(labels_);
    wait_histogram_ = &prometheus::BuildHistogram()
                           .Name("fraiseql_db_pool_wait_seconds")
                           .Help("Time spent waiting for a pooled connection.")
                           .Register(prom)
                           .Add(labels_, metrics::latency_buckets());
  }
}

Pool::~Pool() {
  close();
}

void Pool::close() {
  std::vector<std::unique_ptr<PooledConnection>> doomed;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    doomed.swap(idle_);
    open_ -= doomed.size();
    update_gauges_locked();
  }
  cv_.notify_all();
}

Pool::Stats Pool::stats() const {
  std::lock_guard lock(mu_);
  return {.open = open_, .idle = idle_.size(), .checked_out = checked_out_, .waiting = waiting_};
}

void Pool::update_gauges_locked() {
  if (size_gauge_ == nullptr) return;
  size_gauge_->Set(static_cast<double>(open_));
  checked_out_gauge_->Set(static_cast<double>(checked_out_));
  overflow_gauge_->Set(static_cast<double>(open_ > options_.limits.size ? open_ - options_.limits.size : 0));
}

std::unique_ptr<PooledConnection> Pool::connect() {
  auto slot = std::make_unique<PooledConnection>();
  slot->conn = std::make_unique<pqxx::connection>(conninfo_);
  // Session settings once per connection rather than a round trip per query.
  pqxx::nontransaction tx(*slot->conn);
  tx.exec("SET statement_timeout = " + std::to_string(options_.settings.statement_timeout.count()) +
          "; SET jit = " + (options_.settings.jit ? "on" : "off"));
  tx.commit();
  slot->created_at = slot->last_used = steady::now();
  return slot;
}

bool Pool::usable(PooledConnection& slot, steady::time_point now) {
  if (now - slot.created_at >= options_.settings.max_lifetime) return false;
  if (!slot.conn->is_open()) return false;
  if (now - slot.last_used < options_.settings.pre_ping_after_idle) return true;
  // A connection idle for a while may have been cut by the server, a proxy or a
  // restart; one round trip here beats failing the caller's query.
  try {
    pqxx::nontransaction tx(*slot.conn);
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception& ex) {
    spdlog::debug("pool {}: pre-ping failed, discarding connection: {}", options_.target,
                  one_line(ex.what()));
    return false;
  }
}

Result<Lease> Pool::acquire(Deadline deadline) {
  auto t0 = steady::now();
  auto until = std::min(deadline.at(), t0 + options_.settings.acquire_timeout);
  auto observe = [&] {
    if (wait_histogram_ != nullptr) {
      wait_histogram_->Observe(std::chrono::duration<double>(steady::now() - t0).count());
    }
  };
  const std::size_t capacity = options_.limits.size + options_.limits.max_overflow;
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_)
      return make_error(ErrorCode::kUnavailable, "database pool " + options_.target + " is closed");
    if (!idle_.empty()) {
      auto slot = std::move(idle_.back());
      idle_.pop_back();
      ++checked_out_;
      update_gauges_locked();
      lock.unlock();
      if (usable(*slot, steady::now())) {
        observe();
        return Lease(this, std::move(slot));
      }
      slot.reset();  // closes it
      lock.lock();
      --checked_out_;
      --open_;
      update_gauges_locked();
      continue;
    }
    if (open_ < capacity) {
      ++open_;
      ++checked_out_;
      update_gauges_locked();
      lock.unlock();
      try {
        auto slot = connect();
        observe();
        return Lease(this, std::move(slot));
      } catch (const std::exception& ex) {
        lock.lock();
        --open_;
        --checked_out_;
        update_gauges_locked();
        lock.unlock();
        cv_.notify_one();
        observe();
        return make_error(ErrorCode::kUnavailable,
                          "cannot connect to database " + options_.target + ": " + one_line(ex.what()));
      }
    }
    ++waiting_;
    bool timed_out = cv_.wait_until(lock, until) == std::cv_status::timeout;
    --waiting_;
    if (timed_out && idle_.empty() && open_ >= capacity) {
      lock.unlock();
      observe();
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0);
      return make_error(ErrorCode::kTimeout,
                        "database pool " + options_.target + " exhausted: no connection within " +
                            std::to_string(waited.count()) + " ms (" + std::to_string(capacity) + " in use)");
    }
  }
}

void Pool::give_back(std::unique_ptr<PooledConnection> slot, bool bad) {
  auto now = steady::now();
  bool keep = !bad && slot && slot->conn && slot->conn->is_open() &&
              now - slot->created_at < options_.settings.max_lifetime;
  {
    std::lock_guard lock(mu_);
    --checked_out_;
    // Overflow connections are closed once the core has enough idle ones again.
    if (keep && !closed_ && idle_.size() < options_.limits.size) {
      slot->last_used = now;
      idle_.push_back(std::move(slot));
    } else {
      --open_;
    }
    update_gauges_locked();
  }
  cv_.notify_one();
  // A dropped connection closes here, outside the lock.
}

}  // namespace fraiseql::db
