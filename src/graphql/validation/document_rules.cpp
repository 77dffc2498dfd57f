// Rules about the document's definitions and fragments:
// https://spec.graphql.org/October2021/#sec-Documents (Executable Definitions),
// #sec-Operations (name uniqueness, lone anonymous operation, single root field) and
// #sec-Fragments (name uniqueness, spread target defined, used, no cycles).

#include "context.hpp"

namespace fraiseql::graphql::validation {

void Validator::executable_definitions() {
  for (const Definition* def : document_.definitions()) {
    if (is_executable_definition(def->kind)) continue;
    std::string name;
    if (def->kind == NodeKind::kSchemaDefinition || def->kind == NodeKind::kSchemaExtension) {
      name = "schema";
    } else if (const auto* directive = as<DirectiveDefinition>(def)) {
      name = quoted(directive->name.value);
    } else {
      name = quoted(static_cast<const TypeDefinition*>(def)->name.value);
    }
    report(rule::kExecutableDefinitions, "The " + name + " definition is not executable.", {def->loc});
  }
}

// https://spec.graphql.org/September2025/#sec-Operation-Type-Existence (graphql-js 17
// KnownOperationTypesRule; 16 only fails at execution). Without it, a mutation on a
// schema with no Mutation type would pass: its fields are never checked.
void Validator::known_operation_types(const OperationDefinition& op) {
  if (schema_.root_type(op.operation) != nullptr) return;
  report(rule::kKnownOperationTypes,
         "The " + std::string(to_string(op.operation)) + " operation is not supported by the schema.",
         {op.loc});
}

void Validator::unique_operation_names(const OperationDefinition& op) {
  if (op.name.empty()) return;
  auto [it, inserted] = seen_operation_names_.try_emplace(op.name.value, &op.name);
  if (!inserted) {
    report(rule::kUniqueOperationNames,
           "There can be only one operation named " + quoted(op.name.value) + ".",
           {it->second->loc, op.name.loc});
  }
}

void Validator::lone_anonymous_operation(const OperationDefinition& op) {
  if (op.name.empty() && operation_count_ > 1) {
    report(rule::kLoneAnonymousOperation, "This anonymous operation must be the only defined operation.",
           {op.loc});
  }
}

void Validator::unique_fragment_names(const FragmentDefinition& fragment) {
  auto [it, inserted] = seen_fragment_names_.try_emplace(fragment.name.value, &fragment.name);
  if (!inserted) {
    report(rule::kUniqueFragmentNames,
           "There can be only one fragment named " + quoted(fragment.name.value) + ".",
           {it->second->loc, fragment.name.loc});
  }
}

void Validator::known_fragment_names(const FragmentSpread& spread) {
  if (fragment(spread.name.value) == nullptr) {
    report(rule::kKnownFragmentNames, "Unknown fragment " + quoted(spread.name.value) + ".",
           {spread.name.loc});
  }
}

void Validator::no_unused_fragments() {
  PVector<const FragmentDefinition*> used = referenced_fragments(operations_);
  PMap<std::string_view, bool> used_names(&arena_);
  for (const FragmentDefinition* def : used) used_names[def->name.value] = true;
  for (const Definition* def : document_.definitions()) {
    const auto* fragment = as<FragmentDefinition>(def);
    if (fragment == nullptr || used_names.contains(fragment->name.value)) continue;
    report(rule::kNoUnusedFragments, "Fragment " + quoted(fragment->name.value) + " is never used.",
           {fragment->loc});
  }
}

void Validator::no_fragment_cycles(const FragmentDefinition& fragment) {
  detect_cycle(fragment);
}

// graphql-js's depth-first search: each fragment is expanded once over the whole
// document, so the cost is linear in the number of spreads.
void Validator::detect_cycle(const FragmentDefinition& fragment) {
  const std::string_view name = fragment.name.value;
  if (!cycle_visited_.try_emplace(name, true).second) return;
  if (fragment.selection_set == nullptr) return;
  const PVector<const FragmentSpread*>& spreads = fragment_spreads(*fragment.selection_set);
  if (spreads.empty()) return;
  cycle_path_index_[name] = static_cast<uint32_t>(cycle_path_.size());
  for (const FragmentSpread* spread : spreads) {
    const std::string_view spread_name = spread->name.value;
    auto cycle_it = cycle_path_index_.find(spread_name);
    cycle_path_.push_back(spread);
    if (cycle_it == cycle_path_index_.end()) {
      if (const FragmentDefinition* target = this->fragment(spread_name)) detect_cycle(*target);
    } else {
      const std::size_t start = cycle_it->second;
      std::string via;
      for (std::size_t i = start; i + 1 < cycle_path_.size(); ++i) {
        if (!via.empty()) via += ", ";
        via += quoted(cycle_path_[i]->name.value);
      }
      std::vector<Location> locations;
      locations.reserve(cycle_path_.size() - start);
      for (std::size_t i = start; i < cycle_path_.size(); ++i) locations.push_back(cycle_path_[i]->loc);
      report(rule::kNoFragmentCycles,
             "Cannot spread fragment " + quoted(spread_name) + " within itself" +
                 (via.empty() ? std::string(".") : " via " + via + "."),
             std::move(locations));
    }
    cycle_path_.pop_back();
  }
  cycle_path_index_.erase(name);
}

void Validator::single_field_subscriptions(const OperationDefinition& op) {
  if (op.operation != OperationType::kSubscription || op.selection_set == nullptr) return;
  const TypeDef* subscription_type = schema_.subscription_type();
  if (subscription_type == nullptr) return;

  // graphql-js collectFields(): response key -> fields, in first-seen order.
  struct Group {
    std::string_view key;
    PVector<const Field*> fields;
  };
  PVector<Group> groups(&arena_);
  PMap<std::string_view, std::size_t> index(&arena_);
  PMap<std::string_view, bool> visited(&arena_);
  // Spec Single Root Field (September2025): no @skip or @include at the root of a
  // subscription, whose root field must be known before any variable is. graphql-js 17
  // reports them this way; 16 evaluated them (and threw on a variable condition).
  std::vector<Location> forbidden;
  auto should_include = [&](NodeList<Directive> directives) {
    for (std::string_view name : {std::string_view("skip"), std::string_view("include")}) {
      for (const Directive* directive : directives) {
        if (directive->name.value != name) continue;
        forbidden.push_back(directive->loc);
        return false;
      }
    }
    return true;
  };
  auto matches = [&](const NamedType* condition) {
    if (condition == nullptr) return true;
    TypeRef t = type_from_ast(*condition);
    if (!t) return false;
    const TypeDef& named = t.named_type();
    if (&named == subscription_type) return true;
    return named.is_abstract() && is_sub_type(named, *subscription_type);
  };
  auto collect = [&](auto& self, const SelectionSet& set) -> void {
    for (const Selection* selection : set.selections) {
      if (const auto* field = as<Field>(selection)) {
        if (!should_include(field->directives)) continue;
        auto [it, inserted] = index.try_emplace(field->response_key(), groups.size());
        if (inserted) groups.push_back(Group{field->response_key(), PVector<const Field*>(&arena_)});
        groups[it->second].fields.push_back(field);
      } else if (const auto* inline_fragment = as<InlineFragment>(selection)) {
        if (!should_include(inline_fragment->directives) || !matches(inline_fragment->type_condition))
          continue;
        if (inline_fragment->selection_set != nullptr) self(self, *inline_fragment->selection_set);
      } else if (const auto* spread = as<FragmentSpread>(selection)) {
        if (visited.contains(spread->name.value) || !should_include(spread->directives)) continue;
        visited[spread->name.value] = true;
        const FragmentDefinition* def = fragment(spread->name.value);
        if (def == nullptr || !matches(def->type_condition) || def->selection_set == nullptr) continue;
        self(self, *def->selection_set);
      }
    }
  };
  collect(collect, *op.selection_set);

  const std::string subject =
      op.name.empty() ? std::string("Anonymous Subscription") : "Subscription " + quoted(op.name.value);
  if (!forbidden.empty()) {
    report(rule::kSingleFieldSubscriptions,
           subject + " must not use `@skip` or `@include` directives in the top level selection.",
           std::move(forbidden));
    return;
  }
  if (groups.size() > 1) {
    std::vector<Location> locations;
    for (std::size_t i = 1; i < groups.size(); ++i) {
      for (const Field* f : groups[i].fields) locations.push_back(f->loc);
    }
    report(rule::kSingleFieldSubscriptions, subject + " must select only one top level field.",
           std::move(locations));
  }
  for (const Group& group : groups) {
    std::string_view name = group.fields.front()->name.value;
    if (name.starts_with("__")) {
      std::vector<Location> locations;
      for (const Field* f : group.fields) locations.push_back(f->loc);
      report(rule::kSingleFieldSubscriptions, subject + " must not select an introspection top level field.",
             std::move(locations));
    }
  }
}

}  // namespace fraiseql::graphql::validation
