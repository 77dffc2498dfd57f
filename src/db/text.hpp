#pragma once
// Text helpers private to the db module.

#include <string>
#include <string_view>

namespace fraiseql::db {

/// libpq messages span lines; one line reads better in logs and errors.
inline std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace fraiseql::db
