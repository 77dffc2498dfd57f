#pragma once
// Commands that use the schema without serving: check-schema and print-sql.

#include <string>

#include "settings.hpp"

namespace fraiseql::app {

/// Builds the schema and checks it against the database; 0 when they agree.
int check_schema(const Settings& settings);

/// Prints, as JSON, the SQL statement and parameters one operation compiles to.
int print_sql(const Settings& settings, const std::string& document, const std::string& operation_name,
              const std::string& variables_json);

}  // namespace fraiseql::app
