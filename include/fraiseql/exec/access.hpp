#pragma once
/// `@auth(roles: [...])` (DESIGN §3): which fields of an operation a caller's role may
/// not see. Checked on the document before anything runs, so it holds on every path
/// that skips compilation (plan cache, persisted queries, response cache).

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::exec {

/// One FORBIDDEN error per selected field that `role` may not read: the field's own
/// `@auth`, the `@auth` of the type it returns, or that of the root type. The error
/// carries the field's response path and location; nothing under it is looked at.
/// Fields left out by `@skip`/`@include` (with `variables`, coerced) are not checked.
std::vector<graphql::GraphQLError> check_access(const graphql::Schema& schema,
                                                const graphql::Document& document,
                                                const graphql::OperationDefinition& operation,
                                                const nlohmann::json& variables, std::string_view role);

/// True when the schema applies `@auth` anywhere; without it the check can be skipped.
bool schema_uses_auth(const graphql::Schema& schema);

}  // namespace fraiseql::exec
