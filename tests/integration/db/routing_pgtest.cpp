// Routing proven on the servers: which server answered (pg_is_in_recovery, port), and
// which sessions each server sees in pg_stat_activity under our application_name.

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

constexpr const char* kWhoAmI =
    "SELECT pg_is_in_recovery()::text, current_setting('application_name'), inet_server_port()::text";

int sessions(const std::string& url, const std::string& app_prefix) {
  return std::stoi(
      scalar(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '" + app_prefix + "%'"));
}

bool replica_ready(Router& router) {
  return eventually([&] { return router.hosts().at(1).reads_eligible; });
}

TEST(RoutingPgTest, ReadsGoToTheReplicaAndWritesToThePrimary) {
  std::string app = unique_name("rt");
  Router router(router_options(app));
  router.start();
  ASSERT_TRUE(replica_ready(router)) << router.hosts().at(1).health.error;

  auto r = read(router, kWhoAmI);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target, "replica1");
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0], "true");
  EXPECT_EQ(r->rows[0][1]->rfind(app + ":replica1:127.0.0.1:", 0), 0u) << *r->rows[0][1];
  EXPECT_EQ(r->rows[0][2], std::to_string(replica_port()));

  auto w = write(router, kWhoAmI);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->target, "primary");
  EXPECT_EQ(w->rows[0][0], "false");
  EXPECT_EQ(w->rows[0][2], std::to_string(primary_port()));

  // The servers themselves: each holds only the sessions meant for it.
  EXPECT_GE(sessions(replica_url(), app + ":replica1:"), 1);
  EXPECT_EQ(sessions(replica_url(), app + ":primary:"), 0);
  EXPECT_GE(sessions(primary_url(), app + ":primary:"), 1);
  EXPECT_EQ(sessions(primary_url(), app + ":replica1:"), 0);
}

TEST(RoutingPgTest, SessionsHaveTheConfiguredSettings) {
  Router router(router_options(unique_name("rs")));
  router.start();
  for (auto intent : {Intent::kRead, Intent::kWrite}) {
    auto r = call(router, intent,
                  "SELECT current_setting('statement_timeout'), current_setting('jit'), "
                  "current_setting('transaction_read_only')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->rows[0][0], "30s");
    EXPECT_EQ(r->rows[0][1], "off");
  }
}

TEST(RoutingPgTest, WriteCommitsOnThePrimaryAndReplicates) {
  Router router(router_options(unique_name("rw")));
  router.start();
  ASSERT_TRUE(replica_ready(router));
  std::string table = unique_name("t_rw");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int PRIMARY KEY, note text)").ok());
  auto ins = write(router, "INSERT INTO " + table + " VALUES ($1, $2), ($3, NULL)", {"1", "hello", "2"});
  ASSERT_TRUE(ins.ok()) << ins.error().message;
  EXPECT_EQ(ins->affected_rows, 2u);
  EXPECT_TRUE(eventually([&] {
    auto r = read(router, "SELECT note FROM " + table + " ORDER BY id");
    return r.ok() && r->rows.size() == 2;
  })) << "the replica never saw the committed rows";
  auto r = read(router, "SELECT id::text, note FROM " + table + " ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target, "replica1");
  EXPECT_EQ(r->columns, (std::vector<std::string>{"id", "note"}));
  EXPECT_EQ(r->rows[0][1], "hello");
  EXPECT_EQ(r->rows[1][1], std::nullopt) << "SQL NULL comes back as nullopt";
  ASSERT_TRUE(write(router, "DROP TABLE " + table).ok());
}

TEST(RoutingPgTest, SqlErrorsCarryTheirSqlstateAndKeepTheBreakerClosed) {
  Router router(router_options(unique_name("re")));
  router.start();
  for (int i = 0; i < 8; ++i) {
    auto r = write(router, "SELECT * FROM no_such_table_anywhere");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_EQ(r.error().message.rfind("42P01: ", 0), 0u) << r.error().message;
  }
  EXPECT_EQ(router.primary().breaker, resilience::BreakerState::kClosed);
  EXPECT_TRUE(write(router, "SELECT 1").ok()) << "the connection survives a statement error";
}

TEST(RoutingPgTest, ReadsSpreadOverEqualReplicas) {
  std::string app = unique_name("rb");
  auto options = router_options(app);
  options.replica_urls = {replica_url(), replica_url()};  // two pools on one server
  Router router(options);
  router.start();
  ASSERT_TRUE(
      eventually([&] { return router.hosts().at(1).reads_eligible && router.hosts().at(2).reads_eligible; }));
  int first = 0;
  int second = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = read(router, "SELECT 1");
    ASSERT_TRUE(r.ok()) << r.error().message;
    (r->target == "replica1" ? first : second)++;
  }
  EXPECT_EQ(first, 10);
  EXPECT_EQ(second, 10);
  EXPECT_GE(sessions(replica_url(), app + ":replica2:"), 1);
}

TEST(RoutingPgTest, WithoutReplicasReadsUseThePrimaryWithoutCountingAFallback) {
  metrics::Registry registry;
  Router router(router_options(unique_name("rp"), false), &registry);
  router.start();
  auto r = read(router, "SELECT pg_is_in_recovery()::text");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target, "primary");
  EXPECT_EQ(r->rows[0][0], "false");
  EXPECT_NE(registry.serialize().find("fraiseql_db_replica_fallback_total 0"), std::string::npos);
}

TEST(RoutingPgTest, MetricsAreExported) {
  metrics::Registry registry;
  Router router(router_options(unique_name("rm")), &registry);
  router.start();
  ASSERT_TRUE(replica_ready(router));
  ASSERT_TRUE(read(router, "SELECT 1").ok());
  ASSERT_TRUE(write(router, "SELECT 1").ok());
  std::string text = registry.serialize();
  for (const char* needle : {
           "fraiseql_db_pool_size{target=\"primary\"} 1",
           "fraiseql_db_pool_size{target=\"replica1\"} 1",
           "fraiseql_db_pool_checked_out{target=\"replica1\"} 0",
           "fraiseql_db_pool_overflow{target=\"primary\"} 0",
           "fraiseql_db_pool_wait_seconds_count{target=\"primary\"} 1",
           "fraiseql_db_query_duration_seconds_count{operation=\"read\",target=\"replica1\"} 1",
           "fraiseql_db_query_duration_seconds_count{operation=\"write\",target=\"primary\"} 1",
           "fraiseql_db_replica_lag_seconds{target=\"replica1\"}",
           "fraiseql_circuit_breaker_state{target=\"primary\"} 0",
           "fraiseql_circuit_breaker_state{target=\"replica1\"} 0",
       }) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
  }
}

}  // namespace
}  // namespace fraiseql::db::pgtest
