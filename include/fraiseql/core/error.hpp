#pragma once
/// Error codes shared by every module, and the Error value carried by Result.

#include <string>
#include <string_view>

namespace fraiseql {

enum class ErrorCode {
  kInvalidArgument,  // bad input from a client or a config file
  kNotFound,
  kTimeout,            // a deadline passed
  kUnavailable,        // a dependency is down or its breaker is open
  kResourceExhausted,  // a pool, queue or limit is full
  kPermissionDenied,
  kUnauthenticated,
  kInternal,
};

std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace fraiseql
