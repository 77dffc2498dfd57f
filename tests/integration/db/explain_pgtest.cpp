// Plan analysis on the real servers: the same lookup explained on a table without and
// then with an index, on the primary and on the replica, and a write explained without
// taking effect.

#include <gtest/gtest.h>

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

TEST(ExplainPgTest, CountsSequentialAndIndexScansWithAndWithoutAnIndex) {
  Router router(router_options(unique_name("ex")));
  router.start();
  std::string table = unique_name("t_ex");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int, k int, pad text)").ok());
  ASSERT_TRUE(
      write(router, "INSERT INTO " + table + " SELECT g, g, repeat('x', 50) FROM generate_series(1, 20000) g")
          .ok());
  ASSERT_TRUE(write(router, "ANALYZE " + table).ok());
  const std::string lookup = "SELECT id, pad FROM " + table + " WHERE k = $1";

  auto plain = explain(router, Intent::kWrite, lookup, {"4242"});
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->target, "primary");
  EXPECT_GE(plain->seq_scans, 1u) << plain->json;
  EXPECT_EQ(plain->index_scans, 0u) << plain->json;
  EXPECT_EQ(plain->rows, 1);
  EXPECT_GT(plain->total_cost, 0);
  EXPECT_GT(plain->actual_time_ms, 0);
  EXPECT_GT(plain->execution_time_ms, 0);
  EXPECT_GT(plain->shared_hit_blocks + plain->shared_read_blocks, 0u) << "BUFFERS was asked for";
  EXPECT_NE(plain->json.find("\"Actual Loops\""), std::string::npos) << "ANALYZE was asked for";

  ASSERT_TRUE(write(router, "CREATE INDEX ON " + table + " (k)").ok());
  ASSERT_TRUE(write(router, "ANALYZE " + table).ok());
  auto indexed = explain(router, Intent::kWrite, lookup, {"4242"});
  ASSERT_TRUE(indexed.ok()) << indexed.error().message;
  EXPECT_EQ(indexed->seq_scans, 0u) << indexed->json;
  EXPECT_GE(indexed->index_scans, 1u) << indexed->json;
  EXPECT_EQ(indexed->rows, 1);
  EXPECT_LT(indexed->total_cost, plain->total_cost) << "the index is the cheaper plan";

  // On the replica, once it has replayed the index.
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  Result<Plan> on_replica = make_error(ErrorCode::kInternal, "not run");
  EXPECT_TRUE(eventually([&] {
    on_replica = explain(router, Intent::kRead, lookup, {"4242"});
    return on_replica.ok() && on_replica->target == "replica1" && on_replica->index_scans >= 1;
  })) << (on_replica.ok() ? on_replica->json : on_replica.error().message);
  EXPECT_EQ(on_replica->rows, 1);
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

TEST(ExplainPgTest, ExplainingAWriteChangesNothing) {
  Router router(router_options(unique_name("ew")));
  router.start();
  std::string table = unique_name("t_ew");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int)").ok());
  auto plan = explain(router, Intent::kWrite, "INSERT INTO " + table + " VALUES ($1)", {"1"});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->node_type, "ModifyTable");
  EXPECT_EQ(plan->target, "primary");
  EXPECT_EQ(scalar(primary_url(), "SELECT count(*) FROM " + table), "0") << "EXPLAIN ANALYZE was rolled back";
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

TEST(ExplainPgTest, AStatementThatDoesNotPlanIsAnError) {
  Router router(router_options(unique_name("ee"), false));
  router.start();
  auto plan = explain(router, Intent::kRead, "SELECT * FROM no_such_table_for_explain");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message.rfind("42P01: ", 0), 0u) << plan.error().message;
}

}  // namespace
}  // namespace fraiseql::db::pgtest
