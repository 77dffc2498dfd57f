#include "fraiseql/sql/compiler.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/operation.hpp"

namespace fraiseql::sql {

namespace g = fraiseql::graphql;
using nlohmann::json;

std::string quote_ident(std::string_view s) {
  // Always quoted: a view or column may be a reserved word ("user", "order").
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string quote_relation(std::string_view name) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    out +=
        quote_ident(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return out;
    out.push_back('.');
    start = dot + 1;
  }
}

namespace {

/// Concatenation in one allocation (string + string chains allocate a temporary per +).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
  return out;
}

/// Thrown inside the compiler, caught once in compile(): carries a GraphQL error.
struct CompileFailure {
  g::GraphQLError error;
};

/// Where an object's values come from: a view row (`row` is its alias) or a JSON value.
struct Scope {
  const TypeMapping* type = nullptr;
  std::string row;   ///< alias of the view row; empty for an embedded object
  std::string data;  ///< SQL expression of the object's jsonb
};

/// One sort key: the SQL expression, its direction, and the type its cursor value binds as.
struct OrderTerm {
  std::string expr;
  bool desc = false;
  bool nulls_first = false;  ///< PostgreSQL's default: last ascending, first descending
  std::string type;

  [[nodiscard]] std::string sql(bool reversed = false) const {
    const bool d = desc != reversed;
    const bool nf = nulls_first != reversed;
    return std::string(d ? " DESC" : " ASC") + (nf ? " NULLS FIRST" : " NULLS LAST");
  }
};
using OrderTerms = std::vector<OrderTerm>;

/// SQL type a GraphQL scalar is compared as, when read from `data`.
std::string sql_type_of(const g::TypeDef& t) {
  if (t.kind == g::TypeKind::kEnum) return "text";
  const std::string_view n = t.name;
  if (n == "Int") return "integer";
  if (n == "BigInt") return "bigint";
  if (n == "Float") return "double precision";
  if (n == "Decimal") return "numeric";
  if (n == "DateTime") return "timestamptz";
  if (n == "Date") return "date";
  if (n == "Boolean") return "boolean";
  if (n == "UUID") return "uuid";
  if (n == "JSON") return "jsonb";
  if (n == "IpAddress") return "inet";
  if (n == "CIDR") return "cidr";
  if (n == "LTree") return "ltree";
  if (n == "IntRange") return "int4range";
  if (n == "BigIntRange") return "int8range";
  if (n == "DecimalRange") return "numrange";
  if (n == "DateRange") return "daterange";
  if (n == "DateTimeRange") return "tstzrange";
  return "text";
}

/// The SQL type of a range type's bounds.
std::string range_element_type(std::string_view range_type) {
  if (range_type == "int4range") return "integer";
  if (range_type == "int8range") return "bigint";
  if (range_type == "numrange") return "numeric";
  if (range_type == "daterange") return "date";
  return "timestamptz";
}

/// Scalars whose values are PostgreSQL text forms (any JSON passes coercion for a custom
/// scalar, so the compiler checks they are strings).
bool is_text_form_scalar(std::string_view n) {
  return n == "IpAddress" || n == "CIDR" || n == "LTree" || n.ends_with("Range");
}

bool is_json_type(const g::TypeDef& t) {
  return t.kind == g::TypeKind::kScalar && t.name == "JSON";
}

/// A coerced scalar as parameter text.
std::string param_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

/// A list of coerced scalars as a PostgreSQL array literal: every element double-quoted.
std::string array_text(const json& list) {
  std::string out = "{";
  bool first = true;
  for (const json& v : list) {
    if (!first) out.push_back(',');
    first = false;
    if (v.is_null()) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : param_text(v)) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

/// LIKE pattern text matching `s` literally (backslash is LIKE's default escape).
std::string like_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

/// The text a variable's value binds as, for each ParamSource; nullopt when it cannot.
std::optional<std::string> source_text(ParamSource source, const json& v, const CompileOptions& options) {
  switch (source) {
    case ParamSource::kLiteral: return std::nullopt;
    case ParamSource::kText: return param_text(v);
    case ParamSource::kContains: return "%" + like_escape(param_text(v)) + "%";
    case ParamSource::kStartsWith: return like_escape(param_text(v)) + "%";
    case ParamSource::kEndsWith: return "%" + like_escape(param_text(v));
    case ParamSource::kArray:
      if (!v.is_array()) return std::nullopt;
      return array_text(v);
    case ParamSource::kJson: return v.dump();
    case ParamSource::kLimit:
    case ParamSource::kOffset: {
      if (!v.is_number_integer()) return std::nullopt;
      const int64_t n = v.get<int64_t>();
      if (n < 0) return std::nullopt;
      if (source == ParamSource::kLimit && options.max_limit != 0 && n > options.max_limit)
        return std::nullopt;
      return std::to_string(n);
    }
  }
  return std::nullopt;
}

/// An OrderDirection value: (descending, nulls first).
std::pair<bool, bool> order_direction(std::string_view d) {
  if (d == "DESC") return {true, true};
  if (d == "ASC_NULLS_FIRST") return {false, true};
  if (d == "ASC_NULLS_LAST") return {false, false};
  if (d == "DESC_NULLS_FIRST") return {true, true};
  if (d == "DESC_NULLS_LAST") return {true, false};
  return {false, false};
}

/// Standard base64 (what PostgreSQL's encode(..., 'base64') writes); nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=' || c == '\n')
      continue;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
    }
  }
  return out;
}

/// json_build_object takes at most 100 arguments; wider objects are concatenated as text
/// (response keys are GraphQL names, so they need no JSON escaping).
std::string build_object(const std::vector<std::pair<std::string, std::string>>& entries) {
  constexpr std::size_t kMaxPairs = 50;
  std::string out;
  if (entries.size() <= kMaxPairs) {
    out = "json_build_object(";
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) out += ", ";
      out += quote_literal(entries[i].first) + ", " + entries[i].second;
    }
    return out + ")";
  }
  out = "('{' || ";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out += quote_literal((i > 0 ? ",\"" : "\"") + entries[i].first + "\":") + " || coalesce(to_json(" +
           entries[i].second + ")::text, 'null') || ";
  }
  return out + "'}')::json";
}

class Compiler {
  // Mutation results project their entity the way compile() projects embedded objects.
  friend ObjectProjection sql::project_object(const SchemaMapping&, const g::Document&, const json&,
                                              const TypeMapping&, const std::vector<const g::Field*>&,
                                              std::string_view, std::vector<Param>&,
                                              std::vector<g::PathSegment>, const CompileOptions&);

 public:
  Compiler(const SchemaMapping& mapping, const g::Document& document, const json& variables,
           const CompileOptions& options)
      : mapping_(mapping),
        schema_(mapping.schema()),
        document_(document),
        variables_(variables),
        options_(options) {
    for (const g::Definition* d : document_.definitions()) {
      if (const auto* f = g::as<g::FragmentDefinition>(d)) fragments_.emplace(f->name.value, f);
    }
  }

  CompiledQuery run(const g::OperationDefinition& op) {
    CompiledQuery out;
    // A subscription's event is read like a query: on a replica, in the reader's context.
    out.intent = op.operation == g::OperationType::kMutation ? Intent::kWrite : Intent::kRead;
    if (op.operation == g::OperationType::kMutation) {
      fail(op.loc, "mutation operations are compiled field by field (sql/mutation.hpp)");
    }
    const g::TypeDef* root = schema_.root_type(op.operation);
    Groups groups;
    std::set<std::string_view> visited;
    collect(*root, *op.selection_set, groups, visited);
    std::vector<std::pair<std::string, std::string>> entries;
    bool bound_root_value = false;
    for (const auto& [key, fields] : groups) {
      const auto& only = options_.only_roots;
      if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) continue;
      path_.emplace_back(key);
      const std::string* given = nullptr;
      for (const auto& value : options_.root_values) {
        if (value.first == key) given = &value.second;
      }
      if (given != nullptr && fields.front()->name.value != "__typename") {
        entries.emplace_back(key, bind(*given, "json"));
        bound_root_value = true;
      } else {
        entries.emplace_back(key, root_field(*root, fields));
      }
      path_.pop_back();
    }
    out.sql = "SELECT " + build_object(entries) + "::text";
    out.params = std::move(params_);
    out.reusable = !shaped_by_variables_ && !bound_root_value && !event_bound_ &&
                   std::all_of(variable_nodes_.begin(), variable_nodes_.end(),
                               [&](const auto& e) { return consumed_.contains(e.first); });
    return out;
  }

  std::vector<RootSelection> roots(const g::OperationDefinition& op) const {
    std::vector<RootSelection> out;
    const g::TypeDef* root = schema_.root_type(op.operation);
    if (root == nullptr) return out;
    Groups groups;
    std::set<std::string_view> visited;
    collect(*root, *op.selection_set, groups, visited);
    for (const auto& [key, fields] : groups) {
      RootSelection r;
      r.key = key;
      r.location = fields.front()->loc;
      const std::string_view name = fields.front()->name.value;
      r.meta = name == "__typename" || name == "__schema" || name == "__type";
      if (const g::FieldDef* def = schema_.field(*root, name); def != nullptr)
        r.non_null = def->type.is_non_null();
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  using Groups = std::vector<std::pair<std::string, std::vector<const g::Field*>>>;

  /// Errors found inside argument values point at the field that has the arguments.
  [[noreturn]] void fail(g::Location loc, std::string message,
                         std::string_view code = g::code::kBadUserInput) const {
    CompileFailure f;
    f.error.message = std::move(message);
    f.error.locations.push_back(loc.line == 0 ? current_loc_ : loc);
    f.error.path = path_;
    f.error.code = std::string(code);
    throw f;
  }

  std::string alias(char prefix) { return std::string(1, prefix) + std::to_string(++alias_counter_); }

  /// Binds a value; returns its placeholder, cast when the type is known.
  std::string bind(std::optional<std::string> value, const std::string& type) {
    // PostgreSQL text cannot hold U+0000, and libpq would end the value there: refuse it
    // rather than match on a cut string.
    if (value && value->find('\0') != std::string::npos) {
      fail({}, "String values cannot contain the character U+0000.");
    }
    params_.push_back({std::move(value), type});
    std::string p = "$" + std::to_string(params_.size());
    return type.empty() ? p : p + "::" + type;
  }

  /// Binds a value of the coerced arguments; when that value is a variable's, the
  /// parameter records the variable and how its text was made, for rebind().
  std::string bind_from(const json& v, ParamSource source, const std::string& type) {
    std::string p = bind(source_text(source, v, options_), type);
    if (auto it = variable_nodes_.find(&v); it != variable_nodes_.end()) {
      params_.back().variable = it->second;
      params_.back().source = source;
      consumed_.insert(&v);
    }
    return p;
  }

  /// Records which nodes of the coerced arguments `args` hold a variable's value.
  void track_variables(g::NodeList<g::Argument> arguments, const json& args) {
    for (const g::Argument* a : arguments) {
      const std::string name(a->name.value);
      track_value(*a->value, args.contains(name) ? &args.at(name) : nullptr);
    }
  }

  void track_value(const g::Value& ast, const json* value) {
    if (const auto* var = g::as<g::Variable>(&ast)) {
      // A variable without a value leaves the argument (or its default) out: the SQL
      // would change if it had one.
      if (value == nullptr) {
        shaped_by_variables_ = true;
      } else {
        variable_nodes_.emplace(value, std::string(var->name.value));
      }
    } else if (const auto* obj = g::as<g::ObjectValue>(&ast)) {
      for (const g::ObjectField* f : obj->fields) {
        const std::string name(f->name.value);
        track_value(*f->value, value != nullptr && value->is_object() && value->contains(name)
                                   ? &value->at(name)
                                   : nullptr);
      }
    } else if (const auto* list = g::as<g::ListValue>(&ast)) {
      const bool same = value != nullptr && value->is_array() && value->size() == list->values.size();
      for (std::size_t i = 0; i < list->values.size(); ++i) {
        track_value(*list->values[i], same ? &value->at(i) : nullptr);
      }
    }
  }

  // ---- selection sets ---------------------------------------------------------------

  bool included(g::NodeList<g::Directive> directives) const {
    for (const g::Directive* d : directives) {
      const bool skip = d->name.value == "skip";
      if (!skip && d->name.value != "include") continue;
      bool value = false;
      for (const g::Argument* a : d->arguments) {
        if (a->name.value != "if") continue;
        if (const auto* b = g::as<g::BooleanValue>(a->value)) value = b->value;
        if (const auto* v = g::as<g::Variable>(a->value)) {
          shaped_by_variables_ = true;
          const std::string name(v->name.value);
          value = variables_.is_object() && variables_.contains(name) && variables_[name].is_boolean() &&
                  variables_[name].get<bool>();
        }
      }
      if (skip == value) return false;
    }
    return true;
  }

  bool applies(const g::TypeDef& object, std::string_view condition) const {
    const g::TypeDef* t = schema_.type(condition);
    if (t == nullptr) return false;
    return t == &object || (t->is_abstract() && t->is_possible_type(object));
  }

  /// Spec CollectFields: response keys in order, each with every field node merged into it.
  void collect(const g::TypeDef& type, const g::SelectionSet& set, Groups& groups,
               std::set<std::string_view>& visited) const {
    for (const g::Selection* sel : set.selections) {
      if (const auto* f = g::as<g::Field>(sel)) {
        if (!included(f->directives)) continue;
        const std::string key(f->response_key());
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& gr) { return gr.first == key; });
        if (it == groups.end()) {
          groups.emplace_back(key, std::vector<const g::Field*>{f});
        } else {
          it->second.push_back(f);
        }
      } else if (const auto* inl = g::as<g::InlineFragment>(sel)) {
        if (!included(inl->directives)) continue;
        if (inl->type_condition != nullptr && !applies(type, inl->type_condition->name.value)) continue;
        collect(type, *inl->selection_set, groups, visited);
      } else if (const auto* spread = g::as<g::FragmentSpread>(sel)) {
        if (!included(spread->directives) || !visited.insert(spread->name.value).second) continue;
        auto it = fragments_.find(spread->name.value);
        if (it == fragments_.end()) continue;
        if (!applies(type, it->second->type_condition->name.value)) continue;
        collect(type, *it->second->selection_set, groups, visited);
      }
    }
  }

  Groups sub_groups(const g::TypeDef& type, const std::vector<const g::Field*>& fields) const {
    Groups groups;
    std::set<std::string_view> visited;
    for (const g::Field* f : fields) {
      if (f->selection_set != nullptr) collect(type, *f->selection_set, groups, visited);
    }
    return groups;
  }

  /// The coerced arguments of `field`, kept until the end of compile() because parameters
  /// are traced back to their nodes by address.
  const json& arguments(const g::FieldDef& def, const g::Field& field) {
    g::CoercedValues v = g::coerce_argument_values(def.arguments, field.arguments, variables_, field);
    if (!v.ok()) {
      CompileFailure f{std::move(v.errors.front())};
      f.error.path = path_;
      throw f;
    }
    const json& args = argument_store_.emplace_back(std::move(v.values));
    track_variables(field.arguments, args);
    return args;
  }

  // ---- root fields ------------------------------------------------------------------

  std::string root_field(const g::TypeDef& root, const std::vector<const g::Field*>& fields) {
    const g::Field& field = *fields.front();
    if (field.name.value == "__typename") return quote_literal(root.name) + "::text";
    current_loc_ = field.loc;
    if (&root == mapping_.schema().subscription_type()) return event_field(fields);
    const RootField* r = mapping_.root(field.name.value);
    if (r == nullptr) {
      fail(field.loc, "Query." + std::string(field.name.value) + " is not served by a view",
           g::code::kInternalServerError);
    }
    const json& args = arguments(*r->def, field);
    switch (r->kind) {
      case RootKind::kList: return root_list_query(*r->type, fields, args);
      case RootKind::kSingle: return single_query(*r, fields, args);
      case RootKind::kAggregate: return aggregate_query(*r, fields, args);
      case RootKind::kConnection: return connection_query(*r, fields, args);
    }
    return {};
  }

  /// A @notify field for one event: the row the event names, as a lookup by id.
  std::string event_field(const std::vector<const g::Field*>& fields) {
    const g::Field& field = *fields.front();
    const RootField* r = mapping_.subscription_root(field.name.value);
    if (r == nullptr || !options_.event_id) {
      fail(field.loc,
           "Subscription." + std::string(field.name.value) +
               (r == nullptr ? " has no @notify channel" : " can only be read for an event"),
           g::code::kInternalServerError);
    }
    json& args = argument_store_.emplace_back(arguments(*r->def, field));
    args["id"] = *options_.event_id;
    event_bound_ = true;
    return single_query(*r, fields, args);
  }

  /// `(SELECT coalesce(json_agg(...), '[]') FROM (SELECT obj, keys FROM view ... ) s)`.
  /// `key_condition(alias)` restricts the rows (a join); null for a root list.
  template <typename KeyCondition>
  std::string list_query_impl(const TypeMapping& type, const std::vector<const g::Field*>& fields,
                              const json& args, KeyCondition key_condition) {
    const g::Field& field = *fields.front();
    const g::Location outer_loc = current_loc_;
    current_loc_ = field.loc;
    const std::string t = alias('t');
    Scope scope{&type, t, t + ".data"};
    std::vector<std::string> conditions;
    if (std::string k = key_condition(t); !k.empty()) conditions.push_back(std::move(k));
    if (args.contains("where") && !args["where"].is_null()) conditions.push_back(where(scope, args["where"]));
    OrderTerms order;
    if (args.contains("orderBy") && args["orderBy"].is_array()) {
      for (const json& element : args["orderBy"]) order_terms(scope, element, order);
    }
    const std::string object = row_object(scope, sub_groups(*type.type, fields));
    current_loc_ = outer_loc;
    std::string inner = "SELECT " + object + " AS v";
    for (std::size_t i = 0; i < order.size(); ++i)
      inner += ", " + order[i].expr + " AS k" + std::to_string(i);
    inner += " FROM " + quote_relation(type.view) + " " + t;
    if (!conditions.empty()) inner += " WHERE " + join(conditions, " AND ");
    if (!order.empty()) {
      inner += " ORDER BY ";
      for (std::size_t i = 0; i < order.size(); ++i) {
        inner += (i > 0 ? ", " : "") + order[i].expr + order[i].sql();
      }
    }
    inner += limit_offset(field, args);
    const std::string s = alias('s');
    // The aggregate repeats the order: json_agg over a sorted subquery is not guaranteed sorted.
    std::string agg = "json_agg(" + s + ".v";
    for (std::size_t i = 0; i < order.size(); ++i) {
      agg += (i == 0 ? " ORDER BY " : ", ") + s + ".k" + std::to_string(i) + order[i].sql();
    }
    agg += ")";
    return "(SELECT coalesce(" + agg + ", '[]'::json) FROM (" + inner + ") " + s + ")";
  }

  std::string root_list_query(const TypeMapping& type, const std::vector<const g::Field*>& fields,
                              const json& args) {
    return list_query_impl(type, fields, args, [](const std::string&) { return std::string(); });
  }

  std::string limit_offset(const g::Field& field, const json& args) {
    std::string out;
    int64_t limit = options_.default_limit;
    if (args.contains("limit") && !args["limit"].is_null()) {
      limit = args["limit"].get<int64_t>();
      if (limit < 0) fail(field.loc, "limit must not be negative");
      if (options_.max_limit != 0 && limit > options_.max_limit) {
        fail(field.loc, "limit must be at most " + std::to_string(options_.max_limit));
      }
      out += " LIMIT " + bind_from(args["limit"], ParamSource::kLimit, "bigint");
    } else if (limit > 0) {
      out += " LIMIT " + bind(std::to_string(limit), "bigint");
    }
    if (args.contains("offset") && !args["offset"].is_null()) {
      const int64_t offset = args["offset"].get<int64_t>();
      if (offset < 0) fail(field.loc, "offset must not be negative");
      out += " OFFSET " + bind_from(args["offset"], ParamSource::kOffset, "bigint");
    }
    return out;
  }

  std::string single_query(const RootField& r, const std::vector<const g::Field*>& fields, const json& args) {
    const TypeMapping& type = *r.type;
    const std::string t = alias('t');
    Scope scope{&type, t, t + ".data"};
    const std::string object = row_object(scope, sub_groups(*type.type, fields));
    std::vector<std::string> conditions;
    for (const auto& [name, value] : args.items()) {
      if (name == "where") {
        if (!value.is_null()) conditions.push_back(where(scope, value));
        continue;
      }
      const FieldMapping* fm = type.field(name);
      if (fm == nullptr || fm->kind != FieldKind::kLeaf || fm->list) {
        fail(fields.front()->loc,
             "argument \"" + name + "\" of Query." + std::string(r.def->name) + " names no scalar field of " +
                 type.name + ", so it cannot filter",
             g::code::kInternalServerError);
      }
      // The lookup is an `eq` filter; its copy of the value stands for the argument's node.
      const json ops = value.is_null() ? json{{"isNull", true}} : json{{"eq", value}};
      const json* copy = value.is_null() ? nullptr : &ops.at("eq");
      if (auto it = variable_nodes_.find(&value); copy != nullptr && it != variable_nodes_.end()) {
        variable_nodes_.emplace(copy, it->second);
      }
      conditions.push_back(leaf_filter(scope, *fm, ops));
      if (copy != nullptr) {
        if (consumed_.erase(copy) > 0) consumed_.insert(&value);
        variable_nodes_.erase(copy);
      }
    }
    std::string sql = "(SELECT " + object + " FROM " + quote_relation(type.view) + " " + t;
    if (!conditions.empty()) sql += " WHERE " + join(conditions, " AND ");
    return sql + " LIMIT 1)";
  }

  std::string aggregate_query(const RootField& r, const std::vector<const g::Field*>& fields,
                              const json& args) {
    const TypeMapping& type = *r.type;
    const std::string t = alias('t');
    Scope scope{&type, t, t + ".data"};
    const g::TypeDef& agg_type = r.def->type.named_type();
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [key, group] : sub_groups(agg_type, fields)) {
      const g::Field& f = *group.front();
      path_.emplace_back(key);
      if (f.name.value == "__typename") {
        entries.emplace_back(key, quote_literal(agg_type.name) + "::text");
      } else if (f.name.value == "count") {
        entries.emplace_back(key, "count(*)");
      } else {
        const std::string fn(f.name.value);
        if (fn != "sum" && fn != "avg" && fn != "min" && fn != "max") {
          fail(f.loc, std::string(agg_type.name) + "." + fn + " is not an aggregate",
               g::code::kInternalServerError);
        }
        const g::FieldDef* numbers_def = agg_type.field(f.name.value);
        const g::TypeDef& numbers = numbers_def->type.named_type();
        std::vector<std::pair<std::string, std::string>> inner;
        for (const auto& [nkey, ngroup] : sub_groups(numbers, group)) {
          const g::Field& nf = *ngroup.front();
          if (nf.name.value == "__typename") {
            inner.emplace_back(nkey, quote_literal(numbers.name) + "::text");
            continue;
          }
          const FieldMapping* fm = type.field(nf.name.value);
          if (fm == nullptr) fail(nf.loc, "no field " + std::string(nf.name.value) + " on " + type.name);
          inner.emplace_back(nkey, fn + "(" + typed_expr(scope, *fm, "numeric") + ")::double precision");
        }
        entries.emplace_back(key, build_object(inner));
      }
      path_.pop_back();
    }
    std::string sql = "(SELECT " + build_object(entries) + " FROM " + quote_relation(type.view) + " " + t;
    if (args.contains("where") && !args["where"].is_null()) sql += " WHERE " + where(scope, args["where"]);
    // One row even when the selection holds no aggregate function (only __typename).
    return sql + " GROUP BY ())";
  }

  // ---- connections ------------------------------------------------------------------

  /// Rows strictly after (or, reversed, before) the cursor values in the order `terms`:
  /// (k0 > v0) OR (k0 = v0 AND k1 > v1) OR ..., with each key's direction and nulls.
  std::string keyset(const OrderTerms& terms, const json& values, bool reversed) {
    std::vector<std::string> alternatives;
    std::vector<std::string> equal_so_far;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const OrderTerm& k = terms[i];
      const json& v = values[i];
      const bool desc = k.desc != reversed;
      const bool nulls_first = k.nulls_first != reversed;
      std::string after;
      if (v.is_null()) {
        after = nulls_first ? k.expr + " IS NOT NULL" : "FALSE";
      } else {
        after = cat(k.expr, desc ? " < " : " > ", bind(param_text(v), k.type));
        if (!nulls_first) after = cat("(", after, " OR ", k.expr, " IS NULL)");
      }
      std::vector<std::string> conj = equal_so_far;
      conj.push_back(after);
      alternatives.push_back("(" + join(conj, " AND ") + ")");
      if (i + 1 == terms.size()) break;  // every parameter bound must be used
      equal_so_far.push_back(v.is_null() ? k.expr + " IS NULL"
                                         : k.expr + " = " + bind(param_text(v), k.type));
    }
    return "(" + join(alternatives, " OR ") + ")";
  }

  json decode_cursor(const g::Field& field, const json& cursor, std::size_t keys) const {
    auto bytes = base64_decode(cursor.get<std::string>());
    json values = bytes ? json::parse(*bytes, nullptr, false) : json();
    const bool scalars = values.is_array() && std::all_of(values.begin(), values.end(), [](const json& v) {
                           return v.is_null() || v.is_string() || v.is_number() || v.is_boolean();
                         });
    if (!scalars || values.size() != keys) {
      fail(field.loc, "invalid cursor (cursors are only valid with the orderBy they were issued for)");
    }
    return values;
  }

  std::string connection_query(const RootField& r, const std::vector<const g::Field*>& fields,
                               const json& args) {
    const g::Field& field = *fields.front();
    const TypeMapping& type = *r.type;
    const g::TypeDef& conn_type = r.def->type.named_type();
    const std::string t = alias('t');
    Scope scope{&type, t, t + ".data"};
    auto count_arg = [&](const char* name) -> std::optional<int64_t> {
      if (!args.contains(name) || args[name].is_null()) return std::nullopt;
      const int64_t n = args[name].get<int64_t>();
      if (n < 0) fail(field.loc, std::string(name) + " must not be negative");
      if (options_.max_limit != 0 && n > options_.max_limit) {
        fail(field.loc, std::string(name) + " must be at most " + std::to_string(options_.max_limit));
      }
      return n;
    };
    const auto first = count_arg("first");
    const auto last = count_arg("last");
    if (first && last) fail(field.loc, "give first or last, not both");
    const bool backward = last.has_value();
    // The page size; nullopt: no limit (no first/last and no default).
    std::optional<int64_t> n = first ? first : last;
    if (!n && options_.default_limit > 0) n = options_.default_limit;

    OrderTerms order;
    if (args.contains("orderBy") && args["orderBy"].is_array()) {
      for (const json& element : args["orderBy"]) order_terms(scope, element, order);
    }
    // The id makes every cursor position unique.
    order.push_back(OrderTerm{t + "." + quote_ident("id"), false, false, type.columns.at("id")});

    std::vector<std::string> conditions;
    if (args.contains("where") && !args["where"].is_null()) conditions.push_back(where(scope, args["where"]));
    if (args.contains("after") && args["after"].is_string()) {
      conditions.push_back(keyset(order, decode_cursor(field, args["after"], order.size()), false));
    }
    if (args.contains("before") && args["before"].is_string()) {
      conditions.push_back(keyset(order, decode_cursor(field, args["before"], order.size()), true));
    }

    // Node objects: one inner column per `node` / `nodes` selection.
    std::vector<std::string> value_columns;
    const std::string c = alias('c');
    std::string forward;
    std::string backward_order;
    for (std::size_t i = 0; i < order.size(); ++i) {
      forward += (i > 0 ? ", " : "") + c + ".k" + std::to_string(i) + order[i].sql();
      backward_order += (i > 0 ? ", " : "") + c + ".k" + std::to_string(i) + order[i].sql(true);
    }
    const std::string kept = n ? " FILTER (WHERE " + c + ".rn <= " + std::to_string(*n) + ")" : "";
    auto node_column = [&](const std::vector<const g::Field*>& node_fields) {
      const std::string obj = row_object(scope, sub_groups(*type.type, node_fields));
      value_columns.push_back(obj);
      return c + ".v" + std::to_string(value_columns.size() - 1);
    };

    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [key, group] : sub_groups(conn_type, fields)) {
      const std::string_view name = group.front()->name.value;
      path_.emplace_back(key);
      if (name == "__typename") {
        entries.emplace_back(key, quote_literal(conn_type.name) + "::text");
      } else if (name == "totalCount") {
        const std::string t2 = alias('t');
        std::string total = "(SELECT count(*) FROM " + quote_relation(type.view) + " " + t2;
        if (args.contains("where") && !args["where"].is_null()) {
          total += " WHERE " + where(Scope{&type, t2, t2 + ".data"}, args["where"]);
        }
        entries.emplace_back(key, total + ")");
      } else if (name == "nodes") {
        entries.emplace_back(key, cat("coalesce(json_agg(", node_column(group), " ORDER BY ", forward, ")",
                                      kept, ", '[]'::json)"));
      } else if (name == "edges") {
        const g::TypeDef& edge_type = conn_type.field("edges")->type.named_type();
        std::vector<std::pair<std::string, std::string>> edge;
        for (const auto& [ekey, egroup] : sub_groups(edge_type, group)) {
          const std::string_view en = egroup.front()->name.value;
          path_.emplace_back(ekey);
          if (en == "__typename") edge.emplace_back(ekey, quote_literal(edge_type.name) + "::text");
          if (en == "cursor") edge.emplace_back(ekey, c + ".cur");
          if (en == "node") edge.emplace_back(ekey, node_column(egroup));
          path_.pop_back();
        }
        entries.emplace_back(key, cat("coalesce(json_agg(", build_object(edge), " ORDER BY ", forward, ")",
                                      kept, ", '[]'::json)"));
      } else if (name == "pageInfo") {
        const g::TypeDef& pi_type = conn_type.field("pageInfo")->type.named_type();
        std::vector<std::pair<std::string, std::string>> pi;
        const std::string more = n ? "count(*) > " + std::to_string(*n) : "false";
        for (const auto& [pkey, pgroup] : sub_groups(pi_type, group)) {
          const std::string_view pn = pgroup.front()->name.value;
          if (pn == "__typename") pi.emplace_back(pkey, quote_literal(pi_type.name) + "::text");
          if (pn == "hasNextPage") pi.emplace_back(pkey, backward ? "false" : more);
          if (pn == "hasPreviousPage") pi.emplace_back(pkey, backward ? more : "false");
          if (pn == "startCursor")
            pi.emplace_back(pkey, cat("(array_agg(", c, ".cur ORDER BY ", forward, ")", kept, ")[1]"));
          if (pn == "endCursor") {
            pi.emplace_back(pkey, cat("(array_agg(", c, ".cur ORDER BY ", backward_order, ")", kept, ")[1]"));
          }
        }
        entries.emplace_back(key, build_object(pi));
      }
      path_.pop_back();
    }

    std::string inner = "SELECT ";
    for (std::size_t i = 0; i < value_columns.size(); ++i)
      inner += value_columns[i] + " AS v" + std::to_string(i) + ", ";
    for (std::size_t i = 0; i < order.size(); ++i)
      inner += (i > 0 ? ", " : "") + order[i].expr + " AS k" + std::to_string(i);
    inner += " FROM " + quote_relation(type.view) + " " + t;
    if (!conditions.empty()) inner += " WHERE " + join(conditions, " AND ");
    inner += " ORDER BY ";
    for (std::size_t i = 0; i < order.size(); ++i)
      inner += (i > 0 ? ", " : "") + order[i].expr + order[i].sql(backward);
    // One row more than the page tells whether there is a next (or previous) page.
    if (n) inner += " LIMIT " + bind(std::to_string(*n + 1), "bigint");
    // Cursors are built outside the LIMIT, for the page only. base64 lines wrap at 76
    // characters; a cursor is one token.
    const std::string x = alias('x');
    std::string keys_array = "json_build_array(";
    std::string numbered = "SELECT " + x + ".*, row_number() OVER (ORDER BY ";
    for (std::size_t i = 0; i < order.size(); ++i) {
      numbered += (i > 0 ? ", " : "") + x + ".k" + std::to_string(i) + order[i].sql(backward);
      keys_array += (i > 0 ? ", " : "") + x + ".k" + std::to_string(i);
    }
    numbered += ") AS rn, translate(encode(convert_to(" + keys_array +
                ")::text, 'UTF8'), 'base64'), E'\\n', '') AS cur FROM (" + inner + ") " + x;
    return "(SELECT " + build_object(entries) + " FROM (" + numbered + ") " + c + ")";
  }

  // ---- objects ----------------------------------------------------------------------

  /// The object of a view row. A view's `data` is an expression (often with subqueries)
  /// that PostgreSQL inlines at every reference, so the row's object reads it once through
  /// an `OFFSET 0` subquery (an optimisation fence); joins hang off that subquery too. The
  /// whole object is then one per-row subquery, which the planner evaluates after a
  /// LIMIT. An object of columns only stays a plain expression and never builds `data`.
  std::string row_object(const Scope& row_scope, const Groups& groups) {
    const std::string d = alias('d');
    const std::string data = d + ".d";
    Scope scope{row_scope.type, row_scope.row, data};
    std::vector<std::string> laterals;
    std::string obj = object_of(scope, groups, laterals);
    // Aliases are a letter and a number, so "d7.d" cannot occur inside another name.
    bool uses_data = obj.find(data) != std::string::npos;
    for (const std::string& l : laterals) uses_data = uses_data || l.find(data) != std::string::npos;
    if (!uses_data && laterals.empty()) return obj;
    std::string sql = "(SELECT " + obj + " FROM (SELECT " +
                      (uses_data ? row_scope.data + " AS d" : std::string("1 AS d")) + " OFFSET 0) " + d;
    for (const std::string& l : laterals) sql += " " + l;
    return sql + ")";
  }

  std::string object_of(const Scope& scope, const Groups& groups, std::vector<std::string>& laterals) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& [key, fields] : groups) {
      path_.emplace_back(key);
      entries.emplace_back(key, field_value(scope, fields, laterals));
      path_.pop_back();
    }
    return build_object(entries);
  }

  std::string json_path(const std::string& data, const std::string& key) const {
    return data + "->" + quote_literal(key);
  }

  std::string field_value(const Scope& scope, const std::vector<const g::Field*>& fields,
                          std::vector<std::string>& laterals) {
    const g::Field& field = *fields.front();
    if (field.name.value == "__typename") return quote_literal(scope.type->name) + "::text";
    const FieldMapping* fm = scope.type->field(field.name.value);
    if (fm == nullptr) {
      fail(field.loc, "no field " + std::string(field.name.value) + " on " + scope.type->name,
           g::code::kInternalServerError);
    }
    switch (fm->kind) {
      case FieldKind::kLeaf: {
        if (!scope.row.empty()) {
          if (const std::string* col = scope.type->column_of(*fm)) {
            const std::string c = scope.row + "." + quote_ident(*col);
            return fm->type->name == "ID" ? "(" + c + ")::text" : c;
          }
        }
        // ID is a string on the wire even when the JSON holds a number.
        if (fm->type->name == "ID" && !fm->list)
          return "to_json(" + scope.data + "->>" + quote_literal(fm->json_key) + ")";
        return json_path(scope.data, fm->json_key);
      }
      case FieldKind::kEmbedded: {
        const std::string e = json_path(scope.data, fm->json_key);
        const Groups groups = sub_groups(*fm->target->type, fields);
        if (!fm->list) {
          Scope sub{fm->target, "", e};
          return "CASE WHEN jsonb_typeof(" + e + ") = 'object' THEN " + object_of(sub, groups, laterals) +
                 " END";
        }
        const std::string a = alias('e');
        Scope sub{fm->target, "", a + ".v"};
        std::vector<std::string> inner_laterals;
        const std::string obj = object_of(sub, groups, inner_laterals);
        std::string from = "jsonb_array_elements(" + e + ") WITH ORDINALITY AS " + a + "(v, o)";
        for (const std::string& l : inner_laterals) from += " " + l;
        return "CASE WHEN jsonb_typeof(" + e +
               ") = 'array' THEN (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(" + a +
               ".v) = 'object' THEN " + obj + " END ORDER BY " + a + ".o), '[]'::json) FROM " + from +
               ") END";
      }
      case FieldKind::kJoin: {
        const TypeMapping& target = *fm->target;
        const json& args = arguments(*fm->def, field);
        const std::string j = alias('j');
        std::string sub;
        if (fm->list) {
          sub = list_query_impl(target, fields, args,
                                [&](const std::string& t) { return to_many_condition(scope, *fm, t); });
          // list_query_impl returns a parenthesised scalar subquery; as a lateral it is one row.
          sub = "SELECT " + sub + " AS v";
        } else {
          const std::string t = alias('t');
          Scope child{&target, t, t + ".data"};
          const std::string obj = row_object(child, sub_groups(*target.type, fields));
          sub = "SELECT " + obj + " AS v FROM " + quote_relation(target.view) + " " + t;
          sub += " WHERE " + to_one_condition(scope, *fm, t) + " LIMIT 1";
        }
        laterals.push_back("LEFT JOIN LATERAL (" + sub + ") " + j + " ON true");
        return j + ".v";
      }
    }
    return {};
  }

  /// The child row `t` is the one whose id the parent's join column holds.
  std::string to_one_condition(const Scope& parent, const FieldMapping& fm, const std::string& t) const {
    const TypeMapping& target = *fm.target;
    const std::string id = t + "." + quote_ident("id");
    if (!parent.row.empty()) return id + " = " + parent.row + "." + quote_ident(fm.join_column);
    return key_match(id, target.columns.at("id"), parent.data + "->>" + quote_literal(fm.join_column));
  }

  /// The child row `t`'s join column holds the parent's id.
  std::string to_many_condition(const Scope& parent, const FieldMapping& fm, const std::string& t) const {
    const TypeMapping& target = *fm.target;
    const std::string col = t + "." + quote_ident(fm.join_column);
    if (!parent.row.empty()) return col + " = " + parent.row + "." + quote_ident("id");
    auto it = target.columns.find(fm.join_column);
    return key_match(col, it == target.columns.end() ? std::string() : it->second,
                     parent.data + "->>" + quote_literal("id"));
  }

  /// A column compared with a key read from JSON text: cast the text when the column's
  /// type is known (indexes apply), otherwise compare as text.
  static std::string key_match(const std::string& column, const std::string& type, const std::string& text) {
    if (!type.empty()) return column + " = (" + text + ")::" + type;
    return column + "::text = (" + text + ")";
  }

  // ---- filters ----------------------------------------------------------------------

  static std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += sep;
      out += parts[i];
    }
    return out;
  }

  std::string where(const Scope& scope, const json& w) {
    if (!w.is_object()) return "TRUE";
    std::vector<std::string> parts;
    for (const auto& [key, value] : w.items()) {
      if (value.is_null()) continue;  // an explicit null states no condition
      if (key == "AND" || key == "OR") {
        std::vector<std::string> subs;
        for (const json& element : value) subs.push_back(where(scope, element));
        if (subs.empty()) {
          parts.emplace_back(key == "AND" ? "TRUE" : "FALSE");
        } else {
          parts.push_back("(" + join(subs, key == "AND" ? " AND " : " OR ") + ")");
        }
        continue;
      }
      if (key == "NOT") {
        // coalesce: NOT is the complement of what the filter matches, also where a value is null.
        parts.push_back("NOT coalesce(" + where(scope, value) + ", false)");
        continue;
      }
      const FieldMapping* fm = scope.type->field(key);
      if (fm == nullptr) fail({}, "no field " + key + " on " + scope.type->name + " to filter on");
      parts.push_back(field_filter(scope, *fm, value));
    }
    if (parts.empty()) return "TRUE";
    return parts.size() == 1 ? parts.front() : "(" + join(parts, " AND ") + ")";
  }

  std::string field_filter(const Scope& scope, const FieldMapping& fm, const json& value) {
    switch (fm.kind) {
      case FieldKind::kLeaf: return fm.list ? list_filter(scope, fm, value) : leaf_filter(scope, fm, value);
      case FieldKind::kEmbedded: {
        const std::string e = json_path(scope.data, fm.json_key);
        if (!fm.list) return where(Scope{fm.target, "", e}, value);
        const std::string a = alias('e');
        return "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + e +
               ") = 'array' THEN " + e + " END) AS " + a + "(v) WHERE " +
               where(Scope{fm.target, "", a + ".v"}, value) + ")";
      }
      case FieldKind::kJoin: {
        const std::string t = alias('t');
        const std::string key = fm.list ? to_many_condition(scope, fm, t) : to_one_condition(scope, fm, t);
        return "EXISTS (SELECT 1 FROM " + quote_relation(fm.target->view) + " " + t + " WHERE " + key +
               " AND " + where(Scope{fm.target, t, t + ".data"}, value) + ")";
      }
    }
    return "TRUE";
  }

  /// The field as an SQL value of `type` (its column, or its JSON text cast).
  std::string typed_expr(const Scope& scope, const FieldMapping& fm, const std::string& type) const {
    if (!scope.row.empty()) {
      if (const std::string* col = scope.type->column_of(fm)) return scope.row + "." + quote_ident(*col);
    }
    if (type == "jsonb") return json_path(scope.data, fm.json_key);
    const std::string text = scope.data + "->>" + quote_literal(fm.json_key);
    return type == "text" ? "(" + text + ")" : "(" + text + ")::" + type;
  }

  std::string leaf_filter(const Scope& scope, const FieldMapping& fm, const json& ops) {
    const std::string* col = scope.row.empty() ? nullptr : scope.type->column_of(fm);
    const bool is_json = is_json_type(*fm.type);
    // Parameters compared with a column take the column's type (PostgreSQL infers it when
    // unknown); compared with `data`, the type of the GraphQL scalar.
    const std::string value_type = col != nullptr ? scope.type->columns.at(*col) : sql_type_of(*fm.type);
    const std::string x = typed_expr(scope, fm, is_json ? "jsonb" : sql_type_of(*fm.type));
    const std::string null_test =
        col != nullptr ? x : "(" + scope.data + "->>" + quote_literal(fm.json_key) + ")";
    std::vector<std::string> parts;
    for (auto it = ops.begin(); it != ops.end(); ++it) {
      // Not a structured binding: the lambda below captures the value.
      const std::string& op = it.key();
      const json& v = it.value();
      if (op == "isNull") {
        if (!v.is_boolean()) continue;
        parts.push_back(null_test + (v.get<bool>() ? " IS NULL" : " IS NOT NULL"));
        continue;
      }
      if (v.is_null()) {
        if (op == "eq" || op == "neq") {
          parts.push_back(null_test + (op == "eq" ? " IS NULL" : " IS NOT NULL"));
          continue;
        }
        fail({}, "filter operator " + op + " on " + scope.type->name + "." + fm.name + " does not take null");
      }
      if (is_json) {
        if (op == "hasKey") {
          parts.push_back(x + " ? " + bind_from(v, ParamSource::kText, "text"));
        } else {
          const char* sym = op == "eq"            ? " = "
                            : op == "contains"    ? " @> "
                            : op == "containedBy" ? " <@ "
                                                  : nullptr;
          if (sym == nullptr) fail({}, "unknown JSON filter operator " + op);
          parts.push_back(x + sym + bind_from(v, ParamSource::kJson, "jsonb"));
        }
        continue;
      }
      if (is_text_form_scalar(fm.type->name) && op != "containsValue" && op != "depth" && !v.is_boolean()) {
        const bool strings =
            v.is_string() ||
            (v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); }));
        if (!strings) {
          fail({}, "filter operator " + op + " on " + scope.type->name + "." + fm.name + " takes " +
                       std::string(fm.type->name) + " values as strings");
        }
      }
      if (std::optional<std::string> special = special_filter(scope, fm, op, v, x, value_type)) {
        parts.push_back(std::move(*special));
        continue;
      }
      auto scalar = [&]() { return bind_from(v, ParamSource::kText, value_type); };
      if (op == "eq")
        parts.push_back(x + " = " + scalar());
      else if (op == "neq")
        parts.push_back(x + " <> " + scalar());
      else if (op == "gt")
        parts.push_back(x + " > " + scalar());
      else if (op == "gte")
        parts.push_back(x + " >= " + scalar());
      else if (op == "lt")
        parts.push_back(x + " < " + scalar());
      else if (op == "lte")
        parts.push_back(x + " <= " + scalar());
      else if (op == "in" || op == "nin") {
        const std::string arr =
            bind_from(v, ParamSource::kArray, value_type.empty() ? std::string() : value_type + "[]");
        parts.push_back(op == "in" ? cat(x, " = ANY(", arr, ")") : cat(x, " <> ALL(", arr, ")"));
      } else if (op == "contains")
        parts.push_back(x + " LIKE " + bind_from(v, ParamSource::kContains, "text"));
      else if (op == "icontains")
        parts.push_back(x + " ILIKE " + bind_from(v, ParamSource::kContains, "text"));
      else if (op == "startsWith")
        parts.push_back(x + " LIKE " + bind_from(v, ParamSource::kStartsWith, "text"));
      else if (op == "endsWith")
        parts.push_back(x + " LIKE " + bind_from(v, ParamSource::kEndsWith, "text"));
      else if (op == "like")
        parts.push_back(x + " LIKE " + bind_from(v, ParamSource::kText, "text"));
      else if (op == "ilike")
        parts.push_back(x + " ILIKE " + bind_from(v, ParamSource::kText, "text"));
      else if (op == "matches")
        parts.push_back(x + " ~ " + bind_from(v, ParamSource::kText, "text"));
      else
        fail({}, "unknown filter operator " + op + " on " + scope.type->name + "." + fm.name);
    }
    if (parts.empty()) return "TRUE";
    return parts.size() == 1 ? parts.front() : "(" + join(parts, " AND ") + ")";
  }

  /// Operators of the network, ltree, range and full-text families on the field's value
  /// `x` (of SQL type `value_type` when it is a column); nullopt for any other operator.
  std::optional<std::string> special_filter(const Scope& scope, const FieldMapping& fm, const std::string& op,
                                            const json& v, const std::string& x,
                                            const std::string& value_type) {
    const std::string_view scalar = fm.type->name;
    const std::string sql_type = sql_type_of(*fm.type);
    auto flag = [&](const std::string& test) {
      if (!v.is_boolean()) fail({}, "filter operator " + op + " takes true or false");
      return v.get<bool>() ? test : "NOT (" + test + ")";
    };
    if (scalar == "IpAddress" || scalar == "CIDR") {
      if (op == "inSubnet") return cat(x, " <<= ", bind_from(v, ParamSource::kText, "cidr"));
      if (op == "containsOrEquals") return cat(x, " >>= ", bind_from(v, ParamSource::kText, "inet"));
      if (op == "isIPv4") return flag(cat("family(", x, ") = 4"));
      if (op == "isIPv6") return flag(cat("family(", x, ") = 6"));
      if (op == "isPrivate") {
        return flag(cat("(", x, " <<= '10.0.0.0/8'::cidr OR ", x, " <<= '172.16.0.0/12'::cidr OR ", x,
                        " <<= '192.168.0.0/16'::cidr OR ", x, " <<= 'fc00::/7'::cidr)"));
      }
      if (op == "isLoopback") return flag(cat("(", x, " <<= '127.0.0.0/8'::cidr OR ", x, " = '::1'::inet)"));
      return std::nullopt;
    }
    if (scalar == "LTree") {
      if (op == "ancestorOf") return cat(x, " @> ", bind_from(v, ParamSource::kText, "ltree"));
      if (op == "descendantOf") return cat(x, " <@ ", bind_from(v, ParamSource::kText, "ltree"));
      if (op == "matchesLquery") return cat(x, " ~ ", bind_from(v, ParamSource::kText, "lquery"));
      if (op == "matchesLtxtquery") return cat(x, " @ ", bind_from(v, ParamSource::kText, "ltxtquery"));
      if (op == "depth") return cat("nlevel(", x, ") = ", bind_from(v, ParamSource::kText, "integer"));
      return std::nullopt;
    }
    if (scalar.ends_with("Range") && sql_type.ends_with("range")) {
      const std::string range_type = value_type.empty() ? sql_type : value_type;
      const char* sym = op == "contains"          ? " @> "
                        : op == "containedBy"     ? " <@ "
                        : op == "overlaps"        ? " && "
                        : op == "adjacent"        ? " -|- "
                        : op == "strictlyLeft"    ? " << "
                        : op == "strictlyRight"   ? " >> "
                        : op == "notExtendsLeft"  ? " &> "
                        : op == "notExtendsRight" ? " &< "
                                                  : nullptr;
      if (sym != nullptr) return cat(x, sym, bind_from(v, ParamSource::kText, range_type));
      if (op == "containsValue") {
        return cat(x, " @> ", bind_from(v, ParamSource::kText, range_element_type(range_type)));
      }
      if (op == "isEmpty") return flag(cat("isempty(", x, ")"));
      return std::nullopt;
    }
    if (op == "search" || op == "searchPlain" || op == "searchPhrase") {
      const std::string config = quote_literal(mapping_.options().text_search_config) + "::regconfig";
      std::string vector;
      if (!scope.row.empty()) {
        auto tsv = scope.type->columns.find(fm.json_key + "_tsv");
        if (tsv != scope.type->columns.end() && tsv->second == "tsvector") {
          vector = scope.row + "." + quote_ident(tsv->first);
        }
      }
      if (vector.empty()) vector = cat("to_tsvector(", config, ", ", x, ")");
      const char* fn = op == "search"        ? "websearch_to_tsquery("
                       : op == "searchPlain" ? "plainto_tsquery("
                                             : "phraseto_tsquery(";
      return cat(vector, " @@ ", fn, config, ", ", bind_from(v, ParamSource::kText, "text"), ")");
    }
    return std::nullopt;
  }

  /// A list of scalars in `data`: its elements compare as JSON values.
  std::string list_filter(const Scope& scope, const FieldMapping& fm, const json& ops) {
    if (!scope.row.empty()) {
      auto col = scope.type->columns.find(fm.json_key);
      if (col != scope.type->columns.end() && col->second.ends_with("[]")) {
        return array_column_filter(scope, fm, scope.row + "." + quote_ident(col->first), col->second, ops);
      }
    }
    const std::string x = json_path(scope.data, fm.json_key);
    std::vector<std::string> parts;
    for (const auto& [op, v] : ops.items()) {
      if (v.is_null()) continue;
      if (op == "isNull") {
        parts.push_back(cat("(", scope.data, "->>", quote_literal(fm.json_key), ")",
                            v.get<bool>() ? " IS NULL" : " IS NOT NULL"));
      } else if (op == "isEmpty") {
        parts.push_back(cat("jsonb_array_length(CASE WHEN jsonb_typeof(", x, ") = 'array' THEN ", x, " END)",
                            v.get<bool>() ? " = 0" : " > 0"));
      } else if (op == "contains") {
        parts.push_back(cat(x, " @> ", bind_from(v, ParamSource::kJson, "jsonb")));
      } else if (op == "containedBy") {
        parts.push_back(cat("(jsonb_typeof(", x, ") = 'array' AND ", x, " <@ ",
                            bind_from(v, ParamSource::kJson, "jsonb"), ")"));
      } else if (op == "overlaps") {
        // An array contains a scalar that is one of its elements.
        const std::string e = alias('e');
        parts.push_back(cat("EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(", x,
                            ") = 'array' THEN ", x, " END) AS ", e, "(v) WHERE ",
                            bind_from(v, ParamSource::kJson, "jsonb"), " @> ", e, ".v)"));
      } else {
        fail({}, "unknown list filter operator " + op + " on " + scope.type->name + "." + fm.name);
      }
    }
    if (parts.empty()) return "TRUE";
    return parts.size() == 1 ? parts.front() : "(" + join(parts, " AND ") + ")";
  }

  /// A list whose view also exposes it as an array column (`tags text[]`): array
  /// operators on the column, so a GIN index on it applies.
  std::string array_column_filter(const Scope& scope, const FieldMapping& fm, const std::string& c,
                                  const std::string& type, const json& ops) {
    std::vector<std::string> parts;
    for (const auto& [op, v] : ops.items()) {
      if (v.is_null()) continue;
      if (op == "isNull") {
        parts.push_back(c + (v.get<bool>() ? " IS NULL" : " IS NOT NULL"));
      } else if (op == "isEmpty") {
        parts.push_back(cat("cardinality(", c, ")", v.get<bool>() ? " = 0" : " > 0"));
      } else if (op == "contains" || op == "containedBy" || op == "overlaps") {
        const char* sym = op == "contains" ? " @> " : op == "containedBy" ? " <@ " : " && ";
        parts.push_back(cat(c, sym, bind_from(v, ParamSource::kArray, type)));
      } else {
        fail({}, "unknown list filter operator " + op + " on " + scope.type->name + "." + fm.name);
      }
    }
    if (parts.empty()) return "TRUE";
    return parts.size() == 1 ? parts.front() : "(" + join(parts, " AND ") + ")";
  }

  // ---- ordering ---------------------------------------------------------------------

  void order_terms(const Scope& scope, const json& element, OrderTerms& out) {
    if (!element.is_object()) return;
    // Fields of one element sort in the input type's field order: an input object is unordered.
    for (const g::FieldDef& def : scope.type->type->fields) {
      const std::string name(def.name);
      if (!element.contains(name) || element[name].is_null()) continue;
      const FieldMapping* fm = scope.type->field(name);
      if (fm == nullptr) continue;
      const json& v = element[name];
      if (v.is_string()) {
        OrderTerm term;
        term.expr = typed_expr(scope, *fm, sql_type_of(*fm->type));
        std::tie(term.desc, term.nulls_first) = order_direction(v.get<std::string>());
        const std::string* col = scope.row.empty() ? nullptr : scope.type->column_of(*fm);
        term.type = col != nullptr ? scope.type->columns.at(*col) : sql_type_of(*fm->type);
        out.push_back(std::move(term));
      } else if (v.is_object() && fm->kind == FieldKind::kEmbedded && !fm->list) {
        order_terms(Scope{fm->target, "", json_path(scope.data, fm->json_key)}, v, out);
      } else if (v.is_object() && fm->kind == FieldKind::kJoin && !fm->list) {
        // A joined object's key: a scalar subquery on its view per sort key (null when
        // there is no joined row), nested joins nesting their subqueries.
        const std::string t = alias('t');
        OrderTerms inner;
        order_terms(Scope{fm->target, t, t + ".data"}, v, inner);
        const std::string from = cat(" FROM ", quote_relation(fm->target->view), " ", t, " WHERE ",
                                     to_one_condition(scope, *fm, t), " LIMIT 1)");
        for (OrderTerm& term : inner) {
          term.expr = cat("(SELECT ", term.expr, from);
          out.push_back(std::move(term));
        }
      }
    }
  }

  const SchemaMapping& mapping_;
  const g::Schema& schema_;
  const g::Document& document_;
  const json& variables_;
  const CompileOptions& options_;
  std::map<std::string_view, const g::FragmentDefinition*> fragments_;
  std::vector<Param> params_;
  std::vector<g::PathSegment> path_;
  int alias_counter_ = 0;
  g::Location current_loc_;
  // Plan reuse (CompiledQuery::reusable): the coerced argument nodes holding a variable's
  // value, those a parameter was bound from, and whether a variable shaped the SQL.
  std::deque<json> argument_store_;
  std::unordered_map<const json*, std::string> variable_nodes_;
  std::unordered_set<const json*> consumed_;
  mutable bool shaped_by_variables_ = false;  // set by the const selection walk too
  bool event_bound_ = false;                  // a subscription event id is bound: not reusable
};

}  // namespace

std::vector<RootSelection> root_selections(const SchemaMapping& mapping, const g::Document& document,
                                           std::string_view operation_name, const json& variables) {
  std::string problem;
  const g::OperationDefinition* op = g::get_operation(document, operation_name, problem);
  if (op == nullptr) return {};
  const CompileOptions options;
  return Compiler(mapping, document, variables, options).roots(*op);
}

std::optional<std::vector<Param>> rebind(const CompiledQuery& query, const json& variables,
                                         const CompileOptions& options) {
  if (!query.reusable || !variables.is_object()) return std::nullopt;
  std::vector<Param> params = query.params;
  for (Param& p : params) {
    if (p.source == ParamSource::kLiteral) continue;
    auto it = variables.find(p.variable);
    if (it == variables.end() || it->is_null()) return std::nullopt;
    auto text = source_text(p.source, *it, options);
    // A NUL is refused by compile(), which says why.
    if (!text || text->find('\0') != std::string::npos) return std::nullopt;
    p.value = std::move(*text);
  }
  return params;
}

CompileResult compile(const SchemaMapping& mapping, const g::Document& document,
                      std::string_view operation_name, const json& variables, const CompileOptions& options) {
  CompileResult result;
  std::string problem;
  const g::OperationDefinition* op = g::get_operation(document, operation_name, problem);
  if (op == nullptr) {
    g::GraphQLError e;
    e.message = std::move(problem);
    e.code = std::string(g::code::kOperationResolutionFailure);
    result.errors.push_back(std::move(e));
    return result;
  }
  try {
    Compiler c(mapping, document, variables, options);
    result.query = c.run(*op);
  } catch (CompileFailure& f) {
    result.errors.push_back(std::move(f.error));
  }
  return result;
}

// ---- objects of mutation results --------------------------------------------------

ObjectProjection project_object(const SchemaMapping& mapping, const g::Document& document,
                                const json& variables, const TypeMapping& type,
                                const std::vector<const g::Field*>& fields, std::string_view data,
                                std::vector<Param>& params, std::vector<g::PathSegment> path,
                                const CompileOptions& options) {
  ObjectProjection out;
  Compiler c(mapping, document, variables, options);
  c.params_ = std::move(params);
  c.path_ = std::move(path);
  try {
    out.sql = c.row_object(Scope{&type, "", std::string(data)}, c.sub_groups(*type.type, fields));
  } catch (CompileFailure& f) {
    out.errors.push_back(std::move(f.error));
  }
  params = std::move(c.params_);
  return out;
}

}  // namespace fraiseql::sql
