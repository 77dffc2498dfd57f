#include "fraiseql/exec/access.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "fraiseql/graphql/operation.hpp"

namespace fraiseql::exec {
namespace {

namespace g = graphql;

constexpr std::string_view kForbidden = "FORBIDDEN";

// The roles an @auth directive admits; nullopt when `directives` has none.
std::optional<std::vector<std::string_view>> admitted(const g::AppliedDirectives& directives) {
  const g::Directive* auth = g::find_directive(directives, "auth");
  if (auth == nullptr) return std::nullopt;
  std::vector<std::string_view> roles;
  const g::Value* value = g::find_argument(*auth, "roles");
  if (const auto* list = g::as<g::ListValue>(value)) {
    for (const g::Value* v : list->values) {
      if (const auto* s = g::as<g::StringValue>(v)) roles.push_back(s->value);
    }
  } else if (const auto* one = g::as<g::StringValue>(value)) {
    roles.push_back(one->value);  // a single value coerces to a list of one
  }
  return roles;
}

bool allows(const g::AppliedDirectives& directives, std::string_view role) {
  auto roles = admitted(directives);
  return !roles || std::find(roles->begin(), roles->end(), role) != roles->end();
}

class Walk {
 public:
  Walk(const g::Schema& schema, const g::Document& document, const nlohmann::json& variables,
       std::string_view role)
      : schema_(schema), variables_(variables), role_(role) {
    for (const g::Definition* d : document.definitions()) {
      if (const auto* f = g::as<g::FragmentDefinition>(d)) fragments_.push_back(f);
    }
  }

  void selections(const g::TypeDef& type, const g::SelectionSet& set, std::vector<g::PathSegment>& path,
                  bool root) {
    for (const g::Selection* sel : set.selections) {
      if (const auto* f = g::as<g::Field>(sel)) {
        if (included(f->directives)) field(type, *f, path, root);
      } else if (const auto* inl = g::as<g::InlineFragment>(sel)) {
        if (!included(inl->directives)) continue;
        const g::TypeDef* t =
            inl->type_condition != nullptr ? schema_.type(inl->type_condition->name.value) : &type;
        if (t != nullptr) selections(*t, *inl->selection_set, path, root);
      } else if (const auto* spread = g::as<g::FragmentSpread>(sel)) {
        if (!included(spread->directives) || !visiting_.insert(spread->name.value).second) continue;
        auto it = std::find_if(fragments_.begin(), fragments_.end(), [&](const g::FragmentDefinition* d) {
          return d->name.value == spread->name.value;
        });
        if (it != fragments_.end()) {
          if (const g::TypeDef* t = schema_.type((*it)->type_condition->name.value)) {
            selections(*t, *(*it)->selection_set, path, root);
          }
        }
        visiting_.erase(spread->name.value);
      }
    }
  }

  std::vector<g::GraphQLError> errors;

 private:
  void field(const g::TypeDef& parent, const g::Field& f, std::vector<g::PathSegment>& path, bool root) {
    if (f.name.value.starts_with("__")) return;  // meta-fields describe the schema, not data
    const g::FieldDef* def = schema_.field(parent, f.name.value);
    if (def == nullptr) return;  // validation reported it
    const g::TypeDef& returned = def->type.named_type();
    path.emplace_back(std::string(f.response_key()));
    if (!allows(def->directives, role_) || !allows(returned.directives, role_) ||
        (root && !allows(parent.directives, role_))) {
      g::GraphQLError e;
      e.message =
          "Not authorized to read " + std::string(parent.name) + "." + std::string(f.name.value) + ".";
      e.locations.push_back(f.loc);
      e.path = path;
      e.code = std::string(kForbidden);
      errors.push_back(std::move(e));
    } else if (f.selection_set != nullptr) {
      selections(returned, *f.selection_set, path, false);
    }
    path.pop_back();
  }

  [[nodiscard]] bool included(g::NodeList<g::Directive> directives) const {
    return g::is_included(schema_, directives, variables_);
  }

  const g::Schema& schema_;
  const nlohmann::json& variables_;
  std::string_view role_;
  std::vector<const g::FragmentDefinition*> fragments_;
  std::unordered_set<std::string_view> visiting_;
};

}  // namespace

std::vector<graphql::GraphQLError> check_access(const graphql::Schema& schema,
                                                const graphql::Document& document,
                                                const graphql::OperationDefinition& operation,
                                                const nlohmann::json& variables, std::string_view role) {
  const g::TypeDef* root = schema.root_type(operation.operation);
  if (root == nullptr || operation.selection_set == nullptr) return {};
  Walk walk(schema, document, variables, role);
  std::vector<g::PathSegment> path;
  walk.selections(*root, *operation.selection_set, path, true);
  return std::move(walk.errors);
}

bool schema_uses_auth(const graphql::Schema& schema) {
  for (const g::TypeDef* t : schema.types()) {
    if (t->directive("auth") != nullptr) return true;
    for (const auto& f : t->fields) {
      if (g::find_directive(f.directives, "auth") != nullptr) return true;
    }
  }
  return false;
}

}  // namespace fraiseql::exec
