// Limits that keep hostile documents cheap: size, token count and nesting depth.

#include <string>

#include <gtest/gtest.h>

#include "fraiseql/graphql/parser.hpp"

#include "parser_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using testing::parse_error;
using testing::parse_ok;

std::string nested_selections(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{a";
  s += std::string(depth, '}');
  return s;
}

std::string nested_lists(std::size_t depth) {
  return "{ f(x: " + std::string(depth, '[') + "1" + std::string(depth, ']') + ") }";
}

const std::string kDepthMessage =
    "Syntax Error: Document exceeds the maximum nesting depth of 128. Parsing aborted.";

TEST(ParserLimits, DefaultsAreDocumented) {
  ParseOptions o;
  EXPECT_EQ(o.max_document_bytes, 1u << 20);
  EXPECT_EQ(o.max_tokens, 20'000u);
  EXPECT_EQ(o.max_depth, 128u);
}

TEST(ParserLimits, HundredThousandOpenBracesFailCleanly) {
  ParseError e = parse_error(std::string(100'000, '{'));
  EXPECT_EQ(e.message, "Syntax Error: Expected Name, found \"{\".");
  EXPECT_EQ(e.loc.column, 2u);
}

TEST(ParserLimits, HundredThousandNestedSelectionsHitTheDepthLimit) {
  ParseOptions o;
  o.max_tokens = 1'000'000;  // so that depth, not the token count, stops it
  ParseError e = parse_error(nested_selections(100'000), o);
  EXPECT_EQ(e.message, kDepthMessage);
  EXPECT_EQ(e.loc.column, 2u * 128 + 1);  // the 129th "{"
}

TEST(ParserLimits, HundredThousandNestedListsHitTheDepthLimit) {
  ParseOptions o;
  o.max_tokens = 1'000'000;
  EXPECT_EQ(parse_error(nested_lists(100'000), o).message, kDepthMessage);
  // Unbalanced, too.
  EXPECT_EQ(parse_error("{ f(x: " + std::string(100'000, '['), o).message, kDepthMessage);
  EXPECT_EQ(parse_error("{ f(x: " + std::string(100'000, '{'), o).message,
            "Syntax Error: Expected Name, found \"{\".");
  std::string objects = "{ f(x: ";
  for (int i = 0; i < 100'000; ++i) objects += "{a:";
  EXPECT_EQ(parse_error(objects, o).message, kDepthMessage);
}

TEST(ParserLimits, DeepListTypesHitTheDepthLimit) {
  ParseOptions o;
  o.max_tokens = 1'000'000;
  std::string src = "query ($v: " + std::string(100'000, '[') + "Int" + std::string(100'000, ']') + ") { a }";
  EXPECT_EQ(parse_error(src, o).message, kDepthMessage);
}

TEST(ParserLimits, DepthLimitIsExactAndConfigurable) {
  EXPECT_TRUE(parse_document(nested_selections(128)).ok());
  EXPECT_FALSE(parse_document(nested_selections(129)).ok());
  EXPECT_TRUE(parse_document(nested_lists(127)).ok());  // plus the selection set: 128
  EXPECT_FALSE(parse_document(nested_lists(128)).ok());

  ParseOptions o;
  o.max_depth = 3;
  EXPECT_TRUE(parse_document("{ a { b { c } } }", o).ok());
  ParseError e = parse_error("{ a { b { c { d } } } }", o);
  EXPECT_EQ(e.message, "Syntax Error: Document exceeds the maximum nesting depth of 3. Parsing aborted.");
  EXPECT_EQ(e.loc.column, 13u);
  // Selection sets, values and types share the budget.
  EXPECT_TRUE(parse_document("{ a(x: [[1]]) }", o).ok());
  EXPECT_FALSE(parse_document("{ a(x: [[[1]]]) }", o).ok());
  EXPECT_FALSE(parse_document("{ a { b(x: {y: [1]}) } }", o).ok());
  EXPECT_TRUE(parse_document("type T { f: [[[Int]]] }", o).ok());
  EXPECT_FALSE(parse_document("type T { f: [[[[Int]]]] }", o).ok());

  o.max_depth = 1000;
  EXPECT_TRUE(parse_document(nested_selections(900), o).ok());
}

TEST(ParserLimits, TokenLimit) {
  // "{" + n * "a" + "}" is n + 2 tokens.
  std::string fits = "{" + std::string(19'998 * 2, ' ') + "}";
  for (std::size_t i = 0; i < 19'998; ++i) fits[1 + 2 * i] = 'a';
  EXPECT_TRUE(parse_document(fits).ok());
  std::string over = "{" + std::string(19'999 * 2, ' ') + "}";
  for (std::size_t i = 0; i < 19'999; ++i) over[1 + 2 * i] = 'a';
  ParseError e = parse_error(over);
  EXPECT_EQ(e.message, "Syntax Error: Document contains more than 20000 tokens. Parsing aborted.");
  EXPECT_EQ(e.loc.offset, over.size() - 1);  // the 20,001st token is the final "}"

  ParseOptions o;
  o.max_tokens = 5;
  EXPECT_TRUE(parse_document("{ a b c }", o).ok());
  EXPECT_EQ(parse_error("{ a b c d }", o).message,
            "Syntax Error: Document contains more than 5 tokens. Parsing aborted.");
  o.max_tokens = 100'000;
  EXPECT_TRUE(parse_document(over, o).ok());
}

TEST(ParserLimits, FiveMegabyteStringIsRefusedBySizeByDefault) {
  const std::string big = "{ f(s: \"" + std::string(5'000'000, 'x') + "\") }";
  ParseError e = parse_error(big);
  EXPECT_EQ(e.message, "Syntax Error: Document is larger than 1048576 bytes. Parsing aborted.");
  EXPECT_EQ(e.loc, (Location{1, 1, 0}));

  ParseOptions o;
  o.max_document_bytes = 8u << 20;
  Document doc = parse_ok(big, o);
  const auto* field = as<Field>(as<OperationDefinition>(doc.definitions()[0])->selection_set->selections[0]);
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(as<StringValue>(field->arguments[0]->value)->value.size(), 5'000'000u);
}

TEST(ParserLimits, UnterminatedHugeStringsFailCleanly) {
  ParseOptions o;
  o.max_document_bytes = 8u << 20;
  EXPECT_EQ(parse_error("{ f(s: \"" + std::string(5'000'000, 'x'), o).message,
            "Syntax Error: Unterminated string.");
  EXPECT_EQ(parse_error("{ f(s: \"\"\"" + std::string(5'000'000, '\n'), o).message,
            "Syntax Error: Unterminated string.");
  EXPECT_EQ(parse_error("# " + std::string(5'000'000, 'x'), o).message, "Syntax Error: Unexpected <EOF>.");
}

TEST(ParserLimits, SizeLimitIsExact) {
  ParseOptions o;
  o.max_document_bytes = 5;
  EXPECT_TRUE(parse_document("{ a }", o).ok());
  EXPECT_FALSE(parse_document("{ ab }", o).ok());
}

}  // namespace
}  // namespace fraiseql::graphql
