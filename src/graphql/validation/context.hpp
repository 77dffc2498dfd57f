#pragma once
// Private to the validator: one Validator walks the document once, keeping the type
// context graphql-js's TypeInfo keeps, and calls every rule's hook at each node in
// graphql-js specifiedRules order. Rules are member functions defined in one .cpp per
// rule group; their state lives here.
//
// Errors are tagged with the traversal event that raised them and stably sorted at the
// end. That lets checks that need the whole document (variable usages of fragments
// defined after the operation) run after the walk and still land where graphql-js puts
// them.

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema.hpp"
#include "fraiseql/graphql/validation.hpp"

namespace fraiseql::graphql::validation {

/// graphql-js rule names without the "Rule" suffix.
namespace rule {
inline constexpr std::string_view kExecutableDefinitions = "ExecutableDefinitions";
inline constexpr std::string_view kKnownOperationTypes = "KnownOperationTypes";
inline constexpr std::string_view kUniqueOperationNames = "UniqueOperationNames";
inline constexpr std::string_view kLoneAnonymousOperation = "LoneAnonymousOperation";
inline constexpr std::string_view kSingleFieldSubscriptions = "SingleFieldSubscriptions";
inline constexpr std::string_view kKnownTypeNames = "KnownTypeNames";
inline constexpr std::string_view kFragmentsOnCompositeTypes = "FragmentsOnCompositeTypes";
inline constexpr std::string_view kVariablesAreInputTypes = "VariablesAreInputTypes";
inline constexpr std::string_view kScalarLeafs = "ScalarLeafs";
inline constexpr std::string_view kFieldsOnCorrectType = "FieldsOnCorrectType";
inline constexpr std::string_view kUniqueFragmentNames = "UniqueFragmentNames";
inline constexpr std::string_view kKnownFragmentNames = "KnownFragmentNames";
inline constexpr std::string_view kNoUnusedFragments = "NoUnusedFragments";
inline constexpr std::string_view kPossibleFragmentSpreads = "PossibleFragmentSpreads";
inline constexpr std::string_view kNoFragmentCycles = "NoFragmentCycles";
inline constexpr std::string_view kUniqueVariableNames = "UniqueVariableNames";
inline constexpr std::string_view kNoUndefinedVariables = "NoUndefinedVariables";
inline constexpr std::string_view kNoUnusedVariables = "NoUnusedVariables";
inline constexpr std::string_view kKnownDirectives = "KnownDirectives";
inline constexpr std::string_view kUniqueDirectivesPerLocation = "UniqueDirectivesPerLocation";
inline constexpr std::string_view kKnownArgumentNames = "KnownArgumentNames";
inline constexpr std::string_view kUniqueArgumentNames = "UniqueArgumentNames";
inline constexpr std::string_view kValuesOfCorrectType = "ValuesOfCorrectType";
inline constexpr std::string_view kProvidedRequiredArguments = "ProvidedRequiredArguments";
inline constexpr std::string_view kVariablesInAllowedPosition = "VariablesInAllowedPosition";
inline constexpr std::string_view kOverlappingFieldsCanBeMerged = "OverlappingFieldsCanBeMerged";
inline constexpr std::string_view kUniqueInputFieldNames = "UniqueInputFieldNames";
inline constexpr std::string_view kMaxIntrospectionDepth = "MaxIntrospectionDepth";
inline constexpr std::string_view kMaxDepth = "MaxDepth";
inline constexpr std::string_view kMaxAliases = "MaxAliases";
inline constexpr std::string_view kMaxComplexity = "MaxComplexity";
}  // namespace rule

template <typename T>
using PVector = std::pmr::vector<T>;
template <typename K, typename V>
using PMap = std::pmr::unordered_map<K, V>;

/// graphql-js TypeInfo's input-value context: getInputType(), getParentInputType() and
/// whether getDefaultValue() is defined.
struct InputContext {
  TypeRef type;
  TypeRef parent;
  bool has_default = false;
};

/// One `$var` inside an operation or fragment, with the type context of its position.
struct VariableUsage {
  const Variable* node = nullptr;
  TypeRef type;
  TypeRef parent;
  bool has_default = false;
};

/// Per operation or fragment definition: its variable usages (a range of usages_).
struct DefinitionInfo {
  uint32_t usage_begin = 0;
  uint32_t usage_end = 0;
  uint32_t leave_event = 0;  // operations: the event of the OperationDefinition leave
};

struct OverlapState;
struct OverlapStateDeleter {
  void operator()(OverlapState* state) const noexcept;
};

/// Thrown (and caught in run()) when graphql-js would abort: its complexity budget ran out.
struct ValidationAborted {};
/// Thrown by report() when more errors than max_errors were found during the walk.
struct TooManyErrors {};

class Validator {
 public:
  Validator(const Schema& schema, const Document& document, const ValidationOptions& options);
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  std::vector<GraphQLError> run();

  // ---- shared services --------------------------------------------------------------

  void report(std::string_view rule_name, std::string message, std::initializer_list<Location> locations);
  void report(std::string_view rule_name, std::string message, std::vector<Location> locations);
  /// Marks the start of a new traversal event (node enter/leave).
  uint32_t next_event() noexcept { return ++event_; }

  /// graphql-js getFragment(): the last definition with that name, or nullptr.
  [[nodiscard]] const FragmentDefinition* fragment(std::string_view name) const noexcept;
  /// graphql-js getFragmentSpreads(): spreads anywhere below `set`, not following
  /// fragments, in graphql-js's (stack) order. Cached per selection set.
  const PVector<const FragmentSpread*>& fragment_spreads(const SelectionSet& set);
  /// Fragments reachable from the operations' spreads, transitively, in graphql-js order.
  PVector<const FragmentDefinition*> referenced_fragments(std::span<const OperationDefinition* const> ops);

  /// Named type of an AST type reference, or nullptr when unknown (typeFromAST).
  [[nodiscard]] TypeRef type_from_ast(const Type& type) const noexcept { return schema_.resolve_type(type); }

  /// graphql-js suggestionList + didYouMean, honouring hide_suggestions.
  [[nodiscard]] std::string did_you_mean(std::string_view input, const std::vector<std::string_view>& options,
                                         std::string_view sub_message = {}) const;

  // ---- traversal (validate.cpp) ----------------------------------------------------

  void walk_document();
  void walk_operation(const OperationDefinition& op);
  void walk_fragment_definition(const FragmentDefinition& fragment);
  void walk_variable_definition(const VariableDefinition& def);
  void walk_selection_set(const SelectionSet& set, TypeRef owner_type, const FieldDef* enclosing_field,
                          bool owner_is_inline_fragment, bool introspection_skip);
  void walk_field(const Field& field, const TypeDef* parent_type, bool introspection_skip);
  void walk_directives(NodeList<Directive> directives, DirectiveLocation location,
                       const FieldDef* enclosing_field, InputContext outer);
  void walk_arguments(NodeList<Argument> arguments, const std::vector<InputValueDef>* defs, bool is_directive,
                      const FieldDef* field_def, const TypeDef* parent_type, InputContext outer);
  void walk_value(const Value& value, InputContext ctx, bool voct_skip);
  void walk_named_type(const NamedType& type, bool sdl);
  void walk_type_reference(const Type& type, bool sdl);
  void walk_type_system_definition(const Definition& def);

  // ---- rules ------------------------------------------------------------------------

  // document_rules.cpp
  void executable_definitions();
  void known_operation_types(const OperationDefinition& op);
  void unique_operation_names(const OperationDefinition& op);
  void lone_anonymous_operation(const OperationDefinition& op);
  void unique_fragment_names(const FragmentDefinition& fragment);
  void known_fragment_names(const FragmentSpread& spread);
  void no_unused_fragments();
  void no_fragment_cycles(const FragmentDefinition& fragment);
  void detect_cycle(const FragmentDefinition& fragment);
  void single_field_subscriptions(const OperationDefinition& op);

  // type_rules.cpp
  void known_type_names(const NamedType& type, bool sdl);
  void fragments_on_composite_types(const NamedType* type_condition, const FragmentDefinition* definition);
  void variables_are_input_types(const VariableDefinition& def);
  void scalar_leafs(const Field& field, TypeRef type);
  void fields_on_correct_type(const Field& field, const TypeDef* parent_type, const FieldDef* field_def);
  void possible_inline_fragment(const InlineFragment& fragment, TypeRef fragment_type,
                                const TypeDef* parent_type);
  void possible_fragment_spread(const FragmentSpread& spread, const TypeDef* parent_type);

  // variable_rules.cpp
  void unique_variable_names(const OperationDefinition& op);
  void operation_leave_rules(const OperationDefinition& op, const DefinitionInfo& info);

  // directive_rules.cpp
  void known_directive(const Directive& directive, const DirectiveDef* def, DirectiveLocation location);
  void unique_directives_per_location(NodeList<Directive> directives, const Node* type_system_owner);
  void known_directive_arguments(const Directive& directive, const DirectiveDef* def);
  void known_field_argument(const Argument& argument, const InputValueDef* arg_def, const FieldDef* field_def,
                            const TypeDef* parent_type);
  void unique_argument_names(NodeList<Argument> arguments);
  void provided_required_field_arguments(const Field& field, const FieldDef* field_def);
  void provided_required_directive_arguments(const Directive& directive, const DirectiveDef* def);
  void max_introspection_depth(const Field& field, bool& introspection_skip);

  // values_rules.cpp
  /// Returns true when ValuesOfCorrectType stops descending into `value`.
  bool values_of_correct_type(const Value& value, const InputContext& ctx, const InputContext& outer);
  void object_field_correct(const ObjectField& field, const InputContext& field_ctx,
                            const InputContext& object_ctx);
  void check_leaf_value(const Value& value, TypeRef location_type);
  void unique_input_field_name(const ObjectValue& object, std::size_t index);

  // overlapping_fields.cpp
  void overlapping_fields_can_be_merged(const SelectionSet& set, const TypeDef* parent_type);

  // limits.cpp
  void check_limits();

  // ---- state ------------------------------------------------------------------------

  const Schema& schema_;
  const Document& document_;
  const ValidationOptions& options_;
  std::pmr::monotonic_buffer_resource arena_;

  struct Pending {
    uint32_t event;
    GraphQLError error;
  };
  std::vector<Pending> errors_;
  std::vector<GraphQLError> limit_errors_;
  uint32_t event_ = 0;
  uint32_t report_event_ = 0;  // overrides event_ while deferred checks run (0: none)

  PMap<std::string_view, const FragmentDefinition*> fragments_;
  PMap<const SelectionSet*, PVector<const FragmentSpread*>> spread_cache_;
  PMap<const Node*, DefinitionInfo> definition_info_;
  PVector<VariableUsage> usages_;
  PVector<const OperationDefinition*> operations_;
  uint32_t operation_count_ = 0;

  // UniqueOperationNames / UniqueFragmentNames: first name node seen.
  PMap<std::string_view, const Name*> seen_operation_names_;
  PMap<std::string_view, const Name*> seen_fragment_names_;
  // NoFragmentCycles.
  PMap<std::string_view, bool> cycle_visited_;
  PMap<std::string_view, uint32_t> cycle_path_index_;
  PVector<const FragmentSpread*> cycle_path_;
  // Schema names for suggestions (built lazily).
  std::vector<std::string_view> type_names_;
  // Names of types defined in the document (KnownTypeNames accepts them).
  PMap<std::string_view, bool> document_types_;
  // UniqueDirectivesPerLocation on type-system nodes: shared by a type and its extensions.
  PMap<std::string_view, PVector<const Directive*>> sdl_seen_directives_;
  // UniqueInputFieldNames on large object literals: name -> first index.
  PMap<const ObjectValue*, PMap<std::string_view, uint32_t>> input_field_index_;
  // MaxIntrospectionDepth: entry depth at which a fragment was checked / exceeded.
  PMap<std::string_view, int> intro_checked_;
  PMap<std::string_view, int> intro_exceeded_;
  // Variable usages are recorded inside operations and fragments only.
  bool collect_usages_ = false;

  std::unique_ptr<OverlapState, OverlapStateDeleter> overlap_;
};

/// graphql-js suggestionList(): options within a lexical distance of input, best first.
std::vector<std::string_view> suggestion_list(std::string_view input,
                                              const std::vector<std::string_view>& options);
/// graphql-js didYouMean(): "" or " Did you mean [sub_message ]"a", "b", or "c"?".
std::string did_you_mean(std::string_view sub_message, const std::vector<std::string_view>& suggestions);
/// graphql-js naturalCompare(): negative, zero or positive.
int natural_compare(std::string_view a, std::string_view b) noexcept;

/// `"` + s + `"`.
inline std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

}  // namespace fraiseql::graphql::validation
