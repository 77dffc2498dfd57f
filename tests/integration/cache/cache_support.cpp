#include "cache_support.hpp"

#include <atomic>
#include <cstdlib>
#include <future>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace fraiseql::cache::redistest {

CacheOptions redis_options(const std::string& prefix) {
  CacheOptions o;
  o.max_bytes = 8U << 20U;
  o.redis_url = testing::service_env("REDIS_URL");
  o.key_prefix = prefix;
  o.redis_timeout = 200ms;
  o.connect_timeout = 500ms;
  o.reconnect_backoff_max = 300ms;
  o.breaker_failures = 3;
  o.breaker_recovery = 300ms;
  return o;
}

std::string unique_prefix(const std::string& name) {
  static std::atomic<int> n{0};
  return "fqtest:" + name + ":" + std::to_string(::getpid()) + ":" + std::to_string(++n) + ":";
}

Lookup lookup(Cache& cache, const std::string& key, const std::vector<std::string>& tags, Deadline deadline) {
  auto promise = std::make_shared<std::promise<Lookup>>();
  auto future = promise->get_future();
  cache.lookup(key, tags, deadline, [promise](Lookup l) { promise->set_value(std::move(l)); });
  if (future.wait_for(30s) != std::future_status::ready) {
    ADD_FAILURE() << "lookup of " << key << " not answered within 30 s";
    return {};
  }
  return future.get();
}

std::string outcome(const Lookup& l) {
  if (!l.hit()) return "miss";
  return l.level == Level::kLocal ? "local" : "redis";
}

Result<void> invalidate(Cache& cache, const std::vector<std::string>& tags) {
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto future = promise->get_future();
  cache.invalidate(tags, [promise](Result<void> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(30s) != std::future_status::ready) {
    return make_error(ErrorCode::kTimeout, "test: invalidate not answered within 30 s");
  }
  return future.get();
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

int services(const std::string& command) {
  std::string cmd = "bash '" + testing::service_env("SERVICES_SCRIPT") + "' " + command + " '" +
                    testing::service_env("SERVICES_DIR") + "'";
  int status = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe)
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace fraiseql::cache::redistest
