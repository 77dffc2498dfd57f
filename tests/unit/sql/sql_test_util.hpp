#pragma once
// Helpers shared by the sql unit and integration tests: the blog example's schema with
// its known view columns, and parse + validate + coerce + compile in one call.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/validation.hpp"
#include "fraiseql/sql/compiler.hpp"
#include "fraiseql/sql/schema_generator.hpp"

#include "test_env.hpp"

namespace fraiseql::sql::testing {

/// The real columns of the example's views (examples/blog/schema.sql), as the daemon
/// would read them from the catalog.
inline MappingOptions blog_mapping_options() {
  MappingOptions o;
  o.view_columns["v_user"] = {
      {"id", "uuid"},     {"name", "text"},         {"email", "text"},     {"bio", "text"},
      {"age", "integer"}, {"is_active", "boolean"}, {"settings", "jsonb"}, {"created_at", "timestamptz"}};
  o.view_columns["v_post"] = {{"id", "uuid"},
                              {"author_id", "uuid"},
                              {"title", "text"},
                              {"published", "boolean"},
                              {"views", "integer"},
                              {"rating", "double precision"},
                              {"created_at", "timestamptz"}};
  o.view_columns["v_comment"] = {
      {"id", "uuid"}, {"post_id", "uuid"}, {"author_id", "uuid"}, {"created_at", "timestamptz"}};
  return o;
}

/// examples/blog/schema.graphql built with the generated inputs; fails the test on errors.
inline FraiseqlSchema blog_schema(const MappingOptions& options = blog_mapping_options()) {
  FraiseqlSchema s = build_fraiseql_schema(
      fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.graphql")),
      "schema.graphql", options);
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  return s;
}

/// Parses, validates (a validation error fails the test), coerces the variables and compiles.
inline CompileResult compile_text(const SchemaMapping& mapping, const std::string& query,
                                  const nlohmann::json& variables = nlohmann::json::object(),
                                  const CompileOptions& options = {}, const std::string& operation = {},
                                  const graphql::ValidationOptions& validation = {}) {
  auto parsed = graphql::parse_document(query);
  if (!parsed.ok()) {
    ADD_FAILURE() << "parse: " << parsed.error().message;
    return {};
  }
  const graphql::Document& doc = parsed.document();
  for (const auto& e : graphql::validate(mapping.schema(), doc, validation))
    ADD_FAILURE() << "validation: " << e.message;
  const graphql::OperationDefinition* op = nullptr;
  for (const auto* d : doc.definitions()) {
    if (const auto* o = graphql::as<graphql::OperationDefinition>(d)) {
      if (operation.empty() || o->name.value == operation) op = o;
    }
  }
  nlohmann::json coerced = nlohmann::json::object();
  if (op != nullptr) {
    auto cv = graphql::coerce_variable_values(mapping.schema(), *op, variables);
    for (const auto& e : cv.errors) ADD_FAILURE() << "variables: " << e.message;
    coerced = cv.values;
  }
  return compile(mapping, doc, operation, coerced, options);
}

}  // namespace fraiseql::sql::testing
