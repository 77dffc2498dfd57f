// The response cache on the fixture's real Redis: the two tiers, single flight,
// generations shared by two Cache instances (standing for two daemons), and a Redis
// that is not there at start-up.

#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fraiseql/cache/key.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "cache_support.hpp"

namespace fraiseql::cache::redistest {
namespace {

std::vector<std::string> post_tag() {
  return {"Post"};
}

// A started cache whose Redis connections are both up.
void start_connected(Cache& cache) {
  cache.start();
  ASSERT_TRUE(eventually([&] { return cache.redis_connected(); })) << "Redis never connected";
}

// After fill.put, L2 is written in the background: clear L1 and look again until Redis
// answers. Returns the last outcome.
std::string l2_outcome_after_clear(Cache& cache, const std::string& key, const std::vector<std::string>& tags,
                                   std::string* body = nullptr) {
  std::string last;
  eventually([&] {
    cache.clear_local();
    auto l = lookup(cache, key, tags);
    last = outcome(l);
    if (body != nullptr && l.hit()) *body = *l.body;
    return last == "redis";
  });
  return last;
}

TEST(CacheRedisTest, MissThenLocalHitThenRedisHitAfterClearingTheLocalTier) {
  metrics::Registry registry;
  Cache cache(redis_options(unique_prefix("tiers")), &registry);
  start_connected(cache);
  const std::string key = make_key({"doc1", "Q", "{}", "role:user"});

  auto first = lookup(cache, key, post_tag());
  ASSERT_EQ(outcome(first), "miss");
  ASSERT_TRUE(first.fill) << "a miss carries the duty to fill";
  first.fill.put(R"({"data":{"posts":[]}})", 60s);

  auto second = lookup(cache, key, post_tag());
  EXPECT_EQ(outcome(second), "local");
  ASSERT_TRUE(second.hit());
  EXPECT_EQ(*second.body, R"({"data":{"posts":[]}})");

  std::string body;
  EXPECT_EQ(l2_outcome_after_clear(cache, key, post_tag(), &body), "redis");
  EXPECT_EQ(body, R"({"data":{"posts":[]}})");
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "local") << "an L2 hit fills L1";

  EXPECT_EQ(outcome(lookup(cache, make_key({"doc2", "Q", "{}", "role:user"}), post_tag())), "miss");

  cache.stop();  // publishes the L1 hit count, otherwise added once a second
  auto text = registry.serialize();
  EXPECT_NE(text.find("fraiseql_cache_hits_total{level=\"local\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("fraiseql_cache_hits_total{level=\"redis\"}"), std::string::npos);
  EXPECT_NE(text.find("fraiseql_cache_misses_total"), std::string::npos);
  EXPECT_NE(text.find("fraiseql_cache_bytes"), std::string::npos);
  EXPECT_NE(text.find("fraiseql_circuit_breaker_state{target=\"redis\"} 0"), std::string::npos);
  EXPECT_GT(cache.local_bytes(), 0U);
}

TEST(CacheRedisTest, AResponseCachedForOneScopeIsNotServedToAnother) {
  Cache cache(redis_options(unique_prefix("scope")));
  start_connected(cache);
  const std::string admin = make_key({"doc", "Q", "{}", "role:admin;tenant:1"});
  const std::string user = make_key({"doc", "Q", "{}", "role:user;tenant:1"});
  auto l = lookup(cache, admin, post_tag());
  ASSERT_EQ(outcome(l), "miss");
  l.fill.put("admin view", 60s);
  ASSERT_EQ(outcome(lookup(cache, admin, post_tag())), "local");
  auto other = lookup(cache, user, post_tag());
  EXPECT_EQ(outcome(other), "miss");
  other.fill.abandon();
  cache.clear_local();
  EXPECT_NE(outcome(lookup(cache, user, post_tag())), "redis") << "nor from L2";
}

// N identical lookups at once: one computes, the others get its result.
void single_flight(Cache& cache) {
  constexpr int kThreads = 12;
  const std::string key = make_key({"slow", "Q"});
  std::atomic<int> computations{0};
  std::latch go(kThreads);
  std::vector<std::string> bodies(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      auto l = lookup(cache, key, post_tag(), Deadline::after(20s));
      if (l.fill) {
        computations.fetch_add(1);
        std::this_thread::sleep_for(300ms);  // the "database query"
        l.fill.put("computed", 60s);
        bodies[i] = "computed";
      } else if (l.hit()) {
        bodies[i] = *l.body;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(computations.load(), 1);
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(bodies[i], "computed") << "thread " << i;
}

TEST(CacheRedisTest, SingleFlightConcurrentIdenticalMissesComputeOnce) {
  Cache cache(redis_options(unique_prefix("flight")));
  start_connected(cache);
  single_flight(cache);
}

TEST(CacheRedisTest, SingleFlightWithTheLocalTierAlone) {
  CacheOptions o;
  Cache cache(o);
  cache.start();
  single_flight(cache);
}

TEST(CacheRedisTest, AWaiterWhoseDeadlinePassesComputesItself) {
  Cache cache(redis_options(unique_prefix("waiter")));
  start_connected(cache);
  const std::string key = make_key({"stuck"});
  auto leader = lookup(cache, key, post_tag());
  ASSERT_TRUE(leader.fill);

  auto started = std::chrono::steady_clock::now();
  auto waiter = lookup(cache, key, post_tag(), Deadline::after(200ms));
  EXPECT_EQ(outcome(waiter), "miss");
  EXPECT_TRUE(waiter.fill) << "left to compute on its own";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "the wait is bounded by its deadline";

  leader.fill.put("late", 60s);
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "local");
}

TEST(CacheRedisTest, WaitersAreReleasedWhenTheLeaderGivesUp) {
  Cache cache(redis_options(unique_prefix("abandon")));
  start_connected(cache);
  const std::string key = make_key({"fails"});
  auto leader = lookup(cache, key, post_tag());
  ASSERT_TRUE(leader.fill);
  std::promise<Lookup> waited;
  auto future = waited.get_future();
  cache.lookup(key, post_tag(), Deadline::after(30s), [&](Lookup l) { waited.set_value(std::move(l)); });
  EXPECT_EQ(future.wait_for(100ms), std::future_status::timeout) << "the waiter waits for the leader";
  leader.fill.abandon();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  auto l = future.get();
  EXPECT_EQ(outcome(l), "miss");
  EXPECT_TRUE(l.fill);
}

TEST(CacheRedisTest, InvalidatedEntriesAreNeverServedFromEitherTier) {
  Cache cache(redis_options(unique_prefix("gen")));
  start_connected(cache);
  const std::string posts = make_key({"posts"});
  const std::string users = make_key({"users"});
  lookup(cache, posts, {"Post", "User"}).fill.put("posts v1", 60s);
  lookup(cache, users, {"User"}).fill.put("users v1", 60s);
  ASSERT_EQ(l2_outcome_after_clear(cache, posts, {"Post", "User"}), "redis");
  ASSERT_EQ(l2_outcome_after_clear(cache, users, {"User"}), "redis");
  // The last clear dropped posts from L1: one L2 hit brings it back.
  ASSERT_EQ(outcome(lookup(cache, posts, {"Post", "User"})), "redis");
  ASSERT_EQ(outcome(lookup(cache, posts, {"Post", "User"})), "local");

  ASSERT_TRUE(invalidate(cache, post_tag()).ok());
  auto l = lookup(cache, posts, {"Post", "User"});
  EXPECT_EQ(outcome(l), "miss") << "L1 entry of an older generation";
  l.fill.abandon();
  EXPECT_EQ(outcome(lookup(cache, users, {"User"})), "local") << "other tags are untouched";
  cache.clear_local();
  EXPECT_EQ(outcome(lookup(cache, posts, {"Post", "User"})), "miss") << "L2 entry of an older generation";
  EXPECT_EQ(outcome(lookup(cache, users, {"User"})), "redis") << "other tags are untouched";
}

TEST(CacheRedisTest, AResultComputedAcrossAnInvalidationIsNeverServed) {
  Cache cache(redis_options(unique_prefix("race")));
  start_connected(cache);
  const std::string key = make_key({"racy"});
  auto l = lookup(cache, key, post_tag());
  ASSERT_TRUE(l.fill);
  ASSERT_TRUE(invalidate(cache, post_tag()).ok());  // a write lands while the query runs
  l.fill.put("maybe stale", 60s);
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "miss");
  cache.clear_local();
  std::this_thread::sleep_for(200ms);  // let a (wrong) L2 write land, if any were sent
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "miss") << "the L2 write was refused";
}

TEST(CacheRedisTest, TwoInstancesShareGenerationsAndDropLocalEntriesThroughPubSub) {
  const std::string prefix = unique_prefix("two");
  Cache a(redis_options(prefix));
  Cache b(redis_options(prefix));
  start_connected(a);
  start_connected(b);
  const std::string key = make_key({"shared"});

  lookup(a, key, post_tag()).fill.put("v1", 60s);
  std::string body;
  ASSERT_TRUE(eventually([&] {
    auto l = lookup(b, key, post_tag());
    if (l.hit()) body = *l.body;
    return l.hit();
  })) << "B never found A's entry in Redis";
  EXPECT_EQ(body, "v1");
  ASSERT_EQ(outcome(lookup(b, key, post_tag())), "local") << "B now holds it in L1";

  ASSERT_TRUE(invalidate(a, post_tag()).ok());
  // B's L1 hit consults no Redis: only the published bump can make it drop the entry.
  EXPECT_TRUE(eventually([&] { return outcome(lookup(b, key, post_tag())) == "miss"; }, 5s))
      << "B kept serving its L1 entry after A's invalidation";
  for (int i = 0; i < 20; ++i) {
    auto l = lookup(b, key, post_tag());
    EXPECT_FALSE(l.hit() && *l.body == "v1") << "stale entry served by B";
  }
  // A fill by B after the bump is good for A (through Redis).
  auto fresh = lookup(b, key, post_tag());
  ASSERT_TRUE(fresh.fill);
  fresh.fill.put("v2", 60s);
  ASSERT_TRUE(eventually([&] {
    a.clear_local();
    auto l = lookup(a, key, post_tag());
    EXPECT_FALSE(l.hit() && *l.body == "v1") << "stale entry served by A";
    return l.hit() && *l.body == "v2";
  }));

  // B computes while A invalidates: B's result goes to neither tier for A.
  auto racing = lookup(b, make_key({"racing"}), post_tag());
  ASSERT_TRUE(racing.fill);
  ASSERT_TRUE(invalidate(a, post_tag()).ok());
  racing.fill.put("stale", 60s);
  std::this_thread::sleep_for(200ms);
  a.clear_local();
  EXPECT_EQ(outcome(lookup(a, make_key({"racing"}), post_tag())), "miss");
  EXPECT_TRUE(eventually([&] { return outcome(lookup(b, make_key({"racing"}), post_tag())) == "miss"; }, 5s));
}

TEST(CacheRedisTest, RedisDownAtStartUpTheLocalTierServesAndNothingWaits) {
  // A loopback port nobody listens on.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);

  metrics::Registry registry;
  auto o = redis_options(unique_prefix("down"));
  o.redis_url = "redis://127.0.0.1:" + std::to_string(port) + "/0";
  o.breaker_recovery = 60s;
  Cache cache(o, &registry);
  cache.start();
  const std::string key = make_key({"k"});
  for (int i = 0; i < 10; ++i) {
    auto started = std::chrono::steady_clock::now();
    auto l = lookup(cache, make_key({"k", std::to_string(i)}), post_tag(), Deadline::after(300ms));
    EXPECT_EQ(outcome(l), "miss");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  }
  EXPECT_EQ(cache.breaker_state(), resilience::BreakerState::kOpen);
  EXPECT_NE(registry.serialize().find("fraiseql_circuit_breaker_state{target=\"redis\"} 1"),
            std::string::npos);
  lookup(cache, key, post_tag()).fill.put("v", 60s);
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "local");
  EXPECT_FALSE(invalidate(cache, post_tag()).ok()) << "Redis could not count the bump";
  EXPECT_EQ(outcome(lookup(cache, key, post_tag())), "miss")
      << "but local generations still protect this instance";
  EXPECT_FALSE(cache.redis_connected());
}

}  // namespace
}  // namespace fraiseql::cache::redistest
