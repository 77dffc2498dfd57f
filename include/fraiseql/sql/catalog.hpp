#pragma once
/// The database side of the mapping, without I/O: the query that reads the columns of
/// views and tables, what its rows mean for MappingOptions::view_columns, and the
/// start-up check of a mapping against them (every @view exists with `id` and `data`,
/// every @join column exists). The caller runs the query (db module) and passes the rows.

#include <map>
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

}  // namespace fraiseql::sql
