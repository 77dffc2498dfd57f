#pragma once
/// Spec GetOperation (§6.1): which operation of a document a request runs.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::graphql {

/// The operation named `name`, or the document's only operation when `name` is empty.
/// nullptr with `problem` set (graphql-js wording; code OPERATION_RESOLUTION_FAILURE)
/// when there is none or the choice is ambiguous.
const OperationDefinition* get_operation(const Document& document, std::string_view name,
                                         std::string& problem);

/// Spec CollectFields' @skip/@include test: false when `directives` skip the selection
/// for these (coerced) `variables`.
bool is_included(const Schema& schema, NodeList<Directive> directives, const nlohmann::json& variables);

}  // namespace fraiseql::graphql
