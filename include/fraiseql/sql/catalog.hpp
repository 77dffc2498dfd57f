#pragma once
/// The database side of the mapping, without I/O: the queries that read the columns of
/// views and tables and the functions, what their rows mean for
/// MappingOptions::view_columns, and the start-up checks of a mapping against them (every
/// @view exists with `id` and `data`, every @join column exists, every @function takes
/// one jsonb and returns mutation_response). The caller runs the queries (db module) and
/// passes the rows.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fraiseql/sql/mapping.hpp"

namespace fraiseql::sql {

/// One row of catalog_columns_query().
struct CatalogColumn {
  std::string schema;    ///< namespace, e.g. "public"
  std::string relation;  ///< view or table name
  std::string column;
  std::string type;     ///< format_type(), e.g. "uuid", "timestamp with time zone"
  bool visible = true;  ///< the relation is found by its bare name on the search path
};

/// SQL returning the columns of every user relation (views, tables, materialized views),
/// as rows (schema, relation, column, type, visible) in that order.
std::string_view catalog_columns_query() noexcept;

/// Columns per relation name, for MappingOptions::view_columns: each relation under
/// `schema.relation`, and under its bare name when visible on the search path.
std::map<std::string, ViewColumns, std::less<>> view_columns_from(std::span<const CatalogColumn> rows);

/// Every mismatch between the mapping and the catalog, one message each, naming the
/// GraphQL type (and field) and the database object; empty when they agree.
std::vector<std::string> check_mapping(const SchemaMapping& mapping, std::span<const CatalogColumn> rows);

/// One row of catalog_functions_query(): a function that a @function may name.
struct CatalogFunction {
  std::string schema;
  std::string name;
  std::vector<std::string> arguments;  ///< input argument types, format_type()
  int defaults = 0;                    ///< how many trailing arguments have defaults
  std::string result;                  ///< return type, format_type()
  bool returns_set = false;
  bool visible = true;                      ///< found by its bare name on the search path
  std::vector<std::string> result_columns;  ///< columns of a composite return type
};

/// SQL returning every user function as rows (schema, name, argument types as a JSON
/// array, number of defaults, return type, returns set, visible, columns of the return
/// type as a JSON array).
std::string_view catalog_functions_query() noexcept;

/// A row of catalog_functions_query() (text cells, null as nullopt); nullopt when malformed.
std::optional<CatalogFunction> catalog_function_from(std::span<const std::optional<std::string>> row);

/// Every problem of the Mutation fields that have @function: the shape of each
/// (mutation_field()) and its function, which must exist, take one jsonb (others
/// defaulted), and return one row of a composite type with mutation_response's columns.
/// Messages name the field and the function.
std::vector<std::string> check_mutations(const SchemaMapping& mapping,
                                         std::span<const CatalogFunction> functions);

}  // namespace fraiseql::sql
