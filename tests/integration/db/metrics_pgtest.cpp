// The metrics the issue lists that routing_pgtest does not already check: errors by
// SQLSTATE class (caused on the server), pool overflow while leases exceed the core; and
// every db metric, new ones included, exported and accepted by `promtool check metrics`.

#include <stdexcept>

#include <gtest/gtest.h>

#include "fraiseql/db/notifier.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"
#include "test_env.hpp"

namespace fraiseql::db::pgtest {
namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

using fraiseql::testing::promtool_check;

TEST(MetricsPgTest, ErrorsAreCountedBySqlstateClassAndHost) {
  metrics::Registry registry;
  auto options = router_options(unique_name("me"), false);
  options.connection.statement_timeout = 100ms;
  Router router(options, &registry);
  router.start();
  EXPECT_FALSE(write(router, "SELECT * FROM no_such_table_for_metrics").ok());  // 42P01
  EXPECT_FALSE(write(router, "SELECT * FROM no_such_table_for_metrics").ok());
  EXPECT_FALSE(write(router, "SELECT 1/0").ok());      // 22012
  auto canceled = read(router, "SELECT pg_sleep(5)");  // 57014
  ASSERT_FALSE(canceled.ok());
  EXPECT_EQ(canceled.error().code, ErrorCode::kTimeout);
  std::string text = registry.serialize();
  EXPECT_TRUE(has(text, "fraiseql_db_errors_total{sqlstate_class=\"42\",target=\"primary\"} 2")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_errors_total{sqlstate_class=\"22\",target=\"primary\"} 1")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_errors_total{sqlstate_class=\"57\",target=\"primary\"} 1")) << text;
}

TEST(MetricsPgTest, PoolGaugesFollowLeasesBeyondTheCore) {
  metrics::Registry registry;
  PoolOptions options{.target = "primary", .url = primary_url(), .limits = {.size = 1, .max_overflow = 2}};
  Pool pool(options, &registry);
  std::vector<Lease> leases;
  for (int i = 0; i < 3; ++i) {
    auto lease = pool.acquire(Deadline::after(10s));
    ASSERT_TRUE(lease.ok()) << lease.error().message;
    leases.push_back(std::move(*lease));
  }
  std::string text = registry.serialize();
  EXPECT_TRUE(has(text, "fraiseql_db_pool_size{target=\"primary\"} 3")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_pool_checked_out{target=\"primary\"} 3")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_pool_overflow{target=\"primary\"} 2")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_pool_wait_seconds_count{target=\"primary\"} 3")) << text;
  leases.clear();  // overflow closes on return; the core stays
  text = registry.serialize();
  EXPECT_TRUE(has(text, "fraiseql_db_pool_size{target=\"primary\"} 1")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_pool_checked_out{target=\"primary\"} 0")) << text;
  EXPECT_TRUE(has(text, "fraiseql_db_pool_overflow{target=\"primary\"} 0")) << text;
}

TEST(MetricsPgTest, EveryDatabaseMetricPassesPromtool) {
  metrics::Registry registry;
  auto options = router_options(unique_name("mp"));
  options.slow_query_threshold = 1ms;
  Router router(options, &registry);
  router.start();
  Notifier notifier({.url = primary_url(), .application_name = unique_name("mpn")}, &registry);
  auto sub = notifier.listen("metrics_channel", [](const Notification&) {});
  notifier.start();
  ASSERT_TRUE(eventually(
      [&] { return router.hosts().at(1).reads_eligible && notifier.listening("metrics_channel"); }));
  ASSERT_TRUE(read(router, "SELECT pg_sleep(0.01)").ok());
  auto w = write(router, "SELECT 1");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(call(router, Intent::kRead, "SELECT 1", {}, {.token = "FFFFFFFF/0"}).ok());  // primary
  EXPECT_FALSE(read(router, "SELECT * FROM no_such_table_for_metrics").ok());
  std::string text = registry.serialize();
  for (const char* name :
       {"fraiseql_db_pool_size", "fraiseql_db_pool_checked_out", "fraiseql_db_pool_overflow",
        "fraiseql_db_pool_wait_seconds", "fraiseql_db_query_duration_seconds",
        "fraiseql_db_replica_lag_seconds", "fraiseql_db_errors_total", "fraiseql_db_replica_fallback_total",
        "fraiseql_db_read_your_writes_primary_total", "fraiseql_db_slow_queries_total",
        "fraiseql_circuit_breaker_state", "fraiseql_db_notifier_connected", "fraiseql_db_notifications_total",
        "fraiseql_db_notifier_reconnects_total"}) {
    EXPECT_TRUE(has(text, std::string("# TYPE ") + name + " ")) << name << " is not exported";
  }
  EXPECT_TRUE(has(text, "fraiseql_db_read_your_writes_primary_total 1")) << text;
  auto [code, output] = promtool_check(text);
  EXPECT_EQ(code, 0) << "promtool check metrics:\n" << output << "\n" << text;
}

}  // namespace
}  // namespace fraiseql::db::pgtest
