#pragma once
/// Parsing GraphQL documents (executable and type-system) into a Document.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fraiseql/core/result.hpp"
#include "fraiseql/graphql/ast.hpp"

namespace fraiseql::graphql {

/// Limits that bound the time and memory a hostile document can cost.
struct ParseOptions {
  /// Largest accepted source, in bytes (default 1 MiB).
  std::size_t max_document_bytes = std::size_t{1} << 20;
  /// Most tokens lexed before giving up (default 20,000; graphql-js's maxTokens).
  uint32_t max_tokens = 20'000;
  /// Deepest nesting of selection sets, list/object values and list types (default 128).
  /// Parsing recurses once per level, so this also bounds stack use.
  uint32_t max_depth = 128;
};

/// A syntax error: graphql-js style message (`Syntax Error: ...`) and where it was found.
struct ParseError {
  std::string message;
  Location loc;
};

/// The outcome of parse_document(): a Document or a ParseError.
class ParseResult {
 public:
  ParseResult(Document document) : v_(std::move(document)) {}  // NOLINT(google-explicit-constructor)
  ParseResult(ParseError error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The document; only when ok().
  Document& document() & { return std::get<0>(v_); }
  const Document& document() const& { return std::get<0>(v_); }
  Document&& document() && { return std::get<0>(std::move(v_)); }
  /// The error; only when !ok().
  [[nodiscard]] const ParseError& error() const { return std::get<1>(v_); }

  /// As a Result; a ParseError becomes kInvalidArgument with "message (line:column)".
  Result<Document> to_result() &&;

 private:
  std::variant<Document, ParseError> v_;
};

/// Parses any GraphQL document (operations, fragments, type-system definitions and
/// extensions). Check Document::is_executable() before executing one.
ParseResult parse_document(std::string source, const ParseOptions& options = {});

/// Same as parse_document(), as a Result (error code kInvalidArgument).
Result<Document> parse(std::string source, const ParseOptions& options = {});

/// "message (line:column)", the one-line form used in logs and Error messages.
std::string format_parse_error(const ParseError& error);

}  // namespace fraiseql::graphql
