#pragma once
/// The version of this build.

#include <string_view>

namespace fraiseql {

std::string_view version() noexcept;

}  // namespace fraiseql
