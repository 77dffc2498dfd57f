#pragma once
/// Printing an AST back to canonical GraphQL text (graphql-js print() layout).
///
/// Equivalent documents that differ only in ignored tokens print identically, so the
/// output serves as a normalised cache key; parse(print(d)) reproduces d.

#include <string>

#include "fraiseql/graphql/ast.hpp"

namespace fraiseql::graphql {

/// The whole document, definitions separated by a blank line.
std::string print(const Document& document);

/// One node (a definition, selection, value, type, ...).
std::string print(const Node& node);

/// A string as a GraphQL string literal with JSON-compatible escapes.
std::string print_string(std::string_view value);

}  // namespace fraiseql::graphql
