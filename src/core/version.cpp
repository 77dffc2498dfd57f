#include "fraiseql/core/version.hpp"

namespace fraiseql {

std::string_view version() noexcept {
  return FRAISEQL_VERSION;
}

}  // namespace fraiseql
