#include "fraiseql/graphql/schema.hpp"

#include <gtest/gtest.h>

#include "fraiseql/graphql/schema_builder.hpp"

#include "schema_test_util.hpp"
#include "test_env.hpp"

namespace fraiseql::graphql {
namespace {

using testing::corpus_path;
using testing::read_file;

TEST(SchemaBuild, BlogSchemaOfTheDesign) {
  auto r = build_schema(std::string(kBlogSdl), "blog.graphql");
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Schema& s = *r.schema();
  ASSERT_NE(s.query_type(), nullptr);
  EXPECT_EQ(s.query_type()->name, "Query");
  ASSERT_NE(s.mutation_type(), nullptr);
  ASSERT_NE(s.subscription_type(), nullptr);

  const TypeDef* user = s.type("User");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->kind, TypeKind::kObject);
  const Directive* view = user->directive("view");
  ASSERT_NE(view, nullptr);
  const auto* view_name = as<StringValue>(find_argument(*view, "name"));
  ASSERT_NE(view_name, nullptr);
  EXPECT_EQ(view_name->value, "v_user");
  ASSERT_NE(user->field("createdAt"), nullptr);
  EXPECT_EQ(user->field("createdAt")->type.to_string(), "DateTime!");
  EXPECT_EQ(user->field("posts")->type.to_string(), "[Post!]!");

  const TypeDef* post = s.type("Post");
  const FieldDef* author = post->field("author");
  ASSERT_NE(author, nullptr);
  ASSERT_NE(find_directive(author->directives, "join"), nullptr);
  EXPECT_EQ(author->parent, post);

  const FieldDef* user_field = s.query_type()->field("user");
  ASSERT_NE(user_field, nullptr);
  ASSERT_NE(user_field->argument("id"), nullptr);
  EXPECT_TRUE(user_field->argument("id")->is_required());

  const TypeDef* result = s.type("CreatePostResult");
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->kind, TypeKind::kUnion);
  ASSERT_EQ(result->possible_types.size(), 2U);
  EXPECT_TRUE(result->is_possible_type(*s.type("CreatePostSuccess")));
  EXPECT_FALSE(result->is_possible_type(*user));
  ASSERT_NE(s.type("CreatePostSuccess")->directive("success"), nullptr);

  // Built-ins and the FraiseQL prelude.
  for (const char* name : {"Int", "Float", "String", "Boolean", "ID"}) {
    ASSERT_NE(s.type(name), nullptr) << name;
    EXPECT_TRUE(s.type(name)->is_builtin);
  }
  for (const char* name : {"__Schema", "__Type", "__Field", "__InputValue", "__EnumValue", "__Directive",
                           "__TypeKind", "__DirectiveLocation"}) {
    ASSERT_NE(s.type(name), nullptr) << name;
    EXPECT_TRUE(s.type(name)->is_builtin);
  }
  EXPECT_EQ(s.type("__MetaFields"), nullptr);
  for (const char* name : {"DateTime", "Date", "UUID", "JSON", "BigInt", "Decimal"}) {
    ASSERT_NE(s.type(name), nullptr) << name;
    EXPECT_FALSE(s.type(name)->is_builtin);
  }
  EXPECT_EQ(s.type("DateTime")->specified_by_url, "https://scalars.graphql.org/andimarek/date-time");
  EXPECT_FALSE(s.type("BigInt")->specified_by_url.has_value());
  for (const char* name : {"include", "skip", "deprecated", "specifiedBy", "oneOf"}) {
    ASSERT_NE(s.directive(name), nullptr) << name;
    EXPECT_TRUE(s.directive(name)->is_builtin);
  }
  for (const char* name :
       {"view", "join", "connection", "function", "notify", "cached", "auth", "success", "error"}) {
    ASSERT_NE(s.directive(name), nullptr) << name;
    EXPECT_FALSE(s.directive(name)->is_builtin);
  }
  EXPECT_TRUE(s.directive("skip")->has_location(DirectiveLocation::kField));
  EXPECT_FALSE(s.directive("skip")->has_location(DirectiveLocation::kQuery));

  // Meta-fields.
  EXPECT_EQ(s.field(*s.query_type(), "__schema"), &s.schema_field());
  EXPECT_EQ(s.field(*s.query_type(), "__type"), &s.type_field());
  EXPECT_EQ(s.field(*user, "__typename"), &s.typename_field());
  EXPECT_EQ(s.field(*user, "__schema"), nullptr);
  EXPECT_EQ(s.type_field().type.to_string(), "__Type");
  EXPECT_EQ(s.type_field().arguments.at(0).type.to_string(), "String!");
}

TEST(SchemaBuild, WithoutPreludeCustomScalarsAreUnknown) {
  SchemaBuildOptions o;
  o.fraiseql_prelude = false;
  auto r = build_schema("type Query { at: DateTime }", "s.graphql", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_text(), "s.graphql:1:18: Unknown type \"DateTime\".\n");
  EXPECT_TRUE(build_schema("type Query { at: DateTime }").ok());
}

TEST(SchemaBuild, UserDefinitionReplacesPreludeScalar) {
  auto r = build_schema("\"mine\" scalar DateTime\ntype Query { at: DateTime }");
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.schema()->type("DateTime")->description, "mine");
  EXPECT_FALSE(r.schema()->type("DateTime")->specified_by_url.has_value());
}

TEST(SchemaBuild, DescriptionsDefaultsDeprecationOneOf) {
  auto r = build_schema(R"(
"""The root"""
type Query {
  "Look one up"
  thing(
    "which"
    id: ID!
    old: Int = 3 @deprecated(reason: "use id")
  ): Thing
  legacy: String @deprecated
}
type Thing { id: ID! color: Color }
enum Color { RED GREEN @deprecated(reason: "gone") }
input Pick @oneOf { a: Int b: String }
scalar Url @specifiedBy(url: "https://example.com/url")
)");
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Schema& s = *r.schema();
  EXPECT_EQ(s.query_type()->description, "The root");
  const FieldDef* thing = s.query_type()->field("thing");
  EXPECT_EQ(thing->description, "Look one up");
  EXPECT_EQ(thing->argument("id")->description, "which");
  EXPECT_EQ(thing->argument("old")->deprecation_reason, "use id");
  EXPECT_EQ(print_default_value(*thing->argument("old")), "3");
  EXPECT_EQ(s.query_type()->field("legacy")->deprecation_reason, "No longer supported");
  EXPECT_EQ(s.type("Color")->enum_value("GREEN")->deprecation_reason, "gone");
  EXPECT_FALSE(s.type("Color")->enum_value("RED")->is_deprecated());
  EXPECT_TRUE(s.type("Pick")->is_one_of);
  EXPECT_EQ(s.type("Url")->specified_by_url, "https://example.com/url");
}

TEST(SchemaBuild, InterfacesImplementingInterfaces) {
  auto r = build_schema(R"(
interface Node { id: ID! }
interface Resource implements Node { id: ID! url: String }
type Image implements Resource & Node { id: ID! url: String width: Int }
type Query { node(id: ID!): Node }
)");
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Schema& s = *r.schema();
  const TypeDef* node = s.type("Node");
  const TypeDef* resource = s.type("Resource");
  const TypeDef* image = s.type("Image");
  ASSERT_EQ(node->possible_types.size(), 1U);
  EXPECT_EQ(node->possible_types[0], image);
  EXPECT_TRUE(resource->implements(*node));
  EXPECT_TRUE(is_sub_type(*node, *resource));
  EXPECT_TRUE(is_sub_type(*node, *image));
  EXPECT_TRUE(do_types_overlap(*node, *resource));
}

TEST(SchemaBuild, ExtensionsAcrossFiles) {
  const std::vector<SchemaSource> sources = {
      {"a.graphql", "type Query { a: Int }\ntype User { id: ID! }\nenum Role { ADMIN }"},
      {"b.graphql",
       "extend type Query { users: [User!]! }\nextend type User @auth(roles: [\"admin\"]) { name: String }\n"
       "extend enum Role { EDITOR }\ninterface Named { name: String }\nextend type User implements Named"},
      {"c.graphql",
       "extend schema @cachedSchema { mutation: Mutation }\ntype Mutation { noop: Boolean }\n"
       "directive @cachedSchema on SCHEMA"},
  };
  auto r = build_schema(sources);
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Schema& s = *r.schema();
  const TypeDef* user = s.type("User");
  ASSERT_EQ(user->fields.size(), 2U);
  EXPECT_EQ(user->fields[1].name, "name");
  EXPECT_EQ(user->extension_asts.size(), 2U);
  ASSERT_NE(user->directive("auth"), nullptr);
  EXPECT_TRUE(user->implements(*s.type("Named")));
  EXPECT_EQ(s.type("Role")->enum_values.size(), 2U);
  ASSERT_NE(s.query_type()->field("users"), nullptr);
  ASSERT_NE(s.mutation_type(), nullptr);
  EXPECT_EQ(s.mutation_type()->name, "Mutation");
  ASSERT_EQ(s.applied_directives().size(), 1U);
  ASSERT_EQ(s.source_names().size(), 4U);
  EXPECT_EQ(s.source_names()[2], "b.graphql");
}

TEST(SchemaBuild, TypesListBuiltinsFirstThenDefinitionOrder) {
  auto r = build_schema("type Query { b: B }\ntype B { a: A }\ntype A { x: Int }");
  ASSERT_TRUE(r.ok()) << r.error_text();
  std::vector<std::string_view> user;
  bool seen_user = false;
  for (const TypeDef* t : r.schema()->types()) {
    if (t->is_builtin) {
      EXPECT_FALSE(seen_user) << t->name;
    } else if (t->ast != nullptr && t->kind != TypeKind::kScalar) {  // the prelude's scalars come first too
      seen_user = true;
      user.push_back(t->name);
    }
  }
  EXPECT_EQ(user, (std::vector<std::string_view>{"Query", "B", "A"}));
}

TEST(SchemaBuild, GithubSchemaBuildsAndPrintRoundTrips) {
  const std::string sdl = read_file(corpus_path("graphql/graphql-js/github-schema.graphql"));
  auto r = build_schema(sdl, "github-schema.graphql");
  ASSERT_TRUE(r.ok()) << r.error_text().substr(0, 4000);
  const Schema& s = *r.schema();
  EXPECT_GT(s.types().size(), 500U);
  ASSERT_NE(s.query_type(), nullptr);
  ASSERT_NE(s.mutation_type(), nullptr);
  const TypeDef* node = s.type("Node");
  ASSERT_NE(node, nullptr);
  EXPECT_GT(node->possible_types.size(), 50U);

  const std::string printed = print_schema(s);
  auto again = build_schema(printed, "printed.graphql");
  ASSERT_TRUE(again.ok()) << again.error_text().substr(0, 4000);
  const std::string printed2 = print_schema(*again.schema());
  EXPECT_EQ(printed, printed2);
  EXPECT_EQ(again.schema()->types().size(), s.types().size());
}

TEST(SchemaBuild, BlogPrintRoundTrips) {
  auto r = build_schema(std::string(kBlogSdl));
  ASSERT_TRUE(r.ok()) << r.error_text();
  const std::string printed = print_schema(*r.schema());
  auto again = build_schema(printed);
  ASSERT_TRUE(again.ok()) << again.error_text() << printed;
  EXPECT_EQ(print_schema(*again.schema()), printed);
  // FraiseQL directives and scalars are printed, spec ones are not.
  EXPECT_NE(printed.find("directive @view(\n"), std::string::npos);
  EXPECT_NE(
      printed.find("scalar DateTime @specifiedBy(url: \"https://scalars.graphql.org/andimarek/date-time\")"),
      std::string::npos);
  EXPECT_EQ(printed.find("directive @skip"), std::string::npos);
  EXPECT_EQ(printed.find("scalar String"), std::string::npos);
  EXPECT_EQ(printed.find("__Schema"), std::string::npos);
}

TEST(PrintSchema, GraphqlJsLayout) {
  SchemaBuildOptions o;
  o.fraiseql_prelude = false;
  auto r = build_schema(R"(
schema { query: Root }
"Dir" directive @tag(name: String!, n: [Int] = 1) repeatable on FIELD_DEFINITION | OBJECT
type Root implements I @tag(name: "x") {
  "field desc"
  f(
    "arg desc"
    a: Int = 1
    b: In = {y: 2}
  ): String @deprecated(reason: "old")
  g: [Int!]! @deprecated
}
interface I { g: [Int!]! }
"""
multi
line
"""
enum E { A "b" B @deprecated }
input In @oneOf { x: Float y: Int }
input Defaults { list: [Float] = 2, e: E = A, id: ID = "12", s: String = "q\"", o: Nested = {} }
input Nested { a: Int = 7, b: Int }
union U = Root
scalar S @specifiedBy(url: "u")
)",
                        "s.graphql", o);
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(print_schema(*r.schema()), R"(schema {
  query: Root
}

"""Dir"""
directive @tag(name: String!, n: [Int] = [1]) repeatable on FIELD_DEFINITION | OBJECT

type Root implements I {
  """field desc"""
  f(
    """arg desc"""
    a: Int = 1
    b: In = {y: 2}
  ): String @deprecated(reason: "old")
  g: [Int!]! @deprecated
}

interface I {
  g: [Int!]!
}

"""
multi
line
"""
enum E {
  A

  """b"""
  B @deprecated
}

input In @oneOf {
  x: Float
  y: Int
}

input Defaults {
  list: [Float] = [2]
  e: E = A
  id: ID = 12
  s: String = "q\""
  o: Nested = {a: 7}
}

input Nested {
  a: Int = 7
  b: Int
}

union U = Root

scalar S @specifiedBy(url: "u"))");
}

}  // namespace
}  // namespace fraiseql::graphql
