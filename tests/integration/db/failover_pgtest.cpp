// Failover on the real servers. The primary stopped: writes fail fast once its breaker
// is open, reads go on on the replica; restarted, writes recover without a new router.
// The replica stopped under a stream of reads: no read fails. Stops shared servers, so
// it runs alone and restarts them in guards.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "fraiseql/db/notifier.hpp"
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
  ASSERT_TRUE(eventually([&] { return router.primary_ready().ok(); }));

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
  auto ready = router.primary_ready();
  ASSERT_FALSE(ready.ok()) << "/ready must report the primary down";
  EXPECT_EQ(ready.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ready.error().message.rfind("primary database ", 0), 0u) << ready.error().message;
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
  EXPECT_TRUE(eventually([&] { return router.primary_ready().ok(); }));
}

TEST(FailoverPgTest, ReplicaStoppedUnderAStreamOfReadsNoReadFails) {
  auto options = router_options(unique_name("fr"));
  // Failed reads may open the replica's breaker before its checker marks it down; a
  // short recovery lets it come back soon after the restart instead of after a minute.
  options.breaker_recovery_timeout = 2s;
  Router router(options);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> on_primary{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> readers;
  readers.reserve(3);
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

TEST(FailoverPgTest, NotifierListensAgainAfterThePrimaryRestarts) {
  std::string channel = unique_name("restart_channel");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> got;
  std::atomic<int> resyncs{0};
  Notifier notifier({.url = primary_url(),
                     .application_name = unique_name("fn"),
                     .backoff_min = 50ms,
                     .backoff_max = 500ms,
                     .on_reconnect = [&] { ++resyncs; }});
  auto sub = notifier.listen(channel, [&](const Notification& n) {
    std::lock_guard lock(mu);
    got.push_back(n.payload);
    cv.notify_all();
  });
  notifier.start();
  ASSERT_TRUE(eventually([&] { return notifier.listening(channel); }));
  {
    StoppedServer primary("primary");
    ASSERT_TRUE(primary.stopped());
    ASSERT_TRUE(eventually([&] { return !notifier.connected(); })) << "the loss went unnoticed";
    ASSERT_TRUE(primary.start());
  }
  ASSERT_TRUE(eventually([&] { return notifier.listening(channel); }, 60s)) << "never LISTENed again";
  EXPECT_GE(notifier.reconnects(), 1u);
  EXPECT_EQ(resyncs.load(), static_cast<int>(notifier.reconnects()));
  scalar(primary_url(), "SELECT pg_notify('" + channel + "', 'after restart')");
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, 30s, [&] { return !got.empty(); })) << "no notification after the restart";
  EXPECT_EQ(got, std::vector<std::string>{"after restart"});
}

}  // namespace
}  // namespace fraiseql::db::pgtest
