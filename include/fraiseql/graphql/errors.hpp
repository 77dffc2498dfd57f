#pragma once
/// GraphQL errors as data: the response format of spec §7.1.2 (`message`, `locations`,
/// `path`, `extensions.code`).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fraiseql/graphql/ast.hpp"

namespace fraiseql::graphql {

/// extensions.code values.
namespace code {
inline constexpr std::string_view kParseFailed = "GRAPHQL_PARSE_FAILED";
inline constexpr std::string_view kValidationFailed = "GRAPHQL_VALIDATION_FAILED";
inline constexpr std::string_view kBadUserInput = "BAD_USER_INPUT";
inline constexpr std::string_view kOperationResolutionFailure = "OPERATION_RESOLUTION_FAILURE";
inline constexpr std::string_view kQueryTooComplex = "QUERY_TOO_COMPLEX";
inline constexpr std::string_view kInternalServerError = "INTERNAL_SERVER_ERROR";
}  // namespace code

/// One segment of a response path: a field name (or alias) or a list index.
using PathSegment = std::variant<std::string, uint32_t>;

struct GraphQLError {
  std::string message;
  std::vector<Location> locations;  ///< line/column are 1-based; empty when not tied to the document
  std::vector<PathSegment> path;
  std::string code;  ///< extensions.code
  /// The validation rule that reported it (graphql-js rule name without "Rule", e.g.
  /// "KnownTypeNames"); empty for other errors. Written as extensions.rule.
  std::string rule;

  /// Appends this error as one JSON object.
  void append_json(std::string& out) const;
  [[nodiscard]] std::string to_json() const;
};

/// Appends `[e1,e2,...]`.
void append_errors_json(std::string& out, const std::vector<GraphQLError>& errors);

/// `{"errors":[...]}`: the whole response body of a request that failed before execution.
[[nodiscard]] std::string errors_response_json(const std::vector<GraphQLError>& errors);

}  // namespace fraiseql::graphql
