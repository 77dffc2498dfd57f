#pragma once
/// Input coercion (spec §3 "Input Coercion" of each type, §6.1.2 CoerceVariableValues,
/// §6.4.1 CoerceArgumentValues): JSON variable values and literal arguments become
/// JSON values of the declared types, or GraphQL errors worded like graphql-js's.
///
/// Coerced representation: Int and BigInt are JSON integers, Float a JSON number,
/// String/ID/DateTime/Date/UUID/Decimal and enum values JSON strings (Decimal keeps its
/// decimal text), JSON any JSON value, input objects JSON objects, lists JSON arrays.
/// Scalars the schema declares without FraiseQL semantics accept any value unchanged.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::graphql {

/// graphql-js inspect(): how a JSON input value is shown in messages (`"abc"`,
/// `{ a: 1 }`, `[1, 2]`).
std::string inspect(const nlohmann::json& value);

/// Coerces an external (JSON) value of a leaf type (scalar or enum). Returns the error
/// message (graphql-js parseValue wording) or nullopt with `out` set.
std::optional<std::string> coerce_leaf_value(const TypeDef& type, const nlohmann::json& input,
                                             nlohmann::json& out);

/// Coerces a literal of a leaf type (no variables). Returns the error message
/// (graphql-js parseLiteral wording) or nullopt with `out` set.
std::optional<std::string> coerce_leaf_literal(const TypeDef& type, const Value& literal,
                                               nlohmann::json& out);

/// One problem found by coerce_input_value(): where (`.a[0].b`, empty at the top), the
/// offending value and why.
struct InputCoercionError {
  std::string path;
  nlohmann::json invalid_value;
  std::string message;
};

/// graphql-js coerceInputValue(): coerces `input` to `type`; every problem is appended.
/// Returns false when there was at least one.
bool coerce_input_value(const nlohmann::json& input, TypeRef type, nlohmann::json& out,
                        std::vector<InputCoercionError>& errors);

/// Checks a literal against an input type the way the ValuesOfCorrectType rule does and
/// appends one message per problem. Variables are accepted (their usage is checked
/// elsewhere).
void validate_literal(const Value& value, TypeRef type, std::vector<std::string>& problems);
/// Same, for the const values of an SDL (defaults, applied directive arguments).
inline void validate_const_literal(const Value& value, TypeRef type, std::vector<std::string>& problems) {
  validate_literal(value, type, problems);
}

/// graphql-js valueFromAST(): the coerced value of a literal, reading variables from
/// `variables` (a JSON object of coerced values; nullptr for const contexts). nullopt
/// when the literal is invalid, or uses a variable that has no value where a non-null
/// value is required.
std::optional<nlohmann::json> value_from_ast(const Value& literal, TypeRef type,
                                             const nlohmann::json* variables = nullptr);

/// The outcome of coercing variables or arguments: a JSON object of coerced values
/// (names that got no value are absent), or every error found.
struct CoercedValues {
  nlohmann::json values = nlohmann::json::object();
  std::vector<GraphQLError> errors;

  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// Spec CoerceVariableValues for `operation` (already validated against `schema`).
/// `inputs` is the request's "variables" (an object, or null when absent). Errors have
/// code BAD_USER_INPUT and the variable definition's location; all are reported.
CoercedValues coerce_variable_values(const Schema& schema, const OperationDefinition& operation,
                                     const nlohmann::json& inputs);

/// Spec CoerceArgumentValues: the arguments `arguments` given for definitions `defs`
/// (a field's or directive's), with `variables` already coerced. `node` locates errors.
CoercedValues coerce_argument_values(std::span<const InputValueDef> defs, NodeList<Argument> arguments,
                                     const nlohmann::json& variables, const Node& node);

}  // namespace fraiseql::graphql
