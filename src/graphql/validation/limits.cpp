// FraiseQL's cost limits (MaxDepth, MaxAliases, MaxComplexity; code QUERY_TOO_COMPLEX),
// checked per operation with fragments expanded. The cost model is documented in
// validation.hpp. Each fragment's figures are computed once and reused at every spread,
// so a document that spreads fragments exponentially costs linear time to measure.

#include <charconv>
#include <limits>

#include "context.hpp"

namespace fraiseql::graphql::validation {

namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > kSaturated - b ? kSaturated : a + b;
}
uint64_t sat_mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

struct Metrics {
  uint64_t depth = 0;
  uint64_t aliases = 0;
  uint64_t cost = 0;
};

struct Memo {
  bool in_progress = false;
  bool done = false;
  Metrics metrics;
};

class Measure {
 public:
  Measure(Validator& v, const ValidationOptions& options)
      : v_(v), options_(options), memo_(&v.arena_), memo_sized_(&v.arena_) {}

  Metrics selection_set(const SelectionSet& set, const TypeDef* parent, bool under_connection) {
    Metrics total;
    for (const Selection* selection : set.selections) {
      Metrics m;
      switch (selection->kind) {
        case NodeKind::kField:
          m = field(static_cast<const Field&>(*selection), parent, under_connection);
          break;
        case NodeKind::kInlineFragment: {
          const auto& inline_fragment = static_cast<const InlineFragment&>(*selection);
          const TypeDef* type = parent;
          if (inline_fragment.type_condition != nullptr) {
            TypeRef t = v_.type_from_ast(*inline_fragment.type_condition);
            type = t ? &t.named_type() : nullptr;
          }
          if (inline_fragment.selection_set != nullptr) {
            m = selection_set(*inline_fragment.selection_set, type, under_connection);
          }
          break;
        }
        case NodeKind::kFragmentSpread:
          m = spread(static_cast<const FragmentSpread&>(*selection), under_connection);
          break;
        default: break;
      }
      total.depth = std::max(total.depth, m.depth);
      total.aliases = sat_add(total.aliases, m.aliases);
      total.cost = sat_add(total.cost, m.cost);
    }
    return total;
  }

 private:
  // The literal page size of a field (first/last/limit), if it has such an argument.
  bool size_argument(const Field& f, uint64_t& size) const {
    for (const Argument* a : f.arguments) {
      const std::string_view n = a->name.value;
      if (n != "first" && n != "last" && n != "limit") continue;
      size = options_.default_list_size;
      if (const auto* i = as<IntValue>(a->value)) {
        uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(i->raw.data(), i->raw.data() + i->raw.size(), value);
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && value > options_.max_list_size)) {
          value = options_.max_list_size;
        } else if (ec != std::errc()) {
          value = 0;  // negative: an empty page (execution rejects it)
        }
        size = value;
      }
      return true;
    }
    return false;
  }

  Metrics field(const Field& f, const TypeDef* parent, bool under_connection) {
    if (f.name.value.starts_with("__")) return introspection(f);
    const FieldDef* def = parent != nullptr ? v_.schema_.field(*parent, f.name.value) : nullptr;
    const bool is_list = def != nullptr && def->type.nullable().is_list();
    uint64_t size = 1;
    const bool sized = size_argument(f, size);
    uint64_t multiplier = 1;
    if (sized) {
      multiplier = size;
    } else if (is_list && !under_connection) {
      multiplier = options_.default_list_size;
    }
    Metrics children;
    if (f.selection_set != nullptr) {
      const TypeDef* type = def != nullptr ? def->type.named_type_ptr() : nullptr;
      children = selection_set(*f.selection_set, type, sized && !is_list);
    }
    Metrics m;
    m.depth = children.depth + 1;
    m.aliases = sat_add(children.aliases, f.alias.empty() ? 0 : 1);
    m.cost = sat_add(1, sat_mul(multiplier, children.cost));
    return m;
  }

  // Introspection is answered from the in-memory schema, never from the database, and
  // MaxIntrospectionDepth bounds it: it costs 1 and counts for depth and aliases only.
  Metrics introspection(const Field& f) {
    Metrics m;
    if (f.selection_set != nullptr) m = selection_set(*f.selection_set, nullptr, false);
    m.depth += 1;
    m.aliases = sat_add(m.aliases, f.alias.empty() ? 0 : 1);
    m.cost = 1;
    return m;
  }

  Metrics spread(const FragmentSpread& s, bool under_connection) {
    const FragmentDefinition* def = v_.fragment(s.name.value);
    if (def == nullptr || def->selection_set == nullptr) return {};
    Memo& memo = (under_connection ? memo_sized_ : memo_)[def];
    if (memo.done) return memo.metrics;
    if (memo.in_progress) return {};  // a cycle: NoFragmentCycles reports it
    memo.in_progress = true;
    const TypeDef* type = nullptr;
    if (def->type_condition != nullptr) {
      TypeRef t = v_.type_from_ast(*def->type_condition);
      type = t ? &t.named_type() : nullptr;
    }
    Metrics m = selection_set(*def->selection_set, type, under_connection);
    Memo& after = (under_connection ? memo_sized_ : memo_)[def];
    after.in_progress = false;
    after.done = true;
    after.metrics = m;
    return m;
  }

  Validator& v_;
  const ValidationOptions& options_;
  PMap<const FragmentDefinition*, Memo> memo_;
  PMap<const FragmentDefinition*, Memo> memo_sized_;
};

}  // namespace

void Validator::check_limits() {
  if (options_.max_depth == 0 && options_.max_aliases == 0 && options_.max_complexity == 0) return;
  Measure measure(*this, options_);
  for (const OperationDefinition* op : operations_) {
    if (op->selection_set == nullptr) continue;
    const TypeDef* root = schema_.root_type(op->operation);
    const Metrics m = measure.selection_set(*op->selection_set, root, false);
    const std::string subject =
        op->name.empty() ? std::string("The anonymous operation") : "Operation " + quoted(op->name.value);
    auto add = [&](std::string_view rule_name, std::string message) {
      GraphQLError error;
      error.message = std::move(message);
      error.locations = {op->loc};
      error.code = std::string(code::kQueryTooComplex);
      error.rule = std::string(rule_name);
      limit_errors_.push_back(std::move(error));
    };
    if (options_.max_depth != 0 && m.depth > options_.max_depth) {
      add(rule::kMaxDepth, subject + " has a selection depth of " + std::to_string(m.depth) +
                               ", more than the limit of " + std::to_string(options_.max_depth) + ".");
    }
    if (options_.max_aliases != 0 && m.aliases > options_.max_aliases) {
      add(rule::kMaxAliases, subject + " uses " + std::to_string(m.aliases) +
                                 " aliases, more than the limit of " + std::to_string(options_.max_aliases) +
                                 ".");
    }
    if (options_.max_complexity != 0 && m.cost > options_.max_complexity) {
      add(rule::kMaxComplexity,
          subject + " has an estimated cost of " +
              (m.cost == kSaturated ? std::string("over 2^64") : std::to_string(m.cost)) +
              ", more than the limit of " + std::to_string(options_.max_complexity) + ".");
    }
  }
}

}  // namespace fraiseql::graphql::validation
