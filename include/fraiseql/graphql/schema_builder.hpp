#pragma once
/// Building a Schema from SDL documents, with the type-system validation of spec §3
/// (graphql-js buildASTSchema + validateSchema): every error is reported at once.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::graphql {

/// One SDL file: its name (used in messages) and its text.
struct SchemaSource {
  std::string name;
  std::string sdl;
};

/// A schema error located in one of the sources.
struct SchemaError {
  std::string file;
  Location loc;  ///< line 0 when the error has no position (e.g. a missing Query type)
  std::string message;

  /// "file:line:col: message" (or "file: message" without a position).
  [[nodiscard]] std::string to_string() const;
};

/// Options for build_schema().
struct SchemaBuildOptions {
  /// Predeclare the FraiseQL directives (@view, @join, ...) and custom scalars
  /// (DateTime, Date, UUID, JSON, BigInt, Decimal). An SDL definition of the same name
  /// replaces the predeclared one.
  bool fraiseql_prelude = true;
  /// Require a query root type (the spec does; graphql-js validateSchema does).
  bool require_query_type = true;
};

/// The outcome of build_schema(): a schema, or every error found.
class SchemaBuildResult {
 public:
  explicit SchemaBuildResult(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {}
  explicit SchemaBuildResult(std::vector<SchemaError> errors) : errors_(std::move(errors)) {}

  [[nodiscard]] bool ok() const noexcept { return schema_ != nullptr; }
  explicit operator bool() const noexcept { return ok(); }
  /// The schema; nullptr when !ok().
  [[nodiscard]] const std::shared_ptr<const Schema>& schema() const noexcept { return schema_; }
  /// The errors in source order; empty when ok().
  [[nodiscard]] const std::vector<SchemaError>& errors() const noexcept { return errors_; }
  /// All errors, one "file:line:col: message" per line.
  [[nodiscard]] std::string error_text() const;

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<SchemaError> errors_;
};

/// Builds and validates a schema from one or more SDL sources (definitions and
/// extensions may be spread over them).
SchemaBuildResult build_schema(std::span<const SchemaSource> sources, const SchemaBuildOptions& options = {});

/// Same for one SDL text.
SchemaBuildResult build_schema(std::string sdl, std::string name = "schema.graphql",
                               const SchemaBuildOptions& options = {});

/// The SDL of the prelude: built-in and FraiseQL scalars and directives, introspection types.
std::string_view schema_prelude_sdl(bool fraiseql_prelude = true) noexcept;

/// The FraiseQL part of the prelude alone (custom scalars and directives), valid SDL on
/// its own: tools that feed a schema to another GraphQL implementation prepend it.
std::string_view fraiseql_prelude_sdl() noexcept;

}  // namespace fraiseql::graphql
