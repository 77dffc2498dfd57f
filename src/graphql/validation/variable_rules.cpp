// Rules about variables: https://spec.graphql.org/October2021/#sec-Validation.Variables
// (Variable Uniqueness, All Variable Uses Defined, All Variables Used, All Variable
// Usages Are Allowed, and the @oneOf nullability check of graphql-js).

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

std::string variable_name(std::string_view name) {
  std::string out = "\"$";
  out.append(name);
  out.push_back('"');
  return out;
}

// graphql-js allowedVariableUsage(): a nullable variable may flow into a non-null
// position when either side supplies a non-null default.
bool allowed_variable_usage(TypeRef var_type, const Value* var_default, TypeRef location_type,
                            bool location_has_default) {
  if (location_type.is_non_null() && !var_type.is_non_null()) {
    const bool var_has_non_null_default = var_default != nullptr && var_default->kind != NodeKind::kNullValue;
    if (!var_has_non_null_default && !location_has_default) return false;
    return is_type_sub_type_of(var_type, location_type.of_type());
  }
  return is_type_sub_type_of(var_type, location_type);
}

}  // namespace

void Validator::unique_variable_names(const OperationDefinition& op) {
  const auto& defs = op.variable_definitions;
  if (defs.size() < 2) return;
  PMap<std::string_view, PVector<Location>> groups(&arena_);
  PVector<std::string_view> order(&arena_);
  for (const VariableDefinition* def : defs) {
    auto [it, inserted] = groups.try_emplace(def->variable->name.value, PVector<Location>(&arena_));
    if (inserted) order.push_back(def->variable->name.value);
    it->second.push_back(def->variable->name.loc);
  }
  for (std::string_view name : order) {
    const PVector<Location>& locations = groups.find(name)->second;
    if (locations.size() < 2) continue;
    report(rule::kUniqueVariableNames, "There can be only one variable named " + variable_name(name) + ".",
           std::vector<Location>(locations.begin(), locations.end()));
  }
}

void Validator::operation_leave_rules(const OperationDefinition& op, const DefinitionInfo& info) {
  // graphql-js getRecursiveVariableUsages(): the operation's own usages, then each
  // referenced fragment's, every fragment walked once during the traversal.
  PVector<const VariableUsage*> usages(&arena_);
  for (uint32_t i = info.usage_begin; i < info.usage_end; ++i) usages.push_back(&usages_[i]);
  const OperationDefinition* self[] = {&op};
  for (const FragmentDefinition* fragment : referenced_fragments(self)) {
    auto it = definition_info_.find(fragment);
    if (it == definition_info_.end()) continue;
    for (uint32_t i = it->second.usage_begin; i < it->second.usage_end; ++i) usages.push_back(&usages_[i]);
  }

  PMap<std::string_view, const VariableDefinition*> defined(&arena_);
  for (const VariableDefinition* def : op.variable_definitions) defined[def->variable->name.value] = def;

  // NoUndefinedVariables.
  for (const VariableUsage* usage : usages) {
    const std::string_view name = usage->node->name.value;
    if (defined.contains(name)) continue;
    report(rule::kNoUndefinedVariables,
           op.name.empty() ? "Variable " + variable_name(name) + " is not defined."
                           : "Variable " + variable_name(name) + " is not defined by operation " +
                                 quoted(op.name.value) + ".",
           {usage->node->loc, op.loc});
  }

  // NoUnusedVariables.
  PMap<std::string_view, bool> used(&arena_);
  for (const VariableUsage* usage : usages) used[usage->node->name.value] = true;
  for (const VariableDefinition* def : op.variable_definitions) {
    const std::string_view name = def->variable->name.value;
    if (used.contains(name)) continue;
    report(rule::kNoUnusedVariables,
           op.name.empty() ? "Variable " + variable_name(name) + " is never used."
                           : "Variable " + variable_name(name) + " is never used in operation " +
                                 quoted(op.name.value) + ".",
           {def->loc});
  }

  // VariablesInAllowedPosition.
  for (const VariableUsage* usage : usages) {
    auto it = defined.find(usage->node->name.value);
    if (it == defined.end() || !usage->type) continue;
    const VariableDefinition& def = *it->second;
    TypeRef var_type = type_from_ast(*def.type);
    if (!var_type) continue;
    const std::string_view name = usage->node->name.value;
    if (!allowed_variable_usage(var_type, def.default_value, usage->type, usage->has_default)) {
      report(rule::kVariablesInAllowedPosition,
             "Variable " + variable_name(name) + " of type " + quoted(var_type.to_string()) +
                 " used in position expecting type " + quoted(usage->type.to_string()) + ".",
             {def.loc, usage->node->loc});
    }
    // graphql-js 16 skips objects in non-null positions; the spec does not.
    const TypeRef parent = options_.strict_one_of ? usage->parent.nullable() : usage->parent;
    if (parent && parent.is_named() && parent.named_type().kind == TypeKind::kInputObject &&
        parent.named_type().is_one_of && !var_type.is_non_null()) {
      report(rule::kVariablesInAllowedPosition,
             "Variable " + variable_name(name) + " is of type " + quoted(var_type.to_string()) +
                 " but must be non-nullable to be used for OneOf Input Object " +
                 quoted(parent.named_type().name) + ".",
             {def.loc, usage->node->loc});
    }
  }
}

}  // namespace fraiseql::graphql::validation
