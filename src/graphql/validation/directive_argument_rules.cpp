// Rules about directives and arguments:
// https://spec.graphql.org/October2021/#sec-Validation.Directives (Directives Are
// Defined, In Valid Locations, Unique Per Location) and #sec-Validation.Arguments
// (Argument Names, Argument Uniqueness, Required Arguments); plus graphql-js's
// MaxIntrospectionDepth, part of its specifiedRules since 16.10.

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

constexpr std::size_t kLinearScanLimit = 16;

// Index of the first element before `index` with the same name, or `index` when none.
// Lists are short in practice; a hostile one gets a hash map instead of a quadratic scan.
template <typename T, typename NameOf>
class FirstSeen {
 public:
  FirstSeen(NodeList<T> list, NameOf name_of, std::pmr::memory_resource* arena)
      : list_(list), name_of_(name_of), map_(arena) {
    if (list_.size() > kLinearScanLimit) {
      for (std::size_t i = 0; i < list_.size(); ++i) map_.try_emplace(name_of_(*list_[i]), i);
    }
  }
  std::size_t operator()(std::size_t index) const {
    const std::string_view name = name_of_(*list_[index]);
    if (list_.size() > kLinearScanLimit) return map_.find(name)->second;
    for (std::size_t j = 0; j < index; ++j) {
      if (name_of_(*list_[j]) == name) return j;
    }
    return index;
  }

 private:
  NodeList<T> list_;
  NameOf name_of_;
  PMap<std::string_view, std::size_t> map_;
};

bool is_required(const InputValueDef& def) {
  return def.type.is_non_null() && def.default_value == nullptr;
}

}  // namespace

void Validator::known_directive(const Directive& directive, const DirectiveDef* def,
                                DirectiveLocation location) {
  const std::string_view name = directive.name.value;
  if (def == nullptr) {
    report(rule::kKnownDirectives, "Unknown directive \"@" + std::string(name) + "\".", {directive.loc});
    return;
  }
  if (!def->has_location(location)) {
    report(rule::kKnownDirectives,
           "Directive \"@" + std::string(name) + "\" may not be used on " + std::string(to_string(location)) +
               ".",
           {directive.loc});
  }
}

void Validator::unique_directives_per_location(NodeList<Directive> directives,
                                               const Node* type_system_owner) {
  if (directives.empty()) return;
  auto is_unique = [&](const Directive& d) {
    const DirectiveDef* def = schema_.directive(d.name.value);
    return def != nullptr && !def->repeatable;
  };
  const bool shared =
      type_system_owner != nullptr &&
      (type_system_owner->kind == NodeKind::kSchemaDefinition ||
       type_system_owner->kind == NodeKind::kSchemaExtension || is_type_definition(type_system_owner->kind) ||
       is_type_extension(type_system_owner->kind));
  if (shared) {
    // A type and its extensions share one location, as do schema and its extensions.
    std::string_view key = " schema";
    if (is_type_definition(type_system_owner->kind) || is_type_extension(type_system_owner->kind)) {
      key = static_cast<const TypeDefinition*>(type_system_owner)->name.value;
    }
    auto [it, inserted] = sdl_seen_directives_.try_emplace(key, PVector<const Directive*>(&arena_));
    PVector<const Directive*>& seen = it->second;
    for (const Directive* directive : directives) {
      if (!is_unique(*directive)) continue;
      const Directive* first = nullptr;
      for (const Directive* s : seen) {
        if (s->name.value == directive->name.value) {
          first = s;
          break;
        }
      }
      if (first == nullptr) {
        seen.push_back(directive);
      } else {
        report(rule::kUniqueDirectivesPerLocation,
               "The directive \"@" + std::string(directive->name.value) +
                   "\" can only be used once at this location.",
               {first->loc, directive->loc});
      }
    }
    return;
  }
  if (directives.size() < 2) return;
  FirstSeen first_seen(
      directives, [](const Directive& d) { return d.name.value; }, &arena_);
  for (std::size_t i = 1; i < directives.size(); ++i) {
    const Directive& directive = *directives[i];
    if (!is_unique(directive)) continue;
    const std::size_t first = first_seen(i);
    if (first == i) continue;
    report(rule::kUniqueDirectivesPerLocation,
           "The directive \"@" + std::string(directive.name.value) +
               "\" can only be used once at this location.",
           {directives[first]->loc, directive.loc});
  }
}

void Validator::known_directive_arguments(const Directive& directive, const DirectiveDef* def) {
  if (def == nullptr) return;
  for (const Argument* argument : directive.arguments) {
    if (def->argument(argument->name.value) != nullptr) continue;
    std::string suggestion;
    if (!options_.hide_suggestions) {
      std::vector<std::string_view> names;
      for (const InputValueDef& a : def->arguments) names.push_back(a.name);
      suggestion = did_you_mean(argument->name.value, names);
    }
    report(rule::kKnownArgumentNames,
           "Unknown argument " + quoted(argument->name.value) + " on directive \"@" +
               std::string(directive.name.value) + "\"." + suggestion,
           {argument->loc});
  }
}

void Validator::known_field_argument(const Argument& argument, const InputValueDef* arg_def,
                                     const FieldDef* field_def, const TypeDef* parent_type) {
  if (arg_def != nullptr || field_def == nullptr || parent_type == nullptr) return;
  std::string suggestion;
  if (!options_.hide_suggestions) {
    std::vector<std::string_view> names;
    for (const InputValueDef& a : field_def->arguments) names.push_back(a.name);
    suggestion = did_you_mean(argument.name.value, names);
  }
  report(rule::kKnownArgumentNames,
         "Unknown argument " + quoted(argument.name.value) + " on field \"" + std::string(parent_type->name) +
             "." + std::string(field_def->name) + "\"." + suggestion,
         {argument.loc});
}

void Validator::unique_argument_names(NodeList<Argument> arguments) {
  if (arguments.size() < 2) return;
  FirstSeen first_seen(
      arguments, [](const Argument& a) { return a.name.value; }, &arena_);
  // graphql-js groups by name and reports each duplicated name once, in first-seen order.
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (first_seen(i) != i) continue;
    std::vector<Location> locations;
    for (std::size_t j = i; j < arguments.size(); ++j) {
      if (arguments[j]->name.value == arguments[i]->name.value) locations.push_back(arguments[j]->name.loc);
    }
    if (locations.size() < 2) continue;
    report(rule::kUniqueArgumentNames,
           "There can be only one argument named " + quoted(arguments[i]->name.value) + ".",
           std::move(locations));
  }
}

void Validator::provided_required_field_arguments(const Field& field, const FieldDef* field_def) {
  if (field_def == nullptr) return;
  for (const InputValueDef& arg : field_def->arguments) {
    if (!is_required(arg)) continue;
    bool provided = false;
    for (const Argument* a : field.arguments) provided = provided || a->name.value == arg.name;
    if (provided) continue;
    report(rule::kProvidedRequiredArguments,
           "Field " + quoted(field_def->name) + " argument " + quoted(arg.name) + " of type " +
               quoted(arg.type.to_string()) + " is required, but it was not provided.",
           {field.loc});
  }
}

void Validator::provided_required_directive_arguments(const Directive& directive, const DirectiveDef* def) {
  if (def == nullptr) return;
  for (const InputValueDef& arg : def->arguments) {
    if (!is_required(arg)) continue;
    bool provided = false;
    for (const Argument* a : directive.arguments) provided = provided || a->name.value == arg.name;
    if (provided) continue;
    report(rule::kProvidedRequiredArguments,
           "Directive \"@" + std::string(directive.name.value) + "\" argument " + quoted(arg.name) +
               " of type " + quoted(arg.type.to_string()) + " is required, but it was not provided.",
           {directive.loc});
  }
}

void Validator::max_introspection_depth(const Field& field, bool& introspection_skip) {
  if (introspection_skip) return;
  if (field.name.value != "__schema" && field.name.value != "__type") return;
  constexpr int kMaxListsDepth = 3;
  PMap<std::string_view, int> visited(&arena_);
  // graphql-js remembers, across the whole document, the entry depth at which each
  // fragment was checked or exceeded, so shared fragments are expanded a bounded number of times.
  auto check = [&](auto& self, const Selection& node, int depth) -> bool {
    if (const auto* spread = as<FragmentSpread>(&node)) {
      const std::string_view name = spread->name.value;
      if (auto it = intro_exceeded_.find(name); it != intro_exceeded_.end() && it->second <= depth)
        return true;
      auto v = visited.find(name);
      auto c = intro_checked_.find(name);
      if ((v != visited.end() && v->second >= depth) || (c != intro_checked_.end() && c->second >= depth)) {
        return false;
      }
      const FragmentDefinition* def = fragment(name);
      if (def == nullptr) return false;
      visited[name] = depth;
      bool exceeded = false;
      if (def->selection_set != nullptr) {
        for (const Selection* child : def->selection_set->selections) {
          if (self(self, *child, depth)) {
            exceeded = true;
            break;
          }
        }
      }
      if (exceeded) {
        intro_exceeded_[name] = depth;
        return true;
      }
      intro_checked_[name] = depth;
      return false;
    }
    const SelectionSet* set = nullptr;
    if (const auto* f = as<Field>(&node)) {
      const std::string_view n = f->name.value;
      if (n == "fields" || n == "interfaces" || n == "possibleTypes" || n == "inputFields") {
        if (++depth >= kMaxListsDepth) return true;
      }
      set = f->selection_set;
    } else if (const auto* inline_fragment = as<InlineFragment>(&node)) {
      set = inline_fragment->selection_set;
    }
    if (set != nullptr) {
      for (const Selection* child : set->selections) {
        if (self(self, *child, depth)) return true;
      }
    }
    return false;
  };
  if (check(check, field, 0)) {
    report(rule::kMaxIntrospectionDepth, "Maximum introspection depth exceeded", {field.loc});
    introspection_skip = true;
  }
}

}  // namespace fraiseql::graphql::validation
