// Lag exclusion: with replay paused on the replica and a write on the primary, the
// replica's lag grows past max_replica_lag, reads move to the primary (counted), and
// come back once replay resumes. Pauses the shared replica, so it runs alone.

#include <gtest/gtest.h>

#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

TEST(LagPgTest, LaggingReplicaGetsNoReadsUntilItCatchesUp) {
  metrics::Registry registry;
  auto options = router_options(unique_name("lag"));
  options.max_replica_lag = 500ms;
  Router router(options, &registry);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  std::string table = unique_name("t_lag");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int)").ok());
  ASSERT_TRUE(eventually([&] {
    auto r = read(router, "SELECT count(*)::text FROM " + table);
    return r.ok() && r->target == "replica1";
  }));

  PausedReplay paused;
  ASSERT_TRUE(write(router, "INSERT INTO " + table + " VALUES (1)").ok());
  ASSERT_TRUE(eventually([&] { return !router.hosts().at(1).reads_eligible; }))
      << "replica never excluded; lag " << router.hosts().at(1).health.replay_lag.count() << " ms";
  EXPECT_GT(router.hosts().at(1).health.replay_lag, 500ms);

  auto r = read(router, "SELECT count(*)::text, pg_is_in_recovery()::text FROM " + table);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target, "primary");
  EXPECT_EQ(r->rows[0][0], "1") << "the read sees the write because it ran on the primary";
  EXPECT_EQ(r->rows[0][1], "false");
  std::string text = registry.serialize();
  EXPECT_EQ(text.find("fraiseql_db_replica_fallback_total 0"), std::string::npos) << text;
  EXPECT_NE(text.find("fraiseql_db_replica_fallback_total"), std::string::npos) << text;
  EXPECT_EQ(text.find("fraiseql_db_replica_lag_seconds{target=\"replica1\"} 0\n"), std::string::npos) << text;

  paused.resume();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  ASSERT_TRUE(eventually([&] {
    auto again = read(router, "SELECT count(*)::text FROM " + table);
    return again.ok() && again->target == "replica1" && again->rows[0][0] == "1";
  })) << "reads did not return to the replica";
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

}  // namespace
}  // namespace fraiseql::db::pgtest
