// Failover on the real servers. The primary stopped: writes fail fast once its breaker
// is open, reads go on on the replica; restarted, writes recover without a new router.
// The replica stopped under a stream of reads: no read fails. Stops shared servers, so
// it runs alone and restarts them in guards.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

bool breaker_refused(const Result<Rows>& r) {
  return !r.ok() && r.error().message.find("circuit breaker open") != std::string::npos;
}

TEST(FailoverPgTest, PrimaryDownWritesFailFastReadsContinueThenRecover) {
  metrics::Registry registry;
  auto options = router_options(unique_name("fo"));
  options.breaker_failure_threshold = 3;
  options.breaker_recovery_timeout = 500ms;
  Router router(options, &registry);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  ASSERT_TRUE(write(router, "SELECT 1").ok());

  StoppedServer primary("primary");
  ASSERT_TRUE(primary.stopped());
  ASSERT_TRUE(eventually([&] { return breaker_refused(write(router, "SELECT 1")); }))
      << "the primary's breaker never opened";
  auto refused = write(router, "SELECT 1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(registry.serialize().find("fraiseql_circuit_breaker_state{target=\"primary\"} 1"),
            std::string::npos);

  ASSERT_TRUE(eventually([&] { return !router.primary().health.reachable; }));
  EXPECT_TRUE(router.hosts().at(1).reads_eligible) << "a replica whose primary is gone is not lagging";
  for (int i = 0; i < 20; ++i) {
    auto r = read(router, "SELECT pg_is_in_recovery()::text");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->target, "replica1");
  }

  ASSERT_TRUE(primary.start());
  ASSERT_TRUE(eventually([&] { return write(router, "SELECT 1").ok(); }, 60s))
      << "writes did not recover after the primary came back";
  EXPECT_EQ(router.primary().breaker, resilience::BreakerState::kClosed);
  EXPECT_TRUE(eventually([&] { return router.primary().health.reachable; }));
}

TEST(FailoverPgTest, ReplicaStoppedUnderAStreamOfReadsNoReadFails) {
  auto options = router_options(unique_name("fr"));
  Router router(options);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> on_primary{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto r = read(router, "SELECT 1");
        if (r.ok()) {
          ++ok;
          if (r->target == "primary") ++on_primary;
        } else {
          std::lock_guard lock(failures_mu);
          failures.push_back(r.error().message);
        }
      }
    });
  }
  {
    StoppedServer replica("replica");
    EXPECT_TRUE(replica.stopped());
    EXPECT_TRUE(eventually([&] { return !router.hosts().at(1).reads_eligible && on_primary > 20; }));
    EXPECT_TRUE(replica.start());
    EXPECT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }, 60s));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " read(s) failed, first: " << failures.front();
  EXPECT_GT(ok.load(), 0);
  auto r = read(router, "SELECT 1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target, "replica1") << "reads return to the replica";
}

}  // namespace
}  // namespace fraiseql::db::pgtest
