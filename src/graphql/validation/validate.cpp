// validate(): the single traversal. Each walk_* function keeps the TypeInfo context of
// graphql-js in its parameters and calls the rule hooks of a node in specifiedRules order.

#include <algorithm>

#include "context.hpp"

namespace fraiseql::graphql {

std::vector<GraphQLError> validate(const Schema& schema, const Document& document,
                                   const ValidationOptions& options) {
  validation::Validator validator(schema, document, options);
  return validator.run();
}

namespace validation {

namespace {

constexpr std::size_t kArenaInitialBytes = std::size_t{16} * 1024;

DirectiveLocation operation_location(OperationType op) noexcept {
  switch (op) {
    case OperationType::kQuery: return DirectiveLocation::kQuery;
    case OperationType::kMutation: return DirectiveLocation::kMutation;
    case OperationType::kSubscription: return DirectiveLocation::kSubscription;
  }
  return DirectiveLocation::kQuery;
}

bool is_input(TypeRef t) noexcept {
  return t && t.named_type().is_input_type();
}
bool is_output(TypeRef t) noexcept {
  return t && t.named_type().is_output_type();
}

}  // namespace

Validator::Validator(const Schema& schema, const Document& document, const ValidationOptions& options)
    : schema_(schema),
      document_(document),
      options_(options),
      arena_(kArenaInitialBytes),
      fragments_(&arena_),
      spread_cache_(&arena_),
      definition_info_(&arena_),
      usages_(&arena_),
      operations_(&arena_),
      seen_operation_names_(&arena_),
      seen_fragment_names_(&arena_),
      cycle_visited_(&arena_),
      cycle_path_index_(&arena_),
      cycle_path_(&arena_),
      document_types_(&arena_),
      sdl_seen_directives_(&arena_),
      input_field_index_(&arena_),
      intro_checked_(&arena_),
      intro_exceeded_(&arena_) {
  for (const Definition* def : document_.definitions()) {
    if (const auto* fragment = as<FragmentDefinition>(def)) {
      fragments_[fragment->name.value] = fragment;  // the last one wins, as in graphql-js
    } else if (def->kind == NodeKind::kOperationDefinition) {
      ++operation_count_;
    } else if (is_type_definition(def->kind)) {
      document_types_[static_cast<const TypeDefinition*>(def)->name.value] = true;
    }
  }
}

Validator::~Validator() = default;

void Validator::report(std::string_view rule_name, std::string message,
                       std::initializer_list<Location> locations) {
  report(rule_name, std::move(message), std::vector<Location>(locations));
}

void Validator::report(std::string_view rule_name, std::string message, std::vector<Location> locations) {
  GraphQLError error;
  error.message = std::move(message);
  error.locations = std::move(locations);
  error.code = std::string(code::kValidationFailed);
  error.rule = std::string(rule_name);
  errors_.push_back(Pending{report_event_ != 0 ? report_event_ : event_, std::move(error)});
  if (report_event_ == 0 && options_.max_errors != 0 && errors_.size() > options_.max_errors)
    throw TooManyErrors{};
}

const FragmentDefinition* Validator::fragment(std::string_view name) const noexcept {
  auto it = fragments_.find(name);
  return it == fragments_.end() ? nullptr : it->second;
}

const PVector<const FragmentSpread*>& Validator::fragment_spreads(const SelectionSet& set) {
  auto [it, inserted] = spread_cache_.try_emplace(&set, PVector<const FragmentSpread*>(&arena_));
  if (!inserted) return it->second;
  PVector<const FragmentSpread*>& spreads = it->second;
  PVector<const SelectionSet*> stack(&arena_);
  stack.push_back(&set);
  while (!stack.empty()) {
    const SelectionSet* current = stack.back();
    stack.pop_back();
    for (const Selection* selection : current->selections) {
      if (const auto* spread = as<FragmentSpread>(selection)) {
        spreads.push_back(spread);
      } else if (const auto* field = as<Field>(selection)) {
        if (field->selection_set != nullptr) stack.push_back(field->selection_set);
      } else if (const auto* inline_fragment = as<InlineFragment>(selection)) {
        stack.push_back(inline_fragment->selection_set);
      }
    }
  }
  return spreads;
}

PVector<const FragmentDefinition*> Validator::referenced_fragments(
    std::span<const OperationDefinition* const> ops) {
  PVector<const FragmentDefinition*> result(&arena_);
  PVector<std::string_view> names(&arena_);
  PMap<std::string_view, bool> seen(&arena_);
  auto add = [&](std::string_view name) {
    if (seen.try_emplace(name, true).second) names.push_back(name);
  };
  for (const OperationDefinition* op : ops) {
    for (const FragmentSpread* spread : fragment_spreads(*op->selection_set)) add(spread->name.value);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const FragmentDefinition* def = fragment(names[i]);
    if (def == nullptr) continue;
    result.push_back(def);
    for (const FragmentSpread* spread : fragment_spreads(*def->selection_set)) add(spread->name.value);
  }
  return result;
}

std::string Validator::did_you_mean(std::string_view input, const std::vector<std::string_view>& options,
                                    std::string_view sub_message) const {
  if (options_.hide_suggestions) return {};
  return validation::did_you_mean(sub_message, suggestion_list(input, options));
}

std::vector<GraphQLError> Validator::run() {
  bool aborted = false;
  try {
    walk_document();
  } catch (const TooManyErrors&) {
    // Every error ordered before the current node is known (deferred operation checks
    // come next), so the first max_errors of them are exactly graphql-js's.
  } catch (const ValidationAborted&) {
    aborted = true;
  }
  // Checks graphql-js runs when leaving each operation, now that every fragment's
  // variable usages are known; their errors keep the position of that leave event.
  for (const OperationDefinition* op : operations_) {
    const DefinitionInfo& info = definition_info_[op];
    report_event_ = info.leave_event;
    operation_leave_rules(*op, info);
  }
  report_event_ = 0;

  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const Pending& a, const Pending& b) { return a.event < b.event; });
  std::vector<GraphQLError> out;
  out.reserve(errors_.size() + 1);
  const std::size_t max = options_.max_errors == 0 ? errors_.size() : options_.max_errors;
  for (Pending& p : errors_) {
    if (out.size() >= max) {
      GraphQLError error;
      error.message = "Too many validation errors, error limit reached. Validation aborted.";
      error.code = std::string(code::kValidationFailed);
      out.push_back(std::move(error));
      return out;
    }
    out.push_back(std::move(p.error));
  }
  if (aborted) {
    GraphQLError error;
    error.message = "Validation aborted.";
    error.code = std::string(code::kValidationFailed);
    out.push_back(std::move(error));
    return out;
  }
  check_limits();
  for (GraphQLError& e : limit_errors_) out.push_back(std::move(e));
  return out;
}

// ---------------------------------------------------------------------------------------
// Traversal

void Validator::walk_document() {
  next_event();
  executable_definitions();
  for (const Definition* def : document_.definitions()) {
    if (const auto* op = as<OperationDefinition>(def)) {
      walk_operation(*op);
    } else if (const auto* fragment = as<FragmentDefinition>(def)) {
      walk_fragment_definition(*fragment);
    } else {
      walk_type_system_definition(*def);
    }
  }
  next_event();
  no_unused_fragments();
}

void Validator::walk_operation(const OperationDefinition& op) {
  next_event();
  known_operation_types(op);
  unique_operation_names(op);
  lone_anonymous_operation(op);
  single_field_subscriptions(op);
  unique_variable_names(op);
  unique_directives_per_location(op.directives, nullptr);

  DefinitionInfo info;
  info.usage_begin = static_cast<uint32_t>(usages_.size());
  for (const VariableDefinition* def : op.variable_definitions) walk_variable_definition(*def);
  collect_usages_ = true;
  walk_directives(op.directives, operation_location(op.operation), nullptr, {});
  const TypeDef* root = schema_.root_type(op.operation);
  TypeRef root_type = root != nullptr && root->kind == TypeKind::kObject ? TypeRef(*root) : TypeRef{};
  if (op.selection_set != nullptr) walk_selection_set(*op.selection_set, root_type, nullptr, false, false);
  collect_usages_ = false;
  info.usage_end = static_cast<uint32_t>(usages_.size());
  info.leave_event = next_event();
  definition_info_[&op] = info;
  operations_.push_back(&op);
}

void Validator::walk_fragment_definition(const FragmentDefinition& fragment) {
  next_event();
  fragments_on_composite_types(fragment.type_condition, &fragment);
  unique_fragment_names(fragment);
  no_fragment_cycles(fragment);
  unique_directives_per_location(fragment.directives, nullptr);

  DefinitionInfo info;
  info.usage_begin = static_cast<uint32_t>(usages_.size());
  collect_usages_ = true;
  TypeRef type;
  if (fragment.type_condition != nullptr) {
    walk_named_type(*fragment.type_condition, false);
    type = type_from_ast(*fragment.type_condition);
    if (!is_output(type)) type = {};
  }
  walk_directives(fragment.directives, DirectiveLocation::kFragmentDefinition, nullptr, {});
  if (fragment.selection_set != nullptr)
    walk_selection_set(*fragment.selection_set, type, nullptr, false, false);
  collect_usages_ = false;
  info.usage_end = static_cast<uint32_t>(usages_.size());
  definition_info_[&fragment] = info;
}

void Validator::walk_variable_definition(const VariableDefinition& def) {
  next_event();
  variables_are_input_types(def);
  unique_directives_per_location(def.directives, nullptr);
  walk_type_reference(*def.type, false);
  TypeRef type = type_from_ast(*def.type);
  InputContext ctx{is_input(type) ? type : TypeRef{}, TypeRef{}, false};
  if (def.default_value != nullptr) walk_value(*def.default_value, ctx, false);
  walk_directives(def.directives, DirectiveLocation::kVariableDefinition, nullptr, ctx);
}

void Validator::walk_selection_set(const SelectionSet& set, TypeRef owner_type,
                                   const FieldDef* enclosing_field, bool owner_is_inline_fragment,
                                   bool introspection_skip) {
  const TypeDef* parent = nullptr;
  if (owner_type && owner_type.named_type().is_composite()) parent = &owner_type.named_type();
  next_event();
  if (!owner_is_inline_fragment) overlapping_fields_can_be_merged(set, parent);

  for (const Selection* selection : set.selections) {
    switch (selection->kind) {
      case NodeKind::kField:
        walk_field(static_cast<const Field&>(*selection), parent, introspection_skip);
        break;
      case NodeKind::kFragmentSpread: {
        const auto& spread = static_cast<const FragmentSpread&>(*selection);
        next_event();
        known_fragment_names(spread);
        possible_fragment_spread(spread, parent);
        unique_directives_per_location(spread.directives, nullptr);
        walk_directives(spread.directives, DirectiveLocation::kFragmentSpread, enclosing_field, {});
        break;
      }
      case NodeKind::kInlineFragment: {
        const auto& inline_fragment = static_cast<const InlineFragment&>(*selection);
        TypeRef type;
        if (inline_fragment.type_condition != nullptr) {
          type = type_from_ast(*inline_fragment.type_condition);
        } else if (owner_type) {
          type = TypeRef(owner_type.named_type());
        }
        if (!is_output(type)) type = {};
        next_event();
        fragments_on_composite_types(inline_fragment.type_condition, nullptr);
        possible_inline_fragment(inline_fragment, type, parent);
        unique_directives_per_location(inline_fragment.directives, nullptr);
        if (inline_fragment.type_condition != nullptr)
          walk_named_type(*inline_fragment.type_condition, false);
        walk_directives(inline_fragment.directives, DirectiveLocation::kInlineFragment, enclosing_field, {});
        if (inline_fragment.selection_set != nullptr) {
          walk_selection_set(*inline_fragment.selection_set, type, enclosing_field, true, introspection_skip);
        }
        break;
      }
      default: break;
    }
  }
}

void Validator::walk_field(const Field& field, const TypeDef* parent_type, bool introspection_skip) {
  const FieldDef* field_def =
      parent_type != nullptr ? schema_.field(*parent_type, field.name.value) : nullptr;
  TypeRef type = field_def != nullptr && is_output(field_def->type) ? field_def->type : TypeRef{};

  next_event();
  scalar_leafs(field, type);
  fields_on_correct_type(field, parent_type, field_def);
  unique_directives_per_location(field.directives, nullptr);
  unique_argument_names(field.arguments);
  max_introspection_depth(field, introspection_skip);

  walk_arguments(field.arguments, field_def != nullptr ? &field_def->arguments : nullptr, false, field_def,
                 parent_type, {});
  walk_directives(field.directives, DirectiveLocation::kField, field_def, {});
  if (field.selection_set != nullptr) {
    walk_selection_set(*field.selection_set, type, field_def, false, introspection_skip);
  }
  next_event();
  provided_required_field_arguments(field, field_def);
}

void Validator::walk_directives(NodeList<Directive> directives, DirectiveLocation location,
                                const FieldDef* enclosing_field, InputContext outer) {
  for (const Directive* directive : directives) {
    const DirectiveDef* def = schema_.directive(directive->name.value);
    next_event();
    known_directive(*directive, def, location);
    known_directive_arguments(*directive, def);
    unique_argument_names(directive->arguments);
    // graphql-js types the arguments of an unknown directive by the enclosing field.
    const std::vector<InputValueDef>* arg_defs =
        def != nullptr ? &def->arguments
                       : (enclosing_field != nullptr ? &enclosing_field->arguments : nullptr);
    walk_arguments(directive->arguments, arg_defs, true, enclosing_field, nullptr, outer);
    next_event();
    provided_required_directive_arguments(*directive, def);
  }
}

void Validator::walk_arguments(NodeList<Argument> arguments, const std::vector<InputValueDef>* defs,
                               bool is_directive, const FieldDef* field_def, const TypeDef* parent_type,
                               InputContext outer) {
  for (const Argument* argument : arguments) {
    const InputValueDef* arg_def = nullptr;
    if (defs != nullptr) {
      for (const InputValueDef& d : *defs) {
        if (d.name == argument->name.value) {
          arg_def = &d;
          break;
        }
      }
    }
    next_event();
    if (!is_directive) known_field_argument(*argument, arg_def, field_def, parent_type);
    InputContext ctx;
    if (arg_def != nullptr && is_input(arg_def->type)) ctx.type = arg_def->type;
    ctx.parent = outer.type;
    ctx.has_default = arg_def != nullptr && arg_def->default_value != nullptr;
    if (argument->value != nullptr) walk_value(*argument->value, ctx, false);
  }
}

void Validator::walk_value(const Value& value, InputContext ctx, bool voct_skip) {
  next_event();
  switch (value.kind) {
    case NodeKind::kVariable:
      if (collect_usages_) {
        usages_.push_back(
            VariableUsage{&static_cast<const Variable&>(value), ctx.type, ctx.parent, ctx.has_default});
      }
      return;
    case NodeKind::kListValue: {
      TypeRef nullable = ctx.type.nullable();
      TypeRef item = nullable.is_list() ? nullable.of_type() : nullable;
      InputContext item_ctx{is_input(item) ? item : TypeRef{}, ctx.type, false};
      bool skip = voct_skip || values_of_correct_type(value, item_ctx, ctx);
      for (const Value* v : static_cast<const ListValue&>(value).values) walk_value(*v, item_ctx, skip);
      return;
    }
    case NodeKind::kObjectValue: {
      const auto& object = static_cast<const ObjectValue&>(value);
      bool skip = voct_skip || values_of_correct_type(value, ctx, ctx);
      const TypeDef* object_type = ctx.type ? &ctx.type.named_type() : nullptr;
      if (object_type != nullptr && object_type->kind != TypeKind::kInputObject) object_type = nullptr;
      for (std::size_t i = 0; i < object.fields.size(); ++i) {
        const ObjectField& field = *object.fields[i];
        const InputValueDef* field_def =
            object_type != nullptr ? object_type->input_field(field.name.value) : nullptr;
        InputContext field_ctx;
        if (field_def != nullptr && is_input(field_def->type)) field_ctx.type = field_def->type;
        field_ctx.parent = ctx.type;
        field_ctx.has_default = field_def != nullptr && field_def->default_value != nullptr;
        next_event();
        if (!skip) object_field_correct(field, field_ctx, ctx);
        unique_input_field_name(object, i);
        if (field.value != nullptr) walk_value(*field.value, field_ctx, skip);
      }
      return;
    }
    default:
      if (!voct_skip) values_of_correct_type(value, ctx, ctx);
      return;
  }
}

void Validator::walk_named_type(const NamedType& type, bool sdl) {
  next_event();
  known_type_names(type, sdl);
}

void Validator::walk_type_reference(const Type& type, bool sdl) {
  if (const auto* named = as<NamedType>(&type)) {
    walk_named_type(*named, sdl);
    return;
  }
  next_event();
  const Type* inner = type.kind == NodeKind::kListType ? static_cast<const ListType&>(type).type
                                                       : static_cast<const NonNullType&>(type).type;
  if (inner != nullptr) walk_type_reference(*inner, sdl);
}

namespace {

// Where a directive on this type-system node applies (graphql-js
// getDirectiveLocationForASTPath); `grandparent` disambiguates input value definitions.
bool sdl_location(const Node& owner, const Node* grandparent, DirectiveLocation& out) {
  switch (owner.kind) {
    case NodeKind::kSchemaDefinition:
    case NodeKind::kSchemaExtension: out = DirectiveLocation::kSchema; return true;
    case NodeKind::kScalarTypeDefinition:
    case NodeKind::kScalarTypeExtension: out = DirectiveLocation::kScalar; return true;
    case NodeKind::kObjectTypeDefinition:
    case NodeKind::kObjectTypeExtension: out = DirectiveLocation::kObject; return true;
    case NodeKind::kFieldDefinition: out = DirectiveLocation::kFieldDefinition; return true;
    case NodeKind::kInterfaceTypeDefinition:
    case NodeKind::kInterfaceTypeExtension: out = DirectiveLocation::kInterface; return true;
    case NodeKind::kUnionTypeDefinition:
    case NodeKind::kUnionTypeExtension: out = DirectiveLocation::kUnion; return true;
    case NodeKind::kEnumTypeDefinition:
    case NodeKind::kEnumTypeExtension: out = DirectiveLocation::kEnum; return true;
    case NodeKind::kEnumValueDefinition: out = DirectiveLocation::kEnumValue; return true;
    case NodeKind::kInputObjectTypeDefinition:
    case NodeKind::kInputObjectTypeExtension: out = DirectiveLocation::kInputObject; return true;
    case NodeKind::kInputValueDefinition:
      out = grandparent != nullptr && grandparent->kind == NodeKind::kInputObjectTypeDefinition
                ? DirectiveLocation::kInputFieldDefinition
                : DirectiveLocation::kArgumentDefinition;
      return true;
    default: return false;
  }
}

}  // namespace

void Validator::walk_type_system_definition(const Definition& def) {
  // Only the rules that graphql-js applies to type-system nodes of an executable
  // document: type names, directives and their arguments, input object field names.
  auto walk = [&](auto& self, const Node& node, const Node* parent) -> void {
    if (const auto* named = as<NamedType>(&node)) {
      walk_named_type(*named, true);
      return;
    }
    if (is_value(node.kind)) {
      walk_value(static_cast<const Value&>(node), {}, false);
      return;
    }
    if (node.kind == NodeKind::kDirective) return;  // handled with its owner below
    next_event();
    NodeList<Directive> directives = directives_of(node);
    if (!directives.empty()) {
      unique_directives_per_location(directives, &node);
    }
    bool directives_done = directives.empty();
    for_each_child(node, [&](const Node& child) {
      if (child.kind == NodeKind::kDirective) {
        if (!directives_done) {
          DirectiveLocation location = DirectiveLocation::kSchema;
          bool known_location = sdl_location(node, parent, location);
          for (const Directive* directive : directives) {
            const DirectiveDef* ddef = schema_.directive(directive->name.value);
            next_event();
            if (known_location) {
              known_directive(*directive, ddef, location);
            } else {
              known_directive(*directive, ddef, DirectiveLocation::kSchema);
            }
            known_directive_arguments(*directive, ddef);
            unique_argument_names(directive->arguments);
            walk_arguments(directive->arguments, ddef != nullptr ? &ddef->arguments : nullptr, true, nullptr,
                           nullptr, {});
            next_event();
            provided_required_directive_arguments(*directive, ddef);
          }
          directives_done = true;
        }
        return;
      }
      self(self, child, &node);
    });
  };
  walk(walk, def, nullptr);
}

}  // namespace validation
}  // namespace fraiseql::graphql
