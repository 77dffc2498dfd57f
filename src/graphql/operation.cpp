#include "fraiseql/graphql/operation.hpp"

namespace fraiseql::graphql {

const OperationDefinition* get_operation(const Document& document, std::string_view name,
                                         std::string& problem) {
  const OperationDefinition* chosen = nullptr;
  for (const Definition* def : document.definitions()) {
    const auto* op = as<OperationDefinition>(def);
    if (op == nullptr) continue;
    if (name.empty()) {
      if (chosen != nullptr) {
        problem = "Must provide operation name if query contains multiple operations.";
        return nullptr;
      }
      chosen = op;
    } else if (op->name.value == name) {
      chosen = op;
    }
  }
  if (chosen == nullptr) {
    problem = name.empty() ? "Must provide an operation."
                           : "Unknown operation named \"" + std::string(name) + "\".";
  }
  return chosen;
}

}  // namespace fraiseql::graphql
