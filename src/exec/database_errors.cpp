#include "database_errors.hpp"

#include <cctype>

namespace fraiseql::exec {

std::string_view sqlstate_of(const Error& error) noexcept {
  std::string_view m = error.message;
  if (m.size() < 7 || m[5] != ':') return {};
  for (std::size_t i = 0; i < 5; ++i) {
    if (std::isalnum(static_cast<unsigned char>(m[i])) == 0) return {};
  }
  return m.substr(0, 5);
}

DatabaseErrorInfo map_database_error(const Error& error, bool expose) {
  DatabaseErrorInfo info;
  info.sqlstate = std::string(sqlstate_of(error));
  const std::string_view state = info.sqlstate;
  auto detail = [&](std::string fallback) {
    return expose ? "Database error: " + error.message : std::move(fallback);
  };
  switch (error.code) {
    case ErrorCode::kUnavailable:
      info.code = "SERVICE_UNAVAILABLE";
      info.message = "The database is unavailable; try again.";
      info.retryable = true;
      return info;
    case ErrorCode::kTimeout:
    case ErrorCode::kResourceExhausted:
      info.code = "TIMEOUT";
      info.message = "The database did not answer in time; try again.";
      info.retryable = true;
      return info;
    default: break;
  }
  if (state.starts_with("23")) {  // integrity constraint violation: the caller's data
    info.code = "CONSTRAINT_VIOLATION";
    info.message = detail("The change conflicts with a constraint of the database.");
  } else if (state.starts_with("22")) {  // data exception: a value the database refused
    info.code = "INVALID_DATA";
    info.message = detail("The database refused a value of this request.");
  } else if (state == "42501") {  // insufficient privilege, row-level security
    info.code = "FORBIDDEN";
    info.message = detail("Not allowed by the database.");
  } else if (state == "40001" || state == "40P01") {  // serialization failure, deadlock
    info.code = "CONFLICT";
    info.message = detail("The change conflicted with another one; try again.");
    info.retryable = true;
  } else if (state == "P0001") {  // RAISE EXCEPTION in a function: its message is meant for callers
    info.code = "DATABASE_ERROR";
    auto colon = error.message.find(": ");
    info.message = colon == std::string::npos ? error.message : error.message.substr(colon + 2);
  } else {
    // Undefined objects, syntax, anything else: a defect of the compiled statement or
    // drift between the schema and the database.
    info.code = "INTERNAL_SERVER_ERROR";
    info.message = detail("Internal server error.");
    info.internal = true;
  }
  return info;
}

}  // namespace fraiseql::exec
