#include "fraiseql/sql/catalog.hpp"

namespace fraiseql::sql {

std::string_view catalog_columns_query() noexcept {
  return "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
         "pg_catalog.pg_table_is_visible(c.oid) "
         "FROM pg_catalog.pg_class c "
         "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
         "WHERE c.relkind IN ('v', 'r', 'm', 'p', 'f') "
         "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
         "ORDER BY n.nspname, c.relname, a.attnum";
}

std::map<std::string, ViewColumns, std::less<>> view_columns_from(std::span<const CatalogColumn> rows) {
  std::map<std::string, ViewColumns, std::less<>> out;
  for (const CatalogColumn& r : rows) {
    out[r.schema + "." + r.relation].emplace(r.column, r.type);
    if (r.visible) out[r.relation].emplace(r.column, r.type);
  }
  return out;
}

std::vector<std::string> check_mapping(const SchemaMapping& mapping, std::span<const CatalogColumn> rows) {
  const auto relations = view_columns_from(rows);
  std::vector<std::string> errors;
  auto columns_of = [&](const std::string& view) -> const ViewColumns* {
    auto it = relations.find(view);
    return it == relations.end() ? nullptr : &it->second;
  };
  for (const auto& [name, type] : mapping.types()) {
    if (type.view.empty()) continue;
    const ViewColumns* cols = columns_of(type.view);
    if (cols == nullptr) {
      errors.push_back("type " + name + ": @view \"" + type.view +
                       "\" does not exist (or is not on the search path)");
      continue;
    }
    for (const char* required : {"id", "data"}) {
      if (!cols->contains(required)) {
        errors.push_back("type " + name + ": view \"" + type.view + "\" has no column \"" + required + "\"");
      }
    }
    if (auto it = cols->find("data"); it != cols->end() && it->second != "jsonb") {
      errors.push_back("type " + name + ": column \"data\" of view \"" + type.view + "\" is " + it->second +
                       ", not jsonb");
    }
    for (const auto& [field_name, field] : type.fields) {
      if (field.kind != FieldKind::kJoin) continue;
      // To-one: the parent holds the key; to-many: the child does.
      const std::string& holder = field.list ? field.target->view : type.view;
      const ViewColumns* holder_cols = field.list ? columns_of(holder) : cols;
      if (holder_cols != nullptr && !holder_cols->contains(field.join_column)) {
        std::string e = "field ";
        e.append(name).append(".").append(field_name).append(": @join column \"").append(field.join_column);
        e.append("\" does not exist in view \"").append(holder).append("\"");
        errors.push_back(std::move(e));
      }
    }
  }
  return errors;
}

}  // namespace fraiseql::sql
