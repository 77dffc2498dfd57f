#include "fraiseql/sql/catalog.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "fraiseql/sql/mutation.hpp"

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

std::string_view catalog_functions_query() noexcept {
  return "SELECT n.nspname, p.proname, "
         "coalesce((SELECT json_agg(pg_catalog.format_type(a.t, NULL) ORDER BY a.o) "
         "FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o)), '[]')::text, "
         "p.pronargdefaults, pg_catalog.format_type(p.prorettype, NULL), p.proretset, "
         "pg_catalog.pg_function_is_visible(p.oid), "
         "coalesce((SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_catalog.pg_type ty "
         "JOIN pg_catalog.pg_attribute a ON a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped "
         "WHERE ty.oid = p.prorettype), '[]')::text "
         "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
         "WHERE p.prokind = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
         "ORDER BY 1, 2";
}

std::optional<CatalogFunction> catalog_function_from(std::span<const std::optional<std::string>> row) {
  if (row.size() < 8) return std::nullopt;
  for (const auto& cell : row) {
    if (!cell) return std::nullopt;
  }
  CatalogFunction f;
  f.schema = *row[0];
  f.name = *row[1];
  auto strings = [](const std::string& text, std::vector<std::string>& out) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array()) return false;
    for (const auto& v : j) {
      if (!v.is_string()) return false;
      out.push_back(v.get<std::string>());
    }
    return true;
  };
  if (!strings(*row[2], f.arguments) || !strings(*row[7], f.result_columns)) return std::nullopt;
  try {
    f.defaults = std::stoi(*row[3]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  f.result = *row[4];
  f.returns_set = *row[5] == "t";
  f.visible = *row[6] == "t";
  return f;
}

std::vector<std::string> check_mutations(const SchemaMapping& mapping,
                                         std::span<const CatalogFunction> functions) {
  std::vector<std::string> errors;
  const graphql::TypeDef* root = mapping.schema().mutation_type();
  if (root == nullptr) return errors;
  for (const graphql::FieldDef& def : root->fields) {
    // A field without @function is refused when asked for (INTERNAL_SERVER_ERROR), not
    // here: a schema may declare mutations it does not serve yet.
    if (graphql::find_directive(def.directives, "function") == nullptr) continue;
    auto field = mutation_field(def);
    if (!field) {
      errors.push_back(field.error().message);
      continue;
    }
    const std::string where =
        "Mutation field " + std::string(def.name) + ": @function \"" + field->function + "\"";
    // A bare name is looked up on the search path, a qualified one in its schema.
    const auto dot = field->function.rfind('.');
    const std::string schema = dot == std::string::npos ? std::string() : field->function.substr(0, dot);
    const std::string name = dot == std::string::npos ? field->function : field->function.substr(dot + 1);
    std::vector<const CatalogFunction*> candidates;
    for (const CatalogFunction& f : functions) {
      if (f.name == name && (schema.empty() ? f.visible : f.schema == schema)) candidates.push_back(&f);
    }
    if (candidates.empty()) {
      errors.push_back(where + " does not exist (or is not on the search path)");
      continue;
    }
    auto takes_jsonb = [](const CatalogFunction* f) {
      return !f->arguments.empty() && f->arguments.front() == "jsonb" &&
             static_cast<int>(f->arguments.size()) - f->defaults <= 1;
    };
    auto it = std::find_if(candidates.begin(), candidates.end(), takes_jsonb);
    if (it == candidates.end()) {
      std::string e = where + " must take one argument of type jsonb; it takes (";
      const CatalogFunction& f = *candidates.front();
      for (std::size_t i = 0; i < f.arguments.size(); ++i) e += (i > 0 ? ", " : "") + f.arguments[i];
      errors.push_back(e + ")");
      continue;
    }
    const CatalogFunction& f = **it;
    if (f.returns_set) {
      errors.push_back(where + " returns a set (SETOF " + f.result +
                       "); it must return one mutation_response");
      continue;
    }
    std::vector<std::string> missing;
    for (std::string_view column : kMutationResponseColumns) {
      if (std::find(f.result_columns.begin(), f.result_columns.end(), column) == f.result_columns.end()) {
        missing.emplace_back(column);
      }
    }
    if (f.result_columns.empty()) {
      errors.push_back(where + " returns " + f.result +
                       ", not mutation_response (sql/mutation_response.sql)");
    } else if (!missing.empty()) {
      std::string e = where + " returns " + f.result + ", which lacks the mutation_response column(s)";
      for (const auto& m : missing) e += " " + m;
      errors.push_back(e);
    }
  }
  return errors;
}

}  // namespace fraiseql::sql
