#pragma once
/// How statements appear in logs: one line, cut to a length without splitting a UTF-8
/// character, parameters each cut on their own.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fraiseql::db {

inline constexpr std::size_t kLoggedStatementChars = 500;
inline constexpr std::size_t kLoggedParameterChars = 200;

/// `text` with runs of whitespace folded to one space, cut at `max` bytes (never inside
/// a UTF-8 sequence); a cut text ends with "...(N more)" counting the bytes left out.
std::string cut_for_log(std::string_view text, std::size_t max);

/// The WARN line for a statement slower than the threshold: host, duration in ms,
/// outcome ("ok" or the error), statement cut at 500, each parameter cut at 200.
std::string slow_query_message(std::string_view target, std::chrono::microseconds duration,
                               std::string_view outcome, std::string_view sql,
                               const std::vector<std::optional<std::string>>& params);

}  // namespace fraiseql::db
