// print_schema() and default-value printing, following graphql-js printSchema() so that
// our SDL and introspection output can be compared with the reference implementation.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "fraiseql/graphql/printer.hpp"
#include "fraiseql/graphql/schema.hpp"

#include "block_string.hpp"
#include "js_number.hpp"

namespace fraiseql::graphql {

std::string js_number_to_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v == 0) return "0";
  std::string out;
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  // Shortest round-trip digits, then ECMAScript Number::toString placement.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  const std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out.append(digits).append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits.substr(0, static_cast<std::size_t>(n))).push_back('.');
    out.append(digits.substr(static_cast<std::size_t>(n)));
  } else if (-6 < n && n <= 0) {
    out.append("0.").append(static_cast<std::size_t>(-n), '0').append(digits);
  } else {
    out.push_back(digits[0]);
    if (k > 1) out.append(".").append(digits.substr(1));
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out.append(std::to_string(std::abs(n - 1)));
  }
  return out;
}

namespace {

bool is_integer_string(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  if (s[0] == '0') return s.size() == 1;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_spec_scalar_name(std::string_view name) {
  return name == "Int" || name == "Float" || name == "String" || name == "Boolean" || name == "ID";
}

/// A numeric literal as the JS number graphql-js would hold, printed back.
std::string number_text(std::string_view raw) {
  const double v = std::strtod(std::string(raw).c_str(), nullptr);
  return js_number_to_string(v);
}

void append_coerced(std::string& out, const Value& value, TypeRef type) {
  if (is<NullValue>(&value)) {
    out.append("null");
    return;
  }
  if (type.is_non_null()) type = type.of_type();
  if (type.empty()) {
    out.append(print(value));
    return;
  }
  if (type.is_list()) {
    const TypeRef item = type.of_type();
    out.push_back('[');
    if (const auto* list = as<ListValue>(&value)) {
      bool first = true;
      for (const Value* v : list->values) {
        if (!first) out.append(", ");
        first = false;
        append_coerced(out, *v, item);
      }
    } else {
      append_coerced(out, value, item);
    }
    out.push_back(']');
    return;
  }
  const TypeDef& t = type.named_type();
  switch (t.kind) {
    case TypeKind::kInputObject: {
      const auto* obj = as<ObjectValue>(&value);
      if (obj == nullptr) break;
      out.push_back('{');
      bool first = true;
      for (const InputValueDef& f : t.input_fields) {
        const Value* given = nullptr;
        for (const ObjectField* of : obj->fields) {
          if (of->name.value == f.name) given = of->value;
        }
        if (given == nullptr) given = f.default_value;
        if (given == nullptr) continue;
        if (!first) out.append(", ");
        first = false;
        out.append(f.name).append(": ");
        append_coerced(out, *given, f.type);
      }
      out.push_back('}');
      return;
    }
    case TypeKind::kEnum:
      if (const auto* e = as<EnumValue>(&value)) {
        out.append(e->value);
        return;
      }
      break;
    case TypeKind::kScalar: {
      if (const auto* s = as<StringValue>(&value)) {
        if (t.name == "ID" && is_integer_string(s->value)) {
          out.append(s->value);
        } else {
          out.append(print_string(s->value));
        }
        return;
      }
      if (const auto* i = as<IntValue>(&value)) {
        out.append(number_text(i->raw));
        return;
      }
      if (const auto* f = as<FloatValue>(&value)) {
        out.append(number_text(f->raw));
        return;
      }
      if (const auto* e = as<EnumValue>(&value)) {
        // Custom scalars read an enum literal as its name (valueFromASTUntyped).
        if (!is_spec_scalar_name(t.name)) {
          out.append(print_string(e->value));
          return;
        }
      }
      break;
    }
    default: break;
  }
  out.append(print(value));
}

// graphql-js isPrintableAsBlockString.
bool printable_as_block_string(std::string_view value) {
  if (value.empty()) return true;
  bool is_empty_line = true;
  bool has_indent = false;
  bool has_common_indent = true;
  bool seen_non_empty_line = false;
  for (unsigned char c : value) {
    if ((c <= 0x08) || c == 0x0b || c == 0x0c || (c >= 0x0e && c <= 0x1f) || c == 0x0d) return false;
    if (c == '\n') {
      if (is_empty_line && !seen_non_empty_line) return false;
      seen_non_empty_line = true;
      is_empty_line = true;
      has_indent = false;
    } else if (c == '\t' || c == ' ') {
      has_indent = has_indent || is_empty_line;
    } else {
      has_common_indent = has_common_indent && has_indent;
      is_empty_line = false;
    }
  }
  if (is_empty_line) return false;
  if (has_common_indent && seen_non_empty_line) return false;
  return true;
}

// graphql-js printBlockString (not minimized).
std::string block_string(std::string_view value) {
  const BlockStringLayout layout = block_string_layout(value);
  std::string out = "\"\"\"";
  if (layout.leading_newline) out.push_back('\n');
  out.append(layout.escaped);
  if (layout.trailing_newline) out.push_back('\n');
  out.append("\"\"\"");
  return out;
}

class SchemaPrinter {
 public:
  explicit SchemaPrinter(std::string& out) : out_(out) {}

  void print(const Schema& schema) {
    schema_definition(schema);
    for (const DirectiveDef* d : schema.directives()) {
      if (!d->is_builtin) directive(*d);
    }
    for (const TypeDef* t : schema.types()) {
      if (!t->is_builtin) type(*t);
    }
  }

 private:
  void separate() {
    if (!out_.empty()) out_.append("\n\n");
  }

  void description(const std::optional<std::string_view>& desc, std::string_view indentation = "",
                   bool first_in_block = true) {
    if (!desc) return;
    const std::string text = printable_as_block_string(*desc) ? block_string(*desc) : print_string(*desc);
    if (!indentation.empty() && !first_in_block)
      out_.append("\n").append(indentation);
    else
      out_.append(indentation);
    for (char c : text) {
      out_.push_back(c);
      if (c == '\n') out_.append(indentation);
    }
    out_.push_back('\n');
  }

  void schema_definition(const Schema& schema) {
    const TypeDef* q = schema.query_type();
    const TypeDef* m = schema.mutation_type();
    const TypeDef* s = schema.subscription_type();
    const bool common = (q == nullptr || q->name == "Query") && (m == nullptr || m->name == "Mutation") &&
                        (s == nullptr || s->name == "Subscription");
    if (!schema.description() && common) return;
    description(schema.description());
    out_.append("schema {");
    if (q != nullptr) out_.append("\n  query: ").append(q->name);
    if (m != nullptr) out_.append("\n  mutation: ").append(m->name);
    if (s != nullptr) out_.append("\n  subscription: ").append(s->name);
    out_.append("\n}");
  }

  void deprecated(const std::optional<std::string_view>& reason) {
    if (!reason) return;
    if (*reason == "No longer supported") {
      out_.append(" @deprecated");
    } else {
      out_.append(" @deprecated(reason: ").append(print_string(*reason)).append(")");
    }
  }

  void input_value(const InputValueDef& v) {
    out_.append(v.name).append(": ");
    v.type.append_to(out_);
    if (v.default_value != nullptr) out_.append(" = ").append(print_coerced_value(*v.default_value, v.type));
    deprecated(v.deprecation_reason);
  }

  void args(const std::vector<InputValueDef>& args, std::string_view indentation) {
    if (args.empty()) return;
    const bool no_desc = std::all_of(args.begin(), args.end(), [](const InputValueDef& a) {
      return !a.description || a.description->empty();
    });
    if (no_desc) {
      out_.push_back('(');
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0) out_.append(", ");
        input_value(args[i]);
      }
      out_.push_back(')');
      return;
    }
    const std::string inner = "  " + std::string(indentation);
    out_.append("(\n");
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (i > 0) out_.push_back('\n');
      description(args[i].description, inner, i == 0);
      out_.append(inner);
      input_value(args[i]);
    }
    out_.append("\n").append(indentation).push_back(')');
  }

  void directive(const DirectiveDef& d) {
    separate();
    description(d.description);
    out_.append("directive @").append(d.name);
    args(d.arguments, "");
    if (d.repeatable) out_.append(" repeatable");
    out_.append(" on ");
    for (std::size_t i = 0; i < d.locations.size(); ++i) {
      if (i > 0) out_.append(" | ");
      out_.append(to_string(d.locations[i]));
    }
  }

  void interfaces(const TypeDef& t) {
    if (t.interfaces.empty()) return;
    out_.append(" implements ");
    for (std::size_t i = 0; i < t.interfaces.size(); ++i) {
      if (i > 0) out_.append(" & ");
      out_.append(t.interfaces[i]->name);
    }
  }

  void fields(const TypeDef& t) {
    if (t.fields.empty()) return;
    out_.append(" {\n");
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldDef& f = t.fields[i];
      if (i > 0) out_.push_back('\n');
      description(f.description, "  ", i == 0);
      out_.append("  ").append(f.name);
      args(f.arguments, "  ");
      out_.append(": ");
      f.type.append_to(out_);
      deprecated(f.deprecation_reason);
    }
    out_.append("\n}");
  }

  void type(const TypeDef& t) {
    separate();
    description(t.description);
    switch (t.kind) {
      case TypeKind::kScalar:
        out_.append("scalar ").append(t.name);
        if (t.specified_by_url) {
          out_.append(" @specifiedBy(url: ").append(print_string(*t.specified_by_url)).append(")");
        }
        return;
      case TypeKind::kObject:
        out_.append("type ").append(t.name);
        interfaces(t);
        fields(t);
        return;
      case TypeKind::kInterface:
        out_.append("interface ").append(t.name);
        interfaces(t);
        fields(t);
        return;
      case TypeKind::kUnion:
        out_.append("union ").append(t.name);
        for (std::size_t i = 0; i < t.possible_types.size(); ++i) {
          out_.append(i == 0 ? " = " : " | ").append(t.possible_types[i]->name);
        }
        return;
      case TypeKind::kEnum:
        out_.append("enum ").append(t.name);
        if (t.enum_values.empty()) return;
        out_.append(" {\n");
        for (std::size_t i = 0; i < t.enum_values.size(); ++i) {
          const EnumValueDef& v = t.enum_values[i];
          if (i > 0) out_.push_back('\n');
          description(v.description, "  ", i == 0);
          out_.append("  ").append(v.name);
          deprecated(v.deprecation_reason);
        }
        out_.append("\n}");
        return;
      case TypeKind::kInputObject:
        out_.append("input ").append(t.name);
        if (t.is_one_of) out_.append(" @oneOf");
        if (t.input_fields.empty()) return;
        out_.append(" {\n");
        for (std::size_t i = 0; i < t.input_fields.size(); ++i) {
          if (i > 0) out_.push_back('\n');
          description(t.input_fields[i].description, "  ", i == 0);
          out_.append("  ");
          input_value(t.input_fields[i]);
        }
        out_.append("\n}");
        return;
    }
  }

  std::string& out_;
};

}  // namespace

std::string print_coerced_value(const Value& value, TypeRef type) {
  std::string out;
  append_coerced(out, value, type);
  return out;
}

std::string print_default_value(const InputValueDef& value) {
  if (value.default_value == nullptr) return {};
  return print_coerced_value(*value.default_value, value.type);
}

std::string print_schema(const Schema& schema) {
  std::string out;
  SchemaPrinter(out).print(schema);
  return out;
}

}  // namespace fraiseql::graphql
