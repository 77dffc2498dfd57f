#pragma once
/// The GraphQL type system: an immutable Schema of TypeDefs, FieldDefs and DirectiveDefs.
///
/// A Schema is built once (schema_builder.hpp) and then only read, from any thread,
/// through std::shared_ptr<const Schema>. It owns the SDL Documents it was built from,
/// so names, descriptions, default values and applied directives are string_views and
/// AST pointers into them: lookups never copy a string. Built-in scalars, directives and
/// the introspection types come from a prelude document owned the same way.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fraiseql/graphql/ast.hpp"

namespace fraiseql::graphql {

class TypeDef;

/// The six kinds of named types (spec 3.1), in __TypeKind order.
enum class TypeKind : uint8_t { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };

/// The introspection name of a kind: "SCALAR", "OBJECT", ...
std::string_view to_string(TypeKind kind) noexcept;

/// Transparent hash so maps keyed by string_view are probed without building a string.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using NameMap = std::unordered_map<std::string_view, V, NameHash, std::equal_to<>>;

/// A possibly wrapped type: a named type inside any number of List / NonNull wrappers.
///
/// A small value (pointer + wrapper bits): copy it freely, compare with ==. Wrapper i is
/// bit i of `bits_`, bit depth-1 being the outermost; a set bit is NonNull, a clear bit
/// List. At most kMaxDepth wrappers are representable.
class TypeRef {
 public:
  static constexpr uint8_t kMaxDepth = 63;

  /// An empty reference (no type); false in a boolean context.
  constexpr TypeRef() noexcept = default;
  /// The named type itself, unwrapped.
  constexpr explicit TypeRef(const TypeDef& named) noexcept : named_(&named) {}

  [[nodiscard]] constexpr bool empty() const noexcept { return named_ == nullptr; }
  constexpr explicit operator bool() const noexcept { return named_ != nullptr; }

  /// True when the outermost wrapper is NonNull.
  [[nodiscard]] constexpr bool is_non_null() const noexcept { return depth_ > 0 && outer_bit(); }
  /// True when the outermost wrapper is List (a non-null list is not: strip it first).
  [[nodiscard]] constexpr bool is_list() const noexcept { return depth_ > 0 && !outer_bit(); }
  /// True when there is no wrapper at all.
  [[nodiscard]] constexpr bool is_named() const noexcept { return depth_ == 0; }
  /// Number of wrappers.
  [[nodiscard]] constexpr uint8_t depth() const noexcept { return depth_; }

  /// The type inside the outermost wrapper (`[T]!` -> `[T]`, `[T]` -> `T`); itself when named.
  [[nodiscard]] constexpr TypeRef of_type() const noexcept {
    if (depth_ == 0) return *this;
    TypeRef r = *this;
    --r.depth_;
    r.bits_ &= r.depth_ == 0 ? 0 : (~uint64_t{0} >> (64 - r.depth_));
    return r;
  }
  /// Strips an outer NonNull (`T!` -> `T`); itself otherwise.
  [[nodiscard]] constexpr TypeRef nullable() const noexcept { return is_non_null() ? of_type() : *this; }
  /// `[this]`; empty when kMaxDepth would be exceeded.
  [[nodiscard]] constexpr TypeRef list() const noexcept { return wrap(false); }
  /// `this!` (itself when already non-null); empty when kMaxDepth would be exceeded.
  [[nodiscard]] constexpr TypeRef non_null() const noexcept { return is_non_null() ? *this : wrap(true); }

  /// The innermost named type; only when !empty().
  [[nodiscard]] constexpr const TypeDef& named_type() const noexcept { return *named_; }
  /// The innermost named type, or nullptr when empty().
  [[nodiscard]] constexpr const TypeDef* named_type_ptr() const noexcept { return named_; }

  /// SDL notation, e.g. "[Int!]!".
  [[nodiscard]] std::string to_string() const;
  /// Appends the SDL notation to `out`.
  void append_to(std::string& out) const;

  friend constexpr bool operator==(const TypeRef&, const TypeRef&) noexcept = default;

 private:
  [[nodiscard]] constexpr bool outer_bit() const noexcept { return ((bits_ >> (depth_ - 1)) & 1U) != 0; }
  [[nodiscard]] constexpr TypeRef wrap(bool non_null) const noexcept {
    if (named_ == nullptr || depth_ >= kMaxDepth) return {};
    TypeRef r = *this;
    if (non_null) r.bits_ |= uint64_t{1} << depth_;
    ++r.depth_;
    return r;
  }

  const TypeDef* named_ = nullptr;
  uint64_t bits_ = 0;
  uint8_t depth_ = 0;
};

/// Applied directives of a definition, in source order (definition first, then extensions).
using AppliedDirectives = std::vector<const Directive*>;

/// The first applied directive named `name`, or nullptr.
const Directive* find_directive(const AppliedDirectives& directives, std::string_view name) noexcept;
/// The value of argument `name` of an applied directive, or nullptr when not given.
const Value* find_argument(const Directive& directive, std::string_view name) noexcept;

/// An argument of a field or directive, or a field of an input object type.
struct InputValueDef {
  std::string_view name;
  std::optional<std::string_view> description;
  TypeRef type;
  /// The default as written in the SDL (a const value), or nullptr when there is none.
  const Value* default_value = nullptr;
  /// Set when @deprecated is applied (the reason, "No longer supported" by default).
  std::optional<std::string_view> deprecation_reason;
  AppliedDirectives directives;
  /// The definition node (never null; built-ins point into the prelude).
  const InputValueDefinition* ast = nullptr;

  [[nodiscard]] bool is_deprecated() const noexcept { return deprecation_reason.has_value(); }
  /// Non-null without a default: the caller must provide it.
  [[nodiscard]] bool is_required() const noexcept { return type.is_non_null() && default_value == nullptr; }
};

/// A field of an object or interface type (or a meta-field: __typename, __schema, __type).
struct FieldDef {
  std::string_view name;
  std::optional<std::string_view> description;
  std::vector<InputValueDef> arguments;
  TypeRef type;
  std::optional<std::string_view> deprecation_reason;
  AppliedDirectives directives;
  /// The type that declares this field (for meta-fields: the introspection root, see Schema::field).
  const TypeDef* parent = nullptr;
  const FieldDefinition* ast = nullptr;

  [[nodiscard]] bool is_deprecated() const noexcept { return deprecation_reason.has_value(); }
  /// The argument named `name`, or nullptr.
  [[nodiscard]] const InputValueDef* argument(std::string_view name) const noexcept;
};

/// One value of an enum type.
struct EnumValueDef {
  std::string_view name;
  std::optional<std::string_view> description;
  std::optional<std::string_view> deprecation_reason;
  AppliedDirectives directives;
  const EnumValueDefinition* ast = nullptr;

  [[nodiscard]] bool is_deprecated() const noexcept { return deprecation_reason.has_value(); }
};

/// A named type. Only the members that match `kind` are filled in.
class TypeDef {
 public:
  TypeKind kind = TypeKind::kScalar;
  std::string_view name;
  std::optional<std::string_view> description;
  /// Scalars: the @specifiedBy URL.
  std::optional<std::string_view> specified_by_url;
  /// Input objects: @oneOf applied.
  bool is_one_of = false;
  /// Spec scalars (Int, Float, String, Boolean, ID) and introspection types (__Schema, ...):
  /// not printed by print_schema().
  bool is_builtin = false;

  /// Objects and interfaces: fields in definition order (extensions appended).
  std::vector<FieldDef> fields;
  /// Input objects: fields in definition order.
  std::vector<InputValueDef> input_fields;
  /// Enums: values in definition order.
  std::vector<EnumValueDef> enum_values;
  /// Objects and interfaces: the interfaces they declare they implement.
  std::vector<const TypeDef*> interfaces;
  /// Unions: member types in definition order. Interfaces: the object types that
  /// implement them (directly or through another interface), in schema type order.
  std::vector<const TypeDef*> possible_types;
  /// Applied directives of the definition and its extensions.
  AppliedDirectives directives;
  /// The definition node (nullptr only for types created without SDL), and its extensions.
  const TypeDefinition* ast = nullptr;
  std::vector<const TypeDefinition*> extension_asts;

  /// The field named `name` (meta-fields excluded: use Schema::field), or nullptr.
  [[nodiscard]] const FieldDef* field(std::string_view name) const noexcept;
  /// The input field named `name`, or nullptr.
  [[nodiscard]] const InputValueDef* input_field(std::string_view name) const noexcept;
  /// The enum value named `name`, or nullptr.
  [[nodiscard]] const EnumValueDef* enum_value(std::string_view name) const noexcept;
  /// The first applied directive named `name`, or nullptr.
  [[nodiscard]] const Directive* directive(std::string_view directive_name) const noexcept {
    return find_directive(directives, directive_name);
  }

  /// Unions and interfaces: true when `object` is one of possible_types (O(1)).
  [[nodiscard]] bool is_possible_type(const TypeDef& object) const noexcept;
  /// Objects and interfaces: true when this type declares `iface` among its interfaces.
  [[nodiscard]] bool implements(const TypeDef& iface) const noexcept;

  [[nodiscard]] bool is_input_type() const noexcept {
    return kind == TypeKind::kScalar || kind == TypeKind::kEnum || kind == TypeKind::kInputObject;
  }
  [[nodiscard]] bool is_output_type() const noexcept { return kind != TypeKind::kInputObject; }
  [[nodiscard]] bool is_leaf() const noexcept { return kind == TypeKind::kScalar || kind == TypeKind::kEnum; }
  [[nodiscard]] bool is_composite() const noexcept {
    return kind == TypeKind::kObject || kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }
  [[nodiscard]] bool is_abstract() const noexcept {
    return kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }

 private:
  friend class SchemaBuilderAccess;
  NameMap<const FieldDef*> field_index_;
  NameMap<const InputValueDef*> input_field_index_;
  NameMap<const EnumValueDef*> enum_value_index_;
  std::vector<const TypeDef*> possible_sorted_;  // sorted by address, for is_possible_type
};

/// Named-type predicates on a wrapped type (they look at the named type).
[[nodiscard]] inline bool is_input_type(TypeRef t) noexcept {
  return t && t.named_type().is_input_type();
}
[[nodiscard]] inline bool is_output_type(TypeRef t) noexcept {
  return t && t.named_type().is_output_type();
}
[[nodiscard]] inline bool is_leaf_type(TypeRef t) noexcept {
  return t && t.is_named() && t.named_type().is_leaf();
}
[[nodiscard]] inline bool is_composite_type(TypeRef t) noexcept {
  return t && t.is_named() && t.named_type().is_composite();
}
[[nodiscard]] inline bool is_abstract_type(TypeRef t) noexcept {
  return t && t.is_named() && t.named_type().is_abstract();
}

/// `maybe_sub` is a possible type of the abstract type, or (interfaces) an interface that
/// implements it (graphql-js isSubType).
[[nodiscard]] bool is_sub_type(const TypeDef& abstract_type, const TypeDef& maybe_sub) noexcept;
/// Spec IsTypeSubTypeOf / graphql-js isTypeSubTypeOf: covariance of field types.
[[nodiscard]] bool is_type_sub_type_of(TypeRef maybe_sub, TypeRef super) noexcept;
/// Two composite types may share an object type (graphql-js doTypesOverlap).
[[nodiscard]] bool do_types_overlap(const TypeDef& a, const TypeDef& b) noexcept;

/// A directive definition, built-in or from the SDL.
struct DirectiveDef {
  std::string_view name;  ///< without the `@`
  std::optional<std::string_view> description;
  std::vector<InputValueDef> arguments;
  bool repeatable = false;
  /// Spec directives (@include, @skip, @deprecated, @specifiedBy, @oneOf): not printed.
  bool is_builtin = false;
  /// Locations in definition order.
  std::vector<DirectiveLocation> locations;
  const DirectiveDefinition* ast = nullptr;

  /// True when the directive may appear at `location` (O(1)).
  [[nodiscard]] bool has_location(DirectiveLocation location) const noexcept {
    return (location_mask & (uint32_t{1} << static_cast<unsigned>(location))) != 0;
  }
  /// The argument named `name`, or nullptr.
  [[nodiscard]] const InputValueDef* argument(std::string_view name) const noexcept;

  uint32_t location_mask = 0;
};

/// A validated, immutable schema.
class Schema {
 public:
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema();

  /// The named type `name` (user, built-in or introspection type), or nullptr.
  [[nodiscard]] const TypeDef* type(std::string_view name) const noexcept;
  /// Every named type: built-ins first, then user types in definition order.
  [[nodiscard]] std::span<const TypeDef* const> types() const noexcept { return type_list_; }

  /// Root operation types; nullptr when the schema has none for that operation.
  [[nodiscard]] const TypeDef* query_type() const noexcept { return query_; }
  [[nodiscard]] const TypeDef* mutation_type() const noexcept { return mutation_; }
  [[nodiscard]] const TypeDef* subscription_type() const noexcept { return subscription_; }
  [[nodiscard]] const TypeDef* root_type(OperationType op) const noexcept;

  /// The directive named `name` (without `@`), or nullptr.
  [[nodiscard]] const DirectiveDef* directive(std::string_view name) const noexcept;
  /// Every directive: built-ins first, then user directives in definition order.
  [[nodiscard]] std::span<const DirectiveDef* const> directives() const noexcept { return directive_list_; }

  /// The field `name` of the composite type `parent`, including the meta-fields:
  /// `__typename` on any object/interface/union, `__schema` and `__type` on the query
  /// root. nullptr when there is no such field (and for unions, other than __typename).
  [[nodiscard]] const FieldDef* field(const TypeDef& parent, std::string_view name) const noexcept;
  /// The meta-field definitions (`__typename: String!`, `__schema: __Schema!`,
  /// `__type(name: String!): __Type`).
  [[nodiscard]] const FieldDef& typename_field() const noexcept { return *typename_field_; }
  [[nodiscard]] const FieldDef& schema_field() const noexcept { return *schema_field_; }
  [[nodiscard]] const FieldDef& type_field() const noexcept { return *type_field_; }

  /// The TypeRef of an AST type (e.g. a variable definition's); empty when its named
  /// type is unknown or it nests deeper than TypeRef::kMaxDepth.
  [[nodiscard]] TypeRef resolve_type(const Type& type) const noexcept;

  /// The schema description, if any.
  [[nodiscard]] std::optional<std::string_view> description() const noexcept { return description_; }
  /// Directives applied to `schema { }` and its extensions.
  [[nodiscard]] const AppliedDirectives& applied_directives() const noexcept { return schema_directives_; }

  /// The SDL documents the schema was built from, and their file names (same order).
  [[nodiscard]] std::span<const Document> documents() const noexcept { return documents_; }
  [[nodiscard]] std::span<const std::string> source_names() const noexcept { return source_names_; }

 private:
  friend class SchemaBuilderAccess;
  Schema();

  std::vector<Document> documents_;  // [0] is the prelude
  std::vector<std::string> source_names_;
  std::vector<std::unique_ptr<TypeDef>> type_storage_;
  std::vector<std::unique_ptr<DirectiveDef>> directive_storage_;
  std::vector<const TypeDef*> type_list_;
  std::vector<const DirectiveDef*> directive_list_;
  NameMap<const TypeDef*> types_;
  NameMap<const DirectiveDef*> directive_index_;
  const TypeDef* query_ = nullptr;
  const TypeDef* mutation_ = nullptr;
  const TypeDef* subscription_ = nullptr;
  std::optional<std::string_view> description_;
  AppliedDirectives schema_directives_;
  std::unique_ptr<FieldDef> typename_field_;
  std::unique_ptr<FieldDef> schema_field_;
  std::unique_ptr<FieldDef> type_field_;
};

/// The schema as SDL, graphql-js printSchema() layout: user types and non-spec
/// directives (FraiseQL's and the custom scalars included), applied directives omitted
/// except @deprecated, @specifiedBy and @oneOf.
std::string print_schema(const Schema& schema);

/// The default value of an argument or input field as GraphQL text, the way graphql-js
/// prints it after coercion (`print(astFromValue(valueFromAST(v)))`: a single value given
/// for a list is wrapped, input object fields follow the type's order with their defaults
/// filled in). Empty when there is no default. This is `__InputValue.defaultValue`.
std::string print_default_value(const InputValueDef& value);

/// `value` (a const literal) coerced to `type` and printed as graphql-js does; see above.
std::string print_coerced_value(const Value& value, TypeRef type);

}  // namespace fraiseql::graphql
