#pragma once

#include <string>
#include <vector>

#include "settings.hpp"

namespace fraiseql::app {

/// Builds every part, serves until SIGTERM/SIGINT, drains, and returns the exit code.
int serve(const Settings& settings, const std::vector<std::string>& warnings);

}  // namespace fraiseql::app
