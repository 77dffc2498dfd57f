#pragma once
// A throwaway database on the fixture's primary holding examples/blog/schema.sql and a
// small deterministic seed with awkward values (LIKE metacharacters, quotes, an SQL
// injection attempt, nulls). Created once per test program, dropped at its end.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "fraiseql/sql/compiler.hpp"

namespace fraiseql::sql::pgtest {

/// Creates the database and loads the example schema and the seed.
void create_blog_db();
/// Drops it (WITH FORCE).
void drop_blog_db();
/// Its connection URL (for a db::Router of its own).
std::string blog_url();
/// A connection to it (one per test program; tests run sequentially).
pqxx::connection& blog_conn();

/// Runs a compiled query: exactly one statement, its parameters bound; the JSON text of
/// its single cell.
std::string run_compiled(const CompiledQuery& q);
/// The single JSON cell of a hand-written query (or an empty string when it is NULL).
std::string run_sql(const std::string& sql);

}  // namespace fraiseql::sql::pgtest
