#include "fraiseql/db/statement_log.hpp"

#include <algorithm>
#include <cstdio>

namespace fraiseql::db {

std::string cut_for_log(std::string_view text, std::size_t max) {
  std::string folded;
  folded.reserve(std::min(text.size(), max + 64));
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (folded.empty() || folded.back() == ' ')) continue;
    folded += space ? ' ' : c;
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  if (folded.size() <= max) return folded;
  // Cut before a continuation byte's sequence so the line stays valid UTF-8.
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(folded[cut]) & 0xC0U) == 0x80U) --cut;
  std::size_t dropped = folded.size() - cut;
  folded.resize(cut);
  folded += "...(" + std::to_string(dropped) + " more)";
  return folded;
}

std::string slow_query_message(std::string_view target, std::chrono::microseconds duration,
                               std::string_view outcome, std::string_view sql,
                               const std::vector<std::optional<std::string>>& params) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", static_cast<double>(duration.count()) / 1000.0);
  std::string out = "slow query on ";
  out += target;
  out += ": ";
  out += ms;
  out += " ms, ";
  out += outcome;
  out += "; statement: ";
  out += cut_for_log(sql, kLoggedStatementChars);
  out += "; parameters: [";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += ", ";
    out += '$' + std::to_string(i + 1) + '=';
    if (params[i]) {
      out += '\'';
      out += cut_for_log(*params[i], kLoggedParameterChars);
      out += '\'';
    } else {
      out += "NULL";
    }
  }
  out += ']';
  return out;
}

}  // namespace fraiseql::db
