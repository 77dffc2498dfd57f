#include "fraiseql/sql/mapping.hpp"

#include <cctype>

namespace fraiseql::sql {

using graphql::TypeDef;
using graphql::TypeKind;

namespace {

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string string_argument(const graphql::Directive& d, std::string_view name) {
  const auto* v = graphql::as<graphql::StringValue>(graphql::find_argument(d, name));
  return v == nullptr ? std::string() : std::string(v->value);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string to_snake_case(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (is_upper(c)) {
      const bool after_lower = i > 0 && is_lower_or_digit(name[i - 1]);
      // The last capital of an acronym starts a new word: HTTPServer -> http_server.
      const bool acronym_end =
          i > 0 && is_upper(name[i - 1]) && i + 1 < name.size() && name[i + 1] >= 'a' && name[i + 1] <= 'z';
      if ((after_lower || acronym_end) && !out.empty() && out.back() != '_') out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const FieldMapping* TypeMapping::field(std::string_view field_name) const noexcept {
  auto it = fields.find(field_name);
  return it == fields.end() ? nullptr : &it->second;
}

const std::string* TypeMapping::column_of(const FieldMapping& f) const noexcept {
  if (view.empty() || f.kind != FieldKind::kLeaf || f.list) return nullptr;
  auto it = columns.find(f.json_key);
  return it == columns.end() ? nullptr : &it->first;
}

const TypeMapping* SchemaMapping::type(std::string_view name) const noexcept {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

const RootField* SchemaMapping::root(std::string_view name) const noexcept {
  auto it = roots_.find(name);
  return it == roots_.end() ? nullptr : &it->second;
}

const RootField* SchemaMapping::subscription_root(std::string_view name) const noexcept {
  auto it = subscription_roots_.find(name);
  return it == subscription_roots_.end() ? nullptr : &it->second;
}

Result<SchemaMapping> build_mapping(std::shared_ptr<const graphql::Schema> schema,
                                    const MappingOptions& options) {
  if (schema == nullptr) return make_error(ErrorCode::kInvalidArgument, "no schema");
  SchemaMapping m;
  m.schema_ = std::move(schema);
  m.options_ = options;
  const graphql::Schema& s = *m.schema_;
  std::string errors;
  auto fail = [&](const std::string& message) {
    if (!errors.empty()) errors.push_back('\n');
    errors += message;
  };
  auto is_root = [&](const TypeDef* t) {
    return t == s.query_type() || t == s.mutation_type() || t == s.subscription_type();
  };

  // Types first (fields point at other types' mappings, so all must exist before fields).
  for (const TypeDef* t : s.types()) {
    if (t->kind != TypeKind::kObject || t->is_builtin || is_root(t)) continue;
    TypeMapping tm;
    tm.type = t;
    tm.name = std::string(t->name);
    if (const auto* d = t->directive("view")) {
      tm.view = string_argument(*d, "name");
      auto it = options.view_columns.find(tm.view);
      if (it != options.view_columns.end()) tm.columns = it->second;
      tm.columns.try_emplace("id", "");  // every view exposes id
    }
    m.types_.emplace(tm.name, std::move(tm));
  }
  for (auto& [name, tm] : m.types_) {
    for (const graphql::FieldDef& f : tm.type->fields) {
      FieldMapping fm;
      fm.def = &f;
      fm.name = std::string(f.name);
      fm.json_key = options.snake_case_keys ? to_snake_case(f.name) : fm.name;
      graphql::TypeRef t = f.type.nullable();
      fm.list = t.is_list();
      fm.type = f.type.named_type_ptr();
      const auto* target = m.type(fm.type->name);
      if (const auto* join = graphql::find_directive(f.directives, "join")) {
        fm.kind = FieldKind::kJoin;
        fm.join_column = string_argument(*join, "column");
        if (target == nullptr || target->view.empty()) {
          fail(name + "." + fm.name + ": @join needs an object type with @view, got " + f.type.to_string());
          continue;
        }
      } else if (fm.type->kind == TypeKind::kObject) {
        fm.kind = FieldKind::kEmbedded;
        if (target == nullptr) {
          fail(name + "." + fm.name + ": a root operation type cannot be embedded");
          continue;
        }
      } else if (fm.type->is_composite()) {
        fail(name + "." + fm.name + ": interfaces and unions are not supported in views yet");
        continue;
      }
      fm.target = target;
      tm.fields.emplace(fm.name, std::move(fm));
    }
  }

  if (const TypeDef* q = s.query_type()) {
    for (const graphql::FieldDef& f : q->fields) {
      RootField r;
      r.def = &f;
      const TypeDef& named = f.type.named_type();
      const std::string where = std::string(q->name) + "." + std::string(f.name);
      if (graphql::find_directive(f.directives, "connection") != nullptr) {
        r.kind = RootKind::kConnection;
        const std::string_view tn = named.name;
        const TypeMapping* node =
            ends_with(tn, "Connection") ? m.type(tn.substr(0, tn.size() - 10)) : nullptr;
        if (node == nullptr || node->view.empty()) {
          fail(where + ": @connection needs a type named <T>Connection where T has @view, got " +
               std::string(tn));
          continue;
        }
        r.type = node;
      } else if (ends_with(named.name, "Aggregate") && ends_with(f.name, "Aggregate")) {
        const std::string_view tn = named.name;
        const TypeMapping* node = m.type(tn.substr(0, tn.size() - 9));
        if (node == nullptr || node->view.empty()) continue;  // a user type that happens to match
        r.kind = RootKind::kAggregate;
        r.type = node;
      } else {
        const TypeMapping* node = m.type(named.name);
        if (node == nullptr || node->view.empty()) continue;  // not served by SQL
        r.type = node;
        r.kind = f.type.nullable().is_list() ? RootKind::kList : RootKind::kSingle;
        if (r.kind == RootKind::kSingle) {
          for (const graphql::InputValueDef& a : f.arguments) {
            const FieldMapping* target = a.name == "where" ? nullptr : node->field(a.name);
            if (a.name != "where" &&
                (target == nullptr || target->kind != FieldKind::kLeaf || target->list)) {
              fail(where + ": argument " + std::string(a.name) + " names no scalar field of " + node->name +
                   ", so it cannot select the row");
            }
          }
        }
      }
      m.roots_.emplace(std::string(f.name), r);
    }
  }
  // Subscriptions: each event names one row (by id) of the field's view, read again with
  // the subscriber's own selection, filter and database context.
  if (const TypeDef* sub = s.subscription_type()) {
    for (const graphql::FieldDef& f : sub->fields) {
      const std::string where = std::string(sub->name) + "." + std::string(f.name);
      const graphql::Directive* notify = graphql::find_directive(f.directives, "notify");
      const auto* channel =
          notify != nullptr ? graphql::as<graphql::StringValue>(graphql::find_argument(*notify, "channel"))
                            : nullptr;
      if (channel == nullptr || channel->value.empty()) {
        fail(where + ": a subscription field needs @notify(channel: \"...\")");
        continue;
      }
      const TypeMapping* node = m.type(f.type.named_type().name);
      if (node == nullptr || node->view.empty() || f.type.nullable().is_list()) {
        fail(where + ": a subscription field returns one object of a type with @view");
        continue;
      }
      for (const graphql::InputValueDef& a : f.arguments) {
        const FieldMapping* target = a.name == "where" ? nullptr : node->field(a.name);
        if (a.name != "where" && (target == nullptr || target->kind != FieldKind::kLeaf || target->list)) {
          fail(where + ": argument " + std::string(a.name) + " names no scalar field of " + node->name +
               ", so it cannot filter events");
        }
      }
      RootField r;
      r.def = &f;
      r.kind = RootKind::kSingle;
      r.type = node;
      r.channel = std::string(channel->value);
      m.subscription_roots_.emplace(std::string(f.name), r);
    }
  }
  if (!errors.empty()) return make_error(ErrorCode::kInvalidArgument, errors);
  return m;
}

}  // namespace fraiseql::sql
