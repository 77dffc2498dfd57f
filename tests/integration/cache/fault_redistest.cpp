// The shared Redis stopped under a stream of lookups: none fails or waits past its
// deadline, the breaker opens, L1 keeps serving; Redis back: L2 is used again by the
// same Cache. Stops the fixture's Redis, so it runs alone and restarts it in a guard.

#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "fraiseql/cache/key.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "cache_support.hpp"
#include "test_env.hpp"

namespace fraiseql::cache::redistest {
namespace {

std::vector<std::string> post_tag() {
  return {"Post"};
}

// Starts Redis again whatever happens to the test.
class StoppedRedis {
 public:
  StoppedRedis() : stopped_(services("redis-stop") == 0) {}
  ~StoppedRedis() { start(); }
  StoppedRedis(const StoppedRedis&) = delete;
  StoppedRedis& operator=(const StoppedRedis&) = delete;
  [[nodiscard]] bool stopped() const { return stopped_; }
  bool start() {
    if (!stopped_) return true;
    stopped_ = false;
    return services("redis-start") == 0;
  }

 private:
  bool stopped_;
};

std::string redis_get(const std::string& key) {
  std::string cmd = "redis-cli -h 127.0.0.1 -p " + testing::service_env("REDIS_PORT") + " GET '" + key + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), &::pclose);
  if (!pipe) return {};
  std::array<char, 256> buf{};
  std::string out;
  while (std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string body_for(int i) {
  return R"({"data":{"n":)" + std::to_string(i) + "}}";
}

TEST(CacheFaultRedisTest, RedisStoppedUnderLookupsNothingFailsOrHangsThenL2ComesBack) {
  metrics::Registry registry;
  Cache cache(redis_options(unique_prefix("fault")), &registry);
  cache.start();
  ASSERT_TRUE(eventually([&] { return cache.redis_connected(); }));
  constexpr int kKeys = 40;
  auto key = [](int i) { return make_key({"stream", std::to_string(i)}); };
  for (int i = 0; i < kKeys / 2; ++i) {
    auto l = lookup(cache, key(i), post_tag());
    if (l.fill) l.fill.put(body_for(i), 120s);
  }

  std::atomic<bool> stop{false};
  std::atomic<int> total{0};
  std::atomic<int> local_hits{0};
  std::atomic<int> slow{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(2);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) + 1U);
      int cold = 0;
      while (!stop.load()) {
        // Every other lookup is of a key never seen, so it goes past L1 to Redis.
        if (++cold % 2 == 0) {
          auto started = std::chrono::steady_clock::now();
          auto l = lookup(cache, make_key({"cold", std::to_string(t), std::to_string(cold)}), post_tag(),
                          Deadline::after(300ms));
          if (std::chrono::steady_clock::now() - started > 3s) slow.fetch_add(1);
          if (l.hit()) wrong.fetch_add(1);
          total.fetch_add(1);
          continue;
        }
        int i = static_cast<int>(rng() % kKeys);
        auto started = std::chrono::steady_clock::now();
        auto l = lookup(cache, key(i), post_tag(), Deadline::after(300ms));
        // Generous bound: the point is "never hangs on Redis", not a latency figure.
        if (std::chrono::steady_clock::now() - started > 3s) slow.fetch_add(1);
        if (l.hit()) {
          if (*l.body != body_for(i)) wrong.fetch_add(1);
          if (l.level == Level::kLocal) local_hits.fetch_add(1);
        } else if (l.fill) {
          l.fill.put(body_for(i), 120s);
        }
        total.fetch_add(1);
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  std::this_thread::sleep_for(300ms);

  {
    StoppedRedis redis;
    ASSERT_TRUE(redis.stopped());
    EXPECT_TRUE(eventually([&] { return cache.breaker_state() == resilience::BreakerState::kOpen; }))
        << "the Redis breaker never opened";
    EXPECT_NE(registry.serialize().find("fraiseql_circuit_breaker_state{target=\"redis\"}"),
              std::string::npos);
    int before = local_hits.load();
    EXPECT_TRUE(eventually([&] { return local_hits.load() > before + 20; })) << "L1 stopped serving";
    int count_before = total.load();
    EXPECT_TRUE(eventually([&] { return total.load() > count_before + 50; })) << "lookups stalled";
    ASSERT_TRUE(redis.start());
  }

  EXPECT_TRUE(eventually([&] { return cache.redis_connected(); }, 30s))
      << "no reconnect after Redis came back";
  EXPECT_TRUE(eventually([&] { return cache.breaker_state() == resilience::BreakerState::kClosed; }, 30s));
  stop.store(true);
  for (auto& th : threads) th.join();
  EXPECT_GT(total.load(), 0);
  EXPECT_EQ(slow.load(), 0) << "a lookup waited on Redis past its deadline";
  EXPECT_EQ(wrong.load(), 0);

  // The restarted Redis is empty; a new fill reaches it and is read back after L1 is cleared.
  const std::string after = make_key({"after restart"});
  auto l = lookup(cache, after, post_tag());
  ASSERT_TRUE(l.fill);
  l.fill.put("back", 60s);
  std::string last;
  EXPECT_TRUE(eventually([&] {
    cache.clear_local();
    last = outcome(lookup(cache, after, post_tag()));
    return last == "redis";
  })) << "L2 not used again without a restart; last outcome "
      << last;
  auto text = registry.serialize();
  auto errors = text.find("\nfraiseql_cache_redis_errors_total ");
  ASSERT_NE(errors, std::string::npos);
  EXPECT_NE(text.substr(errors, 40).find_first_of("123456789"), std::string::npos) << text.substr(errors, 40);
}

TEST(CacheFaultRedisTest, ABumpMadeWhileRedisWasDownReachesItWhenItIsBack) {
  const std::string prefix = unique_prefix("replay");
  Cache cache(redis_options(prefix));
  cache.start();
  ASSERT_TRUE(eventually([&] { return cache.redis_connected(); }));
  const std::string key = make_key({"k"});
  lookup(cache, key, post_tag()).fill.put("v1", 60s);
  {
    StoppedRedis redis;
    ASSERT_TRUE(redis.stopped());
    EXPECT_FALSE(invalidate(cache, post_tag()).ok());
    EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "miss") << "the local bump applies at once";
    ASSERT_TRUE(redis.start());
  }
  EXPECT_TRUE(eventually([&] { return redis_get(prefix + "g:Post") == "1"; }, 30s))
      << "the generation was not counted in Redis after it came back: " << redis_get(prefix + "g:Post");
}

}  // namespace
}  // namespace fraiseql::cache::redistest
