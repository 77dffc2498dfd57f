#pragma once
/// Mutations (DESIGN §3). A Mutation field with `@function(name:)` calls that PostgreSQL
/// function with its input as one jsonb parameter; the function returns the composite
/// `mutation_response` (sql/mutation_response.sql), whose status selects the member of
/// the field's result union: the `@success` type or the `@error` type. One field compiles
/// to one statement, run in a transaction of its own on the primary, whose single row is
/// `(status, value)`: the function's status and the field's whole JSON, built in
/// PostgreSQL like a query's `data`.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/core/result.hpp"
#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema.hpp"
#include "fraiseql/sql/compiler.hpp"
#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::sql {

/// The columns of `mutation_response` that a compiled mutation reads, in its order.
inline constexpr std::array<std::string_view, 8> kMutationResponseColumns{
    "status", "message", "entity_id", "entity_type", "entity", "updated_fields", "errors", "metadata"};

/// What a Mutation field's directives and result type say.
struct MutationField {
  const graphql::FieldDef* def = nullptr;
  std::string function;                       ///< @function(name:), maybe schema-qualified
  std::vector<std::string> invalidates;       ///< @function(invalidates:)
  const graphql::TypeDef* result = nullptr;   ///< the union the field returns
  const graphql::TypeDef* success = nullptr;  ///< its member marked @success
  const graphql::TypeDef* error = nullptr;    ///< its member marked @error
};

/// Reads Mutation field `def`: it must have @function and return a union with exactly
/// one @success and one @error member. The error message names the field.
Result<MutationField> mutation_field(const graphql::FieldDef& def);

/// Which member a status selects.
enum class StatusKind : uint8_t {
  kSuccess,  ///< `success`, `created`, `updated`, `deleted`, `noop:*`
  kError,    ///< `validation:*`, `not_found:*`, `conflict:*`, `unauthorized:*`, `failed:*`
  kUnknown,  ///< anything else, null included: a defect of the function
};
StatusKind status_kind(std::string_view status) noexcept;

/// The error member's `code` for a status: its prefix upper-cased (`not_found:post` ->
/// `NOT_FOUND`).
std::string status_code(std::string_view status);

/// The function's input: the coerced `input` argument when it is the field's only
/// argument, else the object of all its arguments (`deletePost(id:)` -> `{"id": ...}`).
/// Field names of input objects become JSON keys the way `data` keys are named
/// (snake_case unless MappingOptions::snake_case_keys is off); values of the JSON scalar
/// are passed unchanged.
nlohmann::json function_input(const graphql::FieldDef& def, const nlohmann::json& arguments,
                              bool snake_case_keys);

/// One compiled Mutation field: a statement returning one row `(status text, value
/// text)`, where value is the field's JSON, or null when the status selects no member.
struct CompiledMutation {
  std::string sql;
  std::vector<Param> params;  ///< $1 is the function's input (jsonb)
  MutationField field;
  /// No variable appears in the field's selection (arguments of nested fields,
  /// @include/@skip): only $1 differs from one request to the next, so the statement can
  /// be kept with the document and given another request's input with rebind_mutation().
  bool reusable = false;
};

/// The outcome of compile_mutation(): a statement, or GraphQL errors (with locations and
/// the field's path).
struct MutationCompileResult {
  std::optional<CompiledMutation> mutation;
  std::vector<graphql::GraphQLError> errors;

  [[nodiscard]] bool ok() const noexcept { return mutation.has_value(); }
};

/// Compiles the Mutation root field whose nodes (every node of response key `key`, in
/// a document that passed validation) are `fields`. `variables` are coerced; the field's
/// arguments, literals included, are coerced here before any SQL exists, and a value
/// they refuse is a BAD_USER_INPUT error. The selection on the result union (inline
/// fragments and fragments on its members, `__typename`) is projected for both members;
/// the member's object field receives `entity` with @join fields joined from their views.
MutationCompileResult compile_mutation(const SchemaMapping& mapping, const graphql::Document& document,
                                       const std::string& key,
                                       const std::vector<const graphql::Field*>& fields,
                                       const nlohmann::json& variables, const CompileOptions& options = {});

/// A reusable `plan` of the same field nodes for another request's (coerced) variables:
/// the field's arguments coerced again and bound as $1; the SQL and the other parameters
/// are the plan's. Errors as compile_mutation() reports them.
MutationCompileResult rebind_mutation(const SchemaMapping& mapping, const CompiledMutation& plan,
                                      const std::string& key, const graphql::Field& node,
                                      const nlohmann::json& variables);

}  // namespace fraiseql::sql
