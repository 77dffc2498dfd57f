#include "fraiseql/graphql/coercion.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

namespace fraiseql::graphql {
namespace {

using nlohmann::json;

class CoercionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = build_schema(R"(
type Query { f(a: Int, b: [Int!], c: In, d: Pick, e: Color): Int }
enum Color { RED GREEN }
input In { req: String!, opt: Int = 7, list: [Float], nested: In }
input Pick @oneOf { x: Int, y: String }
)");
    ASSERT_TRUE(r.ok()) << r.error_text();
    schema_ = new std::shared_ptr<const Schema>(r.schema());
  }
  static void TearDownTestSuite() { delete schema_; }

  static const Schema& schema() { return **schema_; }

  /// Coerces `vars` for `query` (which declares the variables).
  static CoercedValues variables(std::string query, const std::string& vars) {
    auto doc = parse_document(std::move(query));
    EXPECT_TRUE(doc.ok());
    const auto& op = static_cast<const OperationDefinition&>(*doc.document().definitions()[0]);
    return coerce_variable_values(schema(), op, json::parse(vars));
  }

  /// The first error message coercing one variable of `type` to `value`, or "" and the value in `out`.
  static std::string one(const std::string& type, const std::string& value, json* out = nullptr) {
    const CoercedValues r = variables("query ($x: " + type + ") { f }", R"({"x":)" + value + "}");
    if (!r.ok()) return r.errors[0].message;
    if (out != nullptr) *out = r.values.at("x");
    return "";
  }

  static inline std::shared_ptr<const Schema>* schema_ = nullptr;
};

TEST_F(CoercionTest, Int) {
  json v;
  EXPECT_EQ(one("Int", "42", &v), "");
  EXPECT_EQ(v, 42);
  EXPECT_EQ(one("Int", "-2147483648", &v), "");
  EXPECT_EQ(one("Int", "3.0", &v), "");
  EXPECT_EQ(v, 3);
  EXPECT_EQ(one("Int", "\"abc\""),
            R"(Variable "$x" got invalid value "abc"; Int cannot represent non-integer value: "abc")");
  EXPECT_EQ(one("Int", "1.5"),
            R"(Variable "$x" got invalid value 1.5; Int cannot represent non-integer value: 1.5)");
  EXPECT_EQ(
      one("Int", "2147483648"),
      R"(Variable "$x" got invalid value 2147483648; Int cannot represent non 32-bit signed integer value: 2147483648)");
  EXPECT_EQ(one("Int", "true"),
            R"(Variable "$x" got invalid value true; Int cannot represent non-integer value: true)");
}

TEST_F(CoercionTest, FloatStringBooleanId) {
  json v;
  EXPECT_EQ(one("Float", "1", &v), "");
  EXPECT_EQ(v, 1.0);
  EXPECT_EQ(one("Float", "\"1\""),
            R"(Variable "$x" got invalid value "1"; Float cannot represent non numeric value: "1")");
  EXPECT_EQ(one("String", "\"s\"", &v), "");
  EXPECT_EQ(v, "s");
  EXPECT_EQ(one("String", "1"),
            R"(Variable "$x" got invalid value 1; String cannot represent a non string value: 1)");
  EXPECT_EQ(one("Boolean", "false", &v), "");
  EXPECT_EQ(v, false);
  EXPECT_EQ(one("Boolean", "0"),
            R"(Variable "$x" got invalid value 0; Boolean cannot represent a non boolean value: 0)");
  EXPECT_EQ(one("ID", "\"a1\"", &v), "");
  EXPECT_EQ(v, "a1");
  EXPECT_EQ(one("ID", "17", &v), "");
  EXPECT_EQ(v, "17");
  EXPECT_EQ(one("ID", "1.5"), R"(Variable "$x" got invalid value 1.5; ID cannot represent value: 1.5)");
  EXPECT_EQ(one("ID", "{\"a\":[1]}"),
            R"(Variable "$x" got invalid value { a: [1] }; ID cannot represent value: { a: [1] })");
}

TEST_F(CoercionTest, FraiseqlScalars) {
  json v;
  EXPECT_EQ(one("DateTime", R"("2024-02-29T23:59:60.123+05:30")", &v), "");
  EXPECT_EQ(one("DateTime", R"("2024-05-01T12:30:00Z")", &v), "");
  EXPECT_EQ(v, "2024-05-01T12:30:00Z");
  EXPECT_EQ(one("DateTime", R"("2023-02-29T00:00:00Z")"),
            R"(Variable "$x" got invalid value "2023-02-29T00:00:00Z"; DateTime cannot represent an invalid )"
            R"(date-time string: "2023-02-29T00:00:00Z"; expected RFC 3339, e.g. "2024-05-01T12:30:00Z")");
  EXPECT_NE(one("DateTime", R"("2024-05-01 12:30:00")"), "");
  EXPECT_NE(one("DateTime", R"("2024-05-01T12:30:00")"), "");
  EXPECT_EQ(one("DateTime", "1"),
            R"(Variable "$x" got invalid value 1; DateTime cannot represent a non string value: 1)");

  EXPECT_EQ(one("Date", R"("2024-12-31")", &v), "");
  EXPECT_EQ(one("Date", R"("2024-13-01")"),
            R"(Variable "$x" got invalid value "2024-13-01"; Date cannot represent an invalid date string: )"
            R"("2024-13-01"; expected YYYY-MM-DD)");

  EXPECT_EQ(one("UUID", R"("123e4567-E89B-12d3-a456-426614174000")", &v), "");
  EXPECT_EQ(one("UUID", R"("123e4567e89b12d3a456426614174000")"),
            R"(Variable "$x" got invalid value "123e4567e89b12d3a456426614174000"; UUID cannot represent an )"
            R"(invalid UUID string: "123e4567e89b12d3a456426614174000")");

  EXPECT_EQ(one("JSON", R"({"a":[1,null,{"b":true}]})", &v), "");
  EXPECT_EQ(v, json::parse(R"({"a":[1,null,{"b":true}]})"));

  EXPECT_EQ(one("BigInt", "9007199254740993", &v), "");
  EXPECT_EQ(v, 9007199254740993LL);
  EXPECT_EQ(one("BigInt", R"("-9223372036854775808")", &v), "");
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(
      one("BigInt", R"("9223372036854775808")"),
      R"(Variable "$x" got invalid value "9223372036854775808"; BigInt cannot represent non 64-bit signed )"
      R"(integer value: "9223372036854775808")");
  EXPECT_EQ(one("BigInt", R"("12a")"),
            R"(Variable "$x" got invalid value "12a"; BigInt cannot represent non-integer value: "12a")");

  EXPECT_EQ(one("Decimal", R"("-12.50e3")", &v), "");
  EXPECT_EQ(v, "-12.50e3");
  EXPECT_EQ(one("Decimal", "12", &v), "");
  EXPECT_EQ(v, "12");
  EXPECT_EQ(
      one("Decimal", R"("1.2.3")"),
      R"(Variable "$x" got invalid value "1.2.3"; Decimal cannot represent non-decimal value: "1.2.3")");
}

TEST_F(CoercionTest, EnumsAndLists) {
  json v;
  EXPECT_EQ(one("Color", R"("RED")", &v), "");
  EXPECT_EQ(v, "RED");
  EXPECT_EQ(one("Color", R"("BLUE")"),
            R"(Variable "$x" got invalid value "BLUE"; Value "BLUE" does not exist in "Color" enum.)");
  EXPECT_EQ(one("Color", "1"),
            R"(Variable "$x" got invalid value 1; Enum "Color" cannot represent non-string value: 1.)");
  EXPECT_EQ(one("[Int!]", "3", &v), "");
  EXPECT_EQ(v, json::parse("[3]"));
  EXPECT_EQ(one("[[Int]]", "[[1],2]", &v), "");
  EXPECT_EQ(v, json::parse("[[1],[2]]"));
  EXPECT_EQ(
      one("[Int!]", "[1,null]"),
      R"(Variable "$x" got invalid value null at "x[1]"; Expected non-nullable type "Int!" not to be null.)");
}

TEST_F(CoercionTest, InputObjects) {
  json v;
  EXPECT_EQ(one("In", R"({"req":"r","list":1})", &v), "");
  EXPECT_EQ(v, json::parse(R"({"req":"r","opt":7,"list":[1.0]})"));
  EXPECT_EQ(
      one("In", R"({"opt":1})"),
      R"(Variable "$x" got invalid value { opt: 1 }; Field "req" of required type "String!" was not provided.)");
  EXPECT_EQ(
      one("In", R"({"req":"r","bogus":1})"),
      R"(Variable "$x" got invalid value { bogus: 1, req: "r" }; Field "bogus" is not defined by type "In".)");
  EXPECT_EQ(
      one("In", R"({"req":"r","nested":{"req":1}})"),
      R"(Variable "$x" got invalid value 1 at "x.nested.req"; String cannot represent a non string value: 1)");
  EXPECT_EQ(one("In", "[]"), R"(Variable "$x" got invalid value []; Expected type "In" to be an object.)");
}

TEST_F(CoercionTest, OneOf) {
  json v;
  EXPECT_EQ(one("Pick", R"({"x":1})", &v), "");
  EXPECT_EQ(v, json::parse(R"({"x":1})"));
  EXPECT_EQ(
      one("Pick", R"({"x":1,"y":"a"})"),
      R"(Variable "$x" got invalid value { x: 1, y: "a" }; Exactly one key must be specified for OneOf type "Pick".)");
  EXPECT_EQ(
      one("Pick", R"({})"),
      R"(Variable "$x" got invalid value {}; Exactly one key must be specified for OneOf type "Pick".)");
  EXPECT_EQ(one("Pick", R"({"x":null})"),
            R"(Variable "$x" got invalid value null at "x.x"; Field "x" must be non-null.)");
}

TEST_F(CoercionTest, VariableRules) {
  const CoercedValues r =
      variables("query ($a: Int!, $b: Int!, $c: Int = 5, $d: String, $e: Int, $f: [Int] = [1]) { f }",
                R"({"b":null,"e":"x"})");
  ASSERT_EQ(r.errors.size(), 3U);
  EXPECT_EQ(r.errors[0].message, R"(Variable "$a" of required type "Int!" was not provided.)");
  EXPECT_EQ(r.errors[1].message, R"(Variable "$b" of non-null type "Int!" must not be null.)");
  EXPECT_EQ(r.errors[2].message,
            R"(Variable "$e" got invalid value "x"; Int cannot represent non-integer value: "x")");
  EXPECT_EQ(r.errors[0].code, "BAD_USER_INPUT");
  ASSERT_EQ(r.errors[0].locations.size(), 1U);
  EXPECT_EQ(r.errors[0].locations[0].column, 8U);

  const CoercedValues ok =
      variables("query ($c: Int = 5, $d: String, $f: [Int] = 1, $n: Int) { f }", R"({"n":null})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.values, json::parse(R"({"c":5,"f":[1],"n":null})"));
}

TEST_F(CoercionTest, ArgumentValues) {
  auto doc = parse_document(R"(query ($v: Int, $missing: Int) {
    f(a: $v, b: 4, c: {req: "r", list: [1, 2.5]}, d: {y: "s"}, e: GREEN)
    g: f(a: $missing)
  })");
  ASSERT_TRUE(doc.ok());
  const auto& op = static_cast<const OperationDefinition&>(*doc.document().definitions()[0]);
  const auto& fields = op.selection_set->selections;
  const FieldDef* f = schema().query_type()->field("f");
  const json vars = json::parse(R"({"v": 3})");
  const auto& f1 = static_cast<const Field&>(*fields[0]);
  const CoercedValues a = coerce_argument_values(f->arguments, f1.arguments, vars, f1);
  ASSERT_TRUE(a.ok()) << a.errors[0].message;
  EXPECT_EQ(
      a.values,
      json::parse(R"({"a":3,"b":[4],"c":{"req":"r","opt":7,"list":[1.0,2.5]},"d":{"y":"s"},"e":"GREEN"})"));
  const auto& f2 = static_cast<const Field&>(*fields[1]);
  const CoercedValues b = coerce_argument_values(f->arguments, f2.arguments, vars, f2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.values, json::object());

  // Required arguments (a directive's).
  const DirectiveDef* skip = schema().directive("skip");
  auto d = parse_document("query ($t: Boolean) { f @skip(if: $t) h: f @skip(if: null) }");
  ASSERT_TRUE(d.ok());
  const auto& op2 = static_cast<const OperationDefinition&>(*d.document().definitions()[0]);
  const auto& s1 = static_cast<const Field&>(*op2.selection_set->selections[0]);
  const CoercedValues c =
      coerce_argument_values(skip->arguments, s1.directives[0]->arguments, json::object(), s1);
  ASSERT_EQ(c.errors.size(), 1U);
  EXPECT_EQ(
      c.errors[0].message,
      R"(Argument "if" of required type "Boolean!" was provided the variable "$t" which was not provided a runtime value.)");
  const auto& s2 = static_cast<const Field&>(*op2.selection_set->selections[1]);
  const CoercedValues e =
      coerce_argument_values(skip->arguments, s2.directives[0]->arguments, json::object(), s2);
  ASSERT_EQ(e.errors.size(), 1U);
  EXPECT_EQ(e.errors[0].message, R"(Argument "if" of non-null type "Boolean!" must not be null.)");
}

TEST_F(CoercionTest, Literals) {
  auto check = [](const std::string& type_sdl, const std::string& literal) {
    auto doc = parse_document("query ($x: " + type_sdl + " = " + literal + ") { f }");
    EXPECT_TRUE(doc.ok()) << literal;
    const auto& op = static_cast<const OperationDefinition&>(*doc.document().definitions()[0]);
    const VariableDefinition& def = *op.variable_definitions[0];
    std::vector<std::string> problems;
    validate_literal(*def.default_value, schema().resolve_type(*def.type), problems);
    std::string joined;
    for (const auto& p : problems) joined.append(p).append("\n");
    return joined;
  };
  EXPECT_EQ(check("Int", "1"), "");
  EXPECT_EQ(check("Int", "\"abc\""), "Int cannot represent non-integer value: \"abc\"\n");
  EXPECT_EQ(check("Int", "3000000000"), "Int cannot represent non 32-bit signed integer value: 3000000000\n");
  EXPECT_EQ(check("Float", "true"), "Float cannot represent non numeric value: true\n");
  EXPECT_EQ(check("ID", "1.5"), "ID cannot represent a non-string and non-integer value: 1.5\n");
  EXPECT_EQ(check("Color", "\"RED\""), "Enum \"Color\" cannot represent non-enum value: \"RED\".\n");
  EXPECT_EQ(check("Color", "BLUE"), "Value \"BLUE\" does not exist in \"Color\" enum.\n");
  EXPECT_EQ(check("In!", "1"), "Expected value of type \"In!\", found 1.\n");
  EXPECT_EQ(check("In", "{opt: 1, zzz: 2}"),
            "Field \"In.req\" of required type \"String!\" was not provided.\n"
            "Field \"zzz\" is not defined by type \"In\".\n");
  EXPECT_EQ(check("Pick", "{x: 1, y: \"a\"}"), "OneOf Input Object \"Pick\" must specify exactly one key.\n");
  EXPECT_EQ(check("Pick", "{x: null}"), "Field \"Pick.x\" must be non-null.\n");
  EXPECT_EQ(check("[Int!]", "[1, null]"), "Expected value of type \"Int!\", found null.\n");
  EXPECT_EQ(check("DateTime", "\"2024-01-01\""),
            "DateTime cannot represent an invalid date-time string: \"2024-01-01\"; expected RFC 3339, e.g. "
            "\"2024-05-01T12:30:00Z\"\n");
  EXPECT_EQ(check("BigInt", "9223372036854775807"), "");
  EXPECT_EQ(check("Decimal", "1.25"), "");
  EXPECT_EQ(check("JSON", "{a: [1, B]}"), "");

  auto doc = parse_document("{ f }");
  (void)doc;
  const auto lit = parse_document("query ($x: JSON = {a: [1, B, null], s: \"t\"}) { f }");
  ASSERT_TRUE(lit.ok());
  const auto& op = static_cast<const OperationDefinition&>(*lit.document().definitions()[0]);
  const auto value =
      value_from_ast(*op.variable_definitions[0]->default_value, TypeRef(*schema().type("JSON")));
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, json::parse(R"({"a":[1,"B",null],"s":"t"})"));
}

TEST(Inspect, GraphqlJsFormat) {
  EXPECT_EQ(inspect(json::parse(R"("a\"b")")), R"("a\"b")");
  EXPECT_EQ(inspect(json::parse("[1, [2, [3, [4]]]]")), "[1, [2, [Array]]]");
  EXPECT_EQ(inspect(json::parse(R"({"a":{"b":{"c":1}}})")), "{ a: { b: [Object] } }");
  EXPECT_EQ(inspect(json::parse("[0,1,2,3,4,5,6,7,8,9,10,11]")),
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 2 more items]");
  EXPECT_EQ(inspect(json::parse("1e21")), "1e+21");
  EXPECT_EQ(inspect(json::parse("0.000001")), "0.000001");
  EXPECT_EQ(inspect(json::parse("1e-7")), "1e-7");
  EXPECT_EQ(inspect(json::parse("null")), "null");
}

}  // namespace
}  // namespace fraiseql::graphql
