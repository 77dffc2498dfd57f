// The mapping read from the directives: keys, joins, root kinds, columns.

#include <algorithm>

#include <gtest/gtest.h>

#include "fraiseql/sql/catalog.hpp"

#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

TEST(SqlMapping, SnakeCase) {
  EXPECT_EQ(to_snake_case("createdAt"), "created_at");
  EXPECT_EQ(to_snake_case("id"), "id");
  EXPECT_EQ(to_snake_case("isActive"), "is_active");
  EXPECT_EQ(to_snake_case("userID"), "user_id");
  EXPECT_EQ(to_snake_case("HTTPServer"), "http_server");
  EXPECT_EQ(to_snake_case("address2Line"), "address2_line");
  EXPECT_EQ(to_snake_case("already_snake"), "already_snake");
}

TEST(SqlMapping, FieldsKeysJoinsAndRoots) {
  auto s = testing::blog_schema();
  ASSERT_TRUE(s.ok());
  const SchemaMapping& m = *s.mapping;
  const TypeMapping* user = m.type("User");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->view, "v_user");
  EXPECT_EQ(user->field("createdAt")->json_key, "created_at");
  EXPECT_EQ(user->field("posts")->kind, FieldKind::kEmbedded);
  EXPECT_TRUE(user->field("posts")->list);
  EXPECT_EQ(user->field("posts")->target, m.type("Post"));
  EXPECT_EQ(user->field("comments")->kind, FieldKind::kJoin);
  EXPECT_EQ(user->field("comments")->join_column, "author_id");
  EXPECT_EQ(m.type("Post")->field("author")->kind, FieldKind::kJoin);
  EXPECT_FALSE(m.type("Post")->field("author")->list);
  EXPECT_EQ(m.type("PostMetadata")->view, "");
  EXPECT_EQ(m.root("users")->kind, RootKind::kList);
  EXPECT_EQ(m.root("user")->kind, RootKind::kSingle);
  EXPECT_EQ(m.root("posts")->kind, RootKind::kConnection);
  EXPECT_EQ(m.root("posts")->type, m.type("Post"));
  EXPECT_EQ(m.root("usersAggregate")->kind, RootKind::kAggregate);
  EXPECT_EQ(m.root("usersAggregate")->type, user);
}

TEST(SqlMapping, ColumnsOnlyForLeavesOfViews) {
  auto with = testing::blog_schema();
  auto without = testing::blog_schema(MappingOptions{});
  const TypeMapping* u = with.mapping->type("User");
  ASSERT_NE(u->column_of(*u->field("name")), nullptr);
  EXPECT_EQ(u->column_of(*u->field("posts")), nullptr);
  const TypeMapping* bare = without.mapping->type("User");
  EXPECT_EQ(bare->column_of(*bare->field("name")), nullptr);
  ASSERT_NE(bare->column_of(*bare->field("id")), nullptr) << "every view has id";
  EXPECT_EQ(
      with.mapping->type("PostMetadata")->column_of(*with.mapping->type("PostMetadata")->field("language")),
      nullptr);
}

TEST(SqlMapping, KeysAsWrittenWhenSnakeCaseIsOff) {
  MappingOptions o;
  o.snake_case_keys = false;
  auto s = testing::blog_schema(o);
  EXPECT_EQ(s.mapping->type("User")->field("createdAt")->json_key, "createdAt");
  auto r = testing::compile_text(*s.mapping, "{ users { createdAt } }");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.query->sql.find("'createdAt'"), std::string::npos);
  EXPECT_NE(r.query->sql.find("->'createdAt'"), std::string::npos) << r.query->sql;
}

std::vector<CatalogColumn> blog_catalog() {
  std::vector<CatalogColumn> rows;
  for (const char* view : {"v_user", "v_post", "v_comment"}) {
    rows.push_back({"public", view, "id", "uuid", true});
    rows.push_back({"public", view, "data", "jsonb", true});
  }
  rows.push_back({"public", "v_post", "author_id", "uuid", true});
  rows.push_back({"public", "v_comment", "author_id", "uuid", true});
  rows.push_back({"public", "v_comment", "post_id", "uuid", true});
  return rows;
}

TEST(SqlCatalog, ColumnsByBareAndQualifiedName) {
  std::vector<CatalogColumn> rows{{"public", "v_a", "id", "uuid", true},
                                  {"app", "v_b", "id", "bigint", false}};
  auto cols = view_columns_from(rows);
  EXPECT_EQ(cols.at("v_a").at("id"), "uuid");
  EXPECT_EQ(cols.at("public.v_a").at("id"), "uuid");
  EXPECT_EQ(cols.at("app.v_b").at("id"), "bigint");
  EXPECT_FALSE(cols.contains("v_b")) << "not on the search path";
  EXPECT_NE(catalog_columns_query().find("pg_attribute"), std::string_view::npos);
}

TEST(SqlCatalog, CheckNamesTypeFieldAndObject) {
  auto s = testing::blog_schema();
  auto rows = blog_catalog();
  EXPECT_TRUE(check_mapping(*s.mapping, rows).empty());

  std::vector<CatalogColumn> broken;
  for (const auto& r : rows) {
    if (r.relation == "v_comment" && r.column == "post_id") continue;  // Post.comments, Comment.post
    if (r.relation == "v_user") continue;                              // User
    broken.push_back(r);
  }
  broken.push_back({"public", "v_user", "id", "uuid", true});
  broken.push_back({"public", "v_user", "data", "json", true});
  auto errors = check_mapping(*s.mapping, broken);
  auto has = [&](const std::string& needle) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const auto& e) { return e.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("type User: column \"data\" of view \"v_user\" is json"))
      << ::testing::PrintToString(errors);
  EXPECT_TRUE(has("field Post.comments: @join column \"post_id\" does not exist in view \"v_comment\""));
  EXPECT_TRUE(has("field Comment.post: @join column \"post_id\" does not exist in view \"v_comment\""));

  auto missing = check_mapping(*s.mapping, std::vector<CatalogColumn>{});
  EXPECT_EQ(missing.size(), 3U) << ::testing::PrintToString(missing);
}

}  // namespace
}  // namespace fraiseql::sql
