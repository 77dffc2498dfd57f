#pragma once
// graphql-js printBlockString's layout decisions, shared by the document printer (which
// re-indents the lines) and the schema printer (which does not).

#include <algorithm>
#include <string>
#include <string_view>

namespace fraiseql::graphql {

struct BlockStringLayout {
  std::string escaped;            // the value with every """ written as \"""
  bool leading_newline = false;   // the opening """ stands on a line of its own
  bool trailing_newline = false;  // so does the closing """
};

inline BlockStringLayout block_string_layout(std::string_view value) {
  BlockStringLayout layout;
  std::string& escaped = layout.escaped;
  escaped.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 3, "\"\"\"") == 0) {
      escaped.append("\\\"\"\"");
      i += 2;
    } else {
      escaped.push_back(value[i]);
    }
  }
  auto is_ws = [](char c) { return c == ' ' || c == '\t'; };
  // Block string values never contain \r (lines are joined with \n when decoded).
  const std::size_t first_nl = escaped.find('\n');
  const bool single_line = first_nl == std::string::npos;
  bool force_leading_newline = !single_line;
  for (std::size_t pos = first_nl; force_leading_newline && pos != std::string::npos;
       pos = escaped.find('\n', pos + 1)) {
    const char next = pos + 1 < escaped.size() ? escaped[pos + 1] : '\n';
    force_leading_newline = next == '\n' || is_ws(next);  // every later line empty or indented
  }
  const bool trailing_triple_quotes = escaped.ends_with("\\\"\"\"");
  const bool trailing_quote = value.ends_with('"') && !trailing_triple_quotes;
  const bool trailing_slash = value.ends_with('\\');
  const bool force_trailing_newline = trailing_quote || trailing_slash;
  const bool multiple_lines = !single_line || value.size() > 70 || force_trailing_newline ||
                              force_leading_newline || trailing_triple_quotes;
  const bool skip_leading_newline = single_line && !value.empty() && is_ws(value[0]);
  layout.leading_newline = (multiple_lines && !skip_leading_newline) || force_leading_newline;
  layout.trailing_newline = multiple_lines || force_trailing_newline;
  return layout;
}

}  // namespace fraiseql::graphql
