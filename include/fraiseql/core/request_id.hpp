#pragma once
/// Request ids: taken from X-Request-Id when a client sends a sane one, generated otherwise.

#include <string>
#include <string_view>

namespace fraiseql {

/// A new random id: 32 lowercase hex characters.
std::string generate_request_id();

/// True when a client-supplied id is safe to log and echo: 1..128 chars of [A-Za-z0-9._:-].
bool is_acceptable_request_id(std::string_view id) noexcept;

}  // namespace fraiseql
