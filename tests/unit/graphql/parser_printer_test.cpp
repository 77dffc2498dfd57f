// print(): exact layout on small documents, and round trips over every corpus document.

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/printer.hpp"

#include "parser_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using nlohmann::json;
using testing::corpus;
using testing::parse_ok;

/// Everything a document says, without positions: kinds, names, values and flags in order.
std::string fingerprint(const Document& doc) {
  std::string out;
  auto name = [&](const Name& n) { out.append(n.value).push_back('|'); };
  auto walk = [&](auto&& self, const Node& n) -> void {
    out.append(to_string(n.kind)).push_back('(');
    switch (n.kind) {
      case NodeKind::kVariable: name(static_cast<const Variable&>(n).name); break;
      case NodeKind::kIntValue: out.append(static_cast<const IntValue&>(n).raw); break;
      case NodeKind::kFloatValue: out.append(static_cast<const FloatValue&>(n).raw); break;
      case NodeKind::kStringValue:
        out.append(static_cast<const StringValue&>(n).value);
        out.append(static_cast<const StringValue&>(n).block ? "|block" : "|plain");
        break;
      case NodeKind::kBooleanValue: out.append(static_cast<const BooleanValue&>(n).value ? "T" : "F"); break;
      case NodeKind::kEnumValue: out.append(static_cast<const EnumValue&>(n).value); break;
      case NodeKind::kNamedType: name(static_cast<const NamedType&>(n).name); break;
      case NodeKind::kField:
        name(static_cast<const Field&>(n).alias);
        name(static_cast<const Field&>(n).name);
        break;
      case NodeKind::kFragmentSpread: name(static_cast<const FragmentSpread&>(n).name); break;
      case NodeKind::kArgument: name(static_cast<const Argument&>(n).name); break;
      case NodeKind::kObjectField: name(static_cast<const ObjectField&>(n).name); break;
      case NodeKind::kDirective: name(static_cast<const Directive&>(n).name); break;
      case NodeKind::kOperationDefinition:
        out.append(to_string(static_cast<const OperationDefinition&>(n).operation)).push_back('|');
        name(static_cast<const OperationDefinition&>(n).name);
        break;
      case NodeKind::kFragmentDefinition: name(static_cast<const FragmentDefinition&>(n).name); break;
      case NodeKind::kOperationTypeDefinition:
        out.append(to_string(static_cast<const OperationTypeDefinition&>(n).operation));
        break;
      case NodeKind::kFieldDefinition: name(static_cast<const FieldDefinition&>(n).name); break;
      case NodeKind::kInputValueDefinition: name(static_cast<const InputValueDefinition&>(n).name); break;
      case NodeKind::kEnumValueDefinition: name(static_cast<const EnumValueDefinition&>(n).name); break;
      case NodeKind::kDirectiveDefinition: {
        const auto& d = static_cast<const DirectiveDefinition&>(n);
        name(d.name);
        out.append(d.repeatable ? "repeatable|" : "|");
        for (const auto& l : d.locations) out.append(to_string(l.value)).push_back(',');
        break;
      }
      default:
        if (is_type_definition(n.kind) || is_type_extension(n.kind)) {
          name(static_cast<const TypeDefinition&>(n).name);
        }
        break;
    }
    for_each_child(n, [&](const Node& c) { self(self, c); });
    out.push_back(')');
  };
  for (const Definition* d : doc.definitions()) walk(walk, *d);
  return out;
}

/// print(parse(x)) is stable under another parse+print and loses nothing.
void expect_round_trip(const std::string& label, const std::string& source) {
  ParseResult first = parse_document(source);
  if (!first.ok()) return;  // only documents that parse
  const std::string printed = print(first.document());
  ParseResult second = parse_document(printed);
  ASSERT_TRUE(second.ok()) << label << ": printed text does not parse: " << format_parse_error(second.error())
                           << "\n"
                           << printed;
  EXPECT_EQ(print(second.document()), printed) << label;
  EXPECT_EQ(fingerprint(second.document()), fingerprint(first.document())) << label << "\n" << printed;
}

TEST(Printer, ExecutableLayout) {
  Document doc = parse_ok(R"(
query Q($id: ID! = 4, $l: [Int!] @v) @live { a: user(id: $id, o: {k: [1, 2.5, "s", null, RED, true]}) @include(if: true) {
  ...F @d ... on User { name } ... @skip(if: false) { x } } }
{ shorthand }
query { explicit }
mutation { m }
fragment F on User @f { id }
)");
  EXPECT_EQ(print(doc),
            "query Q($id: ID! = 4, $l: [Int!] @v) @live {\n"
            "  a: user(id: $id, o: {k: [1, 2.5, \"s\", null, RED, true]}) @include(if: true) {\n"
            "    ...F @d\n"
            "    ... on User {\n"
            "      name\n"
            "    }\n"
            "    ... @skip(if: false) {\n"
            "      x\n"
            "    }\n"
            "  }\n"
            "}\n"
            "\n"
            "{\n"
            "  shorthand\n"
            "}\n"
            "\n"
            "{\n"
            "  explicit\n"
            "}\n"
            "\n"
            "mutation {\n"
            "  m\n"
            "}\n"
            "\n"
            "fragment F on User @f {\n"
            "  id\n"
            "}");
}

TEST(Printer, TypeSystemLayout) {
  Document doc = parse_ok(R"(
"""
Multi
  line
"""
schema @a { query: Q }
"scalar" scalar Date
type Q implements A & B @k { "f" f(a: Int = 1, b: [S!]! @d): [R] @x }
interface A { id: ID! }
union U @u = A | B
enum E { "first" X @d Y }
input I { a: Int = 1 }
directive @d(
  "arg" a: Int
) repeatable on FIELD | OBJECT
extend schema @b
extend type Q { g: Int }
extend union U = C
)");
  EXPECT_EQ(print(doc),
            "\"\"\"\nMulti\n  line\n\"\"\"\n"
            "schema @a {\n  query: Q\n}\n\n"
            "\"scalar\"\nscalar Date\n\n"
            "type Q implements A & B @k {\n  \"f\"\n  f(a: Int = 1, b: [S!]! @d): [R] @x\n}\n\n"
            "interface A {\n  id: ID!\n}\n\n"
            "union U @u = A | B\n\n"
            "enum E {\n  \"first\"\n  X @d\n  Y\n}\n\n"
            "input I {\n  a: Int = 1\n}\n\n"
            "directive @d(\n  \"arg\"\n  a: Int\n) repeatable on FIELD | OBJECT\n\n"
            "extend schema @b\n\n"
            "extend type Q {\n  g: Int\n}\n\n"
            "extend union U = C");
}

TEST(Printer, StringsAreEscaped) {
  EXPECT_EQ(print_string("a\"b\\c\nd\te\x01\x7f"
                         "é"),
            "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007F"
            "é\"");
  Document doc = parse_ok(R"({ f(s: "\u00e9\u{1F600}\/") })");
  EXPECT_EQ(print(doc), "{\n  f(s: \"é\xF0\x9F\x98\x80/\")\n}");
}

TEST(Printer, BlockStringsKeepTheirValueInsideIndentation) {
  const std::string src =
      "type T {\n"
      "  \"\"\"\n"
      "  Line one\n"
      "    indented \"quoted\"\n"
      "\n"
      "  has \\\"\"\" triple\n"
      "  \"\"\"\n"
      "  f: Int\n"
      "}\n"
      "{ a(x: \"\"\"  leading space\"\"\", y: \"\"\"\nends with quote\"\n\"\"\") { b(z: \"\"\"\n  x\n   "
      "y\n\"\"\") } }";
  Document doc = parse_ok(src);
  const std::string printed = print(doc);
  EXPECT_EQ(printed,
            "type T {\n"
            "  \"\"\"\n"
            "  Line one\n"
            "    indented \"quoted\"\n"
            "\n"
            "  has \\\"\"\" triple\n"
            "  \"\"\"\n"
            "  f: Int\n"
            "}\n"
            "\n"
            // After a type definition the printer keeps the `query` keyword (see printer.cpp).
            "query {\n"
            "  a(x: \"\"\"  leading space\"\"\", y: \"\"\"\n"
            "  ends with quote\"\n"
            "  \"\"\") {\n"
            "    b(z: \"\"\"\n"
            "    x\n"
            "     y\n"
            "    \"\"\")\n"
            "  }\n"
            "}");
  expect_round_trip("block strings", src);
}

TEST(Printer, IgnoredTokensDoNotChangeTheOutput) {
  Document a = parse_ok("query Q($a:Int=1){f(x:$a,y:[1,2]){g h}}");
  Document b = parse_ok(
      "\xEF\xBB\xBF# comment\r\nquery   Q ( $a : Int = 1 , ) {\n f ( x : $a y : [ 1 2 ] ) { g , h } } ,");
  EXPECT_EQ(print(a), print(b));
  EXPECT_NE(print(a), print(parse_ok("query Q($a:Int=2){f(x:$a,y:[1,2]){g h}}")));
}

TEST(Printer, ShorthandQueryAfterTypeSystemDefinitionKeepsItsKeyword) {
  // Printed as "{ L }", the query would become the enum's body on re-parse.
  const std::string src = "enum E @d query{L}";
  EXPECT_EQ(print(parse_ok(src)), "enum E @d\n\nquery {\n  L\n}");
  expect_round_trip("enum then query", src);
  EXPECT_EQ(print(parse_ok("query{L} query{M}")), "{\n  L\n}\n\n{\n  M\n}");
}

TEST(Printer, PrintsSingleNodes) {
  Document doc = parse_ok("query ($v: [Int!]! = [1]) { f(o: {a: $v}) }");
  const auto* op = as<OperationDefinition>(doc.definitions()[0]);
  EXPECT_EQ(print(*op->variable_definitions[0]), "$v: [Int!]! = [1]");
  EXPECT_EQ(print(*op->variable_definitions[0]->type), "[Int!]!");
  EXPECT_EQ(print(*op->selection_set->selections[0]), "f(o: {a: $v})");
  EXPECT_EQ(print(*op), "query ($v: [Int!]! = [1]) {\n  f(o: {a: $v})\n}");
}

TEST(Printer, RoundTripsTheCorpusFiles) {
  for (const char* file :
       {"graphql-js/kitchen-sink-query.graphql", "graphql-js/kitchen-sink-sdl.graphql",
        "graphql-js/benchmark-kitchen-sink.graphql", "graphql-js/github-schema.graphql",
        "libgraphqlparser/kitchen-sink.graphql", "libgraphqlparser/schema-kitchen-sink.graphql",
        "graphql-cats/master/scenarios/validation/validation.schema.graphql",
        "graphql-cats/unmerged-pr10/validation.schema.modern.graphql"}) {
    const std::string source = corpus(file);
    ASSERT_TRUE(parse_document(source).ok()) << file;
    expect_round_trip(file, source);
  }
}

TEST(Printer, RoundTripsEveryParsingCorpusEntry) {
  // Keep the parsed JSON alive: a range-for over a member of a temporary would dangle.
  const json spec = json::parse(corpus("graphql-spec/spec-examples-September2025.json"));
  const json cases = json::parse(corpus("libgraphqlparser/parse-cases.json"));
  const json cats = json::parse(corpus("graphql-cats/scenarios.json"));
  int n = 0;
  for (const json& ex : spec["examples"]) {
    if (ex.contains("graphqljs") && ex["graphqljs"]["parse"] == "ok") {
      expect_round_trip(ex["id"], ex["text"]);
      ++n;
    }
  }
  for (const json& c : cases["cases"]) {
    if (c["expect"] == "parse-ok") {
      expect_round_trip(c["id"], c["text"]);
      ++n;
    }
  }
  for (const json& t : cats["tests"]) {
    if (t["query"].is_string()) {
      expect_round_trip(t["name"], t["query"]);
      ++n;
    }
  }
  EXPECT_GT(n, 300);
}

}  // namespace
}  // namespace fraiseql::graphql
