#pragma once
/// Minimal JSON writing helpers for hot paths that build JSON text directly.

#include <string>
#include <string_view>

namespace fraiseql {

/// Appends `s` as a JSON string literal (quotes included). Invalid UTF-8 bytes become
/// U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

/// `s` as a JSON string literal.
[[nodiscard]] std::string json_string(std::string_view s);

}  // namespace fraiseql
