#include "fraiseql/graphql/introspection.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

#include "schema_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using nlohmann::json;

class IntrospectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = build_schema(R"(
"The small schema"
schema { query: Query }
"Root"
type Query {
  "a thing"
  thing(id: ID!, "old" legacy: Int = 1 @deprecated(reason: "gone")): Thing
  things(filter: Filter = {n: 2}): [Thing!]!
  old: String @deprecated
}
interface Named { name: String }
type Thing implements Named { name: String, color: Color }
enum Color { RED GREEN @deprecated(reason: "no") }
input Filter @oneOf { n: Int, s: String @deprecated }
scalar Url @specifiedBy(url: "https://example.com")
directive @tag(name: String!) repeatable on FIELD_DEFINITION
)",
                          "small.graphql");
    ASSERT_TRUE(r.ok()) << r.error_text();
    schema_ = r.schema();
  }

  json run(std::string query, std::string variables = {}, std::string op = {}) {
    auto doc = parse_document(std::move(query));
    EXPECT_TRUE(doc.ok()) << doc.error().message;
    return json::parse(execute_introspection(*schema_, doc.document(), op, variables));
  }

  std::shared_ptr<const Schema> schema_;
};

const json* find_named(const json& list, std::string_view name) {
  for (const auto& item : list) {
    if (item.at("name") == name) return &item;
  }
  return nullptr;
}

TEST_F(IntrospectionTest, StandardQueryShape) {
  const json r = run(std::string(standard_introspection_query()));
  ASSERT_TRUE(r.contains("data")) << r.dump();
  const json& s = r.at("data").at("__schema");
  EXPECT_EQ(s.at("description"), "The small schema");
  EXPECT_EQ(s.at("queryType"), json::parse(R"({"name":"Query","kind":"OBJECT"})"));
  EXPECT_TRUE(s.at("mutationType").is_null());
  EXPECT_TRUE(s.at("subscriptionType").is_null());

  const json* query = find_named(s.at("types"), "Query");
  ASSERT_NE(query, nullptr);
  EXPECT_EQ(query->at("kind"), "OBJECT");
  EXPECT_EQ(query->at("description"), "Root");
  EXPECT_TRUE(query->at("specifiedByURL").is_null());
  EXPECT_TRUE(query->at("isOneOf").is_null());
  EXPECT_TRUE(query->at("inputFields").is_null());
  EXPECT_TRUE(query->at("enumValues").is_null());
  EXPECT_TRUE(query->at("possibleTypes").is_null());
  EXPECT_EQ(query->at("interfaces"), json::array());
  ASSERT_EQ(query->at("fields").size(), 3U);  // includeDeprecated: true

  const json* thing = find_named(query->at("fields"), "thing");
  ASSERT_NE(thing, nullptr);
  EXPECT_EQ(thing->at("description"), "a thing");
  EXPECT_EQ(thing->at("type"), json::parse(R"({"kind":"OBJECT","name":"Thing","ofType":null})"));
  const json* id = find_named(thing->at("args"), "id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(
      id->at("type"),
      json::parse(R"({"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}})"));
  const json* legacy = find_named(thing->at("args"), "legacy");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(legacy->at("defaultValue"), "1");
  EXPECT_EQ(legacy->at("isDeprecated"), true);
  EXPECT_EQ(legacy->at("deprecationReason"), "gone");
  EXPECT_EQ(legacy->at("description"), "old");

  const json* things = find_named(query->at("fields"), "things");
  EXPECT_EQ(find_named(things->at("args"), "filter")->at("defaultValue"), "{n: 2}");
  EXPECT_EQ(things->at("type").at("kind"), "NON_NULL");
  EXPECT_EQ(things->at("type").at("ofType").at("kind"), "LIST");
  EXPECT_EQ(things->at("type").at("ofType").at("ofType").at("ofType").at("name"), "Thing");

  const json* old = find_named(query->at("fields"), "old");
  EXPECT_EQ(old->at("isDeprecated"), true);
  EXPECT_EQ(old->at("deprecationReason"), "No longer supported");

  const json* named = find_named(s.at("types"), "Named");
  EXPECT_EQ(named->at("kind"), "INTERFACE");
  EXPECT_EQ(named->at("possibleTypes"), json::parse(R"([{"kind":"OBJECT","name":"Thing","ofType":null}])"));

  const json* color = find_named(s.at("types"), "Color");
  ASSERT_EQ(color->at("enumValues").size(), 2U);
  EXPECT_EQ(color->at("enumValues")[1].at("deprecationReason"), "no");

  const json* filter = find_named(s.at("types"), "Filter");
  EXPECT_EQ(filter->at("kind"), "INPUT_OBJECT");
  EXPECT_EQ(filter->at("isOneOf"), true);
  EXPECT_EQ(filter->at("inputFields").size(), 2U);
  EXPECT_TRUE(filter->at("fields").is_null());

  const json* url = find_named(s.at("types"), "Url");
  EXPECT_EQ(url->at("specifiedByURL"), "https://example.com");
  EXPECT_EQ(find_named(s.at("types"), "DateTime")->at("specifiedByURL"),
            "https://scalars.graphql.org/andimarek/date-time");
  EXPECT_NE(find_named(s.at("types"), "__Schema"), nullptr);
  EXPECT_NE(find_named(s.at("types"), "String"), nullptr);

  const json* tag = find_named(s.at("directives"), "tag");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->at("isRepeatable"), true);
  EXPECT_EQ(tag->at("locations"), json::parse(R"(["FIELD_DEFINITION"])"));
  const json* deprecated = find_named(s.at("directives"), "deprecated");
  ASSERT_NE(deprecated, nullptr);
  EXPECT_EQ(deprecated->at("args")[0].at("defaultValue"), "\"No longer supported\"");
  EXPECT_NE(find_named(s.at("directives"), "oneOf"), nullptr);
  EXPECT_NE(find_named(s.at("directives"), "view"), nullptr);
}

TEST_F(IntrospectionTest, DeprecatedFilteredByDefault) {
  const json r = run(R"({
    __type(name: "Query") { fields { name args { name } } }
    color: __type(name: "Color") { enumValues { name } all: enumValues(includeDeprecated: true) { name } }
    filter: __type(name: "Filter") { inputFields { name } }
  })");
  EXPECT_EQ(r.at("data").at("__type").at("fields"), json::parse(R"([
    {"name":"thing","args":[{"name":"id"}]},
    {"name":"things","args":[{"name":"filter"}]}])"));
  EXPECT_EQ(r.at("data").at("color"), json::parse(R"({"enumValues":[{"name":"RED"}],
    "all":[{"name":"RED"},{"name":"GREEN"}]})"));
  EXPECT_EQ(r.at("data").at("filter"), json::parse(R"({"inputFields":[{"name":"n"}]})"));
}

TEST_F(IntrospectionTest, AliasesFragmentsDirectivesVariables) {
  const json r = run(R"(
    query Q($name: String!, $withKind: Boolean!, $dep: Boolean = false) {
      t: __type(name: $name) {
        ...Names
        kind @include(if: $withKind)
        description @skip(if: true)
        ... on __Type { fields(includeDeprecated: $dep) { name } }
        ... @include(if: false) { specifiedByURL }
      }
      missing: __type(name: "Nope") { name }
      __typename
      __schema { queryType { __typename n: name } }
    }
    fragment Names on __Type { n1: name, __typename }
  )",
                     R"({"name":"Query","withKind":false})");
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r.at("data"), json::parse(R"({
    "t": {"n1":"Query","__typename":"__Type","fields":[{"name":"thing"},{"name":"things"}]},
    "missing": null,
    "__typename": "Query",
    "__schema": {"queryType":{"__typename":"__Type","n":"Query"}}
  })"));
  // Keys come out in query order (nlohmann::json above sorts them, so look at the text).
  auto doc = parse_document(R"({ b: __typename a: __typename __type(name: "Color") { name kind } })");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(execute_introspection(*schema_, doc.document()),
            R"({"data":{"b":"Query","a":"Query","__type":{"name":"Color","kind":"ENUM"}}})");
}

TEST_F(IntrospectionTest, MergesFieldsWithTheSameResponseKey) {
  const json r = run(R"({ __type(name: "Thing") { name } __type(name: "Thing") { kind } })");
  EXPECT_EQ(r.at("data").at("__type"), json::parse(R"({"name":"Thing","kind":"OBJECT"})"));
}

TEST_F(IntrospectionTest, OperationSelectionAndVariableErrors) {
  const std::string two = "query A { __typename } query B { __schema { description } }";
  EXPECT_EQ(run(two, {}, "B").at("data").at("__schema").at("description"), "The small schema");
  const json none = run(two);
  EXPECT_EQ(none.at("errors")[0].at("message"),
            "Must provide operation name if query contains multiple operations.");
  const json bad = run("query ($n: String!) { __type(name: $n) { name } }", R"({"n": 3})");
  EXPECT_EQ(bad.at("errors")[0].at("message"),
            "Variable \"$n\" got invalid value 3; String cannot represent a non string value: 3");
  EXPECT_EQ(bad.at("errors")[0].at("extensions").at("code"), "BAD_USER_INPUT");
}

TEST_F(IntrospectionTest, ExecutorFacingApi) {
  auto doc = parse_document(R"({ a: __type(name: "Color") { name } b: __typename })");
  ASSERT_TRUE(doc.ok());
  const json vars = json::object();
  Introspection intro(*schema_, doc.document(), vars);
  const auto& op = static_cast<const OperationDefinition&>(*doc.document().definitions()[0]);
  const SelectionSet* sets[] = {op.selection_set};
  const auto groups = intro.collect_fields(*schema_->query_type(), sets);
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_TRUE(Introspection::is_meta_field(groups[0].second[0]->name.value));
  std::string out;
  intro.append_field(*schema_->query_type(), groups[0].second, out);
  EXPECT_EQ(out, R"({"name":"Color"})");
  out.clear();
  intro.append_field(*schema_->type("Thing"), *groups[1].second[0], out);
  EXPECT_EQ(out, R"("Thing")");
}

TEST(IntrospectionBlog, RootTypesAndUnion) {
  auto r = build_schema(std::string(kBlogSdl));
  ASSERT_TRUE(r.ok()) << r.error_text();
  auto doc = parse_document(
      R"({ __schema { mutationType { name } subscriptionType { name } } __type(name: "CreatePostResult") { kind possibleTypes { name } } })");
  ASSERT_TRUE(doc.ok());
  const json out = json::parse(execute_introspection(*r.schema(), doc.document()));
  EXPECT_EQ(out, json::parse(R"({"data":{
    "__schema":{"mutationType":{"name":"Mutation"},"subscriptionType":{"name":"Subscription"}},
    "__type":{"kind":"UNION","possibleTypes":[{"name":"CreatePostSuccess"},{"name":"CreatePostError"}]}}})"));
}

}  // namespace
}  // namespace fraiseql::graphql
