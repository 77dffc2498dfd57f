#include "fraiseql/graphql/introspection.hpp"

#include "fraiseql/core/json.hpp"
#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/operation.hpp"

namespace fraiseql::graphql {

using nlohmann::json;

/// One introspection object: which __Type it is and what it describes.
struct Introspection::Object {
  enum class Kind : uint8_t { kSchema, kType, kField, kInputValue, kEnumValue, kDirective };
  Kind kind = Kind::kSchema;
  TypeRef type;  // kType
  const FieldDef* field = nullptr;
  const InputValueDef* input_value = nullptr;
  const EnumValueDef* enum_value = nullptr;
  const DirectiveDef* directive = nullptr;

  [[nodiscard]] std::string_view type_name() const noexcept {
    switch (kind) {
      case Kind::kSchema: return "__Schema";
      case Kind::kType: return "__Type";
      case Kind::kField: return "__Field";
      case Kind::kInputValue: return "__InputValue";
      case Kind::kEnumValue: return "__EnumValue";
      case Kind::kDirective: return "__Directive";
    }
    return "__Type";
  }
};

namespace {

void append_optional_string(std::string& out, const std::optional<std::string_view>& s) {
  if (s) {
    append_json_string(out, *s);
  } else {
    out.append("null");
  }
}

void append_bool(std::string& out, bool b) {
  out.append(b ? "true" : "false");
}

std::vector<const SelectionSet*> sub_selections(std::span<const Field* const> fields) {
  std::vector<const SelectionSet*> sets;
  for (const Field* f : fields) {
    if (f->selection_set != nullptr) sets.push_back(f->selection_set);
  }
  return sets;
}

bool include_deprecated(const json& args) {
  auto it = args.find("includeDeprecated");
  return it != args.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Introspection::Introspection(const Schema& schema, const Document& document, const json& variables)
    : schema_(schema), variables_(variables) {
  for (const Definition* def : document.definitions()) {
    if (const auto* f = as<FragmentDefinition>(def)) fragments_.emplace(f->name.value, f);
  }
}

bool Introspection::is_meta_field(std::string_view name) noexcept {
  return name == "__schema" || name == "__type" || name == "__typename";
}

bool Introspection::included(NodeList<Directive> directives) const {
  return is_included(schema_, directives, variables_);
}

json Introspection::arguments(const FieldDef* def, const Field& field) const {
  if (def == nullptr) return json::object();
  return coerce_argument_values(def->arguments, field.arguments, variables_, field).values;
}

void Introspection::collect(const TypeDef& object_type, const SelectionSet& set, FieldGroups& groups,
                            std::unordered_map<std::string_view, std::size_t>& index,
                            std::unordered_map<std::string_view, bool>& visited_fragments) const {
  auto applies = [&](const NamedType* condition) {
    if (condition == nullptr) return true;
    const TypeDef* t = schema_.type(condition->name.value);
    if (t == nullptr) return false;
    return t == &object_type || (t->is_abstract() && t->is_possible_type(object_type));
  };
  for (const Selection* sel : set.selections) {
    if (const auto* f = as<Field>(sel)) {
      if (!included(f->directives)) continue;
      const std::string_view key = f->response_key();
      auto it = index.find(key);
      if (it == index.end()) {
        index.emplace(key, groups.size());
        groups.push_back({key, {f}});
      } else {
        groups[it->second].second.push_back(f);
      }
    } else if (const auto* spread = as<FragmentSpread>(sel)) {
      if (!included(spread->directives)) continue;
      if (!visited_fragments.emplace(spread->name.value, true).second) continue;
      auto it = fragments_.find(spread->name.value);
      if (it == fragments_.end() || !applies(it->second->type_condition)) continue;
      collect(object_type, *it->second->selection_set, groups, index, visited_fragments);
    } else if (const auto* inline_fragment = as<InlineFragment>(sel)) {
      if (!included(inline_fragment->directives) || !applies(inline_fragment->type_condition)) continue;
      collect(object_type, *inline_fragment->selection_set, groups, index, visited_fragments);
    }
  }
}

Introspection::FieldGroups Introspection::collect_fields(
    const TypeDef& object_type, std::span<const SelectionSet* const> selection_sets) const {
  FieldGroups groups;
  std::unordered_map<std::string_view, std::size_t> index;
  std::unordered_map<std::string_view, bool> visited;
  for (const SelectionSet* set : selection_sets) collect(object_type, *set, groups, index, visited);
  return groups;
}

void Introspection::append_field(const TypeDef& parent, std::span<const Field* const> fields,
                                 std::string& out) const {
  const Field& first = *fields.front();
  const std::string_view name = first.name.value;
  if (name == "__typename") {
    append_json_string(out, parent.name);
  } else if (name == "__schema") {
    append_object(Object{}, fields, out);
  } else if (name == "__type") {
    const json args = arguments(&schema_.type_field(), first);
    auto it = args.find("name");
    const TypeDef* t =
        it != args.end() && it->is_string() ? schema_.type(it->get_ref<const std::string&>()) : nullptr;
    if (t == nullptr) {
      out.append("null");
    } else {
      append_type(TypeRef(*t), fields, out);
    }
  } else {
    out.append("null");
  }
}

void Introspection::append_type(TypeRef type, std::span<const Field* const> fields, std::string& out) const {
  Object o;
  o.kind = Object::Kind::kType;
  o.type = type;
  append_object(o, fields, out);
}

void Introspection::append_object(const Object& object, std::span<const Field* const> fields,
                                  std::string& out) const {
  using Kind = Object::Kind;
  const TypeDef* object_type = schema_.type(object.type_name());
  const std::vector<const SelectionSet*> sets = sub_selections(fields);
  const FieldGroups groups = collect_fields(*object_type, sets);

  auto list = [&](auto&& items, auto&& each) {
    out.push_back('[');
    bool first = true;
    for (const auto& item : items) {
      if (!first) out.push_back(',');
      first = false;
      each(item);
    }
    out.push_back(']');
  };

  out.push_back('{');
  bool first_key = true;
  for (const auto& entry : groups) {
    // Named, not a structured binding: lambdas below capture it (clang < 16 cannot).
    const auto& key = entry.first;
    const auto& group = entry.second;
    if (!first_key) out.push_back(',');
    first_key = false;
    append_json_string(out, key);
    out.push_back(':');
    const Field& f = *group.front();
    const std::string_view n = f.name.value;
    if (n == "__typename") {
      append_json_string(out, object_type->name);
      continue;
    }
    const json args = arguments(object_type->field(n), f);
    const bool with_deprecated = include_deprecated(args);
    auto input_values = [&](const std::vector<InputValueDef>& values) {
      out.push_back('[');
      bool first = true;
      for (const InputValueDef& v : values) {
        if (v.is_deprecated() && !with_deprecated) continue;
        if (!first) out.push_back(',');
        first = false;
        Object o;
        o.kind = Kind::kInputValue;
        o.input_value = &v;
        append_object(o, group, out);
      }
      out.push_back(']');
    };
    auto type_list = [&](const std::vector<const TypeDef*>& types) {
      list(types, [&](const TypeDef* t) { append_type(TypeRef(*t), group, out); });
    };

    switch (object.kind) {
      case Kind::kSchema:
        if (n == "description") {
          append_optional_string(out, schema_.description());
        } else if (n == "types") {
          list(schema_.types(), [&](const TypeDef* t) { append_type(TypeRef(*t), group, out); });
        } else if (n == "queryType" || n == "mutationType" || n == "subscriptionType") {
          const TypeDef* t = n == "queryType"      ? schema_.query_type()
                             : n == "mutationType" ? schema_.mutation_type()
                                                   : schema_.subscription_type();
          if (t == nullptr) {
            out.append("null");
          } else {
            append_type(TypeRef(*t), group, out);
          }
        } else if (n == "directives") {
          list(schema_.directives(), [&](const DirectiveDef* d) {
            Object o;
            o.kind = Kind::kDirective;
            o.directive = d;
            append_object(o, group, out);
          });
        } else {
          out.append("null");
        }
        break;

      case Kind::kType: {
        const TypeRef t = object.type;
        const bool named = t.is_named();
        const TypeDef* nt = named ? &t.named_type() : nullptr;
        if (n == "kind") {
          append_json_string(out, named ? to_string(nt->kind) : (t.is_non_null() ? "NON_NULL" : "LIST"));
        } else if (n == "name") {
          if (named) {
            append_json_string(out, nt->name);
          } else {
            out.append("null");
          }
        } else if (n == "description") {
          append_optional_string(out, named ? nt->description : std::nullopt);
        } else if (n == "specifiedByURL") {
          append_optional_string(out, named ? nt->specified_by_url : std::nullopt);
        } else if (n == "fields") {
          if (named && (nt->kind == TypeKind::kObject || nt->kind == TypeKind::kInterface)) {
            out.push_back('[');
            bool first = true;
            for (const FieldDef& fd : nt->fields) {
              if (fd.is_deprecated() && !with_deprecated) continue;
              if (!first) out.push_back(',');
              first = false;
              Object o;
              o.kind = Kind::kField;
              o.field = &fd;
              append_object(o, group, out);
            }
            out.push_back(']');
          } else {
            out.append("null");
          }
        } else if (n == "interfaces") {
          if (named && (nt->kind == TypeKind::kObject || nt->kind == TypeKind::kInterface)) {
            type_list(nt->interfaces);
          } else {
            out.append("null");
          }
        } else if (n == "possibleTypes") {
          if (named && nt->is_abstract()) {
            type_list(nt->possible_types);
          } else {
            out.append("null");
          }
        } else if (n == "enumValues") {
          if (named && nt->kind == TypeKind::kEnum) {
            out.push_back('[');
            bool first = true;
            for (const EnumValueDef& ev : nt->enum_values) {
              if (ev.is_deprecated() && !with_deprecated) continue;
              if (!first) out.push_back(',');
              first = false;
              Object o;
              o.kind = Kind::kEnumValue;
              o.enum_value = &ev;
              append_object(o, group, out);
            }
            out.push_back(']');
          } else {
            out.append("null");
          }
        } else if (n == "inputFields") {
          if (named && nt->kind == TypeKind::kInputObject) {
            input_values(nt->input_fields);
          } else {
            out.append("null");
          }
        } else if (n == "ofType") {
          if (named) {
            out.append("null");
          } else {
            append_type(t.of_type(), group, out);
          }
        } else if (n == "isOneOf") {
          if (named && nt->kind == TypeKind::kInputObject) {
            append_bool(out, nt->is_one_of);
          } else {
            out.append("null");
          }
        } else {
          out.append("null");
        }
        break;
      }

      case Kind::kField: {
        const FieldDef& fd = *object.field;
        if (n == "name") {
          append_json_string(out, fd.name);
        } else if (n == "description") {
          append_optional_string(out, fd.description);
        } else if (n == "args") {
          input_values(fd.arguments);
        } else if (n == "type") {
          append_type(fd.type, group, out);
        } else if (n == "isDeprecated") {
          append_bool(out, fd.is_deprecated());
        } else if (n == "deprecationReason") {
          append_optional_string(out, fd.deprecation_reason);
        } else {
          out.append("null");
        }
        break;
      }

      case Kind::kInputValue: {
        const InputValueDef& v = *object.input_value;
        if (n == "name") {
          append_json_string(out, v.name);
        } else if (n == "description") {
          append_optional_string(out, v.description);
        } else if (n == "type") {
          append_type(v.type, group, out);
        } else if (n == "defaultValue") {
          if (v.default_value != nullptr) {
            append_json_string(out, print_default_value(v));
          } else {
            out.append("null");
          }
        } else if (n == "isDeprecated") {
          append_bool(out, v.is_deprecated());
        } else if (n == "deprecationReason") {
          append_optional_string(out, v.deprecation_reason);
        } else {
          out.append("null");
        }
        break;
      }

      case Kind::kEnumValue: {
        const EnumValueDef& v = *object.enum_value;
        if (n == "name") {
          append_json_string(out, v.name);
        } else if (n == "description") {
          append_optional_string(out, v.description);
        } else if (n == "isDeprecated") {
          append_bool(out, v.is_deprecated());
        } else if (n == "deprecationReason") {
          append_optional_string(out, v.deprecation_reason);
        } else {
          out.append("null");
        }
        break;
      }

      case Kind::kDirective: {
        const DirectiveDef& d = *object.directive;
        if (n == "name") {
          append_json_string(out, d.name);
        } else if (n == "description") {
          append_optional_string(out, d.description);
        } else if (n == "isRepeatable") {
          append_bool(out, d.repeatable);
        } else if (n == "locations") {
          list(d.locations, [&](DirectiveLocation l) { append_json_string(out, to_string(l)); });
        } else if (n == "args") {
          input_values(d.arguments);
        } else {
          out.append("null");
        }
        break;
      }
    }
  }
  out.push_back('}');
}

std::string execute_introspection(const Schema& schema, const Document& document,
                                  std::string_view operation_name, std::string_view variables_json) {
  auto error_response = [](std::string message, std::string_view code) {
    GraphQLError e;
    e.message = std::move(message);
    e.code = std::string(code);
    return errors_response_json({e});
  };
  std::string problem;
  const OperationDefinition* operation = get_operation(document, operation_name, problem);
  if (operation == nullptr) return error_response(std::move(problem), code::kOperationResolutionFailure);
  json inputs = json::object();
  if (!variables_json.empty()) {
    inputs = json::parse(variables_json, nullptr, false);
    if (inputs.is_discarded() || !(inputs.is_object() || inputs.is_null())) {
      return error_response("Variables must be provided as a JSON object.", code::kBadUserInput);
    }
  }
  CoercedValues variables = coerce_variable_values(schema, *operation, inputs);
  if (!variables.ok()) return errors_response_json(variables.errors);
  const TypeDef* root = schema.root_type(operation->operation);
  if (root == nullptr) {
    return error_response(
        "Schema is not configured to execute " + std::string(to_string(operation->operation)) + " operation.",
        code::kOperationResolutionFailure);
  }
  Introspection intro(schema, document, variables.values);
  const SelectionSet* sets[] = {operation->selection_set};
  std::string out = "{\"data\":{";
  bool first = true;
  for (const auto& [key, fields] : intro.collect_fields(*root, sets)) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, key);
    out.push_back(':');
    intro.append_field(*root, fields, out);
  }
  out.append("}}");
  return out;
}

std::string_view standard_introspection_query() noexcept {
  return R"graphql(query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types {
      ...FullType
    }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) {
        ...InputValue
      }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  isOneOf
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) {
      ...InputValue
    }
    type {
      ...TypeRef
    }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) {
    ...InputValue
  }
  interfaces {
    ...TypeRef
  }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes {
    ...TypeRef
  }
}

fragment InputValue on __InputValue {
  name
  description
  type {
    ...TypeRef
  }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
})graphql";
}

}  // namespace fraiseql::graphql
