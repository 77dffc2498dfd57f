#include "fraiseql/db/notifier.hpp"

#include <algorithm>
#include <cerrno>
#include <libpq-fe.h>
#include <poll.h>
#include <set>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include "fraiseql/db/host_checker.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "text.hpp"

namespace fraiseql::db {
namespace {

struct PgResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// True when `sql` ran; on false `error` says why.
bool command(PGconn* conn, const std::string& sql, std::string& error) {
  PgResult r(PQexec(conn, sql.c_str()));
  auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return true;
  error = one_line(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn));
  if (error.empty()) error = one_line(PQerrorMessage(conn));
  return false;
}

// libpq prints server notices (e.g. the FATAL sent before a terminated backend closes)
// to stderr by default; they belong in our log.
void log_notice(void* /*arg*/, const char* message) {
  spdlog::info("LISTEN connection: {}", one_line(message));
}

std::string quote_ident(PGconn* conn, const std::string& name) {
  char* q = PQescapeIdentifier(conn, name.c_str(), name.size());
  if (q == nullptr) return {};
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace

Notifier::Subscription::Subscription(Subscription&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}

Notifier::Subscription& Notifier::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void Notifier::Subscription::reset() {
  if (auto* owner = std::exchange(owner_, nullptr)) owner->unlisten(id_);
}

Notifier::Notifier(NotifierOptions options, metrics::Registry* registry) : options_(std::move(options)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (registry != nullptr) {
    auto& prom = registry->prom();
    connected_gauge_ = &prometheus::BuildGauge()
                            .Name("fraiseql_db_notifier_connected")
                            .Help("1 while the LISTEN connection to the primary is up.")
                            .Register(prom)
                            .Add({});
    notifications_counter_ = &prometheus::BuildCounter()
                                  .Name("fraiseql_db_notifications_total")
                                  .Help("Notifications received on the LISTEN connection.")
                                  .Register(prom)
                                  .Add({});
    reconnects_counter_ = &prometheus::BuildCounter()
                               .Name("fraiseql_db_notifier_reconnects_total")
                               .Help("LISTEN connections re-established after one was lost.")
                               .Register(prom)
                               .Add({});
  }
}

Notifier::~Notifier() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Notifier::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  wake();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Notifier::wake() {
  if (wake_fd_ < 0) return;
  std::uint64_t one = 1;
  // A full counter already means "wake up"; nothing to do on EAGAIN.
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

Notifier::Subscription Notifier::listen(const std::string& channel, Listener listener) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    entries_.emplace(id, Entry{channel, std::make_shared<Listener>(std::move(listener))});
  }
  wake();
  return Subscription(this, id);
}

void Notifier::unlisten(std::uint64_t id) {
  {
    std::unique_lock lock(mu_);
    entries_.erase(id);
    // A listener that drops itself from inside its own call must not wait for itself.
    if (std::this_thread::get_id() != thread_.get_id()) {
      delivery_cv_.wait(lock, [&] { return delivering_ != id; });
    }
  }
  wake();
}

bool Notifier::listening(const std::string& channel) const {
  std::lock_guard lock(mu_);
  auto it = listened_.find(channel);
  return connected_ && it != listened_.end() && it->second;
}

bool Notifier::connected() const {
  std::lock_guard lock(mu_);
  return connected_;
}

int Notifier::backend_pid() const {
  std::lock_guard lock(mu_);
  return backend_pid_;
}

std::uint64_t Notifier::reconnects() const {
  std::lock_guard lock(mu_);
  return reconnects_;
}

std::unique_ptr<PGconn, void (*)(PGconn*)> Notifier::open_connection(const std::string& conninfo,
                                                                     std::string& error) {
  // Non-blocking, so that stop() is not kept waiting by a server that does not answer.
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectStart(conninfo.c_str()), PQfinish);
  auto failed = [&](std::string why) {
    error = std::move(why);
    conn.reset();
    return std::move(conn);
  };
  if (!conn) return failed("out of memory");
  if (PQstatus(conn.get()) == CONNECTION_BAD) return failed(one_line(PQerrorMessage(conn.get())));
  auto until = std::chrono::steady_clock::now() + options_.connect_timeout;
  auto state = PGRES_POLLING_WRITING;
  for (;;) {
    if (state == PGRES_POLLING_OK) return conn;
    if (state == PGRES_POLLING_FAILED) return failed(one_line(PQerrorMessage(conn.get())));
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return failed("no connection within " + std::to_string(options_.connect_timeout.count()) + " ms");
    short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    pollfd fds[2] = {{PQsocket(conn.get()), events, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return failed("poll failed");
    if ((fds[1].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
      std::lock_guard lock(mu_);
      if (stopping_) return failed("stopping");
      // Otherwise a registration changed: it is applied once connected.
    }
    if ((fds[0].revents & (events | POLLERR | POLLHUP)) != 0) state = PQconnectPoll(conn.get());
  }
}

void Notifier::run() {
  auto connect_s = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(options_.connect_timeout).count());
  std::string conninfo =
      with_params(options_.url, {{"application_name", options_.application_name},
                                 {"connect_timeout", std::to_string(connect_s)},
                                 // Let the kernel notice a dead peer even between our pings.
                                 {"keepalives", "1"},
                                 {"keepalives_idle", "30"},
                                 {"keepalives_interval", "10"},
                                 {"keepalives_count", "3"},
                                 {"tcp_user_timeout", std::to_string(options_.connect_timeout.count())}});
  auto backoff = options_.backoff_min;
  bool ever_connected = false;
  bool down_logged = false;

  auto sleep_backoff = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, options_.backoff_max);
  };

  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    std::string why;
    auto conn = open_connection(conninfo, why);
    if (!conn) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
      }
      if (!down_logged) {
        spdlog::warn("LISTEN connection to {} failed, retrying with backoff: {}", redact(options_.url), why);
        down_logged = true;
      } else {
        spdlog::debug("LISTEN connection still failing: {}", why);
      }
      sleep_backoff();
      continue;
    }
    PQsetNoticeProcessor(conn.get(), log_notice, nullptr);
    bool reconnected = ever_connected;
    ever_connected = true;
    down_logged = false;
    backoff = options_.backoff_min;
    {
      std::lock_guard lock(mu_);
      connected_ = true;
      backend_pid_ = PQbackendPID(conn.get());
      listened_.clear();
      if (reconnected) ++reconnects_;
    }
    if (connected_gauge_ != nullptr) connected_gauge_->Set(1);
    if (reconnected) {
      if (reconnects_counter_ != nullptr) reconnects_counter_->Increment();
      spdlog::info("LISTEN connection to the primary re-established");
    }

    std::string lost;  // why the connection was given up; empty while it is fine
    bool synced_once = false;
    auto last_traffic = std::chrono::steady_clock::now();

    auto deliver = [&] {
      while (PGnotify* n = PQnotifies(conn.get())) {
        Notification note{n->relname, n->extra != nullptr ? n->extra : "", n->be_pid};
        PQfreemem(n);
        if (notifications_counter_ != nullptr) notifications_counter_->Increment();
        std::vector<std::pair<std::uint64_t, std::shared_ptr<Listener>>> targets;
        {
          std::lock_guard lock(mu_);
          for (const auto& [id, e] : entries_) {
            if (e.channel == note.channel) targets.emplace_back(id, e.listener);
          }
        }
        for (auto& [id, fn] : targets) {
          {
            std::lock_guard lock(mu_);
            if (entries_.find(id) == entries_.end()) continue;  // removed meanwhile
            delivering_ = id;
          }
          try {
            (*fn)(note);
          } catch (const std::exception& ex) {
            spdlog::error("listener on channel {} threw: {}", note.channel, ex.what());
          } catch (...) {
            spdlog::error("listener on channel {} threw a non-exception", note.channel);
          }
          {
            std::lock_guard lock(mu_);
            delivering_ = 0;
          }
          delivery_cv_.notify_all();
        }
      }
    };

    while (lost.empty()) {
      // Bring the LISTENed set in line with the registered channels.
      std::set<std::string> want;
      std::vector<std::string> have;
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
        for (const auto& [id, e] : entries_) want.insert(e.channel);
        for (const auto& [ch, on] : listened_) {
          if (on) have.push_back(ch);
        }
      }
      for (const auto& ch : want) {
        if (std::find(have.begin(), have.end(), ch) != have.end()) continue;
        std::string error;
        if (!command(conn.get(), "LISTEN " + quote_ident(conn.get(), ch), error)) {
          if (PQstatus(conn.get()) == CONNECTION_BAD) {
            lost = error;
            break;
          }
          spdlog::error("LISTEN {} failed: {}", ch, error);
          continue;
        }
        std::lock_guard lock(mu_);
        listened_[ch] = true;
      }
      for (const auto& ch : have) {
        if (want.count(ch) != 0) continue;
        std::string error;
        if (!command(conn.get(), "UNLISTEN " + quote_ident(conn.get(), ch), error) &&
            PQstatus(conn.get()) == CONNECTION_BAD) {
          lost = error;
          break;
        }
        std::lock_guard lock(mu_);
        listened_.erase(ch);
      }
      if (!lost.empty()) break;
      if (!synced_once) {
        synced_once = true;
        if (reconnected && options_.on_reconnect) {
          try {
            options_.on_reconnect();
          } catch (const std::exception& ex) {
            spdlog::error("notifier on_reconnect threw: {}", ex.what());
          }
        }
      }
      deliver();  // commands may have read notifications along with their results

      pollfd fds[2] = {{PQsocket(conn.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      int n = ::poll(fds, 2, static_cast<int>(options_.ping_interval.count()));
      if (n < 0 && errno != EINTR) {
        lost = "poll failed";
        break;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
      }
      if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
        last_traffic = std::chrono::steady_clock::now();
        if (PQconsumeInput(conn.get()) == 0 || PQstatus(conn.get()) == CONNECTION_BAD) {
          lost = one_line(PQerrorMessage(conn.get()));
          deliver();  // what arrived before the end still counts
          break;
        }
        deliver();
      }
      if (n == 0 && std::chrono::steady_clock::now() - last_traffic >= options_.ping_interval) {
        std::string error;
        if (!command(conn.get(), "SELECT 1", error)) lost = error.empty() ? "ping failed" : error;
        last_traffic = std::chrono::steady_clock::now();
      }
    }

    {
      std::lock_guard lock(mu_);
      connected_ = false;
      backend_pid_ = 0;
      listened_.clear();
      if (stopping_) break;
    }
    if (connected_gauge_ != nullptr) connected_gauge_->Set(0);
    spdlog::warn("LISTEN connection to the primary lost ({}); reconnecting", lost.empty() ? "unknown" : lost);
    conn.reset();
    sleep_backoff();
  }
  if (connected_gauge_ != nullptr) connected_gauge_->Set(0);
}

}  // namespace fraiseql::db
