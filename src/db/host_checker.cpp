#include "fraiseql/db/host_checker.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "text.hpp"

namespace fraiseql::db {
namespace {

bool is_url(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

bool has_param(const std::string& conninfo, const std::string& key) {
  if (is_url(conninfo)) {
    auto q = conninfo.find('?');
    if (q == std::string::npos) return false;
    std::string query = "&" + conninfo.substr(q + 1);
    return query.find("&" + key + "=") != std::string::npos;
  }
  std::string padded = " " + conninfo;
  return padded.find(" " + key + "=") != std::string::npos ||
         padded.find(" " + key + " =") != std::string::npos;
}

}  // namespace

std::string with_params(const std::string& conninfo,
                        const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = conninfo;
  for (const auto& [k, v] : params) {
    if (has_param(out, k)) continue;
    if (is_url(out)) {
      std::string enc;
      for (char c : v) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.') {
          enc += c;
        } else {
          char buf[4];
          std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
          enc += buf;
        }
      }
      out += (out.find('?') == std::string::npos ? "?" : "&") + k + "=" + enc;
    } else {
      std::string quoted = "'";
      for (char c : v) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
      }
      out += " " + k + "=" + quoted + "'";
    }
  }
  return out;
}

std::string redact(const std::string& conninfo) {
  if (is_url(conninfo)) {
    auto scheme_end = conninfo.find("://") + 3;
    auto at = conninfo.find('@', scheme_end);
    if (at == std::string::npos) return conninfo;
    auto colon = conninfo.find(':', scheme_end);
    if (colon == std::string::npos || colon > at) return conninfo;
    return conninfo.substr(0, colon + 1) + "****" + conninfo.substr(at);
  }
  auto p = conninfo.find("password");
  if (p == std::string::npos) return conninfo;
  auto end = conninfo.find(' ', p);
  return conninfo.substr(0, p) + "password=****" + (end == std::string::npos ? "" : conninfo.substr(end));
}

HostChecker::HostChecker(HostCheckerOptions options) : options_(std::move(options)) {}

HostChecker::~HostChecker() {
  stop();
}

void HostChecker::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void HostChecker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

HostStatus HostChecker::status() const {
  std::lock_guard lock(mu_);
  HostStatus s = status_;
  auto stale_after = 2 * (options_.interval + options_.timeout);
  if (s.reachable && std::chrono::steady_clock::now() - s.checked_at > stale_after) {
    s.reachable = false;
    s.error = "health check did not finish in time";
  }
  return s;
}

bool HostChecker::healthy() const {
  return status().reachable;
}

void HostChecker::run() {
  auto timeout_s =
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(options_.timeout).count());
  std::string conninfo =
      with_params(options_.url, {{"connect_timeout", std::to_string(timeout_s)},
                                 {"application_name", "fraiseql-health"},
                                 {"tcp_user_timeout", std::to_string(options_.timeout.count())}});
  std::unique_ptr<pqxx::connection> conn;
  bool was_up = false;
  bool first = true;
  std::chrono::steady_clock::time_point caught_up_at{};  // last check with nothing left to replay
  for (;;) {
    HostStatus next;
    auto t0 = std::chrono::steady_clock::now();
    try {
      if (!conn || !conn->is_open()) {
        conn = std::make_unique<pqxx::connection>(conninfo);
        pqxx::nontransaction setup(*conn);
        setup.exec("SET statement_timeout = " + std::to_string(options_.timeout.count()));
      }
      pqxx::nontransaction tx(*conn);
      // Nothing received but not replayed is no lag, however old the last commit: this
      // keeps an idle primary (or one that is down) from making a replica look stale.
      auto r = tx.exec(
          "SELECT pg_is_in_recovery(),"
          " CASE WHEN NOT pg_is_in_recovery() THEN 0"
          "      WHEN pg_last_wal_receive_lsn() IS NULL"
          "        OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0"
          "      ELSE COALESCE(1000 * EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)"
          " END::bigint,"
          " COALESCE(pg_last_wal_replay_lsn()::text, ''),"
          " pg_is_in_recovery() AND pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()");
      next.reachable = true;
      next.in_recovery = r[0][0].as<bool>();
      next.replay_lag = std::chrono::milliseconds(std::max<long long>(0, r[0][1].as<long long>()));
      next.replay_lsn = r[0][2].as<std::string>();
      bool behind = !r[0][3].is_null() && r[0][3].as<bool>();
      if (!behind) {
        caught_up_at = std::chrono::steady_clock::now();
      } else if (caught_up_at != std::chrono::steady_clock::time_point{}) {
        // After an idle spell the last replayed commit is old, so the first write makes
        // the timestamp measure jump to the idle time. What is not replayed yet arrived
        // after the last check that found the replica caught up: the lag is no more
        // than the time since then either.
        auto since = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                           caught_up_at);
        next.replay_lag = std::min(next.replay_lag, since);
      }
    } catch (const std::exception& ex) {
      next.reachable = false;
      next.error = one_line(ex.what());  // for logs and the /ready body
      conn.reset();
    }
    auto t1 = std::chrono::steady_clock::now();
    next.rtt = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0);
    next.checked_at = t1;
    if (next.reachable != was_up || first) {
      if (next.reachable) {
        spdlog::info("database {} is up ({})", options_.name, next.in_recovery ? "standby" : "primary");
      } else {
        spdlog::warn("database {} is down: {}", options_.name, next.error);
      }
      was_up = next.reachable;
      first = false;
    }
    std::unique_lock lock(mu_);
    next.checks = status_.checks + 1;
    status_ = next;
    if (options_.on_check) {
      lock.unlock();
      options_.on_check(next);
      lock.lock();
    }
    if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

}  // namespace fraiseql::db
