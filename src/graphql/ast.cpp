#include "fraiseql/graphql/ast.hpp"

#include <algorithm>
#include <array>

namespace fraiseql::graphql {

std::string_view to_string(NodeKind kind) noexcept {
  switch (kind) {
    case NodeKind::kVariable: return "Variable";
    case NodeKind::kIntValue: return "IntValue";
    case NodeKind::kFloatValue: return "FloatValue";
    case NodeKind::kStringValue: return "StringValue";
    case NodeKind::kBooleanValue: return "BooleanValue";
    case NodeKind::kNullValue: return "NullValue";
    case NodeKind::kEnumValue: return "EnumValue";
    case NodeKind::kListValue: return "ListValue";
    case NodeKind::kObjectValue: return "ObjectValue";
    case NodeKind::kNamedType: return "NamedType";
    case NodeKind::kListType: return "ListType";
    case NodeKind::kNonNullType: return "NonNullType";
    case NodeKind::kField: return "Field";
    case NodeKind::kFragmentSpread: return "FragmentSpread";
    case NodeKind::kInlineFragment: return "InlineFragment";
    case NodeKind::kSelectionSet: return "SelectionSet";
    case NodeKind::kArgument: return "Argument";
    case NodeKind::kObjectField: return "ObjectField";
    case NodeKind::kDirective: return "Directive";
    case NodeKind::kVariableDefinition: return "VariableDefinition";
    case NodeKind::kOperationTypeDefinition: return "OperationTypeDefinition";
    case NodeKind::kFieldDefinition: return "FieldDefinition";
    case NodeKind::kInputValueDefinition: return "InputValueDefinition";
    case NodeKind::kEnumValueDefinition: return "EnumValueDefinition";
    case NodeKind::kOperationDefinition: return "OperationDefinition";
    case NodeKind::kFragmentDefinition: return "FragmentDefinition";
    case NodeKind::kSchemaDefinition: return "SchemaDefinition";
    case NodeKind::kScalarTypeDefinition: return "ScalarTypeDefinition";
    case NodeKind::kObjectTypeDefinition: return "ObjectTypeDefinition";
    case NodeKind::kInterfaceTypeDefinition: return "InterfaceTypeDefinition";
    case NodeKind::kUnionTypeDefinition: return "UnionTypeDefinition";
    case NodeKind::kEnumTypeDefinition: return "EnumTypeDefinition";
    case NodeKind::kInputObjectTypeDefinition: return "InputObjectTypeDefinition";
    case NodeKind::kDirectiveDefinition: return "DirectiveDefinition";
    case NodeKind::kSchemaExtension: return "SchemaExtension";
    case NodeKind::kScalarTypeExtension: return "ScalarTypeExtension";
    case NodeKind::kObjectTypeExtension: return "ObjectTypeExtension";
    case NodeKind::kInterfaceTypeExtension: return "InterfaceTypeExtension";
    case NodeKind::kUnionTypeExtension: return "UnionTypeExtension";
    case NodeKind::kEnumTypeExtension: return "EnumTypeExtension";
    case NodeKind::kInputObjectTypeExtension: return "InputObjectTypeExtension";
  }
  return "Unknown";
}

std::string_view to_string(OperationType op) noexcept {
  switch (op) {
    case OperationType::kQuery: return "query";
    case OperationType::kMutation: return "mutation";
    case OperationType::kSubscription: return "subscription";
  }
  return "query";
}

namespace {
constexpr std::array<std::string_view, 19> kLocationNames = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
};
}  // namespace

std::string_view to_string(DirectiveLocation location) noexcept {
  auto i = static_cast<std::size_t>(location);
  return i < kLocationNames.size() ? kLocationNames[i] : std::string_view{};
}

bool parse_directive_location(std::string_view name, DirectiveLocation& out) noexcept {
  for (std::size_t i = 0; i < kLocationNames.size(); ++i) {
    if (kLocationNames[i] == name) {
      out = static_cast<DirectiveLocation>(i);
      return true;
    }
  }
  return false;
}

NodeList<Directive> directives_of(const Node& node) noexcept {
  switch (node.kind) {
    case NodeKind::kField: return static_cast<const Field&>(node).directives;
    case NodeKind::kFragmentSpread: return static_cast<const FragmentSpread&>(node).directives;
    case NodeKind::kInlineFragment: return static_cast<const InlineFragment&>(node).directives;
    case NodeKind::kVariableDefinition: return static_cast<const VariableDefinition&>(node).directives;
    case NodeKind::kOperationDefinition: return static_cast<const OperationDefinition&>(node).directives;
    case NodeKind::kFragmentDefinition: return static_cast<const FragmentDefinition&>(node).directives;
    case NodeKind::kSchemaDefinition:
    case NodeKind::kSchemaExtension: return static_cast<const SchemaDefinition&>(node).directives;
    case NodeKind::kScalarTypeDefinition:
    case NodeKind::kObjectTypeDefinition:
    case NodeKind::kInterfaceTypeDefinition:
    case NodeKind::kUnionTypeDefinition:
    case NodeKind::kEnumTypeDefinition:
    case NodeKind::kInputObjectTypeDefinition:
    case NodeKind::kScalarTypeExtension:
    case NodeKind::kObjectTypeExtension:
    case NodeKind::kInterfaceTypeExtension:
    case NodeKind::kUnionTypeExtension:
    case NodeKind::kEnumTypeExtension:
    case NodeKind::kInputObjectTypeExtension: return static_cast<const TypeDefinition&>(node).directives;
    case NodeKind::kFieldDefinition: return static_cast<const FieldDefinition&>(node).directives;
    case NodeKind::kInputValueDefinition: return static_cast<const InputValueDefinition&>(node).directives;
    case NodeKind::kEnumValueDefinition: return static_cast<const EnumValueDefinition&>(node).directives;
    default: return {};
  }
}

const NamedType& named_type_of(const Type& type) noexcept {
  const Type* t = &type;
  for (;;) {
    if (const auto* l = as<ListType>(t)) {
      t = l->type;
    } else if (const auto* nn = as<NonNullType>(t)) {
      t = nn->type;
    } else {
      return static_cast<const NamedType&>(*t);
    }
  }
}

// ---------------------------------------------------------------------------------------

struct Document::Storage {
  explicit Storage(std::string src)
      : source(std::move(src)), arena(std::max<std::size_t>(1024, source.size() * 2)) {}
  std::string source;
  std::pmr::monotonic_buffer_resource arena;
  NodeList<Definition> definitions;
};

Document::Document() : Document(std::string{}) {}
Document::Document(std::string source) : storage_(std::make_unique<Storage>(std::move(source))) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

NodeList<Definition> Document::definitions() const noexcept {
  return storage_ ? storage_->definitions : NodeList<Definition>{};
}
std::string_view Document::source() const noexcept {
  return storage_ ? std::string_view(storage_->source) : std::string_view{};
}
std::pmr::memory_resource* Document::arena() const noexcept {
  return storage_ ? &storage_->arena : nullptr;
}
void Document::set_definitions(NodeList<Definition> definitions) noexcept {
  storage_->definitions = definitions;
}

bool Document::is_executable() const noexcept {
  return std::all_of(definitions().begin(), definitions().end(),
                     [](const Definition* d) { return is_executable_definition(d->kind); });
}

std::size_t Document::operation_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(definitions().begin(), definitions().end(),
                    [](const Definition* d) { return d->kind == NodeKind::kOperationDefinition; }));
}

}  // namespace fraiseql::graphql
