#include "fraiseql/resilience/circuit_breaker.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::resilience {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand, so no test waits on real time.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1h};
  Clock fn() {
    return [this] { return now; };
  }
};

CircuitBreakerOptions options(ManualClock& clock, unsigned threshold = 3,
                              std::chrono::milliseconds recovery = 10s) {
  return {.target = "db", .failure_threshold = threshold, .recovery_timeout = recovery, .clock = clock.fn()};
}

void fail(CircuitBreaker& b, int n) {
  for (int i = 0; i < n; ++i) {
    auto p = b.try_acquire();
    ASSERT_TRUE(p.has_value());
    p->failure();
  }
}

TEST(CircuitBreakerTest, DefaultsAreFiveFailuresAndSixtySeconds) {
  CircuitBreakerOptions o;
  EXPECT_EQ(o.failure_threshold, 5u);
  EXPECT_EQ(o.recovery_timeout, 60s);
}

TEST(CircuitBreakerTest, OpensAfterThresholdConsecutiveFailures) {
  ManualClock clock;
  CircuitBreaker b(options(clock));
  fail(b, 2);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(b.consecutive_failures(), 2u);
  fail(b, 1);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.try_acquire().has_value());
}

TEST(CircuitBreakerTest, SuccessResetsTheFailureRun) {
  ManualClock clock;
  CircuitBreaker b(options(clock));
  fail(b, 2);
  b.try_acquire()->success();
  EXPECT_EQ(b.consecutive_failures(), 0u);
  fail(b, 2);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, PermitDroppedWithoutReportCountsAsNothing) {
  ManualClock clock;
  CircuitBreaker b(options(clock, 1));
  { auto p = b.try_acquire(); }
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(b.consecutive_failures(), 0u);
}

TEST(CircuitBreakerTest, HalfOpenAfterRecoveryTimeoutLetsExactlyOneProbe) {
  ManualClock clock;
  CircuitBreaker b(options(clock));
  fail(b, 3);
  clock.now += 9999ms;
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.try_acquire().has_value());
  clock.now += 1ms;
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  auto probe = b.try_acquire();
  ASSERT_TRUE(probe.has_value());
  EXPECT_TRUE(probe->probe());
  EXPECT_FALSE(b.try_acquire().has_value()) << "a second caller must not get through while the probe is out";
  probe->success();
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_TRUE(b.try_acquire().has_value());
}

TEST(CircuitBreakerTest, FailedProbeReopensForAnotherRecoveryTimeout) {
  ManualClock clock;
  CircuitBreaker b(options(clock));
  fail(b, 3);
  clock.now += 10s;
  b.try_acquire()->failure();
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  clock.now += 5s;
  EXPECT_FALSE(b.try_acquire().has_value());
  clock.now += 5s;
  EXPECT_TRUE(b.try_acquire().has_value());
}

TEST(CircuitBreakerTest, AbandonedProbeFreesTheSlot) {
  ManualClock clock;
  CircuitBreaker b(options(clock));
  fail(b, 3);
  clock.now += 10s;
  { auto probe = b.try_acquire(); }
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  auto next = b.try_acquire();
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(next->probe());
}

TEST(CircuitBreakerTest, LateOutcomesFromBeforeOpeningAreIgnored) {
  ManualClock clock;
  CircuitBreaker b(options(clock, 1));
  auto early = b.try_acquire();
  b.try_acquire()->failure();
  ASSERT_EQ(b.state(), BreakerState::kOpen);
  early->success();  // was in flight before the breaker opened
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  clock.now += 10s;
  auto probe = b.try_acquire();
  auto late = std::move(early);
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST(CircuitBreakerTest, MovedPermitReportsOnce) {
  ManualClock clock;
  CircuitBreaker b(options(clock, 2));
  auto p = b.try_acquire();
  auto q = std::move(*p);
  q.failure();
  q.failure();
  p->failure();
  EXPECT_EQ(b.consecutive_failures(), 1u);
}

TEST(CircuitBreakerTest, StateIsExportedAsGauge) {
  ManualClock clock;
  metrics::Registry registry;
  CircuitBreaker b(options(clock, 1, 1s), &registry);
  auto text = [&] { return registry.serialize(); };
  EXPECT_NE(text().find("fraiseql_circuit_breaker_state{target=\"db\"} 0"), std::string::npos) << text();
  b.try_acquire()->failure();
  EXPECT_NE(text().find("fraiseql_circuit_breaker_state{target=\"db\"} 1"), std::string::npos) << text();
  clock.now += 1s;
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  EXPECT_NE(text().find("fraiseql_circuit_breaker_state{target=\"db\"} 2"), std::string::npos) << text();
}

TEST(CircuitBreakerTest, ConcurrentFailuresOpenOnceAndKeepCountsConsistent) {
  ManualClock clock;
  CircuitBreaker b(options(clock, 1000));
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (auto p = b.try_acquire()) {
          p->failure();
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.consecutive_failures(), 1000u);
  EXPECT_EQ(refused.load(), 1000);
}

}  // namespace
}  // namespace fraiseql::resilience
