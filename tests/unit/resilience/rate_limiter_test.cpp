// Token buckets with an injected clock: bursts, steady rates, Retry-After, independent
// keys, and the bound on the number of keys kept.

#include "fraiseql/resilience/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace fraiseql::resilience {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1000s};
  Clock fn() {
    return [this] { return now; };
  }
};

TEST(RateLimiter, ABurstPassesThenRequestsAreRefusedWithRetryAfter) {
  FakeClock clock;
  RateLimiter limiter({.rate = 2, .burst = 5}, 1000, clock.fn());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.acquire("u1").allowed) << i;
  auto refused = limiter.acquire("u1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1s);  // half a second, rounded up to whole seconds
  clock.now += 500ms;                  // one token back at 2 per second
  EXPECT_TRUE(limiter.acquire("u1").allowed);
  EXPECT_FALSE(limiter.acquire("u1").allowed);
}

TEST(RateLimiter, TheSteadyRateHoldsOverTime) {
  FakeClock clock;
  RateLimiter limiter({.rate = 10, .burst = 1}, 1000, clock.fn());
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) {  // 10 s of a request every 10 ms
    if (limiter.acquire("ip").allowed) ++allowed;
    clock.now += 10ms;
  }
  EXPECT_GE(allowed, 99);
  EXPECT_LE(allowed, 101);
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  FakeClock clock;
  RateLimiter limiter({.rate = 1, .burst = 1}, 1000, clock.fn());
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("b").allowed);
}

TEST(RateLimiter, LongWaitsGiveLongRetryAfter) {
  FakeClock clock;
  RateLimiter limiter({.rate = 0.1, .burst = 1}, 1000, clock.fn());
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_EQ(limiter.acquire("k").retry_after, 10s);
}

TEST(RateLimiter, TheNumberOfKeysIsBoundedAndBusyKeysAreKept) {
  FakeClock clock;
  RateLimiter limiter({.rate = 1, .burst = 2}, 160, clock.fn());
  EXPECT_TRUE(limiter.acquire("busy").allowed);
  EXPECT_TRUE(limiter.acquire("busy").allowed);
  for (int i = 0; i < 10'000; ++i) limiter.acquire("flood-" + std::to_string(i));
  EXPECT_LE(limiter.keys(), 160u);
  // The flood did not hand the busy key a fresh bucket: it is still empty.
  EXPECT_FALSE(limiter.acquire("busy").allowed);
}

TEST(RateLimiter, ARateOfZeroIsOff) {
  RateLimiter limiter({.rate = 0, .burst = 0});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.acquire("x").allowed);
  EXPECT_EQ(limiter.keys(), 0u);
}

}  // namespace
}  // namespace fraiseql::resilience
