#include "schema_setup.hpp"

#include <fstream>
#include <future>
#include <sstream>

#include <spdlog/spdlog.h>

#include "fraiseql/sql/catalog.hpp"
#include "fraiseql/sql/schema_generator.hpp"

namespace fraiseql::app {

LoadedSchema load_schema(const std::string& path, db::Router& router, std::chrono::milliseconds deadline) {
  LoadedSchema out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    spdlog::critical("schema.path: cannot read {}", path);
    out.exit_code = 2;
    return out;
  }
  std::ostringstream sdl;
  sdl << in.rdbuf();
  auto built = sql::build_fraiseql_schema(sdl.str(), path);
  if (!built.ok()) {
    for (const auto& e : built.errors) spdlog::critical("{}", e);
    spdlog::critical("schema.path: {} has {} error(s)", path, built.errors.size());
    out.exit_code = 2;
    return out;
  }

  // The catalog decides which fields have a real column (indexes apply) and whether
  // every @view and @join column exists.
  std::promise<Result<db::Rows>> promise;
  auto future = promise.get_future();
  router.write(std::string(sql::catalog_columns_query()), {}, Deadline::after(deadline),
               [&promise](Result<db::Rows> r) { promise.set_value(std::move(r)); });
  auto rows = future.get();
  if (!rows) {
    spdlog::critical("cannot read the database catalog: {}", rows.error().message);
    out.exit_code = 1;
    return out;
  }
  std::vector<sql::CatalogColumn> columns;
  columns.reserve(rows->rows.size());
  for (const auto& row : rows->rows) {
    if (row.size() < 5) continue;
    columns.push_back({.schema = row[0].value_or(""),
                       .relation = row[1].value_or(""),
                       .column = row[2].value_or(""),
                       .type = row[3].value_or(""),
                       .visible = row[4].value_or("f") == "t"});
  }
  sql::MappingOptions options = built.mapping->options();
  options.view_columns = sql::view_columns_from(columns);
  auto mapping = sql::build_mapping(built.schema, options);
  if (!mapping) {
    spdlog::critical("{}: {}", path, mapping.error().message);
    out.exit_code = 2;
    return out;
  }
  auto problems = sql::check_mapping(*mapping, columns);
  // Every @function exists, takes one jsonb and returns mutation_response.
  if (mapping->schema().mutation_type() != nullptr) {
    std::promise<Result<db::Rows>> functions_promise;
    auto functions_future = functions_promise.get_future();
    router.write(std::string(sql::catalog_functions_query()), {}, Deadline::after(deadline),
                 [&functions_promise](Result<db::Rows> r) { functions_promise.set_value(std::move(r)); });
    auto function_rows = functions_future.get();
    if (!function_rows) {
      spdlog::critical("cannot read the database's functions: {}", function_rows.error().message);
      out.exit_code = 1;
      return out;
    }
    std::vector<sql::CatalogFunction> functions;
    for (const auto& row : function_rows->rows) {
      if (auto f = sql::catalog_function_from(row)) functions.push_back(std::move(*f));
    }
    for (auto& p : sql::check_mutations(*mapping, functions)) problems.push_back(std::move(p));
  }
  if (!problems.empty()) {
    for (const auto& p : problems) spdlog::critical("{}", p);
    spdlog::critical("{}: {} mismatch(es) with the database", path, problems.size());
    out.exit_code = 2;
    return out;
  }
  out.mapping = std::make_shared<const sql::SchemaMapping>(std::move(*mapping));
  return out;
}

}  // namespace fraiseql::app
