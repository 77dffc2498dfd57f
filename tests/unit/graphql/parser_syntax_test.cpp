// AST shape, node locations and error messages for targeted documents.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fraiseql/graphql/parser.hpp"

#include "parser_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using testing::only_definition;
using testing::parse_error;
using testing::parse_ok;

Location at(uint32_t line, uint32_t column, uint32_t offset) {
  return Location{line, column, offset};
}

TEST(ParserSyntax, OperationShapeAndLocations) {
  Document doc = parse_ok(
      "query Q($id: ID! = 4, $l: [Int!]) @live {\n"
      "  a: user(id: $id, flags: [1, 2.5]) @include(if: true) {\n"
      "    ...F\n"
      "    ... on User { name }\n"
      "  }\n"
      "}\n");
  const auto* op = only_definition<OperationDefinition>(doc);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->operation, OperationType::kQuery);
  EXPECT_EQ(op->loc, at(1, 1, 0));
  EXPECT_EQ(op->name.value, "Q");
  EXPECT_EQ(op->name.loc, at(1, 7, 6));

  ASSERT_EQ(op->variable_definitions.size(), 2u);
  const VariableDefinition* id = op->variable_definitions[0];
  EXPECT_EQ(id->loc, at(1, 9, 8));
  EXPECT_EQ(id->variable->name.value, "id");
  const auto* nn = as<NonNullType>(id->type);
  ASSERT_NE(nn, nullptr);
  EXPECT_EQ(nn->loc, at(1, 14, 13));
  EXPECT_EQ(as<NamedType>(nn->type)->name.value, "ID");
  ASSERT_NE(as<IntValue>(id->default_value), nullptr);
  EXPECT_EQ(as<IntValue>(id->default_value)->raw, "4");
  const auto* list = as<ListType>(op->variable_definitions[1]->type);
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(named_type_of(*list).name.value, "Int");
  EXPECT_TRUE(is<NonNullType>(list->type));

  ASSERT_EQ(op->directives.size(), 1u);
  EXPECT_EQ(op->directives[0]->name.value, "live");
  EXPECT_EQ(op->directives[0]->loc, at(1, 35, 34));
  EXPECT_EQ(op->selection_set->loc, at(1, 41, 40));

  ASSERT_EQ(op->selection_set->selections.size(), 1u);
  const auto* field = as<Field>(op->selection_set->selections[0]);
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->loc, at(2, 3, 44));
  EXPECT_EQ(field->alias.value, "a");
  EXPECT_EQ(field->name.value, "user");
  EXPECT_EQ(field->name.loc, at(2, 6, 47));
  EXPECT_EQ(field->response_key(), "a");
  ASSERT_EQ(field->arguments.size(), 2u);
  EXPECT_EQ(field->arguments[0]->loc, at(2, 11, 52));
  EXPECT_EQ(as<Variable>(field->arguments[0]->value)->name.value, "id");
  EXPECT_EQ(as<Variable>(field->arguments[0]->value)->loc, at(2, 15, 56));
  const auto* flags = as<ListValue>(field->arguments[1]->value);
  ASSERT_NE(flags, nullptr);
  ASSERT_EQ(flags->values.size(), 2u);
  EXPECT_EQ(as<FloatValue>(flags->values[1])->raw, "2.5");
  ASSERT_EQ(field->directives.size(), 1u);
  EXPECT_TRUE(as<BooleanValue>(field->directives[0]->arguments[0]->value)->value);

  const auto& inner = field->selection_set->selections;
  ASSERT_EQ(inner.size(), 2u);
  const auto* spread = as<FragmentSpread>(inner[0]);
  ASSERT_NE(spread, nullptr);
  EXPECT_EQ(spread->name.value, "F");
  EXPECT_EQ(spread->loc, at(3, 5, 103));
  const auto* inline_fragment = as<InlineFragment>(inner[1]);
  ASSERT_NE(inline_fragment, nullptr);
  EXPECT_EQ(inline_fragment->type_condition->name.value, "User");
  EXPECT_EQ(inline_fragment->type_condition->loc, at(4, 12, 119));
}

TEST(ParserSyntax, ShorthandQueryAndAnonymousOperations) {
  Document doc = parse_ok("{ a }\nmutation { b }\nsubscription S { c }");
  ASSERT_EQ(doc.definitions().size(), 3u);
  const auto* q = as<OperationDefinition>(doc.definitions()[0]);
  EXPECT_EQ(q->operation, OperationType::kQuery);
  EXPECT_TRUE(q->name.empty());
  EXPECT_EQ(as<OperationDefinition>(doc.definitions()[1])->operation, OperationType::kMutation);
  EXPECT_EQ(as<OperationDefinition>(doc.definitions()[2])->operation, OperationType::kSubscription);
  EXPECT_EQ(as<OperationDefinition>(doc.definitions()[2])->loc.line, 3u);
  EXPECT_EQ(doc.operation_count(), 3u);
}

TEST(ParserSyntax, AllValueKinds) {
  Document doc = parse_ok(R"({ f(i: -12, f: 1.5e3, s: "x\ty", b: """ block """, t: true, n: null, e: RED,)"
                          R"( l: [1, [2]], o: {k: {nested: [$v]}, e: []}) })");
  const auto* field = as<Field>(only_definition<OperationDefinition>(doc)->selection_set->selections[0]);
  ASSERT_NE(field, nullptr);
  const auto& args = field->arguments;
  ASSERT_EQ(args.size(), 9u);
  EXPECT_EQ(as<IntValue>(args[0]->value)->raw, "-12");
  EXPECT_EQ(as<FloatValue>(args[1]->value)->raw, "1.5e3");
  EXPECT_EQ(as<StringValue>(args[2]->value)->value, "x\ty");
  EXPECT_FALSE(as<StringValue>(args[2]->value)->block);
  EXPECT_EQ(as<StringValue>(args[3]->value)->value, " block ");
  EXPECT_TRUE(as<StringValue>(args[3]->value)->block);
  EXPECT_TRUE(as<BooleanValue>(args[4]->value)->value);
  EXPECT_TRUE(is<NullValue>(args[5]->value));
  EXPECT_EQ(as<EnumValue>(args[6]->value)->value, "RED");
  const auto* l = as<ListValue>(args[7]->value);
  ASSERT_EQ(l->values.size(), 2u);
  EXPECT_TRUE(is<ListValue>(l->values[1]));
  const auto* o = as<ObjectValue>(args[8]->value);
  ASSERT_NE(o, nullptr);
  ASSERT_EQ(o->fields.size(), 2u);
  EXPECT_EQ(o->fields[0]->name.value, "k");
  const auto* k = as<ObjectValue>(o->fields[0]->value);
  ASSERT_NE(k, nullptr);
  const auto* nested = as<ListValue>(k->fields[0]->value);
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(as<Variable>(nested->values[0])->name.value, "v");
  EXPECT_TRUE(as<ListValue>(o->fields[1]->value)->values.empty());
}

TEST(ParserSyntax, KeywordsAreNamesWhereAllowed) {
  Document doc = parse_ok(
      "query query($on: on = on) { fragment: query(type: true) ... on on { null } ...subscription }\n"
      "fragment subscription on extend { implements }");
  ASSERT_EQ(doc.definitions().size(), 2u);
  const auto* op = as<OperationDefinition>(doc.definitions()[0]);
  EXPECT_EQ(op->name.value, "query");
  EXPECT_EQ(as<EnumValue>(op->variable_definitions[0]->default_value)->value, "on");
  EXPECT_EQ(as<FragmentDefinition>(doc.definitions()[1])->name.value, "subscription");
  // `on` cannot name a fragment.
  ParseError e = parse_error("{ ...F } fragment on on T { a }");
  EXPECT_EQ(e.message, "Syntax Error: Unexpected Name \"on\".");
  EXPECT_EQ(e.loc, at(1, 19, 18));
}

TEST(ParserSyntax, ExecutableDescriptions) {
  Document doc =
      parse_ok("\"\"\"Op\"\"\"\nquery Q(\"the id\" $id: ID) { a }\n\"frag\" fragment F on T { a }");
  ASSERT_EQ(doc.definitions().size(), 2u);
  const auto* op = as<OperationDefinition>(doc.definitions()[0]);
  ASSERT_NE(op->description, nullptr);
  EXPECT_EQ(op->description->value, "Op");
  EXPECT_EQ(op->loc, at(1, 1, 0));
  EXPECT_EQ(op->variable_definitions[0]->description->value, "the id");
  EXPECT_EQ(op->variable_definitions[0]->variable->loc.column, 18u);
  EXPECT_EQ(as<FragmentDefinition>(doc.definitions()[1])->description->value, "frag");
  EXPECT_EQ(parse_error("\"d\" { a }").message,
            "Syntax Error: Unexpected description, descriptions are not supported on shorthand queries.");
  EXPECT_EQ(parse_error("\"d\" extend type T @x").message,
            "Syntax Error: Unexpected description, descriptions are not supported on type extensions.");
}

TEST(ParserSyntax, TypeSystemDefinitions) {
  Document doc = parse_ok(R"(
"""The schema"""
schema @a { query: Q mutation: M subscription: S }
"A scalar" scalar Date @specifiedBy(url: "https://x")
type Q implements & Node & Entity @k(fields: "id") {
  "the id" id: ID!
  posts(first: Int = 10 @deprecated, "after" after: String): [Post!]! @cached(ttl: 30)
}
interface Node implements Entity { id: ID! }
union U @u = | A | B
enum Color { RED @deprecated(reason: "no") "green" GREEN BLUE }
input In { a: Int = 1, b: [String!] = ["x"] @d }
directive @cached(ttl: Int) repeatable on FIELD_DEFINITION | OBJECT
directive @k(fields: String!) on | OBJECT
)");
  const auto defs = doc.definitions();
  ASSERT_EQ(defs.size(), 9u);

  const auto* schema = as<SchemaDefinition>(defs[0]);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->description->value, "The schema");
  EXPECT_EQ(schema->loc, at(2, 1, 1));
  ASSERT_EQ(schema->operation_types.size(), 3u);
  EXPECT_EQ(schema->operation_types[2]->operation, OperationType::kSubscription);
  EXPECT_EQ(schema->operation_types[2]->type->name.value, "S");

  const auto* scalar = as<ScalarTypeDefinition>(defs[1]);
  ASSERT_NE(scalar, nullptr);
  EXPECT_EQ(scalar->name.value, "Date");
  EXPECT_EQ(scalar->description->value, "A scalar");
  EXPECT_EQ(scalar->directives.size(), 1u);

  const auto* q = as<ObjectTypeDefinition>(defs[2]);
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(q->interfaces.size(), 2u);
  EXPECT_EQ(q->interfaces[1]->name.value, "Entity");
  ASSERT_EQ(q->fields.size(), 2u);
  EXPECT_EQ(q->fields[0]->description->value, "the id");
  EXPECT_EQ(q->fields[0]->loc, at(6, 3, 178));
  const FieldDefinition* posts = q->fields[1];
  ASSERT_EQ(posts->arguments.size(), 2u);
  EXPECT_EQ(as<IntValue>(posts->arguments[0]->default_value)->raw, "10");
  EXPECT_EQ(posts->arguments[0]->directives.size(), 1u);
  EXPECT_EQ(posts->arguments[1]->description->value, "after");
  EXPECT_EQ(named_type_of(*posts->type).name.value, "Post");
  EXPECT_EQ(posts->directives[0]->name.value, "cached");

  const auto* node = as<InterfaceTypeDefinition>(defs[3]);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->interfaces.size(), 1u);

  const auto* u = as<UnionTypeDefinition>(defs[4]);
  ASSERT_NE(u, nullptr);
  ASSERT_EQ(u->types.size(), 2u);
  EXPECT_EQ(u->types[1]->name.value, "B");

  const auto* color = as<EnumTypeDefinition>(defs[5]);
  ASSERT_NE(color, nullptr);
  ASSERT_EQ(color->values.size(), 3u);
  EXPECT_EQ(color->values[0]->directives.size(), 1u);
  EXPECT_EQ(color->values[1]->description->value, "green");
  EXPECT_EQ(color->values[1]->name.value, "GREEN");

  const auto* in = as<InputObjectTypeDefinition>(defs[6]);
  ASSERT_NE(in, nullptr);
  ASSERT_EQ(in->fields.size(), 2u);
  EXPECT_TRUE(is<ListValue>(in->fields[1]->default_value));

  const auto* cached = as<DirectiveDefinition>(defs[7]);
  ASSERT_NE(cached, nullptr);
  EXPECT_EQ(cached->name.value, "cached");
  EXPECT_TRUE(cached->repeatable);
  ASSERT_EQ(cached->locations.size(), 2u);
  EXPECT_EQ(cached->locations[0].value, DirectiveLocation::kFieldDefinition);
  EXPECT_EQ(cached->locations[1].value, DirectiveLocation::kObject);
  EXPECT_EQ(cached->locations[1].name.value, "OBJECT");
  EXPECT_FALSE(as<DirectiveDefinition>(defs[8])->repeatable);
  EXPECT_FALSE(doc.is_executable());
}

TEST(ParserSyntax, Extensions) {
  Document doc = parse_ok(R"(
extend schema @a
extend schema { mutation: M }
extend scalar S @a
extend type T implements I
extend type T { f: Int }
extend interface I @a
extend union U = C
extend enum E { X }
extend input In @a
)");
  const std::vector<NodeKind> expected = {
      NodeKind::kSchemaExtension,     NodeKind::kSchemaExtension,     NodeKind::kScalarTypeExtension,
      NodeKind::kObjectTypeExtension, NodeKind::kObjectTypeExtension, NodeKind::kInterfaceTypeExtension,
      NodeKind::kUnionTypeExtension,  NodeKind::kEnumTypeExtension,   NodeKind::kInputObjectTypeExtension};
  ASSERT_EQ(doc.definitions().size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(doc.definitions()[i]->kind, expected[i]) << i;
    EXPECT_TRUE(is_type_system_definition(expected[i]));
  }
  const auto* ext = as<ObjectTypeExtension>(doc.definitions()[4]);
  ASSERT_NE(ext, nullptr);
  // An extension is usable through its definition's struct.
  const ObjectTypeDefinition& as_def = *ext;
  EXPECT_EQ(as_def.name.value, "T");
  EXPECT_EQ(as_def.fields.size(), 1u);
  EXPECT_EQ(as_def.description, nullptr);
  EXPECT_EQ(as<ObjectTypeDefinition>(doc.definitions()[4]), nullptr);
  EXPECT_EQ(ext->loc, at(6, 1, 94));

  // An extension must add something.
  for (const char* empty : {"extend schema", "extend scalar S", "extend type T", "extend interface I",
                            "extend union U", "extend enum E", "extend input I"}) {
    ParseError e = parse_error(empty);
    EXPECT_EQ(e.message, "Syntax Error: Unexpected <EOF>.") << empty;
  }
  EXPECT_EQ(parse_error("extend directive @a on FIELD").message,
            "Syntax Error: Unexpected Name \"directive\".");
}

TEST(ParserSyntax, ErrorMessagesAndLocations) {
  struct Case {
    const char* src;
    const char* message;
    uint32_t line;
    uint32_t column;
  };
  for (const Case& c : {
           Case{"", "Syntax Error: Unexpected <EOF>.", 1, 1},
           Case{"   \n  ", "Syntax Error: Unexpected <EOF>.", 2, 3},
           Case{"{", "Syntax Error: Expected Name, found <EOF>.", 1, 2},
           Case{"{ }", "Syntax Error: Expected Name, found \"}\".", 1, 3},
           Case{"query", "Syntax Error: Expected \"{\", found <EOF>.", 1, 6},
           Case{"{ a(b) }", "Syntax Error: Expected \":\", found \")\".", 1, 6},
           Case{"{ a(b: ) }", "Syntax Error: Unexpected \")\".", 1, 8},
           Case{"{ a() }", "Syntax Error: Expected Name, found \")\".", 1, 5},
           Case{"query Q() { a }", "Syntax Error: Expected \"$\", found \")\".", 1, 9},
           Case{"query Q($a) { a }", "Syntax Error: Expected \":\", found \")\".", 1, 11},
           Case{"query Q($a: Int = $b) { a }", "Syntax Error: Unexpected variable \"$b\" in constant value.",
                1, 19},
           Case{"{ a @ }", "Syntax Error: Expected Name, found \"}\".", 1, 7},
           Case{"{ ... on { a } }", "Syntax Error: Expected Name, found \"{\".", 1, 10},
           Case{"fragment F { a }", "Syntax Error: Expected \"on\", found \"{\".", 1, 12},
           Case{"{ a }}", "Syntax Error: Unexpected \"}\".", 1, 6},
           Case{"query Q { a } 123", "Syntax Error: Unexpected Int \"123\".", 1, 15},
           Case{"\"just a string\"", "Syntax Error: Unexpected <EOF>.", 1, 16},
           Case{"\"desc\" \"desc\" type T", "Syntax Error: Unexpected String \"desc\".", 1, 8},
           Case{"type T { f: [Int }", "Syntax Error: Expected \"]\", found \"}\".", 1, 18},
           Case{"type T {}", "Syntax Error: Expected Name, found \"}\".", 1, 9},
           Case{"type T { f(): Int }", "Syntax Error: Expected Name, found \")\".", 1, 12},
           Case{"type T { f: Int = 1 }", "Syntax Error: Expected Name, found \"=\".", 1, 17},
           Case{"input I { f(a: Int): Int }", "Syntax Error: Expected \":\", found \"(\".", 1, 12},
           Case{"enum E { true }",
                "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value.", 1, 10},
           Case{"enum E { null }",
                "Syntax Error: Name \"null\" is reserved and cannot be used for an enum value.", 1, 10},
           Case{"schema { query Q }", "Syntax Error: Expected \":\", found Name \"Q\".", 1, 16},
           Case{"schema { lookup: Q }", "Syntax Error: Unexpected Name \"lookup\".", 1, 10},
           Case{"schema @a", "Syntax Error: Expected \"{\", found <EOF>.", 1, 10},
           Case{"directive @d on FIELD | NOPE", "Syntax Error: Unexpected Name \"NOPE\".", 1, 25},
           Case{"directive d on FIELD", "Syntax Error: Expected \"@\", found Name \"d\".", 1, 11},
           Case{"directive @d FIELD", "Syntax Error: Expected \"on\", found Name \"FIELD\".", 1, 14},
           Case{"union U = ", "Syntax Error: Expected Name, found <EOF>.", 1, 11},
           Case{"type T implements { f: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 19},
           Case{"{ a(x: \"\"\"\n  b\n  \"\"\") }\n;", "Syntax Error: Unexpected character: \";\".", 4, 1},
       }) {
    ParseError e = parse_error(c.src);
    EXPECT_EQ(e.message, c.message) << c.src;
    EXPECT_EQ(e.loc.line, c.line) << c.src;
    EXPECT_EQ(e.loc.column, c.column) << c.src;
  }
}

TEST(ParserSyntax, ParseReturnsInvalidArgumentWithPosition) {
  Result<Document> r = parse("{ a(b: ) }");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "Syntax Error: Unexpected \")\". (1:8)");
  Result<Document> good = parse("{ a }");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->definitions().size(), 1u);
}

TEST(ParserSyntax, DocumentSurvivesMoves) {
  std::string text = "{ some_field(arg: \"a\\nb\") }";
  Document doc = parse_ok(text);
  const char* before = doc.source().data();
  Document moved = std::move(doc);
  std::vector<Document> docs;
  docs.push_back(std::move(moved));
  for (int i = 0; i < 20; ++i) docs.emplace_back();  // reallocations move the Documents
  const Document& d = docs.front();
  EXPECT_EQ(d.source().data(), before);
  const auto* field = as<Field>(as<OperationDefinition>(d.definitions()[0])->selection_set->selections[0]);
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->name.value, "some_field");
  EXPECT_EQ(as<StringValue>(field->arguments[0]->value)->value, "a\nb");
  EXPECT_TRUE(doc.definitions().empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
}

TEST(ParserSyntax, WalkVisitsEveryNodeInOrder) {
  Document doc = parse_ok("query Q($v: [Int!] = [1]) @d(a: {b: 2}) { f(x: $v) { ... on T { g } ...F } }");
  std::vector<NodeKind> seen;
  auto walk = [&](auto&& self, const Node& n) -> void {
    seen.push_back(n.kind);
    for_each_child(n, [&](const Node& child) { self(self, child); });
  };
  walk(walk, *doc.definitions()[0]);
  const std::vector<NodeKind> expected = {NodeKind::kOperationDefinition,
                                          NodeKind::kVariableDefinition,
                                          NodeKind::kVariable,
                                          NodeKind::kListType,
                                          NodeKind::kNonNullType,
                                          NodeKind::kNamedType,
                                          NodeKind::kListValue,
                                          NodeKind::kIntValue,
                                          NodeKind::kDirective,
                                          NodeKind::kArgument,
                                          NodeKind::kObjectValue,
                                          NodeKind::kObjectField,
                                          NodeKind::kIntValue,
                                          NodeKind::kSelectionSet,
                                          NodeKind::kField,
                                          NodeKind::kArgument,
                                          NodeKind::kVariable,
                                          NodeKind::kSelectionSet,
                                          NodeKind::kInlineFragment,
                                          NodeKind::kNamedType,
                                          NodeKind::kSelectionSet,
                                          NodeKind::kField,
                                          NodeKind::kFragmentSpread};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(directives_of(*doc.definitions()[0]).size(), 1u);
}

}  // namespace
}  // namespace fraiseql::graphql
