#pragma once
/// The summary of an `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` that /admin/explain shows.

#include <cstddef>
#include <string>
#include <string_view>

#include "fraiseql/core/result.hpp"

namespace fraiseql::db {

struct Plan {
  std::string node_type;      // of the top plan node, e.g. "Limit", "Seq Scan"
  double total_cost = 0;      // planner's estimate for the top node
  double actual_time_ms = 0;  // top node's actual total time (per loop; it runs once)
  double planning_time_ms = 0;
  double execution_time_ms = 0;
  double rows = 0;                    // actual rows of the top node
  double plan_rows = 0;               // planner's estimate of the same
  std::size_t seq_scans = 0;          // "Seq Scan" nodes anywhere in the tree
  std::size_t index_scans = 0;        // "Index Scan", "Index Only Scan", "Bitmap Index Scan"
  std::size_t shared_hit_blocks = 0;  // top node's buffers (BUFFERS), whole tree included
  std::size_t shared_read_blocks = 0;
  std::string json;    // the full EXPLAIN output, as PostgreSQL printed it
  std::string target;  // the host that ran it
};

/// Reads PostgreSQL's JSON EXPLAIN output; kInternal when it is not shaped like one.
Result<Plan> parse_plan(std::string_view json);

}  // namespace fraiseql::db
