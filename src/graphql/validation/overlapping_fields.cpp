// https://spec.graphql.org/October2021/#sec-Field-Selection-Merging
//
// graphql-js OverlappingFieldsCanBeMergedRule, algorithm and caches included: collected
// fields are cached per (parent type, selection set), fragment pairs are compared once
// (per exclusivity), field-to-fragment comparisons and overlapping response names are
// memoised per collected set, and a work budget aborts validation of documents built to
// be quadratic, exactly where graphql-js does.

#include <deque>
#include <functional>

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

constexpr std::size_t kMaxConflictDetailLength = 1000;
constexpr std::size_t kMaxConflictNodes = 20;
constexpr int64_t kComplexityBudget = 500'000;

enum class Reason : uint8_t { kNone, kDifferentFields, kDifferingArguments };

struct FieldInfo;

struct FieldDetail {
  const TypeDef* parent_type = nullptr;
  const Field* node = nullptr;
  const FieldDef* definition = nullptr;
  bool simple_leaf = false;
  FieldInfo* info = nullptr;
};

struct FieldInfo {
  explicit FieldInfo(std::pmr::memory_resource* arena) : comparisons(arena), type_string(arena) {}
  PMap<const FieldInfo*, Reason> comparisons;
  const TypeDef* named_type = nullptr;
  std::pmr::string type_string;
};

struct Group {
  std::string_view response_name;
  PVector<FieldDetail*> fields;
};

struct Overlap {
  std::string_view response_name;
  const PVector<FieldDetail*>* fields1;
  const PVector<FieldDetail*>* fields2;
};

struct Collected {
  explicit Collected(std::pmr::memory_resource* arena)
      : groups(arena), index(arena), fragment_names(arena), compared_fragments(arena), overlapping(arena) {}
  PVector<Group> groups;
  PMap<std::string_view, uint32_t> index;
  PVector<std::string_view> fragment_names;
  PMap<std::string_view, bool> compared_fragments;  // value: compared as mutually exclusive
  PMap<const Collected*, PVector<Overlap>> overlapping;
};

struct Conflict {
  std::string response_name;
  std::string reason;
  std::vector<const Field*> fields1;
  std::vector<const Field*> fields2;
};

struct PairKey {
  std::string_view a;
  std::string_view b;
  friend bool operator==(const PairKey&, const PairKey&) = default;
};
struct PairHash {
  std::size_t operator()(const PairKey& k) const noexcept {
    const std::size_t h = std::hash<std::string_view>{}(k.a);
    return h ^ (std::hash<std::string_view>{}(k.b) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};
struct CollectKey {
  const TypeDef* type;
  const SelectionSet* set;
  friend bool operator==(const CollectKey&, const CollectKey&) = default;
};
struct CollectHash {
  std::size_t operator()(const CollectKey& k) const noexcept {
    return std::hash<const void*>{}(k.type) * 31 + std::hash<const void*>{}(k.set);
  }
};

std::string abbreviate(std::string_view text) {
  if (text.size() <= kMaxConflictDetailLength) return std::string(text);
  return std::string(text.substr(0, kMaxConflictDetailLength)) + "...";
}

// Structural equality of two literals: graphql-js compares JSON dumps in which object
// fields are sorted by name.
bool same_value(const Value* a, const Value* b);

bool same_object(const ObjectValue& a, const ObjectValue& b) {
  if (a.fields.size() != b.fields.size()) return false;
  std::vector<const ObjectField*> fa(a.fields.begin(), a.fields.end());
  std::vector<const ObjectField*> fb(b.fields.begin(), b.fields.end());
  auto by_name = [](const ObjectField* x, const ObjectField* y) { return x->name.value < y->name.value; };
  std::stable_sort(fa.begin(), fa.end(), by_name);
  std::stable_sort(fb.begin(), fb.end(), by_name);
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (fa[i]->name.value != fb[i]->name.value || !same_value(fa[i]->value, fb[i]->value)) return false;
  }
  return true;
}

bool same_value(const Value* a, const Value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case NodeKind::kVariable:
      return static_cast<const Variable*>(a)->name.value == static_cast<const Variable*>(b)->name.value;
    case NodeKind::kIntValue:
      return static_cast<const IntValue*>(a)->raw == static_cast<const IntValue*>(b)->raw;
    case NodeKind::kFloatValue:
      return static_cast<const FloatValue*>(a)->raw == static_cast<const FloatValue*>(b)->raw;
    case NodeKind::kStringValue: {
      const auto* x = static_cast<const StringValue*>(a);
      const auto* y = static_cast<const StringValue*>(b);
      return x->value == y->value && x->block == y->block;
    }
    case NodeKind::kBooleanValue:
      return static_cast<const BooleanValue*>(a)->value == static_cast<const BooleanValue*>(b)->value;
    case NodeKind::kNullValue: return true;
    case NodeKind::kEnumValue:
      return static_cast<const EnumValue*>(a)->value == static_cast<const EnumValue*>(b)->value;
    case NodeKind::kListValue: {
      const auto& x = static_cast<const ListValue*>(a)->values;
      const auto& y = static_cast<const ListValue*>(b)->values;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!same_value(x[i], y[i])) return false;
      }
      return true;
    }
    case NodeKind::kObjectValue:
      return same_object(*static_cast<const ObjectValue*>(a), *static_cast<const ObjectValue*>(b));
    default: return false;
  }
}

}  // namespace

struct OverlapState {
  OverlapState(Validator& v, std::pmr::memory_resource* resource)
      : validator(v),
        arena(resource),
        compared_pairs(resource),
        collected_cache(resource),
        details(resource),
        infos(),
        collected() {}

  Validator& validator;
  std::pmr::memory_resource* arena;
  std::pmr::unordered_map<PairKey, bool, PairHash> compared_pairs;
  std::pmr::unordered_map<CollectKey, Collected*, CollectHash> collected_cache;
  std::pmr::deque<FieldDetail> details;
  std::deque<FieldInfo> infos;
  std::deque<Collected> collected;
  int64_t budget = kComplexityBudget;

  void spend(int64_t cost) {
    budget -= cost;
    if (budget < 0) throw ValidationAborted{};
  }

  // ---- field collection ----

  void collect_impl(const TypeDef* parent_type, const SelectionSet& set, Collected& out) {
    for (const Selection* selection : set.selections) {
      switch (selection->kind) {
        case NodeKind::kField: {
          const auto& field = static_cast<const Field&>(*selection);
          const FieldDef* def = nullptr;
          if (parent_type != nullptr &&
              (parent_type->kind == TypeKind::kObject || parent_type->kind == TypeKind::kInterface)) {
            def = parent_type->field(field.name.value);
          }
          const std::string_view key = field.response_key();
          auto [it, inserted] = out.index.try_emplace(key, static_cast<uint32_t>(out.groups.size()));
          if (inserted) out.groups.push_back(Group{key, PVector<FieldDetail*>(arena)});
          FieldDetail& detail = details.emplace_back();
          detail.parent_type = parent_type;
          detail.node = &field;
          detail.definition = def;
          detail.simple_leaf = field.arguments.empty() && field.selection_set == nullptr;
          out.groups[it->second].fields.push_back(&detail);
          break;
        }
        case NodeKind::kFragmentSpread: {
          const std::string_view name = static_cast<const FragmentSpread&>(*selection).name.value;
          bool seen = false;
          for (std::string_view n : out.fragment_names) seen = seen || n == name;
          if (!seen) out.fragment_names.push_back(name);
          break;
        }
        case NodeKind::kInlineFragment: {
          const auto& inline_fragment = static_cast<const InlineFragment&>(*selection);
          const TypeDef* type = parent_type;
          if (inline_fragment.type_condition != nullptr) {
            TypeRef t = validator.type_from_ast(*inline_fragment.type_condition);
            type = t ? &t.named_type() : nullptr;
          }
          if (inline_fragment.selection_set != nullptr)
            collect_impl(type, *inline_fragment.selection_set, out);
          break;
        }
        default: break;
      }
    }
  }

  Collected& collect(const TypeDef* parent_type, const SelectionSet& set) {
    auto [it, inserted] = collected_cache.try_emplace(CollectKey{parent_type, &set}, nullptr);
    if (!inserted) return *it->second;
    Collected& result = collected.emplace_back(arena);
    it->second = &result;
    collect_impl(parent_type, set, result);
    return result;
  }

  Collected* collect_fragment(const FragmentDefinition& fragment) {
    if (fragment.selection_set == nullptr) return nullptr;
    const TypeDef* type = nullptr;
    if (fragment.type_condition != nullptr) {
      TypeRef t = validator.type_from_ast(*fragment.type_condition);
      type = t ? &t.named_type() : nullptr;
    }
    return &collect(type, *fragment.selection_set);
  }

  FieldInfo& info(FieldDetail& detail) {
    if (detail.info == nullptr) {
      FieldInfo& i = infos.emplace_back(arena);
      i.named_type = detail.definition != nullptr ? detail.definition->type.named_type_ptr() : nullptr;
      detail.info = &i;
    }
    return *detail.info;
  }

  // ---- comparisons ----

  bool same_arguments(const Field& a, const Field& b) {
    if (a.arguments.size() != b.arguments.size()) return false;
    for (const Argument* arg1 : a.arguments) {
      spend(1);
      const Argument* arg2 = nullptr;
      // graphql-js keys the second list by name: the last argument of a name wins.
      for (const Argument* candidate : b.arguments) {
        if (candidate->name.value == arg1->name.value) arg2 = candidate;
      }
      if (arg2 == nullptr || !same_value(arg1->value, arg2->value)) return false;
    }
    return true;
  }

  bool types_conflict(TypeRef t1, TypeRef t2) {
    if (t1 == t2) return false;
    spend(1);
    if (t1.is_list()) return t2.is_list() ? types_conflict(t1.of_type(), t2.of_type()) : true;
    if (t2.is_list()) return true;
    if (t1.is_non_null()) return t2.is_non_null() ? types_conflict(t1.of_type(), t2.of_type()) : true;
    if (t2.is_non_null()) return true;
    if (t1.named_type().is_leaf() || t2.named_type().is_leaf()) return &t1.named_type() != &t2.named_type();
    return false;
  }

  bool find_conflict(bool parents_exclusive, std::string_view response_name, FieldDetail& f1, FieldDetail& f2,
                     Conflict& out) {
    const bool exclusive =
        parents_exclusive ||
        (f1.parent_type != f2.parent_type && f1.parent_type != nullptr && f2.parent_type != nullptr &&
         f1.parent_type->kind == TypeKind::kObject && f2.parent_type->kind == TypeKind::kObject);
    spend(2);
    const TypeRef type1 = f1.definition != nullptr ? f1.definition->type : TypeRef{};
    const TypeRef type2 = f2.definition != nullptr ? f2.definition->type : TypeRef{};
    const Field& node1 = *f1.node;
    const Field& node2 = *f2.node;
    if (f1.simple_leaf && f2.simple_leaf && type1 == type2 && node1.name.value == node2.name.value)
      return false;

    if (!exclusive) {
      FieldInfo& i1 = info(f1);
      FieldInfo& i2 = info(f2);
      Reason reason = Reason::kNone;
      if (auto it = i1.comparisons.find(&i2); it != i1.comparisons.end()) {
        reason = it->second;
      } else {
        if (node1.name.value != node2.name.value) {
          reason = Reason::kDifferentFields;
        } else if (!same_arguments(node1, node2)) {
          reason = Reason::kDifferingArguments;
        }
        i1.comparisons.emplace(&i2, reason);
      }
      if (reason != Reason::kNone) {
        out.response_name = std::string(response_name);
        out.reason = reason == Reason::kDifferentFields
                         ? quoted(abbreviate(node1.name.value)) + " and " +
                               quoted(abbreviate(node2.name.value)) + " are different fields"
                         : std::string("they have differing arguments");
        out.fields1 = {&node1};
        out.fields2 = {&node2};
        return true;
      }
    }

    if (type1 && type2 && types_conflict(type1, type2)) {
      FieldInfo& i1 = info(f1);
      FieldInfo& i2 = info(f2);
      if (i1.type_string.empty()) i1.type_string = type1.to_string();
      if (i2.type_string.empty()) i2.type_string = type2.to_string();
      out.response_name = std::string(response_name);
      out.reason = "they return conflicting types \"" + std::string(i1.type_string) + "\" and \"" +
                   std::string(i2.type_string) + "\"";
      out.fields1 = {&node1};
      out.fields2 = {&node2};
      return true;
    }

    if (node1.selection_set != nullptr && node2.selection_set != nullptr) {
      std::vector<Conflict> sub;
      find_between_sub_selection_sets(sub, exclusive, info(f1).named_type, *node1.selection_set,
                                      info(f2).named_type, *node2.selection_set);
      if (sub.empty()) return false;
      std::string message;
      for (const Conflict& c : sub) {
        if (!message.empty()) message += " and ";
        message += "subfields \"" + abbreviate(c.response_name) + "\" conflict because " + c.reason;
        if (message.size() > kMaxConflictDetailLength) break;
      }
      out.response_name = std::string(response_name);
      out.reason = abbreviate(message);
      out.fields1 = conflict_nodes(node1, sub, true);
      out.fields2 = conflict_nodes(node2, sub, false);
      return true;
    }
    return false;
  }

  static std::vector<const Field*> conflict_nodes(const Field& node, const std::vector<Conflict>& conflicts,
                                                  bool first) {
    std::vector<const Field*> nodes{&node};
    for (const Conflict& c : conflicts) {
      const std::vector<const Field*>& side = first ? c.fields1 : c.fields2;
      const std::size_t remaining = kMaxConflictNodes - nodes.size();
      const std::size_t take = std::min(remaining, side.size());
      nodes.insert(nodes.end(), side.end() - static_cast<std::ptrdiff_t>(take), side.end());
      if (nodes.size() == kMaxConflictNodes) break;
    }
    return nodes;
  }

  void conflicts_within(std::vector<Conflict>& conflicts, Collected& collected_fields) {
    for (Group& group : collected_fields.groups) {
      if (group.fields.size() < 2) continue;
      for (std::size_t i = 0; i < group.fields.size(); ++i) {
        for (std::size_t j = i + 1; j < group.fields.size(); ++j) {
          Conflict c;
          if (find_conflict(false, group.response_name, *group.fields[i], *group.fields[j], c)) {
            conflicts.push_back(std::move(c));
          }
        }
      }
    }
  }

  const PVector<Overlap>& overlapping(Collected& c1, Collected& c2) {
    auto [it, inserted] = c1.overlapping.try_emplace(&c2, PVector<Overlap>(arena));
    if (!inserted) return it->second;
    for (Group& g1 : c1.groups) {
      spend(1);
      auto found = c2.index.find(g1.response_name);
      if (found != c2.index.end()) {
        it->second.push_back(Overlap{g1.response_name, &g1.fields, &c2.groups[found->second].fields});
      }
    }
    return it->second;
  }

  void conflicts_between(std::vector<Conflict>& conflicts, bool exclusive, Collected& c1, Collected& c2) {
    if (c1.groups.empty() || c2.groups.empty()) return;
    // Map values keep their address when nested comparisons add entries.
    const PVector<Overlap>& overlaps = overlapping(c1, c2);
    for (const Overlap& o : overlaps) {
      for (FieldDetail* f1 : *o.fields1) {
        for (FieldDetail* f2 : *o.fields2) {
          Conflict c;
          if (find_conflict(exclusive, o.response_name, *f1, *f2, c)) conflicts.push_back(std::move(c));
        }
      }
    }
  }

  void between_fields_and_fragment(std::vector<Conflict>& conflicts, bool exclusive, Collected& fields,
                                   std::string_view fragment_name) {
    spend(1);
    if (fields.groups.empty()) return;
    auto it = fields.compared_fragments.find(fragment_name);
    if (it != fields.compared_fragments.end()) {
      // Only a non-exclusive comparison can be reused for overlapping parents.
      if (!it->second || exclusive) return;
    }
    fields.compared_fragments[fragment_name] = exclusive;
    const FragmentDefinition* fragment = validator.fragment(fragment_name);
    if (fragment == nullptr) return;
    Collected* fragment_fields = collect_fragment(*fragment);
    if (fragment_fields == nullptr || fragment_fields == &fields) return;
    conflicts_between(conflicts, exclusive, fields, *fragment_fields);
    for (std::size_t i = 0; i < fragment_fields->fragment_names.size(); ++i) {
      between_fields_and_fragment(conflicts, exclusive, fields, fragment_fields->fragment_names[i]);
    }
  }

  void between_fragments(std::vector<Conflict>& conflicts, bool exclusive, std::string_view name1,
                         std::string_view name2) {
    spend(2);
    if (name1 == name2) return;
    // PairSet.has(): a pair compared non-exclusively also covers exclusive comparisons.
    auto has = [&](std::string_view a, std::string_view b) {
      auto it = compared_pairs.find(PairKey{a, b});
      if (it == compared_pairs.end()) return false;
      return exclusive ? true : it->second == exclusive;
    };
    if (has(name1, name2) || has(name2, name1)) return;
    compared_pairs[PairKey{name1, name2}] = exclusive;
    const FragmentDefinition* fragment1 = validator.fragment(name1);
    const FragmentDefinition* fragment2 = validator.fragment(name2);
    if (fragment1 == nullptr || fragment2 == nullptr) return;
    Collected* c1 = collect_fragment(*fragment1);
    Collected* c2 = collect_fragment(*fragment2);
    if (c1 == nullptr || c2 == nullptr) return;
    conflicts_between(conflicts, exclusive, *c1, *c2);
    for (std::size_t i = 0; i < c2->fragment_names.size(); ++i) {
      between_fragments(conflicts, exclusive, name1, c2->fragment_names[i]);
    }
    for (std::size_t i = 0; i < c1->fragment_names.size(); ++i) {
      between_fragments(conflicts, exclusive, c1->fragment_names[i], name2);
    }
  }

  void find_between_sub_selection_sets(std::vector<Conflict>& conflicts, bool exclusive, const TypeDef* type1,
                                       const SelectionSet& set1, const TypeDef* type2,
                                       const SelectionSet& set2) {
    Collected& c1 = collect(type1, set1);
    Collected& c2 = collect(type2, set2);
    conflicts_between(conflicts, exclusive, c1, c2);
    for (std::size_t i = 0; i < c2.fragment_names.size(); ++i) {
      between_fields_and_fragment(conflicts, exclusive, c1, c2.fragment_names[i]);
    }
    for (std::size_t i = 0; i < c1.fragment_names.size(); ++i) {
      between_fields_and_fragment(conflicts, exclusive, c2, c1.fragment_names[i]);
    }
    for (std::size_t i = 0; i < c1.fragment_names.size(); ++i) {
      for (std::size_t j = 0; j < c2.fragment_names.size(); ++j) {
        between_fragments(conflicts, exclusive, c1.fragment_names[i], c2.fragment_names[j]);
      }
    }
  }

  void find_within(std::vector<Conflict>& conflicts, const TypeDef* parent_type, const SelectionSet& set) {
    Collected& c = collect(parent_type, set);
    conflicts_within(conflicts, c);
    const std::size_t n = c.fragment_names.size();
    if (n != 0 && (!c.groups.empty() || n > 1)) {
      for (std::size_t i = 0; i < n; ++i) {
        between_fields_and_fragment(conflicts, false, c, c.fragment_names[i]);
        for (std::size_t j = i + 1; j < n; ++j) {
          between_fragments(conflicts, false, c.fragment_names[i], c.fragment_names[j]);
        }
      }
    }
  }
};

void OverlapStateDeleter::operator()(OverlapState* state) const noexcept {
  delete state;
}

void Validator::overlapping_fields_can_be_merged(const SelectionSet& set, const TypeDef* parent_type) {
  // A single field cannot conflict with itself; its sub-selections are checked on their own.
  if (set.selections.size() <= 1 &&
      (set.selections.empty() || set.selections[0]->kind != NodeKind::kInlineFragment)) {
    return;
  }
  if (!overlap_) overlap_.reset(new OverlapState(*this, &arena_));
  std::vector<Conflict> conflicts;
  overlap_->find_within(conflicts, parent_type, set);
  for (Conflict& c : conflicts) {
    std::vector<Location> locations;
    locations.reserve(c.fields1.size() + c.fields2.size());
    for (const Field* f : c.fields1) locations.push_back(f->loc);
    for (const Field* f : c.fields2) locations.push_back(f->loc);
    report(rule::kOverlappingFieldsCanBeMerged,
           "Fields \"" + abbreviate(c.response_name) + "\" conflict because " + c.reason +
               ". Use different aliases on the fields to fetch both if this was intentional.",
           std::move(locations));
  }
}

}  // namespace fraiseql::graphql::validation
