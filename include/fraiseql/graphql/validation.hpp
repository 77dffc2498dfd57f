#pragma once
/// Validation of executable documents against a Schema: every rule of spec §5 (the
/// graphql-js 16 `specifiedRules`, same messages and order, plus what the September 2025
/// spec adds, worded as graphql-js 17 does: "KnownOperationTypes", and no @skip/@include
/// at the root of a subscription), then FraiseQL's cost limits.
///
/// validate() walks the document once, dispatching to every rule at each node, and
/// visits each fragment definition once (a spread is never re-walked). It reports every
/// error at once, ordered as graphql-js orders them (document order, then rule order).
///
/// Spec rule errors carry code GRAPHQL_VALIDATION_FAILED and `rule` = the graphql-js rule
/// name without "Rule" (e.g. "FieldsOnCorrectType"). The limits below are separate rules
/// ("MaxDepth", "MaxAliases", "MaxComplexity") with code QUERY_TOO_COMPLEX; they are
/// checked per operation, with fragments expanded, before anything executes. The result
/// never depends on variable values, so it can be cached with the document's plan.

#include <cstdint>
#include <vector>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::graphql {

/// Knobs of validate(). A limit of 0 disables that limit.
struct ValidationOptions {
  /// Errors kept before validation gives up with "Too many validation errors, error
  /// limit reached. Validation aborted." (graphql-js maxErrors, default 100).
  uint32_t max_errors = 100;
  /// Omit "Did you mean ...?" suggestions, which reveal schema names (graphql-js
  /// hideSuggestions).
  bool hide_suggestions = false;
  /// VariablesInAllowedPosition: reject a nullable variable in a field of a @oneOf input
  /// object wherever the object appears, as spec §5.8.5 (September2025) does. graphql-js
  /// 16 only checks objects in a nullable position (`lookup: PostLookup`, not
  /// `PostLookup!`), and that is the default so verdicts match it; a null then fails at
  /// execution instead.
  bool strict_one_of = false;

  /// MaxDepth: deepest nesting of fields in an operation, fragments expanded; a root
  /// field is depth 1 (`{ a { b } }` has depth 2). Default 15 leaves room for the usual
  /// introspection query (depth 13) and deep joins, and stops recursive abuse.
  uint32_t max_depth = 15;
  /// MaxAliases: aliased fields in an operation, counting a fragment's aliases once per
  /// spread (aliases are how one document multiplies the work of a field). Default 30.
  uint32_t max_aliases = 30;
  /// MaxComplexity: estimated number of values an operation resolves. Cost model:
  ///   cost(selection set) = sum of cost(field), fragments and inline fragments expanded
  ///                         (inline fragments on different types are summed: an upper bound);
  ///   cost(field)         = 1 + multiplier × cost(its selection set);
  ///   multiplier          = the literal value of its `first`, `last` or `limit` argument
  ///                         when it has one (capped at max_list_size), otherwise
  ///                         default_list_size for a list-typed field, otherwise 1.
  /// A list field directly below a field that already has a size argument (the `edges`
  /// or `nodes` of a connection) is not multiplied again. A size argument given as a
  /// Introspection fields (`__schema`, `__type`, `__typename`) cost 1 with everything
  /// below them: they are served from the in-memory schema and MaxIntrospectionDepth
  /// bounds them. A size argument given as a
  /// variable counts as default_list_size: values are unknown when the plan is cached, so
  /// execution must clamp page sizes to the same bound. Arithmetic saturates.
  /// Default 10,000 (`users { posts { comments { id } } }` costs 1,111).
  uint64_t max_complexity = 10'000;
  /// Items a list field is assumed to return when no size argument says otherwise.
  uint32_t default_list_size = 10;
  /// Largest literal size argument taken at face value (larger counts as this).
  uint32_t max_list_size = 1'000;
};

/// Validates `document` against `schema`; an empty vector means valid.
///
/// A document holding type-system definitions is reported by ExecutableDefinitions (and
/// its directives and type names are still checked, as graphql-js does).
[[nodiscard]] std::vector<GraphQLError> validate(const Schema& schema, const Document& document,
                                                 const ValidationOptions& options = {});

}  // namespace fraiseql::graphql
