#pragma once
// Numbers printed the way JavaScript's Number.prototype.toString() does, so values we
// print match graphql-js output byte for byte.

#include <string>

namespace fraiseql::graphql {

/// ECMAScript Number::toString(v): shortest round-trip digits, "1e+21", "0.000001".
std::string js_number_to_string(double v);

}  // namespace fraiseql::graphql
