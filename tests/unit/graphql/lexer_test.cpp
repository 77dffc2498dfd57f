#include "fraiseql/graphql/lexer.hpp"

#include <memory_resource>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fraiseql::graphql {
namespace {

struct Lexed {
  std::vector<Token> tokens;  // without the final <EOF>
  bool ok = true;
  LexError error;
};

// The arena must outlive the tokens' decoded strings.
std::pmr::monotonic_buffer_resource& test_arena() {
  static std::pmr::monotonic_buffer_resource arena;
  return arena;
}

Lexed lex_all(std::string_view src) {
  Lexed out;
  Lexer lexer(src, &test_arena());
  for (;;) {
    Token t;
    if (!lexer.next(t, out.error)) {
      out.ok = false;
      return out;
    }
    if (t.kind == TokenKind::kEndOfFile) return out;
    out.tokens.push_back(t);
  }
}

Token lex_one(std::string_view src) {
  Lexed l = lex_all(src);
  EXPECT_TRUE(l.ok) << l.error.message;
  EXPECT_EQ(l.tokens.size(), 1u) << src;
  return l.tokens.empty() ? Token{} : l.tokens[0];
}

LexError lex_error(std::string_view src) {
  Lexed l = lex_all(src);
  EXPECT_FALSE(l.ok) << "lexed without error: " << src;
  return l.error;
}

TEST(Lexer, PunctuatorsAndNames) {
  Lexed l = lex_all("! $ & ( ) ... : = @ [ ] { | } _name9 On");
  ASSERT_TRUE(l.ok);
  std::vector<TokenKind> kinds;
  for (const Token& t : l.tokens) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<TokenKind>{
                       TokenKind::kBang, TokenKind::kDollar, TokenKind::kAmp, TokenKind::kParenL,
                       TokenKind::kParenR, TokenKind::kSpread, TokenKind::kColon, TokenKind::kEquals,
                       TokenKind::kAt, TokenKind::kBracketL, TokenKind::kBracketR, TokenKind::kBraceL,
                       TokenKind::kPipe, TokenKind::kBraceR, TokenKind::kName, TokenKind::kName}));
  EXPECT_EQ(l.tokens[14].value, "_name9");
  EXPECT_EQ(l.tokens[15].value, "On");
}

TEST(Lexer, SkipsIgnoredTokens) {
  Lexed l = lex_all("\xEF\xBB\xBF  ,,\t# a comment ,{\r\n  a # trailing\n,b");
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.tokens.size(), 2u);
  EXPECT_EQ(l.tokens[0].value, "a");
  EXPECT_EQ(l.tokens[0].loc, (Location{2, 3, 26}));
  EXPECT_EQ(l.tokens[1].value, "b");
  EXPECT_EQ(l.tokens[1].loc.line, 3u);
  EXPECT_EQ(l.tokens[1].loc.column, 2u);
}

TEST(Lexer, LineTerminatorsCrLfCrAndLf) {
  Lexed l = lex_all("a\r\nb\rc\nd\r\n\r\ne");
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.tokens.size(), 5u);
  const uint32_t lines[] = {1, 2, 3, 4, 6};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(l.tokens[i].loc.line, lines[i]) << i;
    EXPECT_EQ(l.tokens[i].loc.column, 1u) << i;
  }
}

TEST(Lexer, ColumnsCountUtf16UnitsAfterNonAscii) {
  // "é" is one UTF-16 unit (2 bytes), "😀" two units (4 bytes), the BOM one (3 bytes).
  Lexed l = lex_all("\"é😀\" x \xEF\xBB\xBFy # é\n\"😀\"z");
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.tokens.size(), 5u);
  EXPECT_EQ(l.tokens[1].loc.column, 7u);  // "é😀" is 5 columns wide
  EXPECT_EQ(l.tokens[1].loc.offset, 9u);
  EXPECT_EQ(l.tokens[2].loc.column, 10u);
  EXPECT_EQ(l.tokens[4].loc.line, 2u);
  EXPECT_EQ(l.tokens[4].loc.column, 5u);
}

TEST(Lexer, Numbers) {
  struct Case {
    const char* src;
    TokenKind kind;
  };
  for (const Case& c :
       {Case{"0", TokenKind::kInt}, Case{"-0", TokenKind::kInt}, Case{"123", TokenKind::kInt},
        Case{"-42", TokenKind::kInt}, Case{"1.5", TokenKind::kFloat}, Case{"-0.25", TokenKind::kFloat},
        Case{"1e10", TokenKind::kFloat}, Case{"1E+2", TokenKind::kFloat},
        Case{"6.0221e-23", TokenKind::kFloat}, Case{"0.0", TokenKind::kFloat}}) {
    Token t = lex_one(c.src);
    EXPECT_EQ(t.kind, c.kind) << c.src;
    EXPECT_EQ(t.raw, c.src);
  }
}

TEST(Lexer, NumberLookaheadErrors) {
  struct Case {
    const char* src;
    const char* message;
    uint32_t column;
  };
  for (const Case& c : {
           Case{"0x", "Invalid number, expected digit but got: \"x\".", 2},
           Case{"1.", "Invalid number, expected digit but got: <EOF>.", 3},
           Case{"1.a", "Invalid number, expected digit but got: \"a\".", 3},
           Case{"01", "Invalid number, unexpected digit after 0: \"1\".", 2},
           Case{"1e", "Invalid number, expected digit but got: <EOF>.", 3},
           Case{"1e+", "Invalid number, expected digit but got: <EOF>.", 4},
           Case{"-", "Invalid number, expected digit but got: <EOF>.", 2},
           Case{"-a", "Invalid number, expected digit but got: \"a\".", 2},
           Case{"123abc", "Invalid number, expected digit but got: \"a\".", 4},
           Case{"1.2.3", "Invalid number, expected digit but got: \".\".", 4},
           Case{"1.0e1_", "Invalid number, expected digit but got: \"_\".", 6},
           Case{".5", "Unexpected character: \".\".", 1},
       }) {
    LexError e = lex_error(c.src);
    EXPECT_EQ(e.message, c.message) << c.src;
    EXPECT_EQ(e.loc.column, c.column) << c.src;
  }
}

TEST(Lexer, NumberFollowedByPunctuatorIsFine) {
  Lexed l = lex_all("1,2]3)-4}");
  ASSERT_TRUE(l.ok);
  EXPECT_EQ(l.tokens.size(), 7u);
}

TEST(Lexer, StringEscapes) {
  EXPECT_EQ(lex_one(R"("simple")").value, "simple");
  EXPECT_EQ(lex_one(R"("")").value, "");
  EXPECT_EQ(lex_one(R"("q\"b\\s\/b\bf\fn\nr\rt\t")").value, "q\"b\\s/b\bf\fn\nr\rt\t");
  EXPECT_EQ(lex_one(R"("\u0041\u00e9\u20AC")").value, "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(lex_one(R"("\u{1F600}\u{41}\u{000000E9}")").value,
            "\xF0\x9F\x98\x80"
            "A\xC3\xA9");
  // A surrogate pair written as two fixed-width escapes is one character.
  EXPECT_EQ(lex_one(R"("\uD83D\uDE00")").value, "\xF0\x9F\x98\x80");
  EXPECT_EQ(lex_one("\"unicode \xE2\x82\xAC ok\"").value, "unicode \xE2\x82\xAC ok");
  // Control characters other than line terminators are allowed since the 2021 spec.
  EXPECT_EQ(lex_one("\"a\x08z\"").value, "a\x08z");
  Token t = lex_one(R"("a\nb")");
  EXPECT_EQ(t.kind, TokenKind::kString);
  EXPECT_EQ(t.raw, R"("a\nb")");
}

TEST(Lexer, InvalidStrings) {
  struct Case {
    const char* src;
    const char* message;
    uint32_t column;
  };
  for (const Case& c : {
           Case{"\"", "Unterminated string.", 2},
           Case{"\"abc", "Unterminated string.", 5},
           Case{"\"a\nb\"", "Unterminated string.", 3},
           Case{"\"a\rb\"", "Unterminated string.", 3},
           Case{R"("\x")", "Invalid character escape sequence: \"\\x\".", 2},
           Case{R"("\u12")", "Invalid Unicode escape sequence: \"\\u12\"\".", 2},
           Case{R"("\uD83D")", "Invalid Unicode escape sequence: \"\\uD83D\".", 2},
           Case{R"("\uDE00\uD83D")", "Invalid Unicode escape sequence: \"\\uDE00\".", 2},
           Case{R"("\uD83Dx\uDE00")", "Invalid Unicode escape sequence: \"\\uD83D\".", 2},
           Case{R"("\uD83D\u0041")", "Invalid Unicode escape sequence: \"\\uD83D\".", 2},
           Case{R"("\u{}")", "Invalid Unicode escape sequence: \"\\u{}\".", 2},
           Case{R"("\u{D800}")", "Invalid Unicode escape sequence: \"\\u{D800}\".", 2},
           Case{R"("\u{110000}")", "Invalid Unicode escape sequence: \"\\u{110000}\".", 2},
           Case{R"("\u{12345678}")", "Invalid Unicode escape sequence: \"\\u{12345678}\".", 2},
           Case{R"("\u{1G}")", "Invalid Unicode escape sequence: \"\\u{1G\".", 2},
       }) {
    LexError e = lex_error(c.src);
    EXPECT_EQ(e.message, c.message) << c.src;
    EXPECT_EQ(e.loc.column, c.column) << c.src;
  }
}

TEST(Lexer, RejectsInvalidUtf8) {
  EXPECT_NE(lex_error("\"a\xFF\"").message.find("Invalid character within String"), std::string::npos);
  EXPECT_NE(lex_error("\"a\xC3\"").message.find("Invalid character within String"), std::string::npos);
  // An encoded surrogate (U+D800) and an overlong encoding are not valid UTF-8.
  EXPECT_NE(lex_error("\"\xED\xA0\x80\"").message.find("Invalid character within String"), std::string::npos);
  EXPECT_NE(lex_error("\"\xC0\xAF\"").message.find("Invalid character within String"), std::string::npos);
  EXPECT_NE(lex_error("# \xFF\n").message.find("Invalid character"), std::string::npos);
  EXPECT_NE(lex_error("\xFF").message.find("Invalid character"), std::string::npos);
}

TEST(Lexer, RejectsStrayCharacters) {
  EXPECT_EQ(lex_error("?").message, "Unexpected character: \"?\".");
  EXPECT_EQ(lex_error("\x07").message, "Unexpected character: U+0007.");
  EXPECT_EQ(lex_error("\xC2\xA0").message, "Unexpected character: U+00A0.");
  EXPECT_EQ(lex_error("'a'").message,
            "Unexpected single quote character ('), did you mean to use a double quote (\")?");
  EXPECT_EQ(lex_error("..").message, "Unexpected character: \".\".");
  LexError e = lex_error("a\n  ;");
  EXPECT_EQ(e.loc, (Location{2, 3, 4}));
}

TEST(Lexer, ControlCharactersAllowedInComments) {
  Lexed l = lex_all("# bell \x07 here\nx");
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.tokens.size(), 1u);
  EXPECT_EQ(l.tokens[0].loc.line, 2u);
}

TEST(Lexer, BlockStrings) {
  Token t = lex_one("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"");
  EXPECT_EQ(t.kind, TokenKind::kBlockString);
  EXPECT_EQ(t.value, "Hello,\n  World!\n\nYours,\n  GraphQL.");
  EXPECT_EQ(lex_one(R"("""simple""")").value, "simple");
  EXPECT_EQ(lex_one(R"("""""")").value, "");
  EXPECT_EQ(lex_one(R"("""contains \""" and " and \n""")").value, R"(contains """ and " and \n)");
  EXPECT_EQ(lex_one("\"\"\"  first\n  second\n    third\"\"\"").value, "  first\nsecond\n  third");
  EXPECT_EQ(lex_one("\"\"\"\r\n  a\r\n  b\r  c\r\n\"\"\"").value, "a\nb\nc");
  EXPECT_EQ(lex_one("\"\"\"\n\t\ta\n\t\t\tb\n\"\"\"").value, "a\n\tb");
  EXPECT_EQ(lex_one("\"\"\"   \n   \n\"\"\"").value, "");
}

TEST(Lexer, BlockStringTracksLines) {
  Lexed l = lex_all("\"\"\"a\nb\r\nc\"\"\" x");
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.tokens.size(), 2u);
  EXPECT_EQ(l.tokens[0].loc, (Location{1, 1, 0}));
  EXPECT_EQ(l.tokens[1].loc, (Location{3, 6, 13}));
}

TEST(Lexer, UnterminatedBlockString) {
  LexError e = lex_error("\"\"\"abc\n  def");
  EXPECT_EQ(e.message, "Unterminated string.");
  EXPECT_EQ(e.loc, (Location{2, 6, 12}));
}

TEST(BlockStringValue, FollowsTheSpecAlgorithm) {
  EXPECT_EQ(block_string_value(""), "");
  EXPECT_EQ(block_string_value("\n\n  x\n\n"), "x");
  EXPECT_EQ(block_string_value("  a\n    b\n  c"), "  a\n  b\nc");
  EXPECT_EQ(block_string_value("a\n  \n  b"), "a\n\nb");
  EXPECT_EQ(block_string_value("\\\"\"\""), "\"\"\"");
  EXPECT_EQ(block_string_value("x\\\"\"\"y"), "x\"\"\"y");
  EXPECT_EQ(block_string_value("\\n stays"), "\\n stays");
}

TEST(Lexer, TokenCountAndEofRepeats) {
  Lexer lexer("a b", &test_arena());
  Token t;
  LexError e;
  ASSERT_TRUE(lexer.next(t, e));
  ASSERT_TRUE(lexer.next(t, e));
  ASSERT_TRUE(lexer.next(t, e));
  EXPECT_EQ(t.kind, TokenKind::kEndOfFile);
  ASSERT_TRUE(lexer.next(t, e));
  EXPECT_EQ(t.kind, TokenKind::kEndOfFile);
  EXPECT_EQ(t.loc.offset, 3u);
  EXPECT_EQ(lexer.token_count(), 4u);
}

}  // namespace
}  // namespace fraiseql::graphql
