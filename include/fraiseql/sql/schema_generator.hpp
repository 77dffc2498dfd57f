#pragma once
/// Building the schema FraiseQL serves from the SDL users write: the user's sources plus
/// the generated filter inputs (`UserWhereInput`, `StringFilter`, ...), order inputs
/// (`UserOrderByInput`, `OrderDirection`), connection types (`PostConnection`, `PostEdge`,
/// `PageInfo`), aggregate types (`UserAggregate`), and the `where`, `orderBy`, `limit`,
/// `offset` (or `first`, `after`, `last`, `before`) arguments of list, joined-list,
/// connection and aggregate fields, so all of it appears in introspection.
///
/// The arguments are spliced into the user's SDL text before it is built, because a type
/// extension cannot add arguments to a field; arguments the user declared are kept.
/// A type the user defines under a generated name replaces the generated one.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::sql {

/// The outcome of build_fraiseql_schema(): the schema and its mapping, or errors.
struct FraiseqlSchema {
  std::shared_ptr<const graphql::Schema> schema;
  std::shared_ptr<const SchemaMapping> mapping;
  /// The SDL that was added (for `fraiseql print-schema` and debugging).
  std::string generated_sdl;
  /// Schema or mapping errors, one per line ("file:line:col: message").
  std::vector<std::string> errors;

  [[nodiscard]] bool ok() const noexcept { return errors.empty() && schema != nullptr; }
};

/// Builds the served schema from user SDL sources (see the file comment).
FraiseqlSchema build_fraiseql_schema(std::span<const graphql::SchemaSource> sources,
                                     const MappingOptions& options = {});

/// Same for one SDL text.
FraiseqlSchema build_fraiseql_schema(std::string sdl, std::string name = "schema.graphql",
                                     const MappingOptions& options = {});

}  // namespace fraiseql::sql
