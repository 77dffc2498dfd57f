#pragma once
/// The DataSource of FraiseQL's model: the operation compiled to one SQL statement
/// (module sql), run through the router (module db) on a replica for queries and on the
/// primary for mutations, and PostgreSQL's JSON written out untouched as `data`.
/// When that statement fails with an SQL error, each data root field runs on its own and
/// the answer holds the fields that worked beside one error (with its path) per field
/// that failed (docs/schema.md, "Database errors").

#include <chrono>
#include <memory>

#include "fraiseql/db/router.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/sql/compiler.hpp"
#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::exec {

struct SqlDataSourceOptions {
  sql::CompileOptions compile;
  /// Longest a statement may wait for a connection and run, end to end.
  std::chrono::milliseconds deadline{30'000};
  /// Show database error messages to clients (debug); otherwise they are logged only.
  bool expose_database_errors = false;
};

class SqlDataSource final : public DataSource {
 public:
  /// `router` must outlive this.
  SqlDataSource(std::shared_ptr<const sql::SchemaMapping> mapping, db::Router& router,
                SqlDataSourceOptions options = {});

  void execute(ReadyOperation operation, Done done) override;

 private:
  // Mutation fields run one after another, each in its own transaction on the primary
  // (mutation_runner.cpp).
  void execute_mutation(ReadyOperation operation, Done done);

  std::shared_ptr<const sql::SchemaMapping> mapping_;
  db::Router& router_;
  SqlDataSourceOptions options_;
};

}  // namespace fraiseql::exec
