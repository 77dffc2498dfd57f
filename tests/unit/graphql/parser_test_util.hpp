#pragma once
// Helpers shared by the parser tests.

#include <string>

#include <gtest/gtest.h>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/parser.hpp"

#include "test_env.hpp"

namespace fraiseql::graphql::testing {

/// Parses and fails the test (with the parse error) when it does not parse.
inline Document parse_ok(std::string source, const ParseOptions& options = {}) {
  ParseResult r = parse_document(std::move(source), options);
  if (!r.ok()) {
    ADD_FAILURE() << "unexpected parse error: " << format_parse_error(r.error());
    return Document{};
  }
  return std::move(r).document();
}

/// Parses and returns the error; fails the test when it parses.
inline ParseError parse_error(std::string source, const ParseOptions& options = {}) {
  ParseResult r = parse_document(std::move(source), options);
  if (r.ok()) {
    ADD_FAILURE() << "expected a parse error";
    return ParseError{};
  }
  return r.error();
}

/// The single definition of a document, as T (nullptr, and a failure, otherwise).
template <typename T>
const T* only_definition(const Document& doc) {
  if (doc.definitions().size() != 1) {
    ADD_FAILURE() << "expected one definition, got " << doc.definitions().size();
    return nullptr;
  }
  const T* def = as<T>(doc.definitions()[0]);
  if (def == nullptr) ADD_FAILURE() << "definition is a " << to_string(doc.definitions()[0]->kind);
  return def;
}

inline std::string corpus(const std::string& rel) {
  return fraiseql::testing::read_file(fraiseql::testing::corpus_path("graphql/" + rel));
}

}  // namespace fraiseql::graphql::testing
