#pragma once
// Start-up of the GraphQL side: the schema file built with FraiseQL's generated inputs,
// then checked against the database catalog (views, columns) that the mapping needs.

#include <chrono>
#include <memory>
#include <string>

#include "fraiseql/db/router.hpp"
#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::app {

struct LoadedSchema {
  std::shared_ptr<const sql::SchemaMapping> mapping;  // null on failure
  int exit_code = 0;  // 2: the schema or the database objects are wrong; 1: no database
};

/// Reads and builds `path`, reads the catalog through `router` (waiting up to
/// `deadline`), builds the mapping with the real columns of each view and checks it.
/// Every problem is logged (file:line:col, or type, field and database object).
LoadedSchema load_schema(const std::string& path, db::Router& router, std::chrono::milliseconds deadline);

}  // namespace fraiseql::app
