#include "fraiseql/sql/mutation.hpp"

#include <algorithm>
#include <cctype>

#include "fraiseql/graphql/coercion.hpp"

namespace fraiseql::sql {

namespace g = fraiseql::graphql;
using nlohmann::json;

namespace {

// Status prefixes (the part before ':') of each member, as DESIGN §3 lists them.
constexpr std::array<std::string_view, 5> kSuccessPrefixes{"success", "created", "updated", "deleted",
                                                           "noop"};
constexpr std::array<std::string_view, 5> kErrorPrefixes{"validation", "not_found", "conflict",
                                                         "unauthorized", "failed"};

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view prefix_of(std::string_view status) noexcept {
  return status.substr(0, status.find(':'));
}

/// `('a', 'b', ...)` for an SQL IN list.
template <std::size_t N>
std::string in_list(const std::array<std::string_view, N>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += ", ";
    out += quote_literal(values[i]);
  }
  return out + ")";
}

/// Converts the keys of input objects, following the type; JSON scalars stay as given.
json convert_keys(const json& value, g::TypeRef type, bool snake_case_keys) {
  if (value.is_null()) return value;
  const g::TypeRef t = type.nullable();
  if (t.is_list()) {
    if (!value.is_array()) return value;
    json out = json::array();
    for (const json& v : value) out.push_back(convert_keys(v, t.of_type(), snake_case_keys));
    return out;
  }
  const g::TypeDef& named = t.named_type();
  if (named.kind != g::TypeKind::kInputObject || !value.is_object()) return value;
  json out = json::object();
  for (const auto& [k, v] : value.items()) {
    const g::InputValueDef* f = named.input_field(k);
    const std::string key = snake_case_keys ? to_snake_case(k) : k;
    out[key] = f == nullptr ? v : convert_keys(v, f->type, snake_case_keys);
  }
  return out;
}

/// jsonb_build_object takes at most 100 arguments: wider objects are concatenated.
std::string jsonb_object(const std::vector<std::pair<std::string, std::string>>& entries) {
  constexpr std::size_t kPairsPerCall = 40;
  std::string out;
  for (std::size_t i = 0; i < entries.size() || i == 0; i += kPairsPerCall) {
    if (i > 0) out += " || ";
    out += "jsonb_build_object(";
    for (std::size_t j = i; j < std::min(entries.size(), i + kPairsPerCall); ++j) {
      if (j > i) out += ", ";
      out += quote_literal(entries[j].first) + ", " + entries[j].second;
    }
    out += ")";
  }
  return out;
}

/// A Mutation member's object as jsonb, keyed like the `data` of a view so the compiler
/// projects it: the fields named like mutation_response's columns read them, `code` is
/// the status prefix upper-cased, the object field receives `entity`, and any other field
/// is read from `metadata`. `r` is the alias of the function's row.
std::string member_data(const TypeMapping& member, const std::string& r) {
  std::vector<const FieldMapping*> entity_fields;
  for (const auto& [name, fm] : member.fields) {
    if (fm.kind != FieldKind::kLeaf && !fm.list && name != "errors" && name != "metadata") {
      entity_fields.push_back(&fm);
    }
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [name, fm] : member.fields) {
    std::string value;
    if (name == "message" || name == "status" || name == "entityId" || name == "entityType") {
      value = "to_jsonb(" + r + "." + quote_ident(to_snake_case(name)) + ")";
    } else if (name == "code") {
      value = "to_jsonb(upper(split_part(" + r + ".status, ':', 1)))";
    } else if (name == "errors") {
      value = "coalesce(" + r + ".errors, '[]'::jsonb)";
    } else if (name == "updatedFields") {
      value = "to_jsonb(" + r + ".updated_fields)";
    } else if (name == "metadata") {
      value = r + ".metadata";
    } else if (name == "entity") {
      value = r + ".entity";
    } else if (std::find(entity_fields.begin(), entity_fields.end(), &fm) != entity_fields.end()) {
      // With several object fields, entity_type says which one the entity is.
      value = entity_fields.size() == 1
                  ? r + ".entity"
                  : "CASE WHEN lower(replace(" + r +
                        ".entity_type, '_', '')) = " + quote_literal(to_lower(fm.type->name)) + " THEN " + r +
                        ".entity END";
    } else {
      value = "CASE WHEN jsonb_typeof(" + r + ".metadata) = 'object' THEN " + r + ".metadata -> " +
              quote_literal(fm.json_key) + " END";
    }
    entries.emplace_back(fm.json_key, std::move(value));
  }
  return jsonb_object(entries);
}

bool uses_variables(const g::Value* v) {
  if (v == nullptr) return false;
  if (g::as<g::Variable>(v) != nullptr) return true;
  if (const auto* obj = g::as<g::ObjectValue>(v)) {
    return std::any_of(obj->fields.begin(), obj->fields.end(),
                       [](const g::ObjectField* f) { return uses_variables(f->value); });
  }
  if (const auto* list = g::as<g::ListValue>(v)) {
    return std::any_of(list->values.begin(), list->values.end(),
                       [](const g::Value* e) { return uses_variables(e); });
  }
  return false;
}

bool uses_variables(g::NodeList<g::Directive> directives) {
  return std::any_of(directives.begin(), directives.end(), [](const g::Directive* d) {
    return std::any_of(d->arguments.begin(), d->arguments.end(),
                       [](const g::Argument* a) { return uses_variables(a->value); });
  });
}

/// Whether a variable appears anywhere in `set`, fragments spread in it included.
bool uses_variables(const g::Document& document, const g::SelectionSet* set,
                    std::vector<std::string_view>& visited) {
  if (set == nullptr) return false;
  for (const g::Selection* sel : set->selections) {
    if (const auto* f = g::as<g::Field>(sel)) {
      if (uses_variables(f->directives) || uses_variables(document, f->selection_set, visited)) return true;
      for (const g::Argument* a : f->arguments) {
        if (uses_variables(a->value)) return true;
      }
    } else if (const auto* inl = g::as<g::InlineFragment>(sel)) {
      if (uses_variables(inl->directives) || uses_variables(document, inl->selection_set, visited))
        return true;
    } else if (const auto* spread = g::as<g::FragmentSpread>(sel)) {
      if (uses_variables(spread->directives)) return true;
      if (std::find(visited.begin(), visited.end(), spread->name.value) != visited.end()) continue;
      visited.push_back(spread->name.value);
      for (const g::Definition* d : document.definitions()) {
        const auto* frag = g::as<g::FragmentDefinition>(d);
        if (frag != nullptr && frag->name.value == spread->name.value &&
            uses_variables(document, frag->selection_set, visited)) {
          return true;
        }
      }
    }
  }
  return false;
}

/// The function's input for field node `node`: its arguments coerced (literals and
/// variables alike), as the text of $1; nullopt with `errors` filled when refused.
std::optional<std::string> bind_input(const SchemaMapping& mapping, const g::FieldDef& def,
                                      const g::Field& node, const std::string& key, const json& variables,
                                      std::vector<g::GraphQLError>& errors) {
  g::CoercedValues args = g::coerce_argument_values(def.arguments, node.arguments, variables, node);
  if (!args.ok()) {
    for (g::GraphQLError& e : args.errors) {
      e.path = {key};
      if (e.code.empty()) e.code = std::string(g::code::kBadUserInput);
      errors.push_back(std::move(e));
    }
    return std::nullopt;
  }
  return function_input(def, args.values, mapping.options().snake_case_keys).dump();
}

}  // namespace

Result<MutationField> mutation_field(const g::FieldDef& def) {
  const std::string where = "Mutation field " + std::string(def.name);
  MutationField out;
  out.def = &def;
  const g::Directive* fn = g::find_directive(def.directives, "function");
  if (fn == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": has no @function(name: ...), so nothing implements it");
  }
  if (const auto* name = g::as<g::StringValue>(g::find_argument(*fn, "name"))) {
    out.function = std::string(name->value);
  }
  if (out.function.empty()) {
    return make_error(ErrorCode::kInvalidArgument, where + ": @function needs a non-empty name");
  }
  if (const auto* list = g::as<g::ListValue>(g::find_argument(*fn, "invalidates"))) {
    for (const g::Value* v : list->values) {
      if (const auto* s = g::as<g::StringValue>(v)) out.invalidates.emplace_back(s->value);
    }
  }
  const g::TypeDef& result = def.type.named_type();
  if (result.kind != g::TypeKind::kUnion || def.type.nullable().is_list()) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": returns " + def.type.to_string() +
                          "; a @function field returns a union of a @success and an @error type");
  }
  out.result = &result;
  for (const g::TypeDef* member : result.possible_types) {
    const bool success = member->directive("success") != nullptr;
    const bool error = member->directive("error") != nullptr;
    const g::TypeDef*& slot = success ? out.success : out.error;
    if (success == error) {
      return make_error(ErrorCode::kInvalidArgument, where + ": member " + std::string(member->name) +
                                                         " of " + std::string(result.name) +
                                                         " needs exactly one of @success and @error");
    }
    if (slot != nullptr) {
      return make_error(ErrorCode::kInvalidArgument, where + ": " + std::string(result.name) +
                                                         " has more than one " +
                                                         (success ? "@success" : "@error") + " member");
    }
    slot = member;
  }
  if (out.success == nullptr || out.error == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, where + ": " + std::string(result.name) + " needs one " +
                                                       (out.success == nullptr ? "@success" : "@error") +
                                                       " member");
  }
  return out;
}

StatusKind status_kind(std::string_view status) noexcept {
  const std::string_view p = prefix_of(status);
  if (std::find(kSuccessPrefixes.begin(), kSuccessPrefixes.end(), p) != kSuccessPrefixes.end()) {
    return StatusKind::kSuccess;
  }
  if (std::find(kErrorPrefixes.begin(), kErrorPrefixes.end(), p) != kErrorPrefixes.end()) {
    return StatusKind::kError;
  }
  return StatusKind::kUnknown;
}

std::string status_code(std::string_view status) {
  std::string out(prefix_of(status));
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

json function_input(const g::FieldDef& def, const json& arguments, bool snake_case_keys) {
  if (def.arguments.size() == 1 && def.arguments.front().name == "input") {
    const json& input = arguments.contains("input") ? arguments.at("input") : json();
    return convert_keys(input, def.arguments.front().type, snake_case_keys);
  }
  json out = json::object();
  for (const g::InputValueDef& a : def.arguments) {
    const std::string name(a.name);
    if (!arguments.contains(name)) continue;
    out[snake_case_keys ? to_snake_case(name) : name] =
        convert_keys(arguments.at(name), a.type, snake_case_keys);
  }
  return out;
}

MutationCompileResult compile_mutation(const SchemaMapping& mapping, const g::Document& document,
                                       const std::string& key, const std::vector<const g::Field*>& fields,
                                       const json& variables, const CompileOptions& options) {
  MutationCompileResult out;
  const g::Schema& schema = mapping.schema();
  const g::Field& node = *fields.front();
  auto fail = [&](std::string message, std::string_view code) {
    g::GraphQLError e;
    e.message = std::move(message);
    e.locations.push_back(node.loc);
    e.path.emplace_back(key);
    e.code = std::string(code);
    out.errors.push_back(std::move(e));
    return std::move(out);
  };
  const g::TypeDef* root = schema.mutation_type();
  const g::FieldDef* def = root == nullptr ? nullptr : root->field(node.name.value);
  if (def == nullptr) {
    return fail("Mutation has no field " + std::string(node.name.value), g::code::kInternalServerError);
  }
  auto field = mutation_field(*def);
  if (!field) return fail(field.error().message, g::code::kInternalServerError);

  // Every argument, literal or variable, is coerced by its GraphQL type before any SQL.
  auto input = bind_input(mapping, *def, node, key, variables, out.errors);
  if (!input) return out;
  CompiledMutation m;
  m.params.push_back({std::move(*input), "jsonb", {}, {}});

  const std::string r = "mr";
  std::string members;
  for (const auto& [type, prefixes] : {std::pair{field->success, in_list(kSuccessPrefixes)},
                                       std::pair{field->error, in_list(kErrorPrefixes)}}) {
    const TypeMapping* tm = mapping.type(type->name);
    if (tm == nullptr) {
      return fail("type " + std::string(type->name) + " has no mapping", g::code::kInternalServerError);
    }
    ObjectProjection p = project_object(mapping, document, variables, *tm, fields, member_data(*tm, r),
                                        m.params, {key}, options);
    if (!p.ok()) {
      out.errors = std::move(p.errors);
      return out;
    }
    members += " WHEN split_part(" + r + ".status, ':', 1) IN " + prefixes + " THEN " + p.sql;
  }
  m.sql = "SELECT " + r + ".status::text, (CASE" + members + " END)::text FROM " +
          quote_relation(field->function) + "($1::jsonb) AS " + r;
  m.field = std::move(*field);
  std::vector<std::string_view> visited;
  m.reusable = std::none_of(fields.begin(), fields.end(), [&](const g::Field* f) {
    // A variable in a root node's @include/@skip changes which nodes merge into the field.
    return uses_variables(f->directives) || uses_variables(document, f->selection_set, visited);
  });
  out.mutation = std::move(m);
  return out;
}

MutationCompileResult rebind_mutation(const SchemaMapping& mapping, const CompiledMutation& plan,
                                      const std::string& key, const g::Field& node, const json& variables) {
  MutationCompileResult out;
  auto input = bind_input(mapping, *plan.field.def, node, key, variables, out.errors);
  if (!input) return out;
  CompiledMutation m = plan;
  m.params.front().value = std::move(*input);
  out.mutation = std::move(m);
  return out;
}

}  // namespace fraiseql::sql
