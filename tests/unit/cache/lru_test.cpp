#include "fraiseql/cache/lru.hpp"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::cache {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand, so TTLs expire without waiting.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1h};
  std::function<std::chrono::steady_clock::time_point()> fn() {
    return [this] { return now; };
  }
};

Entry entry(std::string body, std::vector<TagVersion> tags = {}) {
  return Entry{std::make_shared<const std::string>(std::move(body)), std::move(tags), 0};
}

std::string body_of(Lru& lru, const std::string& key) {
  auto b = lru.get(key);
  return b ? *b : std::string("<miss>");
}

// Budget for exactly `n` entries of this key/body size in one shard.
std::size_t budget_for(std::size_t n, const std::string& key, std::size_t body) {
  return n * Lru::charge(key, entry(std::string(body, 'x')));
}

TEST(LruTest, HitAndMiss) {
  Lru lru;
  EXPECT_EQ(lru.get("k"), nullptr);
  ASSERT_TRUE(lru.put("k", entry("body"), 10s));
  EXPECT_EQ(body_of(lru, "k"), "body");
  EXPECT_EQ(lru.size(), 1U);
  EXPECT_EQ(lru.bytes(), Lru::charge("k", entry("body")));
}

TEST(LruTest, ReplacingAKeyChargesOnlyTheNewValue) {
  Lru lru;
  ASSERT_TRUE(lru.put("k", entry(std::string(1000, 'a')), 10s));
  ASSERT_TRUE(lru.put("k", entry("b"), 10s));
  EXPECT_EQ(body_of(lru, "k"), "b");
  EXPECT_EQ(lru.size(), 1U);
  EXPECT_EQ(lru.bytes(), Lru::charge("k", entry("b")));
}

TEST(LruTest, NeverHoldsMoreThanItsByteBudget) {
  metrics::Registry registry;
  auto& gauge = prometheus::BuildGauge().Name("test_bytes").Help("h").Register(registry.prom()).Add({});
  auto& evictions =
      prometheus::BuildCounter().Name("test_evictions").Help("h").Register(registry.prom()).Add({});
  const std::size_t budget = std::size_t{64} * 1024;
  Lru lru(LruOptions{
      .max_bytes = budget, .shards = 4, .clock = {}, .bytes_gauge = &gauge, .evictions_counter = &evictions});
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(lru.put("key" + std::to_string(i), entry(std::string(300 + (i % 7) * 50, 'x')), 60s));
    ASSERT_LE(lru.bytes(), budget);
  }
  EXPECT_GT(lru.evictions(), 0U);
  EXPECT_LT(lru.size(), 2000U);
  EXPECT_EQ(static_cast<std::size_t>(gauge.Value()), lru.bytes());
  EXPECT_EQ(static_cast<std::uint64_t>(evictions.Value()), lru.evictions());
  lru.clear();
  EXPECT_EQ(lru.bytes(), 0U);
  EXPECT_EQ(gauge.Value(), 0.0);
}

TEST(LruTest, AnEntryLargerThanAShardIsRefused) {
  Lru lru(LruOptions{.max_bytes = std::size_t{16} * 1024, .shards = 16});
  EXPECT_EQ(lru.shard_budget(), 1024U);
  EXPECT_FALSE(lru.put("big", entry(std::string(2000, 'x')), 10s));
  EXPECT_EQ(lru.get("big"), nullptr);
  EXPECT_EQ(lru.bytes(), 0U);
  EXPECT_FALSE(lru.put("zero", entry("x"), 0s)) << "a ttl of zero stores nothing";
}

TEST(LruTest, EvictsTheLeastRecentlyUsed) {
  Lru lru(LruOptions{.max_bytes = budget_for(3, "a", 100), .shards = 1});
  ASSERT_TRUE(lru.put("a", entry(std::string(100, 'a')), 60s));
  ASSERT_TRUE(lru.put("b", entry(std::string(100, 'b')), 60s));
  ASSERT_TRUE(lru.put("c", entry(std::string(100, 'c')), 60s));
  ASSERT_NE(lru.get("a"), nullptr);  // a is now the most recent; b the least
  ASSERT_TRUE(lru.put("d", entry(std::string(100, 'd')), 60s));
  EXPECT_EQ(lru.get("b"), nullptr);
  EXPECT_NE(lru.get("a"), nullptr);
  EXPECT_NE(lru.get("c"), nullptr);
  EXPECT_NE(lru.get("d"), nullptr);
  EXPECT_EQ(lru.evictions(), 1U);
  // c is now the least recent (a, c, d were read in that order after the insert of d).
  ASSERT_TRUE(lru.put("e", entry(std::string(100, 'e')), 60s));
  EXPECT_EQ(lru.get("a"), nullptr);
  EXPECT_NE(lru.get("c"), nullptr);
}

TEST(LruTest, EntriesExpireAfterTheirOwnTtl) {
  ManualClock clock;
  Lru lru(LruOptions{.max_bytes = 1 << 20, .shards = 2, .clock = clock.fn()});
  ASSERT_TRUE(lru.put("short", entry("s"), 10s));
  ASSERT_TRUE(lru.put("long", entry("l"), 300s));
  clock.now += 9s;
  EXPECT_EQ(body_of(lru, "short"), "s");
  clock.now += 1s;
  EXPECT_EQ(lru.get("short"), nullptr) << "expired exactly at its ttl";
  EXPECT_EQ(body_of(lru, "long"), "l");
  EXPECT_EQ(lru.size(), 1U) << "the expired entry was dropped when met";
  clock.now += 290s;
  EXPECT_EQ(lru.get("long"), nullptr);
  EXPECT_EQ(lru.bytes(), 0U);
}

TEST(LruTest, ExpiredEntriesMakeRoomBeforeLiveOnesAreEvicted) {
  ManualClock clock;
  Lru lru(LruOptions{.max_bytes = budget_for(3, "a", 100), .shards = 1, .clock = clock.fn()});
  ASSERT_TRUE(lru.put("a", entry(std::string(100, 'a')), 60s));
  ASSERT_TRUE(lru.put("b", entry(std::string(100, 'b')), 5s));
  ASSERT_TRUE(lru.put("c", entry(std::string(100, 'c')), 60s));
  clock.now += 10s;  // b expired; a is the least recently used live entry
  ASSERT_TRUE(lru.put("d", entry(std::string(100, 'd')), 60s));
  EXPECT_NE(lru.get("a"), nullptr);
  EXPECT_EQ(lru.evictions(), 0U) << "dropping an expired entry is not an eviction";
}

TEST(LruTest, AnEntryTheValidatorRejectsIsErased) {
  Lru lru;
  ASSERT_TRUE(lru.put("k", entry("v", {{"Post", 3}}), 60s));
  auto accept_v3 = [](Entry& e) { return e.tags.size() == 1 && e.tags[0].version == 3; };
  auto accept_v4 = [](Entry& e) { return e.tags.size() == 1 && e.tags[0].version == 4; };
  EXPECT_NE(lru.get("k", accept_v3), nullptr);
  EXPECT_EQ(lru.get("k", accept_v4), nullptr);
  EXPECT_EQ(lru.size(), 0U);
  EXPECT_EQ(lru.get("k", accept_v3), nullptr) << "a rejected entry is gone for good";
}

TEST(LruTest, KeysSpreadOverShardsAndEachShardHasItsOwnBudget) {
  Lru lru(LruOptions{.max_bytes = std::size_t{16} * 4096, .shards = 16});
  EXPECT_EQ(lru.shard_count(), 16U);
  std::set<unsigned> used;
  for (int i = 0; i < 1000; ++i) used.insert(lru.shard_of("query:" + std::to_string(i)));
  EXPECT_EQ(used.size(), 16U);

  // Fill one shard far beyond its budget: entries of other shards stay.
  std::vector<std::string> others;
  for (int i = 0; others.size() < 8; ++i) {
    std::string k = "other" + std::to_string(i);
    if (lru.shard_of(k) != 0) {
      ASSERT_TRUE(lru.put(k, entry("o"), 60s));
      others.push_back(k);
    }
  }
  int in_zero = 0;
  for (int i = 0; in_zero < 200; ++i) {
    std::string k = "zero" + std::to_string(i);
    if (lru.shard_of(k) != 0) continue;
    ASSERT_TRUE(lru.put(k, entry(std::string(500, 'z')), 60s));
    ++in_zero;
  }
  EXPECT_GT(lru.evictions(), 0U);
  for (const auto& k : others) EXPECT_NE(lru.get(k), nullptr) << k;
}

TEST(LruTest, ConcurrentReadersAndWritersKeepTheAccountsRight) {
  Lru lru(LruOptions{.max_bytes = std::size_t{256} * 1024, .shards = 16});
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> hits{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        std::string k = "k" + std::to_string((i * 7 + t) % 600);
        if (i % 3 == 0) {
          lru.put(k, entry(std::string(200 + (i % 5) * 100, 'x')), 60s);
        } else if (auto b = lru.get(k)) {
          if (b->size() >= 200) hits.fetch_add(1);
        }
        if (i % 997 == 0) lru.erase(k);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(lru.bytes(), 256U * 1024U);
  std::size_t sum = 0;
  for (int i = 0; i < 600; ++i) {
    std::string k = "k" + std::to_string(i);
    if (auto b = lru.get(k)) sum += Lru::charge(k, entry(*b));
  }
  EXPECT_EQ(sum, lru.bytes()) << "charged bytes match what the entries hold";
}

}  // namespace
}  // namespace fraiseql::cache
