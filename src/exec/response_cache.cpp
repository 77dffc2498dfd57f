#include "response_cache.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <utility>

#include "fraiseql/cache/key.hpp"
#include "fraiseql/graphql/introspection.hpp"

namespace fraiseql::exec {
namespace {

using graphql::TypeDef;
using graphql::TypeKind;

constexpr std::string_view kMagic = "FQR1";

std::optional<std::chrono::seconds> cached_ttl(const graphql::AppliedDirectives& directives) {
  const auto* cached = graphql::find_directive(directives, "cached");
  if (cached == nullptr) return std::nullopt;
  const auto* value = graphql::as<graphql::IntValue>(graphql::find_argument(*cached, "ttl"));
  if (value == nullptr) return std::nullopt;
  long long ttl = 0;
  auto [ptr, ec] = std::from_chars(value->raw.data(), value->raw.data() + value->raw.size(), ttl);
  if (ec != std::errc() || ptr != value->raw.data() + value->raw.size()) return std::nullopt;
  return std::chrono::seconds(std::max(ttl, 0LL));
}

// Walks a selection against the schema, collecting the @view types it reaches.
class TagCollector {
 public:
  TagCollector(const graphql::Schema& schema, const graphql::Document& document)
      : schema_(schema), document_(document) {}

  void add_type(const TypeDef& type) {
    if (type.kind == TypeKind::kObject) {
      if (type.directive("view") != nullptr) tags_.emplace(type.name);
    } else if (type.is_abstract()) {
      for (const TypeDef* possible : type.possible_types) add_type(*possible);
    }
  }

  void walk(const TypeDef& parent, const graphql::SelectionSet* set) {
    if (set == nullptr || !visited_.emplace(&parent, set).second) return;
    for (const graphql::Selection* selection : set->selections) {
      if (const auto* field = graphql::as<graphql::Field>(selection)) {
        const graphql::FieldDef* def = schema_.field(parent, field->name.value);
        if (def == nullptr || !def->type) continue;
        const TypeDef& type = def->type.named_type();
        add_type(type);
        if (field->selection_set != nullptr && type.is_composite()) walk(type, field->selection_set);
      } else if (const auto* inline_fragment = graphql::as<graphql::InlineFragment>(selection)) {
        const TypeDef* type = &parent;
        if (inline_fragment->type_condition != nullptr) {
          type = schema_.type(inline_fragment->type_condition->name.value);
        }
        if (type != nullptr) {
          add_type(*type);
          walk(*type, inline_fragment->selection_set);
        }
      } else if (const auto* spread = graphql::as<graphql::FragmentSpread>(selection)) {
        const graphql::FragmentDefinition* fragment = find_fragment(spread->name.value);
        if (fragment == nullptr || fragment->type_condition == nullptr) continue;
        if (const TypeDef* type = schema_.type(fragment->type_condition->name.value)) {
          add_type(*type);
          walk(*type, fragment->selection_set);
        }
      }
    }
  }

  [[nodiscard]] std::vector<std::string> tags() const { return {tags_.begin(), tags_.end()}; }

 private:
  const graphql::FragmentDefinition* find_fragment(std::string_view name) const {
    for (const graphql::Definition* def : document_.definitions()) {
      const auto* fragment = graphql::as<graphql::FragmentDefinition>(def);
      if (fragment != nullptr && fragment->name.value == name) return fragment;
    }
    return nullptr;
  }

  const graphql::Schema& schema_;
  const graphql::Document& document_;
  std::set<std::string> tags_;
  std::set<std::pair<const TypeDef*, const graphql::SelectionSet*>> visited_;
};

// The root fields of an operation, through root-level fragments, meta-fields left out.
void root_fields(const graphql::Schema& schema, const graphql::Document& document, const TypeDef& root,
                 const graphql::SelectionSet* set, std::vector<const graphql::FieldDef*>& out,
                 int depth = 0) {
  if (set == nullptr || depth > 64) return;
  for (const graphql::Selection* selection : set->selections) {
    if (const auto* field = graphql::as<graphql::Field>(selection)) {
      if (graphql::Introspection::is_meta_field(field->name.value)) continue;
      if (const graphql::FieldDef* def = root.field(field->name.value)) out.push_back(def);
    } else if (const auto* inline_fragment = graphql::as<graphql::InlineFragment>(selection)) {
      root_fields(schema, document, root, inline_fragment->selection_set, out, depth + 1);
    } else if (const auto* spread = graphql::as<graphql::FragmentSpread>(selection)) {
      for (const graphql::Definition* def : document.definitions()) {
        const auto* fragment = graphql::as<graphql::FragmentDefinition>(def);
        if (fragment != nullptr && fragment->name.value == spread->name.value) {
          root_fields(schema, document, root, fragment->selection_set, out, depth + 1);
        }
      }
    }
  }
}

void append_invalidated(const graphql::FieldDef& field, std::set<std::string>& out) {
  const auto* function = graphql::find_directive(field.directives, "function");
  if (function == nullptr) return;
  const graphql::Value* value = graphql::find_argument(*function, "invalidates");
  if (const auto* one = graphql::as<graphql::StringValue>(value)) {
    // A single value stands for a list of one (input coercion).
    out.emplace(one->value);
  } else if (const auto* list = graphql::as<graphql::ListValue>(value)) {
    for (const graphql::Value* item : list->values) {
      if (const auto* s = graphql::as<graphql::StringValue>(item)) out.emplace(s->value);
    }
  }
}

template <typename T>
void append_raw(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

}  // namespace

CachePolicy cache_policy(const graphql::Schema& schema, const graphql::Document& document,
                         const graphql::OperationDefinition& operation,
                         const EngineOptions::ResponseCache& options) {
  CachePolicy policy;
  const TypeDef* root = schema.root_type(operation.operation);
  if (root == nullptr || operation.operation == graphql::OperationType::kSubscription) return policy;
  std::vector<const graphql::FieldDef*> fields;
  root_fields(schema, document, *root, operation.selection_set, fields);

  if (operation.operation == graphql::OperationType::kMutation) {
    std::set<std::string> tags;
    for (const auto* field : fields) append_invalidated(*field, tags);
    policy.tags.assign(tags.begin(), tags.end());
    return policy;
  }

  if (fields.empty()) return policy;
  std::optional<std::chrono::seconds> ttl;
  for (const auto* field : fields) {
    auto own = cached_ttl(field->directives);
    if (!own && field->type) own = cached_ttl(field->type.named_type().directives);
    if (!own && options.cache_all_queries) own = options.default_ttl;
    if (!own) return policy;  // one field without a lifetime: the whole response is not kept
    ttl = ttl ? std::min(*ttl, *own) : *own;
  }
  if (!ttl || ttl->count() <= 0) return policy;
  TagCollector collector(schema, document);
  collector.walk(*root, operation.selection_set);
  policy.cacheable = true;
  policy.ttl = *ttl;
  policy.tags = collector.tags();
  return policy;
}

std::string encode_entry(std::string_view body, std::int64_t expires_unix_ms, std::string_view etag) {
  std::string out;
  const auto etag_size = static_cast<std::uint8_t>(std::min<std::size_t>(etag.size(), 255));
  out.reserve(kMagic.size() + sizeof(std::int64_t) + 1 + etag_size + body.size());
  out += kMagic;
  append_raw<std::int64_t>(out, expires_unix_ms);
  out.push_back(static_cast<char>(etag_size));
  out.append(etag.substr(0, etag_size));
  out.append(body);
  return out;
}

std::optional<EntryView> decode_entry(std::string_view entry) {
  constexpr std::size_t kHeader = 4 + sizeof(std::int64_t) + 1;
  if (entry.size() < kHeader || entry.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  EntryView view;
  std::memcpy(&view.expires_unix_ms, entry.data() + kMagic.size(), sizeof(std::int64_t));
  const auto etag_size = static_cast<unsigned char>(entry[kHeader - 1]);
  if (entry.size() < kHeader + etag_size) return std::nullopt;
  view.etag = entry.substr(kHeader, etag_size);
  view.body = entry.substr(kHeader + etag_size);
  return view;
}

std::string response_cache_key(std::string_view normalized_document_hash, std::string_view operation_name,
                               const nlohmann::json& variables, std::string_view auth_scope) {
  const std::string vars = variables.is_object() && !variables.empty() ? variables.dump() : std::string();
  return cache::make_key({normalized_document_hash, operation_name, vars, auth_scope});
}

}  // namespace fraiseql::exec
