// Type-system errors: each reported as file:line:col, all of them at once.

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/schema_builder.hpp"

#include "test_env.hpp"

namespace fraiseql::graphql {
namespace {

std::string errors_of(std::string sdl) {
  auto r = build_schema(std::move(sdl), "s.graphql");
  EXPECT_FALSE(r.ok());
  return r.error_text();
}

struct Case {
  const char* name;
  const char* sdl;
  const char* errors;
};

class SchemaErrors : public ::testing::TestWithParam<Case> {};

TEST_P(SchemaErrors, Reported) {
  EXPECT_EQ(errors_of(GetParam().sdl), GetParam().errors) << GetParam().sdl;
}

const Case kCases[] = {
    {"SyntaxError", "type Query { a: }", "s.graphql:1:17: Syntax Error: Expected Name, found \"}\".\n"},
    {"DuplicateType", "type Query { a: Int }\ntype Query { b: Int }",
     "s.graphql:2:6: There can be only one type named \"Query\".\n"},
    {"DuplicateDirective", "directive @a on FIELD\ndirective @a on FIELD\ntype Query { a: Int }",
     "s.graphql:2:12: There can be only one directive named \"@a\".\n"},
    {"DuplicateField", "type Query {\n  a: Int\n  a: String\n}",
     "s.graphql:3:3: Field \"Query.a\" can only be defined once.\n"},
    {"DuplicateFieldInExtension", "type Query { a: Int }\nextend type Query { a: Int }",
     "s.graphql:2:21: Field \"Query.a\" can only be defined once.\n"},
    {"DuplicateArgument", "type Query { a(x: Int, x: Int): Int }",
     "s.graphql:1:24: Argument \"Query.a(x:)\" can only be defined once.\n"},
    {"DuplicateEnumValue", "type Query { a: E }\nenum E { A A }",
     "s.graphql:2:12: Enum value \"E.A\" can only be defined once.\n"},
    {"UnknownType", "type Query { a: Nope, b(x: [Missing!]): Int }",
     "s.graphql:1:17: Unknown type \"Nope\".\ns.graphql:1:29: Unknown type \"Missing\".\n"},
    {"UnknownInterface", "type Query implements Nope { a: Int }", "s.graphql:1:23: Unknown type \"Nope\".\n"},
    {"ExtendUndefined", "type Query { a: Int }\nextend type Nope { b: Int }",
     "s.graphql:2:13: Cannot extend type \"Nope\" because it is not defined.\n"},
    {"ExtendWrongKind", "type Query { a: Int }\nextend enum Query { B }",
     "s.graphql:2:13: Cannot extend non-enum type \"Query\".\n"},
    {"OutputTypeInInput", "type Query { a(x: Query): Int }\ninput In { q: Query }",
     "s.graphql:1:19: The type of Query.a(x:) must be Input Type but got: Query.\n"
     "s.graphql:2:15: The type of In.q must be Input Type but got: Query.\n"},
    {"InputTypeInOutput", "type Query { a: In }\ninput In { x: Int }",
     "s.graphql:1:17: The type of Query.a must be Output Type but got: In.\n"},
    {"EmptyTypes", "type Query { a: Int }\ntype Empty\ninterface I\ninput In\nenum E\nunion U",
     "s.graphql:2:1: Type Empty must define one or more fields.\n"
     "s.graphql:3:1: Type I must define one or more fields.\n"
     "s.graphql:4:1: Input Object type In must define one or more fields.\n"
     "s.graphql:5:1: Enum type E must define one or more values.\n"
     "s.graphql:6:1: Union type U must define one or more member types.\n"},
    {"ReservedNames", "type Query { __a: Int, b(__x: Int): Int }\ntype __T { a: Int }\nenum E { __V }",
     "s.graphql:1:14: Name \"__a\" must not begin with \"__\", which is reserved by GraphQL introspection.\n"
     "s.graphql:1:26: Name \"__x\" must not begin with \"__\", which is reserved by GraphQL introspection.\n"
     "s.graphql:2:6: Name \"__T\" must not begin with \"__\", which is reserved by GraphQL introspection.\n"
     "s.graphql:3:10: Name \"__V\" must not begin with \"__\", which is reserved by GraphQL "
     "introspection.\n"},
    {"UnionMembersMustBeObjects", "type Query { u: U }\ninterface I { a: Int }\nunion U = Query | I | Query",
     "s.graphql:3:19: Union type U can only include Object types, it cannot include I.\n"
     "s.graphql:3:23: Union type U can only include type Query once.\n"},
    {"ImplementsNonInterface", "type Query implements Other { a: Int }\ntype Other { a: Int }",
     "s.graphql:1:23: Type Query must only implement Interface types, it cannot implement Other.\n"},
    {"ImplementsTwice", "interface I { a: Int }\ntype Query implements I & I { a: Int }",
     "s.graphql:2:27: Type Query can only implement I once.\n"},
    {"ImplementsItself", "type Query { a: Int }\ninterface I implements I { a: Int }",
     "s.graphql:2:24: Type I cannot implement itself because it would create a circular reference.\n"},
    {"MissingInterfaceField", "interface I { a: Int, b: String }\ntype Query implements I { a: Int }",
     "s.graphql:2:23: Interface field I.b expected but Query does not provide it.\n"},
    {"FieldTypeNotCovariant",
     "interface I { a: Int, l: [I], n: I }\ntype Query implements I { a: String, l: [Query!]!, n: Query }\n",
     "s.graphql:2:30: Interface field I.a expects type Int but Query.a is type String.\n"},
    {"InterfaceArguments",
     "interface I { f(a: Int, b: String): Int }\ntype Query implements I { f(a: String, c: Int!): Int }",
     "s.graphql:2:27: Interface field argument I.f(b:) expected but Query.f does not provide it.\n"
     "s.graphql:2:32: Interface field argument I.f(a:) expects type Int but Query.f(a:) is type String.\n"
     "s.graphql:2:40: Object field Query.f includes required argument c that is missing from the Interface "
     "field "
     "I.f.\n"},
    {"TransitiveInterfaceMissing",
     "interface A { id: ID }\ninterface B implements A { id: ID }\ntype Query implements B { id: ID }",
     "s.graphql:3:23: Type Query must implement A because it is implemented by B.\n"},
    {"InputCycle", "type Query { a(x: A): Int }\ninput A { b: B! }\ninput B { a: A!, self: [B!]! }",
     "s.graphql:2:11: Cannot reference Input Object \"A\" within itself through a series of non-null fields: "
     "\"b.a\".\n"},
    {"OneOfRules", "type Query { a(x: O): Int }\ninput O @oneOf { a: Int!, b: Int = 1 }",
     "s.graphql:2:21: OneOf input field O.a must be nullable.\n"
     "s.graphql:2:27: OneOf input field O.b cannot have a default value.\n"},
    {"RootTypesMustBeObjects",
     "schema { query: Q mutation: M }\nunion Q = T\ntype T { a: Int }\ninput M { a: Int }",
     "s.graphql:1:17: Query root type must be Object type, it cannot be Q.\n"
     "s.graphql:1:29: Mutation root type must be Object type if provided, it cannot be M.\n"},
    // https://spec.graphql.org/September2025/#sec-Root-Operation-Types
    {"RootTypesMustDiffer",
     "schema { query: Query mutation: Query subscription: Query }\ntype Query { a: Int }",
     "s.graphql:1:33: All root types must be different, \"Query\" type is used as query and mutation and "
     "subscription root types.\n"},
    {"MissingQuery", "type Other { a: Int }", "s.graphql: Query root type must be provided.\n"},
    {"MissingQueryWithSchema", "schema { mutation: M }\ntype M { a: Int }",
     "s.graphql:1:1: Query root type must be provided.\n"},
    {"TwoSchemaDefinitions", "schema { query: Query }\nschema { query: Query }\ntype Query { a: Int }",
     "s.graphql:2:1: Must provide only one schema definition.\n"},
    {"DuplicateOperationType", "schema { query: Query query: Query }\ntype Query { a: Int }",
     "s.graphql:1:23: There can be only one query type in schema.\n"},
    {"UnknownDirective", "type Query @nope { a: Int @view(name: \"x\") }",
     "s.graphql:1:12: Unknown directive \"@nope\".\n"
     "s.graphql:1:27: Directive \"@view\" may not be used on FIELD_DEFINITION.\n"},
    {"DirectiveArguments",
     "type Query @view(name: 1, extra: 2) { a: Int @join, b: Int @cached(ttl: 1, ttl: 2) }",
     "s.graphql:1:24: String cannot represent a non string value: 1\n"
     "s.graphql:1:27: Unknown argument \"extra\" on directive \"@view\".\n"
     "s.graphql:1:46: Directive \"@join\" argument \"column\" of type \"String!\" is required, but it was "
     "not provided.\n"
     "s.graphql:1:76: There can be only one argument named \"ttl\".\n"},
    {"NonRepeatableDirectiveTwice",
     "type Query @view(name: \"a\") @view(name: \"b\") { a: Int }\n"
     "extend type Query @view(name: \"c\")",
     "s.graphql:1:29: The directive \"@view\" can only be used once at this location.\n"
     "s.graphql:2:19: The directive \"@view\" can only be used once at this location.\n"},
    {"DirectiveDefinitionRules",
     "directive @d(a: Query, __b: Int, c: Int! @deprecated) on FIELD\ntype Query { a: Int }",
     "s.graphql:1:14: The type of @d(a:) must be Input Type but got: Query.\n"
     "s.graphql:1:24: Name \"__b\" must not begin with \"__\", which is reserved by GraphQL introspection.\n"
     "s.graphql:1:42: Required argument @d(c:) cannot be deprecated.\n"},
    // https://spec.graphql.org/September2025/#sec-Type-System.Directives.Validation
    // (Section3-061 is the direct case).
    {"DirectiveReferencesItself",
     "directive @invalidExample(arg: String @invalidExample) on ARGUMENT_DEFINITION\n"
     "directive @a(x: In) on ARGUMENT_DEFINITION | ENUM_VALUE\n"
     "input In { y: Int @b }\n"
     "directive @b(z: E) on INPUT_FIELD_DEFINITION\n"
     "enum E { V @a }\n"
     "directive @fine(x: In2) on FIELD\n"
     "input In2 { y: Int @b2 }\n"
     "directive @b2(s: String @deprecated) on INPUT_FIELD_DEFINITION\n"
     "type Query { a: Int }",
     "s.graphql:1:12: Directive \"@invalidExample\" must not reference itself, directly or through the types "
     "and directives of its arguments.\n"
     "s.graphql:2:12: Directive \"@a\" must not reference itself, directly or through the types and "
     "directives of its arguments.\n"
     "s.graphql:4:12: Directive \"@b\" must not reference itself, directly or through the types and "
     "directives of its arguments.\n"},
    {"RequiredDeprecated", "type Query { a(x: Int! @deprecated): Int }\ninput I { y: Int! @deprecated }",
     "s.graphql:1:24: Required argument Query.a(x:) cannot be deprecated.\n"
     "s.graphql:2:19: Required input field I.y cannot be deprecated.\n"},
    {"BadDefaultValue", "type Query { a(x: Int = \"no\", e: E = C): Int }\nenum E { A }",
     "s.graphql:1:25: Int cannot represent non-integer value: \"no\"\n"
     "s.graphql:1:38: Value \"C\" does not exist in \"E\" enum.\n"},
    {"ExecutableDefinition", "type Query { a: Int }\nquery { a }",
     "s.graphql:2:1: A schema may only contain type-system definitions, found OperationDefinition.\n"},
};

INSTANTIATE_TEST_SUITE_P(All, SchemaErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

TEST(SchemaErrorsMultiFile, EveryErrorInSourceOrderWithItsFile) {
  const std::vector<SchemaSource> sources = {
      {"a.graphql", "type Query { a: A }\nextend type Missing { x: Int }"},
      {"b.graphql", "type Query { b: Int }\ntype A { x: Nope }"},
  };
  auto r = build_schema(sources);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error_text(),
            "a.graphql:2:13: Cannot extend type \"Missing\" because it is not defined.\n"
            "b.graphql:1:6: There can be only one type named \"Query\".\n"
            "b.graphql:2:13: Unknown type \"Nope\".\n");
  ASSERT_EQ(r.errors().size(), 3U);
  EXPECT_EQ(r.errors()[2].file, "b.graphql");
  EXPECT_EQ(r.errors()[2].loc.line, 2U);
  EXPECT_EQ(r.errors()[2].loc.column, 13U);
}

TEST(SchemaErrorsMultiFile, SyntaxErrorsOfEveryFile) {
  const std::vector<SchemaSource> sources = {{"a.graphql", "type Query {"}, {"b.graphql", "type B { x: }"}};
  auto r = build_schema(sources);
  EXPECT_EQ(r.error_text(),
            "a.graphql:1:13: Syntax Error: Expected Name, found <EOF>.\n"
            "b.graphql:1:13: Syntax Error: Expected Name, found \"}\".\n");
}

// The type-system counter-examples of spec §3 (graphql-spec September2025 corpus, the
// blocks that are SDL): each must stop the schema from building. A Query root is added
// so that the only error left is the one the spec illustrates.
TEST(SchemaErrorsSpecCorpus, TypeSystemCounterExamplesAreRejected) {
  const nlohmann::json examples = nlohmann::json::parse(fraiseql::testing::read_file(
      fraiseql::testing::corpus_path("graphql/graphql-spec/spec-examples-September2025.json")))["examples"];
  const std::map<std::string, std::string> kWhy = {
      {"Section3-038", "cannot implement itself"},
      {"Section3-049", "Cannot reference Input Object \"Example\" within itself"},
      {"Section3-050", "Cannot reference Input Object \"First\" within itself"},
      {"Section3-061", "Directive \"@invalidExample\" must not reference itself"},
      {"Section3-068", "Required argument ExampleType.invalidField(oldArg:) cannot be deprecated."},
  };
  int n = 0;
  for (const nlohmann::json& e : examples) {
    if (e["kind"] != "counter-example" || e["file"] != "spec/Section 3 -- Type System.md") continue;
    const nlohmann::json& js = e["graphqljs"];
    if (js["parse"] != "ok" || js["executable"].get<bool>()) continue;
    ++n;
    const std::string sdl = e["text"].get<std::string>() + "\ntype Query { a: Int }\n";
    auto r = build_schema(sdl, "s.graphql");
    ASSERT_FALSE(r.ok()) << e["id"] << " built:\n" << sdl;
    auto why = kWhy.find(e["id"].get<std::string>());
    ASSERT_NE(why, kWhy.end()) << e["id"];
    EXPECT_NE(r.error_text().find(why->second), std::string::npos) << e["id"] << ":\n" << r.error_text();
  }
  EXPECT_EQ(n, static_cast<int>(kWhy.size()));
}

}  // namespace
}  // namespace fraiseql::graphql
