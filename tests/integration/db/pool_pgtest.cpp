// The pool on a real server: exhaustion times out instead of hanging, a backend killed
// with pg_terminate_backend is discarded and the next lease works, lifetime recycle.

#include <future>

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

PoolOptions pool_options(std::size_t size, std::size_t overflow) {
  PoolOptions o;
  o.target = "primary";
  o.url = primary_url();
  o.application_name = unique_name("pool");
  o.limits = {.size = size, .max_overflow = overflow};
  o.settings.acquire_timeout = 300ms;
  o.settings.pre_ping_after_idle = std::chrono::hours(1);  // tests below choose when to ping
  return o;
}

int backend_pid(Lease& lease) {
  pqxx::nontransaction tx(lease.conn());
  return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
}

void terminate(int pid) {
  ASSERT_EQ(scalar(primary_url(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")::text"), "true");
  ASSERT_TRUE(eventually([&] {
    return scalar(primary_url(),
                  "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) == "0";
  }));
}

TEST(PoolPgTest, ExhaustedPoolTimesOutThenRecovers) {
  Pool pool(pool_options(1, 1));
  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(pool.stats().open, 2u);

  auto c = pool.acquire(Deadline::after(30s));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kTimeout);
  EXPECT_NE(c.error().message.find("exhausted"), std::string::npos) << c.error().message;

  b->release();
  auto d = pool.acquire();
  ASSERT_TRUE(d.ok()) << d.error().message;
  d->release();
  a->release();
  // Back to the core size: the connection returned beyond it was closed.
  EXPECT_EQ(pool.stats().open, 1u);
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST(PoolPgTest, WaiterGetsTheConnectionReleasedMeanwhile) {
  Pool pool(pool_options(1, 0));
  auto a = pool.acquire();
  ASSERT_TRUE(a.ok());
  auto waiter = std::async(std::launch::async, [&] { return pool.acquire(Deadline::after(30s)).ok(); });
  ASSERT_TRUE(eventually([&] { return pool.stats().waiting == 1; }));
  a->release();
  EXPECT_TRUE(waiter.get());
}

TEST(PoolPgTest, TerminatedBackendIsDiscardedAndTheNextLeaseWorks) {
  Pool pool(pool_options(1, 0));
  int pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok()) << lease.error().message;
    pid = backend_pid(*lease);
    terminate(pid);
    // The lease's holder finds out on its next statement.
    EXPECT_THROW(backend_pid(*lease), pqxx::broken_connection);
  }
  EXPECT_EQ(pool.stats().open, 0u) << "a broken connection must not go back to the pool";
  auto next = pool.acquire();
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_NE(backend_pid(*next), pid);
}

TEST(PoolPgTest, PrePingReplacesAConnectionKilledWhileIdle) {
  auto options = pool_options(1, 0);
  options.settings.pre_ping_after_idle = 0ms;
  Pool pool(options);
  int pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok());
    pid = backend_pid(*lease);
  }
  terminate(pid);
  auto lease = pool.acquire();
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_NE(backend_pid(*lease), pid);
}

TEST(PoolPgTest, MarkedBadLeaseIsDestroyed) {
  Pool pool(pool_options(1, 0));
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok());
    lease->mark_bad();
  }
  EXPECT_EQ(pool.stats().open, 0u);
}

TEST(PoolPgTest, ConnectionsPastTheirLifetimeAreRecycled) {
  auto options = pool_options(1, 0);
  options.settings.max_lifetime = std::chrono::seconds(0);
  Pool pool(options);
  int pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease.ok());
    pid = backend_pid(*lease);
  }
  EXPECT_EQ(pool.stats().open, 0u);
  auto lease = pool.acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_NE(backend_pid(*lease), pid);
}

TEST(RouterPoolPgTest, ExhaustedRouterPoolCompletesWithTimeout) {
  auto options = router_options(unique_name("rx"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  options.connection.acquire_timeout = 300ms;
  Router router(options);
  router.start();
  std::promise<Result<Rows>> slow;
  router.write("SELECT pg_sleep(2)", {}, Deadline::after(30s),
               [&](Result<Rows> r) { slow.set_value(std::move(r)); });
  ASSERT_TRUE(eventually([&] { return router.primary().pool.checked_out == 1; }));
  auto r = write(router, "SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("exhausted"), std::string::npos) << r.error().message;
  auto first = slow.get_future().get();
  EXPECT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(write(router, "SELECT 1").ok());
  EXPECT_EQ(router.primary().breaker, resilience::BreakerState::kClosed)
      << "exhaustion is not a host failure";
}

TEST(RouterPoolPgTest, ReadOnAKilledBackendIsRetriedOnAFreshConnection) {
  auto options = router_options(unique_name("rk"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  options.connection.pre_ping_after_idle = std::chrono::hours(1);
  Router router(options);
  router.start();
  auto first = read(router, "SELECT pg_backend_pid()::text");
  ASSERT_TRUE(first.ok()) << first.error().message;
  terminate(std::stoi(*first->rows[0][0]));
  auto second = read(router, "SELECT pg_backend_pid()::text");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(second->rows[0][0], first->rows[0][0]);
  EXPECT_EQ(router.primary().pool.open, 1u);
}

TEST(RouterPoolPgTest, WriteOnAKilledBackendFailsOnceAndIsNotRetried) {
  auto options = router_options(unique_name("rk"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  options.connection.pre_ping_after_idle = std::chrono::hours(1);
  Router router(options);
  router.start();
  auto first = write(router, "SELECT pg_backend_pid()::text");
  ASSERT_TRUE(first.ok()) << first.error().message;
  terminate(std::stoi(*first->rows[0][0]));
  auto lost = write(router, "SELECT 1");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(lost.error().message.find("lost"), std::string::npos) << lost.error().message;
  auto next = write(router, "SELECT pg_backend_pid()::text");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_NE(next->rows[0][0], first->rows[0][0]);
}

}  // namespace
}  // namespace fraiseql::db::pgtest
