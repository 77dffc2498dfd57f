#include "fraiseql/sql/schema_generator.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "fraiseql/graphql/parser.hpp"

namespace fraiseql::sql {

namespace g = fraiseql::graphql;

namespace {

constexpr std::string_view kGeneratedSourceName = "fraiseql-generated.graphql";

/// What a field definition's type says, read from the AST before any schema exists.
struct AstFieldType {
  std::string named;
  bool list = false;
};

AstFieldType field_type(const g::Type& t) {
  AstFieldType out;
  const g::Type* inner = &t;
  if (const auto* nn = g::as<g::NonNullType>(inner)) inner = nn->type;
  out.list = g::is<g::ListType>(inner);
  out.named = std::string(g::named_type_of(t).name.value);
  return out;
}

bool has_directive(g::NodeList<g::Directive> dirs, std::string_view name) {
  return std::any_of(dirs.begin(), dirs.end(), [&](const g::Directive* d) { return d->name.value == name; });
}

struct AstField {
  const g::FieldDefinition* def = nullptr;
  std::size_t source = 0;
};

struct AstObject {
  bool view = false;
  std::vector<AstField> fields;
};

/// Scalars with a generated filter: scalar name -> filter input name and operator set.
enum class OpSet : uint8_t {
  kString,
  kOrdered,
  kBoolean,
  kId,
  kJson,
  kEnum,
  kList,
  kNetwork,
  kLTree,
  kRange
};

struct FilterKind {
  std::string filter;
  OpSet ops;
};

constexpr std::pair<std::string_view, OpSet> kScalarFilters[] = {
    {"String", OpSet::kString},
    {"Int", OpSet::kOrdered},
    {"Float", OpSet::kOrdered},
    {"BigInt", OpSet::kOrdered},
    {"Decimal", OpSet::kOrdered},
    {"DateTime", OpSet::kOrdered},
    {"Date", OpSet::kOrdered},
    {"Boolean", OpSet::kBoolean},
    {"ID", OpSet::kId},
    {"UUID", OpSet::kId},
    {"JSON", OpSet::kJson},
    {"IpAddress", OpSet::kNetwork},
    {"CIDR", OpSet::kNetwork},
    {"LTree", OpSet::kLTree},
    {"IntRange", OpSet::kRange},
    {"BigIntRange", OpSet::kRange},
    {"DecimalRange", OpSet::kRange},
    {"DateRange", OpSet::kRange},
    {"DateTimeRange", OpSet::kRange},
};

/// The scalar of a range's bounds.
std::string_view range_element(std::string_view range) {
  if (range == "IntRange") return "Int";
  if (range == "BigIntRange") return "BigInt";
  if (range == "DecimalRange") return "Decimal";
  if (range == "DateRange") return "Date";
  return "DateTime";
}

std::optional<FilterKind> scalar_filter(std::string_view scalar) {
  for (const auto& [name, ops] : kScalarFilters) {
    if (name == scalar) return FilterKind{std::string(scalar) + "Filter", ops};
  }
  return std::nullopt;
}

bool is_numeric(std::string_view scalar) {
  return scalar == "Int" || scalar == "Float" || scalar == "BigInt" || scalar == "Decimal";
}

std::string filter_sdl(const std::string& name, const std::string& value, OpSet ops) {
  std::string s =
      "\"Conditions on a " + value + " field; all given conditions must hold.\"\ninput " + name + " {\n";
  auto op = [&](std::string_view op_name, const std::string& type, std::string_view doc) {
    s += "  \"" + std::string(doc) + "\"\n  " + std::string(op_name) + ": " + type + "\n";
  };
  if (ops == OpSet::kList) {
    s = "\"Conditions on a list of " + value + "; all given conditions must hold.\"\ninput " + name + " {\n";
    op("contains", "[" + value + "!]", "Holds every one of these.");
    op("containedBy", "[" + value + "!]", "Holds nothing but these.");
    op("overlaps", "[" + value + "!]", "Holds at least one of these.");
    op("isEmpty", "Boolean", "true: an empty list; false: a list with elements.");
    op("isNull", "Boolean", "true: absent or null; false: present and not null.");
    return s + "}\n";
  }
  if (ops == OpSet::kJson) {
    op("eq", value, "Equal (as jsonb).");
    op("hasKey", "String", "Is an object with this top-level key (`?`).");
    op("contains", value, "Contains this JSON (`@>`).");
    op("containedBy", value, "Is contained in this JSON (`<@`).");
    op("isNull", "Boolean", "true: absent or null; false: present and not null.");
    return s + "}\n";
  }
  op("eq", value, "Equal.");
  op("neq", value, "Not equal (null values do not match).");
  if (ops == OpSet::kRange) {
    op("contains", value, "Contains this whole range (`@>`).");
    op("containsValue", std::string(range_element(value)), "Contains this value (`@>`).");
    op("containedBy", value, "Lies within this range (`<@`).");
    op("overlaps", value, "Has points in common with this range (`&&`).");
    op("adjacent", value, "Is adjacent to this range, without overlapping it (`-|-`).");
    op("strictlyLeft", value, "Lies wholly before this range (`<<`).");
    op("strictlyRight", value, "Lies wholly after this range (`>>`).");
    op("notExtendsLeft", value, "Does not extend before this range (`&>`).");
    op("notExtendsRight", value, "Does not extend after this range (`&<`).");
    op("isEmpty", "Boolean", "true: the empty range; false: a range with points.");
    op("isNull", "Boolean", "true: absent or null; false: present and not null.");
    return s + "}\n";
  }
  if (ops == OpSet::kBoolean) {
    op("isNull", "Boolean", "true: absent or null; false: present and not null.");
    return s + "}\n";
  }
  if (ops == OpSet::kOrdered) {
    op("gt", value, "Greater than.");
    op("gte", value, "Greater than or equal.");
    op("lt", value, "Less than.");
    op("lte", value, "Less than or equal.");
  }
  op("in", "[" + value + "!]", "Equal to one of these.");
  op("nin", "[" + value + "!]", "Equal to none of these (null values do not match).");
  if (ops == OpSet::kNetwork) {
    op("inSubnet", "CIDR", "Lies in this network or equals it (`<<=`).");
    op("containsOrEquals", "IpAddress", "Contains this address or network, or equals it (`>>=`).");
    op("isIPv4", "Boolean", "true: an IPv4 value; false: an IPv6 value.");
    op("isIPv6", "Boolean", "true: an IPv6 value; false: an IPv4 value.");
    op("isPrivate", "Boolean",
       "true: in a private network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7); false: outside "
       "them.");
    op("isLoopback", "Boolean", "true: in 127.0.0.0/8 or ::1; false: outside them.");
  }
  if (ops == OpSet::kLTree) {
    op("ancestorOf", value, "Is this path or one of its ancestors (`@>`).");
    op("descendantOf", value, "Is this path or one of its descendants (`<@`).");
    op("matchesLquery", "String", "Matches this lquery pattern, e.g. `*.Science.*` (`~`).");
    op("matchesLtxtquery", "String",
       "Matches this ltxtquery full-text pattern, e.g. `Science & !Astro*` (`@`).");
    op("depth", "Int", "Has this many labels (`nlevel`).");
  }
  if (ops == OpSet::kString) {
    op("contains", value, "Contains this text (case-sensitive; `%` and `_` are plain characters).");
    op("icontains", value, "Contains this text, ignoring case.");
    op("startsWith", value, "Starts with this text.");
    op("endsWith", value, "Ends with this text.");
    op("like", value, "SQL LIKE pattern (`%` any text, `_` one character).");
    op("ilike", value, "SQL ILIKE pattern (LIKE ignoring case).");
    op("matches", value, "POSIX regular expression (`~`).");
    op("search", value,
       "Full-text match of a web-search query (quoted phrases, `or`, `-word`; websearch_to_tsquery).");
    op("searchPlain", value, "Full-text match of every word of this text (plainto_tsquery).");
    op("searchPhrase", value, "Full-text match of these words in this order (phraseto_tsquery).");
  }
  op("isNull", "Boolean", "true: absent or null; false: present and not null.");
  return s + "}\n";
}

class Generator {
 public:
  Generator(std::span<const g::SchemaSource> sources, std::vector<g::Document>& docs)
      : sources_(sources), docs_(docs) {}

  /// Rewritten sources followed by the generated one.
  std::vector<g::SchemaSource> run(std::string& generated) {
    collect();
    find_entities();
    std::vector<std::vector<std::pair<std::size_t, std::string>>> splices(sources_.size());
    std::string sdl;

    // Root fields: lists, connections, aggregates.
    if (auto it = objects_.find(query_name_); it != objects_.end()) {
      for (const AstField& f : it->second.fields) {
        const AstFieldType t = field_type(*f.def->type);
        const bool connection = has_directive(f.def->directives, "connection");
        if (connection && t.named.size() > 10 && t.named.ends_with("Connection")) {
          const std::string node = t.named.substr(0, t.named.size() - 10);
          if (!is_view(node)) continue;
          splice(f, splices, {{"first", "Int"}, {"after", "String"}, {"last", "Int"}, {"before", "String"}},
                 node);
          need_connection_.insert(node);
        } else if (t.named.ends_with("Aggregate") && f.def->name.value.ends_with("Aggregate")) {
          const std::string node = t.named.substr(0, t.named.size() - 9);
          if (!is_view(node)) continue;
          splice(f, splices, {}, node, /*order=*/false);
          need_aggregate_.insert(node);
        } else if (t.list && is_view(t.named)) {
          splice(f, splices, {{"limit", "Int"}, {"offset", "Int"}}, t.named);
        }
      }
    }
    // Joined lists of entity types.
    for (const std::string& name : entities_) {
      for (const AstField& f : objects_[name].fields) {
        const AstFieldType t = field_type(*f.def->type);
        if (t.list && is_view(t.named) && has_directive(f.def->directives, "join")) {
          splice(f, splices, {{"limit", "Int"}, {"offset", "Int"}}, t.named);
        }
      }
    }

    for (const std::string& name : entities_) emit_entity_inputs(name, sdl);
    for (const std::string& node : need_connection_) emit_connection(node, sdl);
    for (const std::string& node : need_aggregate_) emit_aggregate(node, sdl);
    if (need_order_direction_ && !defined_.contains("OrderDirection")) {
      sdl +=
          "\"Sort direction; without NULLS FIRST/LAST, nulls sort as PostgreSQL does (last ascending, first "
          "descending).\"\nenum OrderDirection {\n  ASC\n  DESC\n  ASC_NULLS_FIRST\n  ASC_NULLS_LAST\n"
          "  DESC_NULLS_FIRST\n  DESC_NULLS_LAST\n}\n";
    }
    for (const auto& [filter, kind] : filters_) {
      if (defined_.contains(filter)) continue;
      sdl += filter_sdl(filter, kind.first, kind.second);
    }

    std::vector<g::SchemaSource> out;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      std::string text = sources_[i].sdl;
      auto& list = splices[i];
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      for (const auto& [at, insert] : list) text.insert(at, insert);
      out.push_back({sources_[i].name, std::move(text)});
    }
    generated = sdl;
    if (!sdl.empty()) out.push_back({std::string(kGeneratedSourceName), std::move(sdl)});
    return out;
  }

 private:
  void collect() {
    for (std::size_t i = 0; i < docs_.size(); ++i) {
      for (const g::Definition* d : docs_[i].definitions()) {
        if (const auto* sd = g::as<g::SchemaDefinition>(d)) {
          for (const auto* ot : sd->operation_types) {
            if (ot->operation == g::OperationType::kQuery) query_name_ = std::string(ot->type->name.value);
          }
          continue;
        }
        if (g::is_type_definition(d->kind)) {
          const auto& td = static_cast<const g::TypeDefinition&>(*d);
          defined_.insert(std::string(td.name.value));
          if (d->kind == g::NodeKind::kEnumTypeDefinition) enums_.insert(std::string(td.name.value));
        }
        if (d->kind == g::NodeKind::kObjectTypeDefinition || d->kind == g::NodeKind::kObjectTypeExtension) {
          const auto& od = static_cast<const g::ObjectTypeDefinition&>(*d);
          AstObject& o = objects_[std::string(od.name.value)];
          o.view = o.view || has_directive(od.directives, "view");
          for (const auto* f : od.fields) o.fields.push_back({f, i});
        }
      }
    }
  }

  bool is_view(const std::string& name) const {
    auto it = objects_.find(name);
    return it != objects_.end() && it->second.view;
  }

  /// Object types reachable from the views through their fields, in name order.
  void find_entities() {
    std::vector<std::string> todo;
    for (const auto& [name, o] : objects_) {
      if (o.view) todo.push_back(name);
    }
    while (!todo.empty()) {
      std::string name = todo.back();
      todo.pop_back();
      if (!entities_.insert(name).second) continue;
      for (const AstField& f : objects_[name].fields) {
        const std::string named = field_type(*f.def->type).named;
        if (objects_.contains(named) && named != query_name_) todo.push_back(named);
      }
    }
  }

  /// Adds `where`, `orderBy` and `extra` to field `f` unless it declares them already.
  void splice(const AstField& f, std::vector<std::vector<std::pair<std::size_t, std::string>>>& splices,
              const std::vector<std::pair<std::string, std::string>>& extra, const std::string& node,
              bool order = true) {
    std::vector<std::pair<std::string, std::string>> args;
    args.emplace_back("where", node + "WhereInput");
    if (order && has_orderable(node)) {
      args.emplace_back("orderBy", "[" + node + "OrderByInput!]");
      need_order_direction_ = true;
    }
    args.insert(args.end(), extra.begin(), extra.end());
    std::string text;
    for (const auto& arg : args) {
      const bool declared =
          std::any_of(f.def->arguments.begin(), f.def->arguments.end(),
                      [&](const g::InputValueDefinition* a) { return a->name.value == arg.first; });
      if (declared) continue;
      if (!text.empty()) text += ", ";
      text.append(arg.first).append(": ").append(arg.second);
    }
    if (text.empty()) return;
    const std::string& src = sources_[f.source].sdl;
    std::size_t at = f.def->name.loc.offset + f.def->name.value.size();
    if (f.def->arguments.empty()) {
      splices[f.source].emplace_back(at, "(" + text + ")");
      return;
    }
    // Skip ignored tokens up to the `(` and insert right after it.
    while (at < src.size() && src[at] != '(') {
      if (src[at] == '#') {
        while (at < src.size() && src[at] != '\n') ++at;
      } else {
        ++at;
      }
    }
    splices[f.source].emplace_back(at + 1, text + ", ");
  }

  bool orderable(const AstFieldType& t) const {
    if (t.list) return false;
    if (enums_.contains(t.named)) return true;
    auto k = scalar_filter(t.named);
    return k.has_value() && k->ops != OpSet::kJson;
  }

  /// A type can be ordered by a scalar field of its own or of an embedded object.
  bool has_orderable(const std::string& name) {
    std::set<std::string> visiting;
    return has_orderable(name, visiting);
  }
  bool has_orderable(const std::string& name, std::set<std::string>& visiting) {
    if (!visiting.insert(name).second) return false;  // embedded types may refer to each other
    for (const AstField& f : objects_[name].fields) {
      const AstFieldType t = field_type(*f.def->type);
      if (has_directive(f.def->directives, "join")) continue;
      if (orderable(t)) return true;
      if (!t.list && entities_.contains(t.named) && has_orderable(t.named, visiting)) return true;
    }
    return false;
  }

  void emit_entity_inputs(const std::string& name, std::string& sdl) {
    const std::string where = name + "WhereInput";
    if (!defined_.contains(where)) {
      sdl += "\"Conditions on " + name + "; the fields given must all hold.\"\ninput " + where + " {\n";
      sdl += "  \"All of these hold.\"\n  AND: [" + where + "!]\n";
      sdl += "  \"At least one of these holds.\"\n  OR: [" + where + "!]\n";
      sdl += "  \"This does not hold.\"\n  NOT: " + where + "\n";
      for (const AstField& f : objects_[name].fields) {
        const AstFieldType t = field_type(*f.def->type);
        const std::string field(f.def->name.value);
        if (entities_.contains(t.named)) {
          // Objects and lists of objects (embedded or joined): a list matches when one element does.
          sdl += "  " + field + ": " + t.named + "WhereInput\n";
          continue;
        }
        if (t.list) {
          const bool filterable =
              enums_.contains(t.named) || (scalar_filter(t.named).has_value() && t.named != "JSON");
          if (filterable) {
            filters_.try_emplace(t.named + "ListFilter", t.named, OpSet::kList);
            sdl += "  " + field + ": " + t.named + "ListFilter\n";
          }
          continue;
        }
        if (enums_.contains(t.named)) {
          filters_.try_emplace(t.named + "Filter", t.named, OpSet::kEnum);
          sdl += "  " + field + ": " + t.named + "Filter\n";
        } else if (auto k = scalar_filter(t.named)) {
          filters_.try_emplace(k->filter, t.named, k->ops);
          sdl += "  " + field + ": " + k->filter + "\n";
        }
      }
      sdl += "}\n";
    }
    const std::string order = name + "OrderByInput";
    if (!defined_.contains(order) && has_orderable(name)) {
      need_order_direction_ = true;
      sdl += "\"Sort keys of " + name + "; give one field per list element, in priority order.\"\ninput " +
             order + " {\n";
      for (const AstField& f : objects_[name].fields) {
        const AstFieldType t = field_type(*f.def->type);
        // Embedded objects and @join to-one objects nest their own order input; lists
        // (embedded or joined) have no single value to sort by.
        const std::string field(f.def->name.value);
        if (orderable(t)) {
          sdl += "  " + field + ": OrderDirection\n";
        } else if (!t.list && entities_.contains(t.named) && has_orderable(t.named)) {
          sdl += "  " + field + ": " + t.named + "OrderByInput\n";
        }
      }
      sdl += "}\n";
    }
  }

  void emit_connection(const std::string& node, std::string& sdl) {
    if (!defined_.contains(node + "Connection")) {
      sdl += "\"A page of " + node + " (Relay cursor connection).\"\ntype " + node +
             "Connection {\n  edges: [" + node + "Edge!]!\n  nodes: [" + node +
             "!]!\n  pageInfo: PageInfo!\n  \"Rows matching `where`, ignoring the page.\"\n  totalCount: "
             "Int!\n}\n";
    }
    if (!defined_.contains(node + "Edge")) {
      sdl += "type " + node +
             "Edge {\n  \"Opaque keyset cursor of this node.\"\n  cursor: String!\n  node: " + node +
             "!\n}\n";
    }
    if (!page_info_done_ && !defined_.contains("PageInfo")) {
      page_info_done_ = true;
      sdl +=
          "type PageInfo {\n  hasNextPage: Boolean!\n  hasPreviousPage: Boolean!\n  startCursor: String\n"
          "  endCursor: String\n}\n";
    }
  }

  void emit_aggregate(const std::string& node, std::string& sdl) {
    const std::string agg = node + "Aggregate";
    if (defined_.contains(agg)) return;
    std::vector<std::string> numeric;
    for (const AstField& f : objects_[node].fields) {
      const AstFieldType t = field_type(*f.def->type);
      if (!t.list && is_numeric(t.named) && !has_directive(f.def->directives, "join")) {
        numeric.emplace_back(f.def->name.value);
      }
    }
    sdl += "\"Aggregates over the " + node + " rows matching `where`.\"\ntype " + agg + " {\n  count: Int!\n";
    if (!numeric.empty()) {
      for (const char* fn : {"sum", "avg", "min", "max"})
        sdl += "  " + std::string(fn) + ": " + agg + "Numbers!\n";
    }
    sdl += "}\n";
    if (!numeric.empty() && !defined_.contains(agg + "Numbers")) {
      sdl += "\"One aggregate function over each numeric field of " + node +
             " (null when no row has a value).\"\n";
      sdl += "type " + agg + "Numbers {\n";
      for (const std::string& f : numeric) sdl += "  " + f + ": Float\n";
      sdl += "}\n";
    }
  }

  std::span<const g::SchemaSource> sources_;
  std::vector<g::Document>& docs_;
  std::string query_name_ = "Query";
  std::set<std::string> defined_;
  std::set<std::string> enums_;
  std::map<std::string, AstObject> objects_;
  std::set<std::string> entities_;
  std::set<std::string> need_connection_;
  std::set<std::string> need_aggregate_;
  bool need_order_direction_ = false;
  bool page_info_done_ = false;
  std::map<std::string, std::pair<std::string, OpSet>> filters_;
};

}  // namespace

FraiseqlSchema build_fraiseql_schema(std::span<const g::SchemaSource> sources,
                                     const MappingOptions& options) {
  FraiseqlSchema out;
  std::vector<g::Document> docs;
  for (const auto& src : sources) {
    auto parsed = g::parse_document(src.sdl);
    if (!parsed.ok()) {
      // Let the builder word the syntax error the way every other schema error is worded.
      auto built = g::build_schema(sources);
      for (const auto& e : built.errors()) out.errors.push_back(e.to_string());
      if (out.errors.empty()) out.errors.push_back(src.name + ": " + g::format_parse_error(parsed.error()));
      return out;
    }
    docs.push_back(std::move(parsed).document());
  }
  Generator gen(sources, docs);
  std::vector<g::SchemaSource> full = gen.run(out.generated_sdl);
  auto built = g::build_schema(full);
  if (!built.ok()) {
    for (const auto& e : built.errors()) out.errors.push_back(e.to_string());
    return out;
  }
  auto mapping = build_mapping(built.schema(), options);
  if (!mapping.ok()) {
    out.errors.push_back(mapping.error().message);
    return out;
  }
  out.schema = built.schema();
  out.mapping = std::make_shared<const SchemaMapping>(std::move(mapping).value());
  return out;
}

FraiseqlSchema build_fraiseql_schema(std::string sdl, std::string name, const MappingOptions& options) {
  std::vector<g::SchemaSource> sources{{std::move(name), std::move(sdl)}};
  return build_fraiseql_schema(sources, options);
}

}  // namespace fraiseql::sql
