// The generated inputs and arguments: present in the schema and in introspection,
// user declarations kept, errors named.

#include <algorithm>

#include <gtest/gtest.h>

#include "fraiseql/graphql/introspection.hpp"

#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using graphql::Schema;
using testing::blog_schema;

std::vector<std::string> arg_list(const Schema& s, std::string_view type, std::string_view field) {
  std::vector<std::string> out;
  const auto* f = s.type(type)->field(field);
  for (const auto& a : f->arguments) out.push_back(std::string(a.name) + ": " + a.type.to_string());
  return out;
}

std::vector<std::string> input_fields(const Schema& s, std::string_view type) {
  std::vector<std::string> out;
  const auto* t = s.type(type);
  if (t == nullptr) return out;
  for (const auto& f : t->input_fields) out.emplace_back(f.name);
  return out;
}

using Strings = std::vector<std::string>;

TEST(SqlSchemaGenerator, ListRootFieldsGetWhereOrderByLimitOffset) {
  auto s = blog_schema();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(arg_list(*s.schema, "Query", "users"),
            (Strings{"where: UserWhereInput", "orderBy: [UserOrderByInput!]", "limit: Int", "offset: Int"}));
  EXPECT_EQ(arg_list(*s.schema, "Query", "posts"),
            (Strings{"where: PostWhereInput", "orderBy: [PostOrderByInput!]", "first: Int", "after: String",
                     "last: Int", "before: String"}));
  EXPECT_EQ(arg_list(*s.schema, "Query", "usersAggregate"), (Strings{"where: UserWhereInput"}));
  // A lookup keeps exactly what the user declared.
  EXPECT_EQ(arg_list(*s.schema, "Query", "user"), (Strings{"id: ID!"}));
}

TEST(SqlSchemaGenerator, JoinedListsGetArgumentsEmbeddedAndToOneDoNot) {
  auto s = blog_schema();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(
      arg_list(*s.schema, "User", "comments"),
      (Strings{"where: CommentWhereInput", "orderBy: [CommentOrderByInput!]", "limit: Int", "offset: Int"}));
  EXPECT_TRUE(arg_list(*s.schema, "User", "posts").empty());
  EXPECT_TRUE(arg_list(*s.schema, "Post", "author").empty());
}

TEST(SqlSchemaGenerator, FilterInputsHaveEveryOperatorOfTheDesign) {
  auto s = blog_schema();
  ASSERT_TRUE(s.ok());
  const Schema& sc = *s.schema;
  EXPECT_EQ(input_fields(sc, "StringFilter"),
            (Strings{"eq", "neq", "in", "nin", "contains", "icontains", "startsWith", "endsWith", "like",
                     "ilike", "matches", "search", "searchPlain", "searchPhrase", "isNull"}));
  const Strings ordered{"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isNull"};
  EXPECT_EQ(input_fields(sc, "IntFilter"), ordered);
  EXPECT_EQ(input_fields(sc, "FloatFilter"), ordered);
  EXPECT_EQ(input_fields(sc, "DateTimeFilter"), ordered);
  EXPECT_EQ(input_fields(sc, "BooleanFilter"), (Strings{"eq", "neq", "isNull"}));
  EXPECT_EQ(input_fields(sc, "IDFilter"), (Strings{"eq", "neq", "in", "nin", "isNull"}));
  EXPECT_EQ(input_fields(sc, "JSONFilter"), (Strings{"eq", "hasKey", "contains", "containedBy", "isNull"}));
  EXPECT_EQ(input_fields(sc, "StringListFilter"),
            (Strings{"contains", "containedBy", "overlaps", "isEmpty", "isNull"}));
  EXPECT_EQ(sc.type("PostWhereInput")->input_field("tags")->type.to_string(), "StringListFilter");
  EXPECT_EQ(sc.type("IntFilter")->input_field("in")->type.to_string(), "[Int!]");
  EXPECT_EQ(sc.type("DateTimeFilter")->input_field("gt")->type.to_string(), "DateTime");
  // Where inputs: AND/OR/NOT, then one filter per field, nested objects included.
  EXPECT_EQ(input_fields(sc, "UserWhereInput"),
            (Strings{"AND", "OR", "NOT", "id", "name", "email", "bio", "age", "isActive", "settings",
                     "createdAt", "posts", "comments"}));
  EXPECT_EQ(sc.type("UserWhereInput")->input_field("posts")->type.to_string(), "PostWhereInput");
  EXPECT_EQ(sc.type("PostWhereInput")->input_field("metadata")->type.to_string(), "PostMetadataWhereInput");
  EXPECT_EQ(sc.type("UserWhereInput")->input_field("OR")->type.to_string(), "[UserWhereInput!]");
}

TEST(SqlSchemaGenerator, NetworkLtreeRangeFiltersForTheirScalars) {
  auto s = build_fraiseql_schema(R"(
    type Host @view(name: "v_host") {
      id: ID! ip: IpAddress net: CIDR path: LTree ports: IntRange big: BigIntRange
      money: DecimalRange days: DateRange period: DateTimeRange addresses: [IpAddress!]
    }
    type Query { hosts: [Host!]! })");
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(s.ok());
  const Schema& sc = *s.schema;
  const Strings network{"eq",     "neq",    "in",        "nin",        "inSubnet", "containsOrEquals",
                        "isIPv4", "isIPv6", "isPrivate", "isLoopback", "isNull"};
  EXPECT_EQ(input_fields(sc, "IpAddressFilter"), network);
  EXPECT_EQ(input_fields(sc, "CIDRFilter"), network);
  EXPECT_EQ(sc.type("IpAddressFilter")->input_field("inSubnet")->type.to_string(), "CIDR");
  EXPECT_EQ(input_fields(sc, "LTreeFilter"),
            (Strings{"eq", "neq", "in", "nin", "ancestorOf", "descendantOf", "matchesLquery",
                     "matchesLtxtquery", "depth", "isNull"}));
  const Strings range{
      "eq",       "neq",          "contains",      "containsValue",  "containedBy",     "overlaps",
      "adjacent", "strictlyLeft", "strictlyRight", "notExtendsLeft", "notExtendsRight", "isEmpty",
      "isNull"};
  for (const char* r : {"IntRangeFilter", "BigIntRangeFilter", "DecimalRangeFilter", "DateRangeFilter",
                        "DateTimeRangeFilter"}) {
    EXPECT_EQ(input_fields(sc, r), range) << r;
  }
  EXPECT_EQ(sc.type("IntRangeFilter")->input_field("containsValue")->type.to_string(), "Int");
  EXPECT_EQ(sc.type("DateTimeRangeFilter")->input_field("containsValue")->type.to_string(), "DateTime");
  EXPECT_EQ(sc.type("HostWhereInput")->input_field("addresses")->type.to_string(), "IpAddressListFilter");
  EXPECT_NE(sc.type("HostOrderByInput")->input_field("ip"), nullptr);
}

TEST(SqlSchemaGenerator, OrderInputsConnectionAndAggregateTypes) {
  auto s = blog_schema();
  ASSERT_TRUE(s.ok());
  const Schema& sc = *s.schema;
  Strings directions;
  for (const auto& v : sc.type("OrderDirection")->enum_values) directions.emplace_back(v.name);
  EXPECT_EQ(directions, (Strings{"ASC", "DESC", "ASC_NULLS_FIRST", "ASC_NULLS_LAST", "DESC_NULLS_FIRST",
                                 "DESC_NULLS_LAST"}));
  // Orderable: scalar fields (not JSON, not lists), embedded objects' and joined to-one
  // objects' fields.
  EXPECT_EQ(input_fields(sc, "PostOrderByInput"), (Strings{"id", "title", "content", "published", "views",
                                                           "rating", "metadata", "createdAt", "author"}));
  EXPECT_EQ(sc.type("PostOrderByInput")->input_field("author")->type.to_string(), "UserOrderByInput");
  EXPECT_EQ(input_fields(sc, "CommentOrderByInput"), (Strings{"id", "body", "createdAt", "author", "post"}));
  EXPECT_EQ(sc.type("CommentOrderByInput")->input_field("post")->type.to_string(), "PostOrderByInput");
  // Lists, joined or embedded, have no single value to sort by.
  EXPECT_EQ(sc.type("UserOrderByInput")->input_field("comments"), nullptr);
  EXPECT_EQ(sc.type("UserOrderByInput")->input_field("posts"), nullptr);
  ASSERT_NE(sc.type("PostConnection"), nullptr);
  EXPECT_EQ(sc.type("PostConnection")->field("edges")->type.to_string(), "[PostEdge!]!");
  EXPECT_EQ(sc.type("PostEdge")->field("cursor")->type.to_string(), "String!");
  EXPECT_NE(sc.type("PageInfo")->field("hasNextPage"), nullptr);
  EXPECT_EQ(sc.type("UserAggregate")->field("count")->type.to_string(), "Int!");
  EXPECT_EQ(sc.type("UserAggregate")->field("sum")->type.to_string(), "UserAggregateNumbers!");
  EXPECT_NE(sc.type("UserAggregateNumbers")->field("age"), nullptr);
}

TEST(SqlSchemaGenerator, VisibleInIntrospection) {
  auto s = blog_schema();
  ASSERT_TRUE(s.ok());
  auto doc = graphql::parse_document(R"({
    users: __type(name: "Query") { fields { name args { name type { kind name ofType { name } } } } }
    filter: __type(name: "StringFilter") { kind inputFields { name } }
  })");
  ASSERT_TRUE(doc.ok());
  auto answer = nlohmann::json::parse(graphql::execute_introspection(*s.schema, doc.document()));
  const auto& fields = answer["data"]["users"]["fields"];
  auto users = std::find_if(fields.begin(), fields.end(), [](const auto& f) { return f["name"] == "users"; });
  ASSERT_NE(users, fields.end());
  ASSERT_EQ((*users)["args"].size(), 4U);
  EXPECT_EQ((*users)["args"][0]["name"], "where");
  EXPECT_EQ((*users)["args"][0]["type"]["name"], "UserWhereInput");
  EXPECT_EQ((*users)["args"][1]["type"]["kind"], "LIST");
  EXPECT_EQ(answer["data"]["filter"]["kind"], "INPUT_OBJECT");
  EXPECT_EQ(answer["data"]["filter"]["inputFields"].size(), 15U);
  EXPECT_NE(
      graphql::print_schema(*s.schema).find(
          "users(where: UserWhereInput, orderBy: [UserOrderByInput!], limit: Int, offset: Int): [User!]!"),
      std::string::npos);
}

constexpr const char* kSmallSdl = R"graphql(
type Thing @view(name: "app.v_thing") {
  id: ID!
  label: String
  kind: Kind
}
enum Kind { A B }
type Query {
  # a comment between the name and the arguments
  things   # here too
  (limit: Int = 5, extra: Boolean): [Thing!]!
  thing(id: ID!): Thing
}
)graphql";

TEST(SqlSchemaGenerator, DeclaredArgumentsAreKeptAndOthersAdded) {
  auto s = build_fraiseql_schema(kSmallSdl);
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(arg_list(*s.schema, "Query", "things"),
            (Strings{"where: ThingWhereInput", "orderBy: [ThingOrderByInput!]", "offset: Int", "limit: Int",
                     "extra: Boolean"}));
  EXPECT_EQ(graphql::print_default_value(*s.schema->type("Query")->field("things")->argument("limit")), "5");
  // Enums get their own filter.
  EXPECT_EQ(s.schema->type("ThingWhereInput")->input_field("kind")->type.to_string(), "KindFilter");
  EXPECT_EQ(s.schema->type("KindFilter")->input_field("in")->type.to_string(), "[Kind!]");
  EXPECT_EQ(s.mapping->type("Thing")->view, "app.v_thing");
}

TEST(SqlSchemaGenerator, UserTypesReplaceGeneratedOnesAndExtensionsInOtherSourcesGetArguments) {
  std::vector<graphql::SchemaSource> sources{
      {"a.graphql", std::string(kSmallSdl) + "input StringFilter { eq: String }\n"},
      {"b.graphql", "extend type Query { moreThings: [Thing] }\n"}};
  auto s = build_fraiseql_schema(sources);
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(input_fields(*s.schema, "StringFilter"), (Strings{"eq"}));
  EXPECT_EQ(arg_list(*s.schema, "Query", "moreThings").size(), 4U);
  ASSERT_NE(s.mapping->root("moreThings"), nullptr);
  EXPECT_EQ(s.mapping->root("moreThings")->kind, RootKind::kList);
}

TEST(SqlSchemaGenerator, EmbeddedTypesReferringToEachOther) {
  auto s = build_fraiseql_schema(R"(
    type A { b: B }
    type B { a: A n: Int }
    type V @view(name: "v") { id: ID! a: A }
    type Query { vs: [V!]! })");
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(input_fields(*s.schema, "AOrderByInput"), (Strings{"b"}));
  EXPECT_EQ(input_fields(*s.schema, "BOrderByInput"), (Strings{"a", "n"}));
  auto r = testing::compile_text(*s.mapping, "{ vs(orderBy: [{a: {b: {a: {b: {n: DESC}}}}}]) { id } }");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.query->sql.find("->'a'->'b'->'a'->'b'->>'n')::integer DESC"), std::string::npos)
      << r.query->sql;
}

TEST(SqlSchemaGenerator, ErrorsNameTheTypeAndField) {
  auto bad_join = build_fraiseql_schema(R"(
    type Meta { x: Int }
    type A @view(name: "v_a") { id: ID! meta: Meta @join(column: "meta_id") }
    type Query { as: [A!]! })");
  ASSERT_FALSE(bad_join.ok());
  EXPECT_NE(bad_join.errors.front().find("A.meta"), std::string::npos) << bad_join.errors.front();
  auto bad_lookup = build_fraiseql_schema(R"(
    type A @view(name: "v_a") { id: ID! }
    type Query { a(key: ID!): A })");
  ASSERT_FALSE(bad_lookup.ok());
  EXPECT_NE(bad_lookup.errors.front().find("Query.a: argument key"), std::string::npos)
      << bad_lookup.errors.front();
  auto syntax = build_fraiseql_schema("type Query { a: [Int }", "broken.graphql");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.errors.front().find("broken.graphql"), std::string::npos) << syntax.errors.front();
  auto bad_connection = build_fraiseql_schema(R"(
    type A @view(name: "v_a") { id: ID! }
    type Query { as: [A!]! @connection })");
  ASSERT_FALSE(bad_connection.ok());
  EXPECT_NE(bad_connection.errors.front().find("Query.as"), std::string::npos)
      << bad_connection.errors.front();
}

}  // namespace
}  // namespace fraiseql::sql
