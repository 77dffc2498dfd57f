#pragma once
/// The GraphQL abstract syntax tree: executable and type-system documents.
///
/// Nodes are plain structs allocated in the Document's arena. They are never destroyed
/// individually, so every member is trivially destructible: names and raw literals are
/// string_views into the Document's source, decoded strings live in the arena, and lists
/// are spans of pointers into the arena. A node is identified by its `kind`; use
/// `as<T>()` / `is<T>()` to downcast and `for_each_child()` to walk.

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>

namespace fraiseql::graphql {

/// A position in the source: 1-based line and column, and 0-based byte offset. Columns
/// count UTF-16 code units, as graphql-js does, so clients and editors agree on them.
struct Location {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0;

  friend bool operator==(const Location&, const Location&) = default;
};

/// Every kind of node. Extension kinds reuse the struct of their definition (see below).
enum class NodeKind : uint8_t {
  // Values.
  kVariable,
  kIntValue,
  kFloatValue,
  kStringValue,
  kBooleanValue,
  kNullValue,
  kEnumValue,
  kListValue,
  kObjectValue,
  // Types.
  kNamedType,
  kListType,
  kNonNullType,
  // Selections.
  kField,
  kFragmentSpread,
  kInlineFragment,
  // Parts.
  kSelectionSet,
  kArgument,
  kObjectField,
  kDirective,
  kVariableDefinition,
  kOperationTypeDefinition,
  kFieldDefinition,
  kInputValueDefinition,
  kEnumValueDefinition,
  // Executable definitions.
  kOperationDefinition,
  kFragmentDefinition,
  // Type-system definitions.
  kSchemaDefinition,
  kScalarTypeDefinition,
  kObjectTypeDefinition,
  kInterfaceTypeDefinition,
  kUnionTypeDefinition,
  kEnumTypeDefinition,
  kInputObjectTypeDefinition,
  kDirectiveDefinition,
  // Type-system extensions.
  kSchemaExtension,
  kScalarTypeExtension,
  kObjectTypeExtension,
  kInterfaceTypeExtension,
  kUnionTypeExtension,
  kEnumTypeExtension,
  kInputObjectTypeExtension,
};

/// The graphql-js name of a kind, e.g. "OperationDefinition".
std::string_view to_string(NodeKind kind) noexcept;

/// Base of every node.
struct Node {
  NodeKind kind;
  Location loc;

 protected:
  explicit constexpr Node(NodeKind k) noexcept : kind(k) {}
};

/// An immutable list of nodes, stored in the Document's arena.
template <typename T>
using NodeList = std::span<const T* const>;

/// True when `node` is a T (exact kind match; T must declare kKind).
template <typename T>
[[nodiscard]] constexpr bool is(const Node* node) noexcept {
  return node != nullptr && node->kind == T::kKind;
}
/// `node` as a T, or nullptr when it is something else.
template <typename T>
[[nodiscard]] constexpr const T* as(const Node* node) noexcept {
  return is<T>(node) ? static_cast<const T*>(node) : nullptr;
}

/// A name with its own position (error locations often point at names). An absent
/// optional name has an empty `value`.
struct Name {
  std::string_view value;
  Location loc;

  [[nodiscard]] bool empty() const noexcept { return value.empty(); }
};

// ---------------------------------------------------------------------------------------
// Values

/// Base of the value kinds.
struct Value : Node {
 protected:
  using Node::Node;
};

/// `$name`; loc is at the `$`.
struct Variable final : Value {
  static constexpr NodeKind kKind = NodeKind::kVariable;
  Variable() noexcept : Value(kKind) {}
  Name name;
};

/// An integer literal, kept as its source text (range checks belong to coercion).
struct IntValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kIntValue;
  IntValue() noexcept : Value(kKind) {}
  std::string_view raw;
};

/// A float literal, kept as its source text.
struct FloatValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kFloatValue;
  FloatValue() noexcept : Value(kKind) {}
  std::string_view raw;
};

/// A string or block string; `value` is decoded (escapes resolved, block indentation removed).
struct StringValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kStringValue;
  StringValue() noexcept : Value(kKind) {}
  std::string_view value;
  bool block = false;
};

/// `true` or `false`.
struct BooleanValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kBooleanValue;
  BooleanValue() noexcept : Value(kKind) {}
  bool value = false;
};

/// `null`.
struct NullValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kNullValue;
  NullValue() noexcept : Value(kKind) {}
};

/// An enum literal (any name but true, false, null).
struct EnumValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kEnumValue;
  EnumValue() noexcept : Value(kKind) {}
  std::string_view value;
};

/// `[v, ...]`.
struct ListValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kListValue;
  ListValue() noexcept : Value(kKind) {}
  NodeList<Value> values;
};

/// One `name: value` of an object literal.
struct ObjectField final : Node {
  static constexpr NodeKind kKind = NodeKind::kObjectField;
  ObjectField() noexcept : Node(kKind) {}
  Name name;
  const Value* value = nullptr;
};

/// `{name: value, ...}`.
struct ObjectValue final : Value {
  static constexpr NodeKind kKind = NodeKind::kObjectValue;
  ObjectValue() noexcept : Value(kKind) {}
  NodeList<ObjectField> fields;
};

// ---------------------------------------------------------------------------------------
// Type references

/// Base of the type-reference kinds.
struct Type : Node {
 protected:
  using Node::Node;
};

/// A type by name.
struct NamedType final : Type {
  static constexpr NodeKind kKind = NodeKind::kNamedType;
  NamedType() noexcept : Type(kKind) {}
  Name name;
};

/// `[type]`.
struct ListType final : Type {
  static constexpr NodeKind kKind = NodeKind::kListType;
  ListType() noexcept : Type(kKind) {}
  const Type* type = nullptr;
};

/// `type!`; `type` is a NamedType or a ListType.
struct NonNullType final : Type {
  static constexpr NodeKind kKind = NodeKind::kNonNullType;
  NonNullType() noexcept : Type(kKind) {}
  const Type* type = nullptr;
};

// ---------------------------------------------------------------------------------------
// Directives, arguments

/// `name: value` in an argument list.
struct Argument final : Node {
  static constexpr NodeKind kKind = NodeKind::kArgument;
  Argument() noexcept : Node(kKind) {}
  Name name;
  const Value* value = nullptr;
};

/// `@name(args)`; loc is at the `@`.
struct Directive final : Node {
  static constexpr NodeKind kKind = NodeKind::kDirective;
  Directive() noexcept : Node(kKind) {}
  Name name;
  NodeList<Argument> arguments;
};

// ---------------------------------------------------------------------------------------
// Selections

/// Base of Field, FragmentSpread and InlineFragment.
struct Selection : Node {
 protected:
  using Node::Node;
};

/// `{ selection ... }`; loc is at the `{`.
struct SelectionSet final : Node {
  static constexpr NodeKind kKind = NodeKind::kSelectionSet;
  SelectionSet() noexcept : Node(kKind) {}
  NodeList<Selection> selections;
};

/// `alias: name(args) @dirs { ... }`; loc is at the alias when present.
struct Field final : Selection {
  static constexpr NodeKind kKind = NodeKind::kField;
  Field() noexcept : Selection(kKind) {}
  Name alias;  ///< empty when there is none
  Name name;
  NodeList<Argument> arguments;
  NodeList<Directive> directives;
  const SelectionSet* selection_set = nullptr;  ///< nullptr for a leaf

  /// The key of this field in the response: the alias, else the name.
  [[nodiscard]] std::string_view response_key() const noexcept {
    return alias.empty() ? name.value : alias.value;
  }
};

/// `...Name @dirs`; loc is at the `...`.
struct FragmentSpread final : Selection {
  static constexpr NodeKind kKind = NodeKind::kFragmentSpread;
  FragmentSpread() noexcept : Selection(kKind) {}
  Name name;
  NodeList<Directive> directives;
};

/// `... on Type @dirs { ... }`; loc is at the `...`.
struct InlineFragment final : Selection {
  static constexpr NodeKind kKind = NodeKind::kInlineFragment;
  InlineFragment() noexcept : Selection(kKind) {}
  const NamedType* type_condition = nullptr;  ///< nullptr when absent
  NodeList<Directive> directives;
  const SelectionSet* selection_set = nullptr;
};

// ---------------------------------------------------------------------------------------
// Executable definitions

/// Base of every top-level definition.
struct Definition : Node {
 protected:
  using Node::Node;
};

/// query, mutation or subscription.
enum class OperationType : uint8_t { kQuery, kMutation, kSubscription };

/// "query", "mutation" or "subscription".
std::string_view to_string(OperationType op) noexcept;

/// `"desc" $var: Type = default @dirs`; loc is at the description, else the `$`.
struct VariableDefinition final : Node {
  static constexpr NodeKind kKind = NodeKind::kVariableDefinition;
  VariableDefinition() noexcept : Node(kKind) {}
  const StringValue* description = nullptr;  ///< nullptr when absent
  const Variable* variable = nullptr;
  const Type* type = nullptr;
  const Value* default_value = nullptr;  ///< nullptr when absent
  NodeList<Directive> directives;
};

/// An operation; the shorthand `{ ... }` is an anonymous query with loc at the `{`.
/// loc is at the description when there is one.
struct OperationDefinition final : Definition {
  static constexpr NodeKind kKind = NodeKind::kOperationDefinition;
  OperationDefinition() noexcept : Definition(kKind) {}
  const StringValue* description = nullptr;  ///< nullptr when absent
  OperationType operation = OperationType::kQuery;
  Name name;  ///< empty when anonymous
  NodeList<VariableDefinition> variable_definitions;
  NodeList<Directive> directives;
  const SelectionSet* selection_set = nullptr;
};

/// `"desc" fragment Name on Type @dirs { ... }`.
struct FragmentDefinition final : Definition {
  static constexpr NodeKind kKind = NodeKind::kFragmentDefinition;
  FragmentDefinition() noexcept : Definition(kKind) {}
  const StringValue* description = nullptr;  ///< nullptr when absent
  Name name;
  const NamedType* type_condition = nullptr;
  NodeList<Directive> directives;
  const SelectionSet* selection_set = nullptr;
};

// ---------------------------------------------------------------------------------------
// Type-system definitions
//
// Each XxxExtension derives from XxxDefinition and only changes `kind` (its description
// is always nullptr, and lists may be empty where the spec allows), so code that builds
// a schema can treat a definition and its extensions through the same struct:
// `static_cast<const ObjectTypeDefinition&>(*ext)` is always valid for an extension.

/// `query: Type` inside a schema definition or extension.
struct OperationTypeDefinition final : Node {
  static constexpr NodeKind kKind = NodeKind::kOperationTypeDefinition;
  OperationTypeDefinition() noexcept : Node(kKind) {}
  OperationType operation = OperationType::kQuery;
  const NamedType* type = nullptr;
};

/// `"desc" schema @dirs { query: Q ... }`.
struct SchemaDefinition : Definition {
  static constexpr NodeKind kKind = NodeKind::kSchemaDefinition;
  SchemaDefinition() noexcept : Definition(kKind) {}
  const StringValue* description = nullptr;
  NodeList<Directive> directives;
  NodeList<OperationTypeDefinition> operation_types;

 protected:
  using Definition::Definition;
};

/// `extend schema @dirs { ... }`.
struct SchemaExtension final : SchemaDefinition {
  static constexpr NodeKind kKind = NodeKind::kSchemaExtension;
  SchemaExtension() noexcept : SchemaDefinition(kKind) {}
};

/// Common part of the named type definitions and extensions (scalar, object, ...).
struct TypeDefinition : Definition {
  const StringValue* description = nullptr;
  Name name;
  NodeList<Directive> directives;

 protected:
  using Definition::Definition;
};

/// An argument or an input field: `"desc" name: Type = default @dirs`.
struct InputValueDefinition final : Node {
  static constexpr NodeKind kKind = NodeKind::kInputValueDefinition;
  InputValueDefinition() noexcept : Node(kKind) {}
  const StringValue* description = nullptr;
  Name name;
  const Type* type = nullptr;
  const Value* default_value = nullptr;  ///< nullptr when absent
  NodeList<Directive> directives;
};

/// A field of an object or interface type: `"desc" name(args): Type @dirs`.
struct FieldDefinition final : Node {
  static constexpr NodeKind kKind = NodeKind::kFieldDefinition;
  FieldDefinition() noexcept : Node(kKind) {}
  const StringValue* description = nullptr;
  Name name;
  NodeList<InputValueDefinition> arguments;
  const Type* type = nullptr;
  NodeList<Directive> directives;
};

/// One value of an enum type: `"desc" NAME @dirs`.
struct EnumValueDefinition final : Node {
  static constexpr NodeKind kKind = NodeKind::kEnumValueDefinition;
  EnumValueDefinition() noexcept : Node(kKind) {}
  const StringValue* description = nullptr;
  Name name;
  NodeList<Directive> directives;
};

/// `scalar Name @dirs`.
struct ScalarTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kScalarTypeDefinition;
  ScalarTypeDefinition() noexcept : TypeDefinition(kKind) {}

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `type Name implements A & B @dirs { fields }`.
struct ObjectTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kObjectTypeDefinition;
  ObjectTypeDefinition() noexcept : TypeDefinition(kKind) {}
  NodeList<NamedType> interfaces;
  NodeList<FieldDefinition> fields;

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `interface Name implements A & B @dirs { fields }`.
struct InterfaceTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kInterfaceTypeDefinition;
  InterfaceTypeDefinition() noexcept : TypeDefinition(kKind) {}
  NodeList<NamedType> interfaces;
  NodeList<FieldDefinition> fields;

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `union Name @dirs = A | B`.
struct UnionTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kUnionTypeDefinition;
  UnionTypeDefinition() noexcept : TypeDefinition(kKind) {}
  NodeList<NamedType> types;

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `enum Name @dirs { VALUES }`.
struct EnumTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kEnumTypeDefinition;
  EnumTypeDefinition() noexcept : TypeDefinition(kKind) {}
  NodeList<EnumValueDefinition> values;

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `input Name @dirs { fields }`.
struct InputObjectTypeDefinition : TypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kInputObjectTypeDefinition;
  InputObjectTypeDefinition() noexcept : TypeDefinition(kKind) {}
  NodeList<InputValueDefinition> fields;

 protected:
  using TypeDefinition::TypeDefinition;
};

/// `extend scalar Name @dirs`.
struct ScalarTypeExtension final : ScalarTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kScalarTypeExtension;
  ScalarTypeExtension() noexcept : ScalarTypeDefinition(kKind) {}
};
/// `extend type Name ...`.
struct ObjectTypeExtension final : ObjectTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kObjectTypeExtension;
  ObjectTypeExtension() noexcept : ObjectTypeDefinition(kKind) {}
};
/// `extend interface Name ...`.
struct InterfaceTypeExtension final : InterfaceTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kInterfaceTypeExtension;
  InterfaceTypeExtension() noexcept : InterfaceTypeDefinition(kKind) {}
};
/// `extend union Name ...`.
struct UnionTypeExtension final : UnionTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kUnionTypeExtension;
  UnionTypeExtension() noexcept : UnionTypeDefinition(kKind) {}
};
/// `extend enum Name ...`.
struct EnumTypeExtension final : EnumTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kEnumTypeExtension;
  EnumTypeExtension() noexcept : EnumTypeDefinition(kKind) {}
};
/// `extend input Name ...`.
struct InputObjectTypeExtension final : InputObjectTypeDefinition {
  static constexpr NodeKind kKind = NodeKind::kInputObjectTypeExtension;
  InputObjectTypeExtension() noexcept : InputObjectTypeDefinition(kKind) {}
};

/// Where a directive may appear (spec 3.13).
enum class DirectiveLocation : uint8_t {
  // Executable.
  kQuery,
  kMutation,
  kSubscription,
  kField,
  kFragmentDefinition,
  kFragmentSpread,
  kInlineFragment,
  kVariableDefinition,
  // Type system.
  kSchema,
  kScalar,
  kObject,
  kFieldDefinition,
  kArgumentDefinition,
  kInterface,
  kUnion,
  kEnum,
  kEnumValue,
  kInputObject,
  kInputFieldDefinition,
};

/// The spec name of a location, e.g. "FIELD_DEFINITION".
std::string_view to_string(DirectiveLocation location) noexcept;
/// Parses a spec location name; false when it is not one.
bool parse_directive_location(std::string_view name, DirectiveLocation& out) noexcept;

/// One location in a directive definition, with its source position.
struct DirectiveLocationName {
  DirectiveLocation value = DirectiveLocation::kQuery;
  Name name;
};

/// `"desc" directive @name(args) repeatable on A | B`.
struct DirectiveDefinition final : Definition {
  static constexpr NodeKind kKind = NodeKind::kDirectiveDefinition;
  DirectiveDefinition() noexcept : Definition(kKind) {}
  const StringValue* description = nullptr;
  Name name;  ///< without the `@`
  NodeList<InputValueDefinition> arguments;
  bool repeatable = false;
  std::span<const DirectiveLocationName> locations;
};

// ---------------------------------------------------------------------------------------
// Kind predicates

/// OperationDefinition or FragmentDefinition.
[[nodiscard]] constexpr bool is_executable_definition(NodeKind k) noexcept {
  return k == NodeKind::kOperationDefinition || k == NodeKind::kFragmentDefinition;
}
/// A scalar/object/interface/union/enum/input definition (not an extension).
[[nodiscard]] constexpr bool is_type_definition(NodeKind k) noexcept {
  return k >= NodeKind::kScalarTypeDefinition && k <= NodeKind::kInputObjectTypeDefinition;
}
/// A scalar/object/interface/union/enum/input extension.
[[nodiscard]] constexpr bool is_type_extension(NodeKind k) noexcept {
  return k >= NodeKind::kScalarTypeExtension && k <= NodeKind::kInputObjectTypeExtension;
}
/// Any type-system definition or extension (schema, types, directives).
[[nodiscard]] constexpr bool is_type_system_definition(NodeKind k) noexcept {
  return k >= NodeKind::kSchemaDefinition && k <= NodeKind::kInputObjectTypeExtension;
}
/// One of the value kinds.
[[nodiscard]] constexpr bool is_value(NodeKind k) noexcept {
  return k >= NodeKind::kVariable && k <= NodeKind::kObjectValue;
}
/// One of the type-reference kinds.
[[nodiscard]] constexpr bool is_type_reference(NodeKind k) noexcept {
  return k >= NodeKind::kNamedType && k <= NodeKind::kNonNullType;
}
/// Field, FragmentSpread or InlineFragment.
[[nodiscard]] constexpr bool is_selection(NodeKind k) noexcept {
  return k >= NodeKind::kField && k <= NodeKind::kInlineFragment;
}

/// The directives attached to a node (empty for kinds that take none).
NodeList<Directive> directives_of(const Node& node) noexcept;

/// The innermost named type of a type reference (`[T!]!` -> T).
const NamedType& named_type_of(const Type& type) noexcept;

// ---------------------------------------------------------------------------------------
// Document

/// A parsed document. It owns its source text and the arena holding the nodes, both
/// behind one heap allocation, so moving a Document keeps every view and pointer valid.
/// Not copyable: print() and re-parse when a copy is needed.
class Document {
 public:
  /// An empty document (no definitions).
  Document();
  /// Takes the source text; nodes are added by the parser through arena().
  explicit Document(std::string source);
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  /// The top-level definitions in source order.
  [[nodiscard]] NodeList<Definition> definitions() const noexcept;
  /// The source text the nodes point into.
  [[nodiscard]] std::string_view source() const noexcept;
  /// The arena nodes and decoded strings are allocated from.
  [[nodiscard]] std::pmr::memory_resource* arena() const noexcept;
  /// Replaces the definitions (used by the parser; the list must live in arena()).
  void set_definitions(NodeList<Definition> definitions) noexcept;

  /// True when every definition is an operation or a fragment.
  [[nodiscard]] bool is_executable() const noexcept;
  /// Number of operation definitions.
  [[nodiscard]] std::size_t operation_count() const noexcept;

 private:
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

// ---------------------------------------------------------------------------------------
// Walking

/// Calls `fn(const Node&)` for each direct child of `node`, in source order. Names and
/// directive locations are not nodes and are not visited; descriptions are.
template <typename Fn>
void for_each_child(const Node& node, Fn&& fn) {
  auto one = [&](const Node* child) {
    if (child != nullptr) fn(*child);
  };
  auto all = [&](auto list) {
    for (const Node* child : list) fn(*child);
  };
  switch (node.kind) {
    case NodeKind::kVariable:
    case NodeKind::kIntValue:
    case NodeKind::kFloatValue:
    case NodeKind::kStringValue:
    case NodeKind::kBooleanValue:
    case NodeKind::kNullValue:
    case NodeKind::kEnumValue:
    case NodeKind::kNamedType: return;
    case NodeKind::kListValue: return all(static_cast<const ListValue&>(node).values);
    case NodeKind::kObjectValue: return all(static_cast<const ObjectValue&>(node).fields);
    case NodeKind::kObjectField: return one(static_cast<const ObjectField&>(node).value);
    case NodeKind::kListType: return one(static_cast<const ListType&>(node).type);
    case NodeKind::kNonNullType: return one(static_cast<const NonNullType&>(node).type);
    case NodeKind::kArgument: return one(static_cast<const Argument&>(node).value);
    case NodeKind::kDirective: return all(static_cast<const Directive&>(node).arguments);
    case NodeKind::kSelectionSet: return all(static_cast<const SelectionSet&>(node).selections);
    case NodeKind::kField: {
      const auto& n = static_cast<const Field&>(node);
      all(n.arguments);
      all(n.directives);
      return one(n.selection_set);
    }
    case NodeKind::kFragmentSpread: return all(static_cast<const FragmentSpread&>(node).directives);
    case NodeKind::kInlineFragment: {
      const auto& n = static_cast<const InlineFragment&>(node);
      one(n.type_condition);
      all(n.directives);
      return one(n.selection_set);
    }
    case NodeKind::kVariableDefinition: {
      const auto& n = static_cast<const VariableDefinition&>(node);
      one(n.description);
      one(n.variable);
      one(n.type);
      one(n.default_value);
      return all(n.directives);
    }
    case NodeKind::kOperationDefinition: {
      const auto& n = static_cast<const OperationDefinition&>(node);
      one(n.description);
      all(n.variable_definitions);
      all(n.directives);
      return one(n.selection_set);
    }
    case NodeKind::kFragmentDefinition: {
      const auto& n = static_cast<const FragmentDefinition&>(node);
      one(n.description);
      one(n.type_condition);
      all(n.directives);
      return one(n.selection_set);
    }
    case NodeKind::kOperationTypeDefinition:
      return one(static_cast<const OperationTypeDefinition&>(node).type);
    case NodeKind::kSchemaDefinition:
    case NodeKind::kSchemaExtension: {
      const auto& n = static_cast<const SchemaDefinition&>(node);
      one(n.description);
      all(n.directives);
      return all(n.operation_types);
    }
    case NodeKind::kInputValueDefinition: {
      const auto& n = static_cast<const InputValueDefinition&>(node);
      one(n.description);
      one(n.type);
      one(n.default_value);
      return all(n.directives);
    }
    case NodeKind::kFieldDefinition: {
      const auto& n = static_cast<const FieldDefinition&>(node);
      one(n.description);
      all(n.arguments);
      one(n.type);
      return all(n.directives);
    }
    case NodeKind::kEnumValueDefinition: {
      const auto& n = static_cast<const EnumValueDefinition&>(node);
      one(n.description);
      return all(n.directives);
    }
    case NodeKind::kScalarTypeDefinition:
    case NodeKind::kScalarTypeExtension: {
      const auto& n = static_cast<const ScalarTypeDefinition&>(node);
      one(n.description);
      return all(n.directives);
    }
    case NodeKind::kObjectTypeDefinition:
    case NodeKind::kObjectTypeExtension: {
      const auto& n = static_cast<const ObjectTypeDefinition&>(node);
      one(n.description);
      all(n.interfaces);
      all(n.directives);
      return all(n.fields);
    }
    case NodeKind::kInterfaceTypeDefinition:
    case NodeKind::kInterfaceTypeExtension: {
      const auto& n = static_cast<const InterfaceTypeDefinition&>(node);
      one(n.description);
      all(n.interfaces);
      all(n.directives);
      return all(n.fields);
    }
    case NodeKind::kUnionTypeDefinition:
    case NodeKind::kUnionTypeExtension: {
      const auto& n = static_cast<const UnionTypeDefinition&>(node);
      one(n.description);
      all(n.directives);
      return all(n.types);
    }
    case NodeKind::kEnumTypeDefinition:
    case NodeKind::kEnumTypeExtension: {
      const auto& n = static_cast<const EnumTypeDefinition&>(node);
      one(n.description);
      all(n.directives);
      return all(n.values);
    }
    case NodeKind::kInputObjectTypeDefinition:
    case NodeKind::kInputObjectTypeExtension: {
      const auto& n = static_cast<const InputObjectTypeDefinition&>(node);
      one(n.description);
      all(n.directives);
      return all(n.fields);
    }
    case NodeKind::kDirectiveDefinition: {
      const auto& n = static_cast<const DirectiveDefinition&>(node);
      one(n.description);
      return all(n.arguments);
    }
  }
}

}  // namespace fraiseql::graphql
