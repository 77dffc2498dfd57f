#include "fraiseql/graphql/schema.hpp"

#include <algorithm>
#include <functional>

namespace fraiseql::graphql {

std::string_view to_string(TypeKind kind) noexcept {
  switch (kind) {
    case TypeKind::kScalar: return "SCALAR";
    case TypeKind::kObject: return "OBJECT";
    case TypeKind::kInterface: return "INTERFACE";
    case TypeKind::kUnion: return "UNION";
    case TypeKind::kEnum: return "ENUM";
    case TypeKind::kInputObject: return "INPUT_OBJECT";
  }
  return "SCALAR";
}

// ---------------------------------------------------------------------------------------
// TypeRef

void TypeRef::append_to(std::string& out) const {
  if (named_ == nullptr) return;
  // Outer wrappers first: an opening bracket per List, then the name, then closers.
  for (int i = depth_ - 1; i >= 0; --i) {
    if (((bits_ >> i) & 1U) == 0) out.push_back('[');
  }
  out.append(named_->name);
  for (int i = 0; i < depth_; ++i) {
    out.push_back(((bits_ >> i) & 1U) != 0 ? '!' : ']');
  }
}

std::string TypeRef::to_string() const {
  std::string s;
  append_to(s);
  return s;
}

// ---------------------------------------------------------------------------------------
// Lookups

const Directive* find_directive(const AppliedDirectives& directives, std::string_view name) noexcept {
  for (const Directive* d : directives) {
    if (d->name.value == name) return d;
  }
  return nullptr;
}

const Value* find_argument(const Directive& directive, std::string_view name) noexcept {
  for (const Argument* a : directive.arguments) {
    if (a->name.value == name) return a->value;
  }
  return nullptr;
}

const InputValueDef* FieldDef::argument(std::string_view key) const noexcept {
  for (const auto& a : arguments) {
    if (a.name == key) return &a;
  }
  return nullptr;
}

const InputValueDef* DirectiveDef::argument(std::string_view key) const noexcept {
  for (const auto& a : arguments) {
    if (a.name == key) return &a;
  }
  return nullptr;
}

const FieldDef* TypeDef::field(std::string_view key) const noexcept {
  auto it = field_index_.find(key);
  return it == field_index_.end() ? nullptr : it->second;
}

const InputValueDef* TypeDef::input_field(std::string_view key) const noexcept {
  auto it = input_field_index_.find(key);
  return it == input_field_index_.end() ? nullptr : it->second;
}

const EnumValueDef* TypeDef::enum_value(std::string_view key) const noexcept {
  auto it = enum_value_index_.find(key);
  return it == enum_value_index_.end() ? nullptr : it->second;
}

bool TypeDef::is_possible_type(const TypeDef& object) const noexcept {
  return std::binary_search(possible_sorted_.begin(), possible_sorted_.end(), &object, std::less<>{});
}

bool TypeDef::implements(const TypeDef& iface) const noexcept {
  return std::find(interfaces.begin(), interfaces.end(), &iface) != interfaces.end();
}

// ---------------------------------------------------------------------------------------
// Type relations (graphql-js utilities/typeComparators)

bool is_sub_type(const TypeDef& abstract_type, const TypeDef& maybe_sub) noexcept {
  if (abstract_type.kind == TypeKind::kUnion) return abstract_type.is_possible_type(maybe_sub);
  if (abstract_type.kind != TypeKind::kInterface) return false;
  if (maybe_sub.kind == TypeKind::kObject) return abstract_type.is_possible_type(maybe_sub);
  if (maybe_sub.kind == TypeKind::kInterface) return maybe_sub.implements(abstract_type);
  return false;
}

bool is_type_sub_type_of(TypeRef maybe_sub, TypeRef super) noexcept {
  if (maybe_sub.empty() || super.empty()) return false;
  if (maybe_sub == super) return true;
  if (super.is_non_null()) {
    return maybe_sub.is_non_null() && is_type_sub_type_of(maybe_sub.of_type(), super.of_type());
  }
  if (maybe_sub.is_non_null()) return is_type_sub_type_of(maybe_sub.of_type(), super);
  if (super.is_list())
    return maybe_sub.is_list() && is_type_sub_type_of(maybe_sub.of_type(), super.of_type());
  if (maybe_sub.is_list()) return false;
  const TypeDef& sup = super.named_type();
  const TypeDef& sub = maybe_sub.named_type();
  return sup.is_abstract() && (sub.kind == TypeKind::kInterface || sub.kind == TypeKind::kObject) &&
         is_sub_type(sup, sub);
}

bool do_types_overlap(const TypeDef& a, const TypeDef& b) noexcept {
  if (&a == &b) return true;
  if (a.is_abstract()) {
    if (b.is_abstract()) {
      return std::any_of(a.possible_types.begin(), a.possible_types.end(),
                         [&](const TypeDef* t) { return b.is_possible_type(*t); });
    }
    return a.is_possible_type(b);
  }
  if (b.is_abstract()) return b.is_possible_type(a);
  return false;
}

// ---------------------------------------------------------------------------------------
// Schema

Schema::Schema() = default;
Schema::~Schema() = default;

const TypeDef* Schema::type(std::string_view name) const noexcept {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second;
}

const DirectiveDef* Schema::directive(std::string_view name) const noexcept {
  auto it = directive_index_.find(name);
  return it == directive_index_.end() ? nullptr : it->second;
}

const TypeDef* Schema::root_type(OperationType op) const noexcept {
  switch (op) {
    case OperationType::kQuery: return query_;
    case OperationType::kMutation: return mutation_;
    case OperationType::kSubscription: return subscription_;
  }
  return nullptr;
}

const FieldDef* Schema::field(const TypeDef& parent, std::string_view name) const noexcept {
  if (name.size() > 2 && name[0] == '_' && name[1] == '_') {
    if (name == "__typename" && parent.is_composite()) return typename_field_.get();
    if (&parent == query_) {
      if (name == "__schema") return schema_field_.get();
      if (name == "__type") return type_field_.get();
    }
  }
  if (parent.kind != TypeKind::kObject && parent.kind != TypeKind::kInterface) return nullptr;
  return parent.field(name);
}

TypeRef Schema::resolve_type(const Type& ast) const noexcept {
  if (const auto* nn = as<NonNullType>(&ast)) {
    TypeRef inner = resolve_type(*nn->type);
    return inner ? inner.non_null() : TypeRef{};
  }
  if (const auto* l = as<ListType>(&ast)) {
    TypeRef inner = resolve_type(*l->type);
    return inner ? inner.list() : TypeRef{};
  }
  const auto& named = static_cast<const NamedType&>(ast);
  const TypeDef* t = type(named.name.value);
  return t == nullptr ? TypeRef{} : TypeRef(*t);
}

}  // namespace fraiseql::graphql
