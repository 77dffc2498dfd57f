#include "fraiseql/graphql/printer.hpp"

#include <algorithm>
#include <vector>

#include "block_string.hpp"

namespace fraiseql::graphql {
namespace {

class Printer {
 public:
  explicit Printer(std::string& out) : out_(out) {}

  void document(const Document& doc) {
    const Definition* previous = nullptr;
    for (const Definition* def : doc.definitions()) {
      if (previous != nullptr) out_.append("\n\n");
      // After a type-system definition a leading "{" would be read as its body.
      allow_shorthand_ = previous == nullptr || is_executable_definition(previous->kind);
      node(*def);
      previous = def;
    }
    allow_shorthand_ = true;
  }

  void node(const Node& n) {
    switch (n.kind) {
      case NodeKind::kVariable:
        out_.push_back('$');
        out_.append(static_cast<const Variable&>(n).name.value);
        return;
      case NodeKind::kIntValue: out_.append(static_cast<const IntValue&>(n).raw); return;
      case NodeKind::kFloatValue: out_.append(static_cast<const FloatValue&>(n).raw); return;
      case NodeKind::kStringValue: {
        const auto& s = static_cast<const StringValue&>(n);
        if (s.block) {
          block_string(s.value);
        } else {
          string(s.value);
        }
        return;
      }
      case NodeKind::kBooleanValue:
        out_.append(static_cast<const BooleanValue&>(n).value ? "true" : "false");
        return;
      case NodeKind::kNullValue: out_.append("null"); return;
      case NodeKind::kEnumValue: out_.append(static_cast<const EnumValue&>(n).value); return;
      case NodeKind::kListValue:
        out_.push_back('[');
        list(static_cast<const ListValue&>(n).values, ", ");
        out_.push_back(']');
        return;
      case NodeKind::kObjectValue:
        out_.push_back('{');
        list(static_cast<const ObjectValue&>(n).fields, ", ");
        out_.push_back('}');
        return;
      case NodeKind::kObjectField: {
        const auto& f = static_cast<const ObjectField&>(n);
        out_.append(f.name.value).append(": ");
        node(*f.value);
        return;
      }
      case NodeKind::kNamedType: out_.append(static_cast<const NamedType&>(n).name.value); return;
      case NodeKind::kListType:
        out_.push_back('[');
        node(*static_cast<const ListType&>(n).type);
        out_.push_back(']');
        return;
      case NodeKind::kNonNullType:
        node(*static_cast<const NonNullType&>(n).type);
        out_.push_back('!');
        return;
      case NodeKind::kArgument: {
        const auto& a = static_cast<const Argument&>(n);
        out_.append(a.name.value).append(": ");
        node(*a.value);
        return;
      }
      case NodeKind::kDirective: {
        const auto& d = static_cast<const Directive&>(n);
        out_.push_back('@');
        out_.append(d.name.value);
        arguments(d.arguments);
        return;
      }
      case NodeKind::kSelectionSet: selection_set(static_cast<const SelectionSet&>(n)); return;
      case NodeKind::kField: {
        const auto& f = static_cast<const Field&>(n);
        if (!f.alias.empty()) out_.append(f.alias.value).append(": ");
        out_.append(f.name.value);
        arguments(f.arguments);
        directives(f.directives);
        if (f.selection_set != nullptr) {
          out_.push_back(' ');
          selection_set(*f.selection_set);
        }
        return;
      }
      case NodeKind::kFragmentSpread: {
        const auto& s = static_cast<const FragmentSpread&>(n);
        out_.append("...").append(s.name.value);
        directives(s.directives);
        return;
      }
      case NodeKind::kInlineFragment: {
        const auto& f = static_cast<const InlineFragment&>(n);
        out_.append("...");
        if (f.type_condition != nullptr) out_.append(" on ").append(f.type_condition->name.value);
        directives(f.directives);
        out_.push_back(' ');
        selection_set(*f.selection_set);
        return;
      }
      case NodeKind::kVariableDefinition: {
        const auto& v = static_cast<const VariableDefinition&>(n);
        description(v.description);
        node(*v.variable);
        out_.append(": ");
        node(*v.type);
        if (v.default_value != nullptr) {
          out_.append(" = ");
          node(*v.default_value);
        }
        directives(v.directives);
        return;
      }
      case NodeKind::kOperationDefinition: {
        const auto& op = static_cast<const OperationDefinition&>(n);
        // An anonymous query without variables or directives prints in the short form.
        if (allow_shorthand_ && op.description == nullptr && op.operation == OperationType::kQuery &&
            op.name.empty() && op.variable_definitions.empty() && op.directives.empty()) {
          selection_set(*op.selection_set);
          return;
        }
        description(op.description);
        out_.append(to_string(op.operation));
        if (!op.name.empty() || !op.variable_definitions.empty()) out_.push_back(' ');
        out_.append(op.name.value);
        parameter_list(op.variable_definitions);
        directives(op.directives);
        out_.push_back(' ');
        selection_set(*op.selection_set);
        return;
      }
      case NodeKind::kFragmentDefinition: {
        const auto& f = static_cast<const FragmentDefinition&>(n);
        description(f.description);
        out_.append("fragment ").append(f.name.value).append(" on ").append(f.type_condition->name.value);
        directives(f.directives);
        out_.push_back(' ');
        selection_set(*f.selection_set);
        return;
      }
      case NodeKind::kOperationTypeDefinition: {
        const auto& o = static_cast<const OperationTypeDefinition&>(n);
        out_.append(to_string(o.operation)).append(": ").append(o.type->name.value);
        return;
      }
      case NodeKind::kSchemaDefinition:
      case NodeKind::kSchemaExtension: {
        const auto& s = static_cast<const SchemaDefinition&>(n);
        description(s.description);
        out_.append(n.kind == NodeKind::kSchemaExtension ? "extend schema" : "schema");
        directives(s.directives);
        block(s.operation_types);
        return;
      }
      case NodeKind::kScalarTypeDefinition:
      case NodeKind::kScalarTypeExtension: {
        const auto& t = type_head(n, "scalar");
        directives(t.directives);
        return;
      }
      case NodeKind::kObjectTypeDefinition:
      case NodeKind::kObjectTypeExtension: {
        const auto& t = static_cast<const ObjectTypeDefinition&>(type_head(n, "type"));
        implements(t.interfaces);
        directives(t.directives);
        block(t.fields);
        return;
      }
      case NodeKind::kInterfaceTypeDefinition:
      case NodeKind::kInterfaceTypeExtension: {
        const auto& t = static_cast<const InterfaceTypeDefinition&>(type_head(n, "interface"));
        implements(t.interfaces);
        directives(t.directives);
        block(t.fields);
        return;
      }
      case NodeKind::kUnionTypeDefinition:
      case NodeKind::kUnionTypeExtension: {
        const auto& t = static_cast<const UnionTypeDefinition&>(type_head(n, "union"));
        directives(t.directives);
        if (!t.types.empty()) {
          out_.append(" = ");
          list(t.types, " | ");
        }
        return;
      }
      case NodeKind::kEnumTypeDefinition:
      case NodeKind::kEnumTypeExtension: {
        const auto& t = static_cast<const EnumTypeDefinition&>(type_head(n, "enum"));
        directives(t.directives);
        block(t.values);
        return;
      }
      case NodeKind::kInputObjectTypeDefinition:
      case NodeKind::kInputObjectTypeExtension: {
        const auto& t = static_cast<const InputObjectTypeDefinition&>(type_head(n, "input"));
        directives(t.directives);
        block(t.fields);
        return;
      }
      case NodeKind::kFieldDefinition: {
        const auto& f = static_cast<const FieldDefinition&>(n);
        description(f.description);
        out_.append(f.name.value);
        parameter_list(f.arguments);
        out_.append(": ");
        node(*f.type);
        directives(f.directives);
        return;
      }
      case NodeKind::kInputValueDefinition: {
        const auto& v = static_cast<const InputValueDefinition&>(n);
        description(v.description);
        out_.append(v.name.value).append(": ");
        node(*v.type);
        if (v.default_value != nullptr) {
          out_.append(" = ");
          node(*v.default_value);
        }
        directives(v.directives);
        return;
      }
      case NodeKind::kEnumValueDefinition: {
        const auto& v = static_cast<const EnumValueDefinition&>(n);
        description(v.description);
        out_.append(v.name.value);
        directives(v.directives);
        return;
      }
      case NodeKind::kDirectiveDefinition: {
        const auto& d = static_cast<const DirectiveDefinition&>(n);
        description(d.description);
        out_.append("directive @").append(d.name.value);
        parameter_list(d.arguments);
        if (d.repeatable) out_.append(" repeatable");
        out_.append(" on ");
        for (std::size_t i = 0; i < d.locations.size(); ++i) {
          if (i != 0) out_.append(" | ");
          out_.append(to_string(d.locations[i].value));
        }
        return;
      }
    }
  }

  void string(std::string_view value) {
    out_.push_back('"');
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '"': out_.append("\\\""); break;
        case '\\': out_.append("\\\\"); break;
        case '\b': out_.append("\\b"); break;
        case '\f': out_.append("\\f"); break;
        case '\n': out_.append("\\n"); break;
        case '\r': out_.append("\\r"); break;
        case '\t': out_.append("\\t"); break;
        default:
          if (u < 0x20 || u == 0x7F) {
            out_.append("\\u00");
            out_.push_back(kHex[u >> 4]);
            out_.push_back(kHex[u & 0xF]);
          } else {
            out_.push_back(c);
          }
      }
    }
    out_.push_back('"');
  }

 private:
  void newline() {
    out_.push_back('\n');
    out_.append(indent_ * 2, ' ');
  }

  template <typename T>
  void list(NodeList<T> items, std::string_view separator) {
    bool first = true;
    for (const T* item : items) {
      if (!first) out_.append(separator);
      first = false;
      node(*item);
    }
  }

  void directives(NodeList<Directive> dirs) {
    for (const Directive* d : dirs) {
      out_.push_back(' ');
      node(*d);
    }
  }

  void arguments(NodeList<Argument> args) {
    if (args.empty()) return;
    out_.push_back('(');
    list(args, ", ");
    out_.push_back(')');
  }

  /// Variable or argument definitions: one line, or one per line when any has a
  /// description (a description always ends its line).
  template <typename T>
  void parameter_list(NodeList<T> items) {
    if (items.empty()) return;
    const bool multiline =
        std::any_of(items.begin(), items.end(), [](const T* item) { return item->description != nullptr; });
    if (!multiline) {
      out_.push_back('(');
      list(items, ", ");
      out_.push_back(')');
      return;
    }
    out_.push_back('(');
    ++indent_;
    for (const T* item : items) {
      newline();
      node(*item);
    }
    --indent_;
    newline();
    out_.push_back(')');
  }

  template <typename T>
  void block(NodeList<T> items) {
    if (items.empty()) return;
    out_.append(" {");
    ++indent_;
    for (const T* item : items) {
      newline();
      node(*item);
    }
    --indent_;
    newline();
    out_.push_back('}');
  }

  void selection_set(const SelectionSet& set) {
    out_.push_back('{');
    ++indent_;
    for (const Selection* s : set.selections) {
      newline();
      node(*s);
    }
    --indent_;
    newline();
    out_.push_back('}');
  }

  void implements(NodeList<NamedType> interfaces) {
    if (interfaces.empty()) return;
    out_.append(" implements ");
    list(interfaces, " & ");
  }

  void description(const StringValue* desc) {
    if (desc == nullptr) return;
    node(*desc);
    newline();
  }

  const TypeDefinition& type_head(const Node& n, std::string_view keyword) {
    const auto& t = static_cast<const TypeDefinition&>(n);
    description(t.description);
    if (is_type_extension(n.kind)) out_.append("extend ");
    out_.append(keyword).push_back(' ');
    out_.append(t.name.value);
    return t;
  }

  // Same layout decisions as graphql-js printBlockString(), so parse(print(x)) keeps the
  // value: lines are re-indented with the surrounding block and dedented on re-parse.
  void block_string(std::string_view value) {
    const BlockStringLayout layout = block_string_layout(value);
    out_.append("\"\"\"");
    if (layout.leading_newline) newline_in_string();
    std::string_view rest = layout.escaped;
    for (bool first = true;; first = false) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      if (!first) newline_in_string(line.empty());
      out_.append(line);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    if (layout.trailing_newline) newline_in_string();
    out_.append("\"\"\"");
  }

  void newline_in_string(bool blank_line = false) {
    out_.push_back('\n');
    if (!blank_line) out_.append(indent_ * 2, ' ');
  }

  std::string& out_;
  std::size_t indent_ = 0;
  bool allow_shorthand_ = true;
};

}  // namespace

std::string print(const Document& document) {
  std::string out;
  out.reserve(document.source().size() + 64);
  Printer(out).document(document);
  return out;
}

std::string print(const Node& node) {
  std::string out;
  Printer(out).node(node);
  return out;
}

std::string print_string(std::string_view value) {
  std::string out;
  Printer(out).string(value);
  return out;
}

}  // namespace fraiseql::graphql
