#include "pg_support.hpp"

#include <atomic>
#include <cstdlib>
#include <future>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace fraiseql::db::pgtest {

std::string primary_url() {
  return testing::service_env("PG_PRIMARY_URL");
}
std::string replica_url() {
  return testing::service_env("PG_REPLICA_URL");
}
int primary_port() {
  return std::stoi(testing::service_env("PG_PRIMARY_PORT"));
}
int replica_port() {
  return std::stoi(testing::service_env("PG_REPLICA_PORT"));
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
}

Result<Rows> call(Router& router, Intent intent, const std::string& sql, Params params, Deadline deadline) {
  auto promise = std::make_shared<std::promise<Result<Rows>>>();
  auto future = promise->get_future();
  router.execute(intent, sql, std::move(params), deadline,
                 [promise](Result<Rows> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(60s) != std::future_status::ready) {
    return make_error(ErrorCode::kTimeout, "test: no callback within 60 s");
  }
  return future.get();
}

Result<Rows> call(Router& router, Intent intent, const std::string& sql, Params params,
                  const Consistency& consistency) {
  auto promise = std::make_shared<std::promise<Result<Rows>>>();
  auto future = promise->get_future();
  router.execute(
      intent, sql, std::move(params), Deadline::after(30s),
      [promise](Result<Rows> r) { promise->set_value(std::move(r)); }, consistency);
  if (future.wait_for(60s) != std::future_status::ready) {
    return make_error(ErrorCode::kTimeout, "test: no callback within 60 s");
  }
  return future.get();
}

Result<Plan> explain(Router& router, Intent intent, const std::string& sql, Params params) {
  auto promise = std::make_shared<std::promise<Result<Plan>>>();
  auto future = promise->get_future();
  router.explain(intent, sql, std::move(params), Deadline::after(30s),
                 [promise](Result<Plan> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(60s) != std::future_status::ready) {
    return make_error(ErrorCode::kTimeout, "test: no callback within 60 s");
  }
  return future.get();
}

std::string scalar(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  auto r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(50ms);
  }
}

int services(const std::string& command, const std::string& args) {
  std::string cmd = "bash '" + testing::service_env("SERVICES_SCRIPT") + "' " + command + " '" +
                    testing::service_env("SERVICES_DIR") + "' " + args;
  int status = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe)
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

StoppedServer::StoppedServer(std::string role) : role_(std::move(role)) {
  stopped_ = services("pg-stop", role_) == 0;
}

bool StoppedServer::start() {
  if (!stopped_) return true;
  stopped_ = false;
  return services("pg-start", role_) == 0 && services("wait-streaming", "60") == 0;
}

PausedReplay::PausedReplay() {
  scalar(replica_url(), "SELECT pg_wal_replay_pause()");
}

void PausedReplay::resume() {
  if (resumed_) return;
  resumed_ = true;
  try {
    scalar(replica_url(), "SELECT pg_wal_replay_resume()");
  } catch (const std::exception& ex) {
    ADD_FAILURE() << "could not resume replay: " << ex.what();
  }
}

RouterOptions router_options(const std::string& app, bool with_replica) {
  RouterOptions o;
  o.primary_url = primary_url();
  if (with_replica) o.replica_urls = {replica_url()};
  o.primary_limits = {.size = 2, .max_overflow = 2};
  o.replica_limits = {.size = 2, .max_overflow = 1};
  o.application_name = app;
  o.health_interval = 100ms;
  o.health_timeout = 2000ms;
  o.connection.acquire_timeout = 10s;
  o.connection.connect_timeout = 3s;
  return o;
}

}  // namespace fraiseql::db::pgtest
