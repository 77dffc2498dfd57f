#pragma once
/// The GraphQL lexer (spec section 2.1): turns source text into tokens, skipping
/// ignored tokens (BOM, white space, line terminators, commas, comments).

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>

#include "fraiseql/graphql/ast.hpp"

namespace fraiseql::graphql {

/// Token kinds; the punctuators are spelled as in the spec.
enum class TokenKind : uint8_t {
  kStartOfFile,
  kEndOfFile,
  kBang,      // !
  kDollar,    // $
  kAmp,       // &
  kParenL,    // (
  kParenR,    // )
  kSpread,    // ...
  kColon,     // :
  kEquals,    // =
  kAt,        // @
  kBracketL,  // [
  kBracketR,  // ]
  kBraceL,    // {
  kPipe,      // |
  kBraceR,    // }
  kName,
  kInt,
  kFloat,
  kString,
  kBlockString,
};

/// How graphql-js names a token kind in messages: `"{"`, `Name`, `<EOF>`, ...
std::string_view describe(TokenKind kind) noexcept;

/// One token. `raw` is the source slice; `value` is the decoded string for strings and
/// block strings, and equal to `raw` otherwise.
struct Token {
  TokenKind kind = TokenKind::kStartOfFile;
  std::string_view raw;
  std::string_view value;
  Location loc;
};

/// A lexical error: graphql-js message text (without the "Syntax Error: " prefix).
struct LexError {
  std::string message;
  Location loc;
};

/// Pull lexer over a source that outlives it. Decoded strings that differ from their
/// source text are allocated in `arena`.
class Lexer {
 public:
  Lexer(std::string_view source, std::pmr::memory_resource* arena) noexcept;

  /// Reads the next token into `out`; on a lexical error fills `error` and returns false.
  /// After kEndOfFile every call returns kEndOfFile again.
  bool next(Token& out, LexError& error);

  /// Number of tokens returned so far (kEndOfFile included).
  [[nodiscard]] uint32_t token_count() const noexcept { return token_count_; }

 private:
  [[nodiscard]] Location location_at(std::size_t offset) const noexcept;
  bool skip_ignored(LexError& error);
  bool read_number(Token& out, LexError& error);
  bool read_string(Token& out, LexError& error);
  bool read_block_string(Token& out, LexError& error);
  bool fail(LexError& error, std::size_t offset, std::string message);
  std::string describe_char_at(std::size_t offset) const;
  void new_line(std::size_t next_line_start) noexcept;
  /// Validates one UTF-8 sequence at pos_ (a byte >= 0x80), advances past it and updates
  /// the column correction; returns the code point or -1 when malformed.
  int32_t consume_utf8() noexcept;

  std::string_view src_;
  std::pmr::memory_resource* arena_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  uint32_t line_ = 1;
  // Bytes on the current line that do not start a UTF-16 unit, subtracted from columns.
  uint32_t column_correction_ = 0;
  uint32_t token_count_ = 0;
};

/// Removes the common indentation and the blank first/last lines of a block string's raw
/// content (spec BlockStringValue()), and resolves `\"""`.
std::string block_string_value(std::string_view raw);

}  // namespace fraiseql::graphql
