#pragma once
/// The compiler: one GraphQL operation (validated, variables coerced) -> ONE parameterised
/// SQL statement whose single row and column is the whole `data` object as JSON text.
///
/// Every value that comes from the request (literals and variables alike) is bound as a
/// `$n` parameter; only names from the schema (views, columns, JSON keys, response keys)
/// are written into the SQL text, quoted. The SQL text depends on the shape of the
/// arguments (which filters are present), not on the values bound.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::sql {

/// Knobs of compile().
struct CompileOptions {
  /// Rows returned by a list field (root or joined) that has no `limit`; 0 = no limit.
  uint32_t default_limit = 100;
  /// Largest `limit` (and connection `first`/`last`) accepted; larger is a
  /// BAD_USER_INPUT error rather than a silent cut. 0 = no maximum.
  uint32_t max_limit = 1000;
  /// Response keys of the root fields to compile; the others are left out of the
  /// statement. Empty: all of them. Locating a failing root field compiles one at a time.
  std::vector<std::string> only_roots;
  /// Values of root meta-fields answered outside SQL (`__schema`, `__type`): response key
  /// -> JSON text, bound as `json` parameters at their place in the object. A plan that
  /// holds one is not reusable (the value may depend on variables).
  std::vector<std::pair<std::string, std::string>> root_values;
  /// Subscription operations: the id of the row an event names (from the NOTIFY
  /// payload). Each @notify root field reads that row of its view with the subscriber's
  /// selection and `where`; null when the row is not there or not visible. Such a plan is
  /// not reusable.
  std::optional<std::string> event_id;
};

/// Whether the statement may run on a replica.
enum class Intent : uint8_t { kRead, kWrite };

/// How a parameter's text follows from a variable's value (see rebind()).
enum class ParamSource : uint8_t {
  kLiteral,     ///< from the document (or a default): the same for every request
  kText,        ///< the value as text
  kContains,    ///< `%value%`, LIKE metacharacters escaped
  kStartsWith,  ///< `value%`, escaped
  kEndsWith,    ///< `%value`, escaped
  kArray,       ///< a list as a PostgreSQL array literal
  kJson,        ///< the value as JSON text
  kLimit,       ///< a limit: an integer from 0 to CompileOptions::max_limit
  kOffset,      ///< an offset: an integer from 0
};

/// One bound parameter, in text format. `type` is the SQL type the statement casts it to
/// (`text`, `integer`, `text[]`, ...), or empty when PostgreSQL infers it from the column
/// it is compared with.
struct Param {
  std::optional<std::string> value;  ///< nullopt binds SQL NULL
  std::string type;
  std::string variable;  ///< the variable the value comes from; empty for kLiteral
  ParamSource source = ParamSource::kLiteral;

  friend bool operator==(const Param&, const Param&) = default;
};

/// A compiled operation.
struct CompiledQuery {
  std::string sql;  ///< one SELECT returning one row, one column: the `data` JSON text
  std::vector<Param> params;
  Intent intent = Intent::kRead;
  /// True when no variable value shaped the SQL text: every variable is bound as a
  /// parameter (not null, not in @include/@skip, not a whole `where` or `orderBy`, not a
  /// page size or cursor of a connection). Such a plan can be cached with the document and
  /// rebound to the next request's variables with rebind(), skipping compile().
  bool reusable = false;
};

/// The outcome of compile(): a query, or GraphQL errors (with locations and paths).
struct CompileResult {
  std::optional<CompiledQuery> query;
  std::vector<graphql::GraphQLError> errors;

  [[nodiscard]] bool ok() const noexcept { return query.has_value(); }
};

/// Compiles operation `operation_name` (empty: the only one) of `document`, which must
/// have passed graphql::validate() against mapping.schema(). `variables` are the values
/// graphql::coerce_variable_values() produced (a JSON object).
CompileResult compile(const SchemaMapping& mapping, const graphql::Document& document,
                      std::string_view operation_name, const nlohmann::json& variables,
                      const CompileOptions& options = {});

/// One root field of an operation, as its response holds it.
struct RootSelection {
  std::string key;             ///< response key
  graphql::Location location;  ///< of the field's first node
  bool non_null = false;       ///< the field's type is non-null: its failure makes `data` null
  bool meta = false;           ///< `__typename`, `__schema`, `__type`: answered without SQL
};

/// The root fields of operation `operation_name` of `document` in response order, after
/// @include/@skip (empty when there is no such operation).
std::vector<RootSelection> root_selections(const SchemaMapping& mapping, const graphql::Document& document,
                                           std::string_view operation_name, const nlohmann::json& variables);

/// The parameters of a reusable plan for other (coerced) variable values: the same as
/// compile() would bind for them. nullopt when the plan is not reusable or a value would
/// change its shape (a null, a missing variable, a limit out of range): compile instead.
std::optional<std::vector<Param>> rebind(const CompiledQuery& query, const nlohmann::json& variables,
                                         const CompileOptions& options = {});

/// `s` as an SQL identifier, double-quoted when it is not a plain lower-case name.
std::string quote_ident(std::string_view s);
/// `s` as an SQL string literal (used for names from the schema only, never for values).
std::string quote_literal(std::string_view s);
/// A possibly schema-qualified name, each part quoted: `app.v_user` -> "app"."v_user".
std::string quote_relation(std::string_view name);

/// An object projected by project_object(): an SQL expression of type json, or errors.
struct ObjectProjection {
  std::string sql;
  std::vector<graphql::GraphQLError> errors;

  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// The JSON of one object of mapped type `type` read from the jsonb SQL expression `data`,
/// with the selection sets of `fields` (the nodes of one response key), projected the
/// way compile() projects an object embedded in a view's `data` (@join fields joined from
/// their views). Used for mutation results (sql/mutation.hpp). Parameters are appended
/// to `params` and numbered after those it holds; errors carry paths below `path`.
ObjectProjection project_object(const SchemaMapping& mapping, const graphql::Document& document,
                                const nlohmann::json& variables, const TypeMapping& type,
                                const std::vector<const graphql::Field*>& fields, std::string_view data,
                                std::vector<Param>& params, std::vector<graphql::PathSegment> path,
                                const CompileOptions& options = {});

}  // namespace fraiseql::sql
