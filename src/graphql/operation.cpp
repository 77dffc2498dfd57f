#include "fraiseql/graphql/operation.hpp"

#include "fraiseql/graphql/coercion.hpp"

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

bool is_included(const Schema& schema, NodeList<Directive> directives, const nlohmann::json& variables) {
  for (const Directive* d : directives) {
    const bool skip = d->name.value == "skip";
    if (!skip && d->name.value != "include") continue;
    const DirectiveDef* def = schema.directive(d->name.value);
    if (def == nullptr) continue;
    const CoercedValues args = coerce_argument_values(def->arguments, d->arguments, variables, *d);
    auto it = args.values.find("if");
    const bool value = it != args.values.end() && it->is_boolean() && it->get<bool>();
    if (skip == value) return false;
  }
  return true;
}

}  // namespace fraiseql::graphql
