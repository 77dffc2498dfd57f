#pragma once
// Character classes of the GraphQL lexical grammar (ASCII only by definition).

namespace fraiseql::graphql {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

constexpr bool is_name_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

constexpr bool is_name_continue(char c) noexcept {
  return is_name_start(c) || is_digit(c);
}

}  // namespace fraiseql::graphql
