#pragma once
// How a failure of the database becomes a GraphQL error: one table of stable
// `extensions.code` values, shared by queries and mutations.

#include <string>
#include <string_view>

#include "fraiseql/core/error.hpp"

namespace fraiseql::exec {

struct DatabaseErrorInfo {
  std::string_view code;   // extensions.code, stable
  std::string message;     // what the client sees
  bool internal = false;   // a defect or schema drift: logged at ERROR, details masked
  bool retryable = false;  // the same request may succeed later
  std::string sqlstate;    // empty when the error carried none
};

/// The SQLSTATE that db::Router puts at the head of SQL error messages ("42P01: ..."),
/// or empty.
std::string_view sqlstate_of(const Error& error) noexcept;

/// Maps a db::Router error. `expose` (debug) shows the server's message in `message`.
DatabaseErrorInfo map_database_error(const Error& error, bool expose);

}  // namespace fraiseql::exec
