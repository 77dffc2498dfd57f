// Reads driven by non-blocking libpq on an I/O thread's own event loop
// (docs/adr/0007-reads-on-the-event-loop.md): the statement is sent, the socket waited
// on with Asio and the result read on the thread that received the request, so a read
// costs no thread hop. Connections are opened on the host's db threads (connecting
// blocks) and handed to the loop.

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <libpq-fe.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "fraiseql/db/router.hpp"

#include "router_internal.hpp"
#include "text.hpp"

namespace fraiseql::db {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using Permit = resilience::CircuitBreaker::Permit;

class LoopReads {
 public:
  LoopReads(Router& router, asio::io_context& loop, unsigned loop_count);
  ~LoopReads();
  LoopReads(const LoopReads&) = delete;
  LoopReads& operator=(const LoopReads&) = delete;

  // The reads of `router` issued on this thread, or null.
  static LoopReads* current(const Router* router) noexcept;
  static void bind(std::unique_ptr<LoopReads> reads);
  static void unbind() noexcept;

  void submit(const std::shared_ptr<Router::Call>& call, Router::Host& host, Permit permit);

 private:
  struct Conn;
  struct Job;
  struct HostPool;
  struct Waiter {
    std::shared_ptr<Router::Call> call;
    Permit permit;
    std::unique_ptr<asio::steady_timer> timer;  // the acquire deadline
  };

  HostPool& pool_for(Router::Host& host);
  void start(HostPool& pool, std::unique_ptr<Conn> conn, std::shared_ptr<Router::Call> call, Permit permit);
  void open_connection(HostPool& pool);
  void connected(HostPool& pool, PGconn* pg, const std::string& error);
  void give_back(HostPool& pool, std::unique_ptr<Conn> conn);
  void expire(HostPool& pool, const std::shared_ptr<Waiter>& waiter);
  // A read's pipeline: sent, flushed, its results read until the Sync.
  void send(const std::shared_ptr<Job>& job);
  void flush(const std::shared_ptr<Job>& job);
  void await_result(const std::shared_ptr<Job>& job);
  void pipeline_done(const std::shared_ptr<Job>& job);
  void arm_deadline(const std::shared_ptr<Job>& job);
  void end(const std::shared_ptr<Job>& job, Result<Rows> result, const std::string& sqlstate, bool lost);

  Router& router_;
  asio::io_context& loop_;
  unsigned loop_count_;
  std::vector<std::unique_ptr<HostPool>> pools_;
  std::unordered_set<Job*> running_;
  // Shared with connection attempts on db threads: they post back to the loop only while
  // it is alive, checked under the lock that ~LoopReads takes to end it.
  struct Liveness {
    std::mutex mu;
    bool alive = true;
  };
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
  // Posts `fn` to the loop unless it is gone.
  static void post_if_alive(const std::shared_ptr<Liveness>& alive, asio::io_context& loop,
                            std::function<void()> fn);
};

namespace {

thread_local std::unique_ptr<LoopReads> tls_reads;

// A connection on its way from a db thread to the loop.
struct Handoff {
  PGconn* pg = nullptr;
  Handoff() = default;
  ~Handoff() {
    if (pg != nullptr) PQfinish(pg);
  }
  Handoff(const Handoff&) = delete;
  Handoff& operator=(const Handoff&) = delete;
};
thread_local const Router* tls_router = nullptr;

Rows to_rows(const PGresult* r) {
  Rows out;
  const int columns = PQnfields(r);
  const int rows = PQntuples(r);
  out.columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(r, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    auto& cells = out.rows.emplace_back();
    cells.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r, i, c) != 0) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
      }
    }
  }
  const char* affected = PQcmdTuples(const_cast<PGresult*>(r));
  out.affected_rows = affected != nullptr && *affected != '\0' ? std::stoull(affected) : 0;
  return out;
}

}  // namespace

struct LoopReads::Conn {
  PGconn* pg;
  asio::posix::stream_descriptor socket;
  std::unordered_set<std::string> prepared;
  steady::time_point created_at = steady::now();

  Conn(asio::io_context& loop, PGconn* c) : pg(c), socket(loop, PQsocket(c)) {}
  ~Conn() {
    // The descriptor belongs to libpq: Asio lets go of it (cancelling its waits)
    // before libpq closes it.
    socket.release();
    PQfinish(pg);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
};

struct LoopReads::HostPool {
  Router::Host* host = nullptr;
  std::size_t cap = 1;   // connections this loop may hold to the host
  std::size_t open = 0;  // idle, busy and connecting
  std::size_t connecting = 0;
  std::vector<std::unique_ptr<Conn>> idle;
  std::deque<std::shared_ptr<Waiter>> waiting;
};

struct LoopReads::Job {
  HostPool* pool = nullptr;
  std::unique_ptr<Conn> conn;
  std::shared_ptr<Router::Call> call;
  Permit permit;
  steady::time_point started = steady::now();
  std::string name;  // of the prepared statement; empty: unprepared
  // The pipeline sent for this read, by command index; -1 when not sent.
  int deallocate_at = -1;
  int prepare_at = -1;
  int query_at = -1;
  int results = 0;  // command results read so far
  bool deallocated = false;
  bool prepared = false;
  PGresult* result = nullptr;  // the query's
  std::string sqlstate;        // the first error, if any
  std::string error;
  std::unique_ptr<asio::steady_timer> deadline;  // cancels the statement when it passes
  bool canceled = false;
  ~Job() {
    if (result != nullptr) PQclear(result);
  }
};

LoopReads::LoopReads(Router& router, asio::io_context& loop, unsigned loop_count)
    : router_(router), loop_(loop), loop_count_(std::max(1U, loop_count)) {
  for (auto& host : router_.hosts_) {
    auto pool = std::make_unique<HostPool>();
    pool->host = host.get();
    const auto& limits = host->pool->options().limits;
    pool->cap = std::max<std::size_t>(1, (limits.size + limits.max_overflow + loop_count_ - 1) / loop_count_);
    pools_.push_back(std::move(pool));
  }
}

LoopReads::~LoopReads() {
  {
    std::lock_guard lock(alive_->mu);
    alive_->alive = false;
  }
  auto unavailable = [] { return make_error(ErrorCode::kUnavailable, "database router is shutting down"); };
  // The loop has stopped: nothing below can run a handler, so calls end here.
  auto jobs = std::move(running_);
  for (Job* job : jobs) {
    job->conn.reset();
    --job->pool->host->outstanding;
    router_.finish(job->call, unavailable());
  }
  for (auto& pool : pools_) {
    for (auto& waiter : pool->waiting) {
      --pool->host->outstanding;
      router_.finish(waiter->call, unavailable());
    }
    pool->waiting.clear();
    pool->idle.clear();
  }
}

void LoopReads::post_if_alive(const std::shared_ptr<Liveness>& alive, asio::io_context& loop,
                              std::function<void()> fn) {
  std::lock_guard lock(alive->mu);
  if (alive->alive) asio::post(loop, std::move(fn));
}

LoopReads* LoopReads::current(const Router* router) noexcept {
  return tls_router == router ? tls_reads.get() : nullptr;
}

void LoopReads::bind(std::unique_ptr<LoopReads> reads) {
  tls_router = &reads->router_;
  tls_reads = std::move(reads);
}

void LoopReads::unbind() noexcept {
  tls_router = nullptr;
  tls_reads.reset();
}

LoopReads::HostPool& LoopReads::pool_for(Router::Host& host) {
  for (auto& pool : pools_) {
    if (pool->host == &host) return *pool;
  }
  return *pools_.front();  // not reached: one pool per host of the router
}

void LoopReads::submit(const std::shared_ptr<Router::Call>& call, Router::Host& host, Permit permit) {
  HostPool& pool = pool_for(host);
  if (!pool.idle.empty()) {
    auto conn = std::move(pool.idle.back());
    pool.idle.pop_back();
    start(pool, std::move(conn), call, std::move(permit));
    return;
  }
  auto waiter = std::make_shared<Waiter>(Waiter{call, std::move(permit), nullptr});
  auto start_by = std::min(call->deadline.at(), steady::now() + router_.options_.connection.acquire_timeout);
  if (start_by != steady::time_point::max()) {
    waiter->timer = std::make_unique<asio::steady_timer>(loop_, start_by);
    waiter->timer->async_wait(
        [this, &pool, weak = std::weak_ptr<Waiter>(waiter)](boost::system::error_code ec) {
          if (ec) return;
          if (auto w = weak.lock()) expire(pool, w);
        });
  }
  pool.waiting.push_back(std::move(waiter));
  if (pool.open < pool.cap) open_connection(pool);
}

void LoopReads::expire(HostPool& pool, const std::shared_ptr<Waiter>& waiter) {
  auto it = std::find(pool.waiting.begin(), pool.waiting.end(), waiter);
  if (it == pool.waiting.end()) return;
  pool.waiting.erase(it);
  router_.conclude(waiter->call, *pool.host, waiter->permit, steady::now(),
                   make_error(ErrorCode::kTimeout, "database pool " + pool.host->target +
                                                       " exhausted: no connection free before the deadline"),
                   "XX", false);
}

void LoopReads::open_connection(HostPool& pool) {
  ++pool.open;
  ++pool.connecting;
  Router::Host& host = *pool.host;
  auto conninfo = host.pool->conninfo();
  auto settings = host.pool->options().settings;
  auto connect = [this, &pool, &loop = loop_, alive = alive_, conninfo = std::move(conninfo), settings] {
    PGconn* pg = PQconnectdb(conninfo.c_str());
    std::string error;
    // Notices (RAISE NOTICE in a function) are not errors; libpq would print them to stderr.
    PQsetNoticeProcessor(
        pg, [](void*, const char*) {}, nullptr);
    if (PQstatus(pg) != CONNECTION_OK) {
      error = one_line(PQerrorMessage(pg));
    } else {
      // Session settings once per connection rather than a round trip per query.
      std::string set = "SET statement_timeout = " + std::to_string(settings.statement_timeout.count()) +
                        "; SET jit = " + (settings.jit ? "on" : "off");
      PGresult* r = PQexec(pg, set.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK) error = one_line(PQerrorMessage(pg));
      PQclear(r);
      if (error.empty() && PQsetnonblocking(pg, 1) != 0) error = one_line(PQerrorMessage(pg));
      if (error.empty() && PQenterPipelineMode(pg) != 1) error = one_line(PQerrorMessage(pg));
    }
    if (!error.empty()) {
      PQfinish(pg);
      pg = nullptr;
    }
    // Owned by the posted handler until it runs; closed if the handler never runs.
    auto handed = std::make_shared<Handoff>();
    handed->pg = pg;
    post_if_alive(alive, loop, [this, &pool, handed, error = std::move(error)] {
      PGconn* c = std::exchange(handed->pg, nullptr);
      connected(pool, c, error);
    });
  };
  auto failed = [this, &pool, &loop = loop_, alive = alive_](bool stopping) {
    post_if_alive(alive, loop, [this, &pool, stopping] {
      connected(pool, nullptr, stopping ? "shutting down" : "no db thread free to connect");
    });
  };
  auto by = steady::now() + router_.options_.connection.acquire_timeout;
  if (!host.executor->submit(by, std::move(connect), std::move(failed))) {
    --pool.open;
    --pool.connecting;
  }
}

void LoopReads::connected(HostPool& pool, PGconn* pg, const std::string& error) {
  --pool.connecting;
  if (pg == nullptr) {
    --pool.open;
    spdlog::debug("connection to database {} failed: {}", pool.host->target, error);
    // Only when nothing else can serve them do the waiting reads fail (and retry elsewhere).
    if (pool.open == 0) {
      auto waiting = std::move(pool.waiting);
      pool.waiting.clear();
      for (auto& w : waiting) {
        router_.conclude(w->call, *pool.host, w->permit, steady::now(),
                         make_error(ErrorCode::kUnavailable,
                                    "cannot connect to database " + pool.host->target + ": " + error),
                         "08", true);
      }
    }
    return;
  }
  give_back(pool, std::make_unique<Conn>(loop_, pg));
}

void LoopReads::give_back(HostPool& pool, std::unique_ptr<Conn> conn) {
  if (steady::now() - conn->created_at >= router_.options_.connection.max_lifetime) {
    conn.reset();
    --pool.open;
    if (!pool.waiting.empty()) open_connection(pool);
    return;
  }
  if (pool.waiting.empty()) {
    pool.idle.push_back(std::move(conn));
    return;
  }
  auto waiter = std::move(pool.waiting.front());
  pool.waiting.pop_front();
  start(pool, std::move(conn), std::move(waiter->call), std::move(waiter->permit));
}

void LoopReads::start(HostPool& pool, std::unique_ptr<Conn> conn, std::shared_ptr<Router::Call> call,
                      Permit permit) {
  auto job = std::make_shared<Job>();
  job->pool = &pool;
  job->conn = std::move(conn);
  job->call = std::move(call);
  job->permit = std::move(permit);
  if (router_.options_.connection.prepared_statements) {
    job->name = statement_name(job->call->sql);
    if (!job->conn->prepared.contains(job->name)) {
      job->prepare_at = 0;
      if (job->conn->prepared.size() >= kMaxPreparedPerConnection) job->deallocate_at = 0;
    }
  }
  running_.insert(job.get());
  if (job->call->deadline.at() != steady::time_point::max()) arm_deadline(job);
  send(job);
}

// At the request's deadline the server is asked to cancel the statement (57014, which
// ends the read as kTimeout). PQcancel opens a connection and waits: a db thread sends it.
void LoopReads::arm_deadline(const std::shared_ptr<Job>& job) {
  job->deadline = std::make_unique<asio::steady_timer>(loop_, job->call->deadline.at());
  job->deadline->async_wait([this, weak = std::weak_ptr<Job>(job)](boost::system::error_code ec) {
    auto j = weak.lock();
    if (ec || !j || j->conn == nullptr || !running_.contains(j.get())) return;
    PGcancel* cancel = PQgetCancel(j->conn->pg);
    if (cancel == nullptr) return;
    j->canceled = true;
    auto send_cancel = [cancel] {
      std::array<char, 256> error{};
      PQcancel(cancel, error.data(), static_cast<int>(error.size()));
      PQfreeCancel(cancel);
    };
    if (!j->pool->host->executor->submit(steady::now() + std::chrono::seconds(5), send_cancel,
                                         [cancel](bool) { PQfreeCancel(cancel); })) {
      PQfreeCancel(cancel);
    }
  });
}

// One pipeline, one round trip: DEALLOCATE ALL and the Prepare when needed, the
// request's settings, the statement, then Sync. Until the Sync they share one implicit
// transaction, which is what keeps set_config(..., true) to this read.
void LoopReads::send(const std::shared_ptr<Job>& job) {
  PGconn* pg = job->conn->pg;
  const auto& call = *job->call;
  int commands = 0;
  bool sent = true;
  if (job->deallocate_at >= 0) {
    job->deallocate_at = commands++;
    sent = PQsendQueryParams(pg, "DEALLOCATE ALL", 0, nullptr, nullptr, nullptr, nullptr, 0) != 0;
  }
  if (sent && job->prepare_at >= 0) {
    job->prepare_at = commands++;
    sent = PQsendPrepare(pg, job->name.c_str(), call.sql.c_str(), 0, nullptr) != 0;
  }
  if (sent && !call.settings.empty()) {
    std::vector<const char*> values;
    values.reserve(call.settings.size() * 2);
    for (const auto& [name, value] : call.settings) {
      values.push_back(name.c_str());
      values.push_back(value.c_str());
    }
    ++commands;
    sent =
        PQsendQueryParams(pg, set_config_sql(call.settings.size()).c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0) != 0;
  }
  if (sent) {
    std::vector<const char*> values;
    values.reserve(call.params.size());
    for (const auto& p : call.params) values.push_back(p ? p->c_str() : nullptr);  // nullptr is SQL NULL
    const int n = static_cast<int>(values.size());
    job->query_at = commands++;
    sent = (job->name.empty()
                ? PQsendQueryParams(pg, call.sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
                : PQsendQueryPrepared(pg, job->name.c_str(), n, values.data(), nullptr, nullptr, 0)) != 0;
  }
  if (!sent || PQpipelineSync(pg) == 0) {
    end(job,
        make_error(ErrorCode::kUnavailable, "connection to database " + job->pool->host->target +
                                                " lost: " + one_line(PQerrorMessage(pg))),
        "08", true);
    return;
  }
  flush(job);
}

void LoopReads::flush(const std::shared_ptr<Job>& job) {
  const int pending = PQflush(job->conn->pg);
  if (pending == 0) {
    await_result(job);
    return;
  }
  if (pending < 0) {
    end(job,
        make_error(ErrorCode::kUnavailable, "connection to database " + job->pool->host->target +
                                                " lost: " + one_line(PQerrorMessage(job->conn->pg))),
        "08", true);
    return;
  }
  job->conn->socket.async_wait(asio::posix::stream_descriptor::wait_write,
                               [this, job](boost::system::error_code ec) {
                                 if (!ec) flush(job);
                               });
}

void LoopReads::await_result(const std::shared_ptr<Job>& job) {
  job->conn->socket.async_wait(
      asio::posix::stream_descriptor::wait_read, [this, job](boost::system::error_code ec) {
        if (ec || job->conn == nullptr) return;  // cancelled: the loop is going away
        PGconn* pg = job->conn->pg;
        if (PQconsumeInput(pg) == 0) {
          end(job,
              make_error(ErrorCode::kUnavailable, "connection to database " + job->pool->host->target +
                                                      " lost: " + one_line(PQerrorMessage(pg))),
              "08", true);
          return;
        }
        // Each command of the pipeline yields one result, then a null that separates it
        // from the next; the Sync's result ends the read.
        while (PQisBusy(pg) == 0) {
          PGresult* r = PQgetResult(pg);
          if (r == nullptr) continue;
          const ExecStatusType status = PQresultStatus(r);
          if (status == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            pipeline_done(job);
            return;
          }
          const int index = job->results++;
          if (status == PGRES_FATAL_ERROR) {
            if (job->error.empty()) {
              const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
              job->sqlstate = state != nullptr ? state : "";
              job->error = one_line(PQresultErrorMessage(r));
            }
          } else if (status != PGRES_PIPELINE_ABORTED) {
            if (index == job->deallocate_at) job->deallocated = true;
            if (index == job->prepare_at) job->prepared = true;
            if (index == job->query_at) std::swap(job->result, r);
          }
          if (r != nullptr) PQclear(r);
        }
        await_result(job);
      });
}

void LoopReads::pipeline_done(const std::shared_ptr<Job>& job) {
  const std::string& target = job->pool->host->target;
  // Prepared statements are not transactional: record what the server did, even when a
  // later command of the pipeline failed.
  if (job->deallocated) job->conn->prepared.clear();
  if (job->prepared) job->conn->prepared.insert(job->name);
  const bool gone = PQstatus(job->conn->pg) != CONNECTION_OK;
  if (!job->error.empty() || gone) {
    if (gone || job->sqlstate.empty() || connection_lost(job->sqlstate)) {
      end(job,
          make_error(ErrorCode::kUnavailable, "connection to database " + target + " lost: " + job->error),
          "08", true);
    } else {
      end(job, make_error(code_for(job->sqlstate), job->sqlstate + ": " + job->error), job->sqlstate, false);
    }
    return;
  }
  if (job->result == nullptr) {
    end(job, make_error(ErrorCode::kInternal, "the statement returned no result"), "XX", false);
    return;
  }
  end(job, to_rows(job->result), {}, false);
}

void LoopReads::end(const std::shared_ptr<Job>& job, Result<Rows> result, const std::string& sqlstate,
                    bool lost) {
  running_.erase(job.get());
  job->deadline.reset();
  HostPool& pool = *job->pool;
  // The connection goes back before the callback runs: the callback may issue the
  // next read at once.
  if (lost) {
    job->conn.reset();
    --pool.open;
    if (!pool.waiting.empty()) open_connection(pool);
  } else {
    give_back(pool, std::move(job->conn));
  }
  router_.conclude(job->call, *pool.host, job->permit, job->started, std::move(result), sqlstate, lost);
}

void Router::bind_loop(boost::asio::io_context& loop, unsigned loop_count) {
  LoopReads::bind(std::make_unique<LoopReads>(*this, loop, loop_count));
}

void Router::unbind_loop() {
  LoopReads::unbind();
}

bool Router::run_on_loop(const std::shared_ptr<Call>& call, Host& host,
                         resilience::CircuitBreaker::Permit& permit) {
  LoopReads* reads = LoopReads::current(this);
  if (reads == nullptr) return false;
  reads->submit(call, host, std::move(permit));
  return true;
}

}  // namespace fraiseql::db
