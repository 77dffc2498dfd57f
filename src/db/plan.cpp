#include "fraiseql/db/plan.hpp"

#include <nlohmann/json.hpp>

namespace fraiseql::db {
namespace {

using nlohmann::json;

double number(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::size_t count(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
}

void count_scans(const json& node, Plan& plan) {
  auto type = node.value("Node Type", std::string());
  if (type == "Seq Scan") ++plan.seq_scans;
  if (type == "Index Scan" || type == "Index Only Scan" || type == "Bitmap Index Scan") ++plan.index_scans;
  auto children = node.find("Plans");
  if (children == node.end() || !children->is_array()) return;
  for (const auto& child : *children) count_scans(child, plan);
}

}  // namespace

Result<Plan> parse_plan(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object()) {
    return make_error(ErrorCode::kInternal, "EXPLAIN output is not a JSON array of plans");
  }
  const json& top = doc[0];
  auto root = top.find("Plan");
  if (root == top.end() || !root->is_object()) {
    return make_error(ErrorCode::kInternal, "EXPLAIN output has no \"Plan\"");
  }
  Plan plan;
  plan.node_type = root->value("Node Type", std::string());
  plan.total_cost = number(*root, "Total Cost");
  plan.actual_time_ms = number(*root, "Actual Total Time");
  plan.rows = number(*root, "Actual Rows");
  plan.plan_rows = number(*root, "Plan Rows");
  plan.shared_hit_blocks = count(*root, "Shared Hit Blocks");
  plan.shared_read_blocks = count(*root, "Shared Read Blocks");
  plan.planning_time_ms = number(top, "Planning Time");
  plan.execution_time_ms = number(top, "Execution Time");
  count_scans(*root, plan);
  plan.json = std::string(text);
  return plan;
}

}  // namespace fraiseql::db
