#include "fraiseql/db/plan.hpp"

#include <gtest/gtest.h>

namespace fraiseql::db {
namespace {

// The shape PostgreSQL 15 prints for EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of a join.
constexpr const char* kJoin = R"([
  {
    "Plan": {
      "Node Type": "Hash Join", "Parallel Aware": false, "Join Type": "Inner",
      "Startup Cost": 1.09, "Total Cost": 39.2, "Plan Rows": 10, "Plan Width": 36,
      "Actual Startup Time": 0.031, "Actual Total Time": 0.412, "Actual Rows": 7, "Actual Loops": 1,
      "Shared Hit Blocks": 12, "Shared Read Blocks": 3,
      "Plans": [
        {"Node Type": "Seq Scan", "Relation Name": "a", "Total Cost": 30.0, "Actual Rows": 100},
        {"Node Type": "Hash", "Plans": [
          {"Node Type": "Bitmap Heap Scan", "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "b_k"}]},
          {"Node Type": "Index Only Scan", "Index Name": "b_pkey"}
        ]}
      ]
    },
    "Planning": {"Shared Hit Blocks": 4},
    "Planning Time": 0.2,
    "Triggers": [],
    "Execution Time": 0.501
  }
])";

TEST(PlanTest, SummarisesTheTopNodeAndCountsScansInTheWholeTree) {
  auto plan = parse_plan(kJoin);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->node_type, "Hash Join");
  EXPECT_DOUBLE_EQ(plan->total_cost, 39.2);
  EXPECT_DOUBLE_EQ(plan->actual_time_ms, 0.412);
  EXPECT_DOUBLE_EQ(plan->rows, 7);
  EXPECT_DOUBLE_EQ(plan->plan_rows, 10);
  EXPECT_DOUBLE_EQ(plan->planning_time_ms, 0.2);
  EXPECT_DOUBLE_EQ(plan->execution_time_ms, 0.501);
  EXPECT_EQ(plan->seq_scans, 1u);
  EXPECT_EQ(plan->index_scans, 2u);  // the bitmap index scan and the index-only scan
  EXPECT_EQ(plan->shared_hit_blocks, 12u);
  EXPECT_EQ(plan->shared_read_blocks, 3u);
  EXPECT_EQ(plan->json, kJoin);
}

TEST(PlanTest, RejectsWhatIsNotAnExplainOutput) {
  for (const char* bad : {"", "not json", "{}", "[]", "[1]", R"([{"Plan": 3}])", R"([{"Query": {}}])"}) {
    auto plan = parse_plan(bad);
    ASSERT_FALSE(plan.ok()) << bad;
    EXPECT_EQ(plan.error().code, ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace fraiseql::db
