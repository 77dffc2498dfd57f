// Rules about types named or selected by the document:
// https://spec.graphql.org/October2021/#sec-Field-Selections (FieldsOnCorrectType),
// #sec-Leaf-Field-Selections (ScalarLeafs), #sec-Fragment-Spread-Type-Existence
// (KnownTypeNames), #sec-Fragments-On-Composite-Types, #sec-Fragment-spread-is-possible
// (PossibleFragmentSpreads) and #sec-Variables-Are-Input-Types.

#include <algorithm>

#include "fraiseql/graphql/printer.hpp"

#include "context.hpp"

namespace fraiseql::graphql::validation {

void Validator::known_type_names(const NamedType& type, bool sdl) {
  const std::string_view name = type.name.value;
  if (schema_.type(name) != nullptr || document_types_.contains(name)) return;
  std::string suggestion;
  if (!options_.hide_suggestions) {
    if (type_names_.empty()) {
      for (const TypeDef* t : schema_.types()) type_names_.push_back(t->name);
      for (const auto& [defined, unused] : document_types_) type_names_.push_back(defined);
    }
    suggestion = did_you_mean(name, type_names_);
  }
  (void)sdl;  // every standard type is in the schema, so SDL needs no exemption here
  report(rule::kKnownTypeNames, "Unknown type " + quoted(name) + "." + suggestion, {type.loc});
}

void Validator::fragments_on_composite_types(const NamedType* type_condition,
                                             const FragmentDefinition* definition) {
  if (type_condition == nullptr) return;
  TypeRef type = type_from_ast(*type_condition);
  if (!type || type.named_type().is_composite()) return;
  if (definition != nullptr) {
    report(rule::kFragmentsOnCompositeTypes,
           "Fragment " + quoted(definition->name.value) + " cannot condition on non composite type " +
               quoted(type_condition->name.value) + ".",
           {type_condition->loc});
  } else {
    report(rule::kFragmentsOnCompositeTypes,
           "Fragment cannot condition on non composite type " + quoted(type_condition->name.value) + ".",
           {type_condition->loc});
  }
}

void Validator::variables_are_input_types(const VariableDefinition& def) {
  TypeRef type = type_from_ast(*def.type);
  if (!type || type.named_type().is_input_type()) return;
  report(rule::kVariablesAreInputTypes,
         "Variable \"$" + std::string(def.variable->name.value) + "\" cannot be non-input type " +
             quoted(print(*def.type)) + ".",
         {def.type->loc});
}

void Validator::scalar_leafs(const Field& field, TypeRef type) {
  if (!type) return;
  const std::string_view name = field.name.value;
  if (type.named_type().is_leaf()) {
    if (field.selection_set != nullptr) {
      report(rule::kScalarLeafs,
             "Field " + quoted(name) + " must not have a selection since type " + quoted(type.to_string()) +
                 " has no subfields.",
             {field.selection_set->loc});
    }
  } else if (field.selection_set == nullptr) {
    report(rule::kScalarLeafs,
           "Field " + quoted(name) + " of type " + quoted(type.to_string()) +
               " must have a selection of subfields. Did you mean \"" + std::string(name) + " { ... }\"?",
           {field.loc});
  } else if (field.selection_set->selections.empty()) {
    report(rule::kScalarLeafs,
           "Field " + quoted(name) + " of type " + quoted(type.to_string()) +
               " must have at least one field selected.",
           {field.loc});
  }
}

namespace {

bool has_field(const TypeDef& type, std::string_view name) {
  return type.field(name) != nullptr;
}

// graphql-js getSuggestedTypeNames(): the possible types (and their interfaces) that do
// define the field, most used first, super types before subtypes.
std::vector<std::string_view> suggested_type_names(const TypeDef& type, std::string_view field_name) {
  std::vector<std::string_view> out;
  if (!type.is_abstract()) return out;
  std::vector<const TypeDef*> suggested;
  std::vector<int> usage;
  auto add = [&](const TypeDef* t) {
    auto it = std::find(suggested.begin(), suggested.end(), t);
    if (it == suggested.end()) {
      suggested.push_back(t);
      usage.push_back(0);
      return suggested.size() - 1;
    }
    return static_cast<std::size_t>(it - suggested.begin());
  };
  for (const TypeDef* possible : type.possible_types) {
    if (!has_field(*possible, field_name)) continue;
    usage[add(possible)] = 1;
    for (const TypeDef* iface : possible->interfaces) {
      if (!has_field(*iface, field_name)) continue;
      ++usage[add(iface)];
    }
  }
  std::vector<std::size_t> order(suggested.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto compare = [&](std::size_t a, std::size_t b) {
    if (usage[a] != usage[b]) return usage[b] - usage[a];
    const TypeDef& ta = *suggested[a];
    const TypeDef& tb = *suggested[b];
    if (ta.kind == TypeKind::kInterface && is_sub_type(ta, tb)) return -1;
    if (tb.kind == TypeKind::kInterface && is_sub_type(tb, ta)) return 1;
    return natural_compare(ta.name, tb.name);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return compare(a, b) < 0; });
  for (std::size_t i : order) out.push_back(suggested[i]->name);
  return out;
}

}  // namespace

void Validator::fields_on_correct_type(const Field& field, const TypeDef* parent_type,
                                       const FieldDef* field_def) {
  if (parent_type == nullptr || field_def != nullptr) return;
  const std::string_view name = field.name.value;
  std::string suggestion;
  if (!options_.hide_suggestions) {
    suggestion =
        validation::did_you_mean("to use an inline fragment on", suggested_type_names(*parent_type, name));
    if (suggestion.empty() &&
        (parent_type->kind == TypeKind::kObject || parent_type->kind == TypeKind::kInterface)) {
      std::vector<std::string_view> names;
      names.reserve(parent_type->fields.size());
      for (const FieldDef& f : parent_type->fields) names.push_back(f.name);
      suggestion = did_you_mean(name, names);
    }
  }
  report(rule::kFieldsOnCorrectType,
         "Cannot query field " + quoted(name) + " on type " + quoted(parent_type->name) + "." + suggestion,
         {field.loc});
}

void Validator::possible_inline_fragment(const InlineFragment& fragment, TypeRef fragment_type,
                                         const TypeDef* parent_type) {
  if (!fragment_type || parent_type == nullptr) return;
  const TypeDef& frag = fragment_type.named_type();
  if (!frag.is_composite() || do_types_overlap(frag, *parent_type)) return;
  report(rule::kPossibleFragmentSpreads,
         "Fragment cannot be spread here as objects of type " + quoted(parent_type->name) +
             " can never be of type " + quoted(frag.name) + ".",
         {fragment.loc});
}

void Validator::possible_fragment_spread(const FragmentSpread& spread, const TypeDef* parent_type) {
  if (parent_type == nullptr) return;
  const FragmentDefinition* def = fragment(spread.name.value);
  if (def == nullptr || def->type_condition == nullptr) return;
  TypeRef type = type_from_ast(*def->type_condition);
  if (!type || !type.named_type().is_composite()) return;
  const TypeDef& frag = type.named_type();
  if (do_types_overlap(frag, *parent_type)) return;
  report(rule::kPossibleFragmentSpreads,
         "Fragment " + quoted(spread.name.value) + " cannot be spread here as objects of type " +
             quoted(parent_type->name) + " can never be of type " + quoted(frag.name) + ".",
         {spread.loc});
}

}  // namespace fraiseql::graphql::validation
