#pragma once
/// Introspection (spec §4, §6.3 CollectFields): the `__schema`, `__type(name:)` and
/// `__typename` meta-fields of a validated operation, answered from the Schema alone and
/// written directly as JSON text.
///
/// An executor collects the root fields of an operation itself; for each response key
/// whose field is a meta-field it asks an Introspection to append the value. Everything
/// below that field (fragments, inline fragments, @include/@skip, aliases, arguments
/// given as literals or variables) is handled here.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::graphql {

/// Resolves introspection selections for one operation execution. Cheap to construct;
/// holds references to its arguments, which must outlive it.
class Introspection {
 public:
  /// `variables`: the operation's coerced variable values (coerce_variable_values()).
  Introspection(const Schema& schema, const Document& document, const nlohmann::json& variables);

  /// True for the names answered here: `__schema`, `__type`, `__typename`.
  [[nodiscard]] static bool is_meta_field(std::string_view name) noexcept;

  /// Appends the JSON value of a meta-field selected on an object of type `parent` (the
  /// root type for `__schema` / `__type`). `fields` are every field of the response key,
  /// as CollectFields groups them; their selection sets are merged.
  void append_field(const TypeDef& parent, std::span<const Field* const> fields, std::string& out) const;
  void append_field(const TypeDef& parent, const Field& field, std::string& out) const {
    const Field* one[] = {&field};
    append_field(parent, one, out);
  }

  /// Spec CollectFields: the fields of `selection_sets` that apply to an object of type
  /// `object_type`, grouped by response key in first-seen order, honouring @skip/@include.
  using FieldGroups = std::vector<std::pair<std::string_view, std::vector<const Field*>>>;
  [[nodiscard]] FieldGroups collect_fields(const TypeDef& object_type,
                                           std::span<const SelectionSet* const> selection_sets) const;

 private:
  struct Object;
  void append_object(const Object& object, std::span<const Field* const> fields, std::string& out) const;
  void append_type(TypeRef type, std::span<const Field* const> fields, std::string& out) const;
  void collect(const TypeDef& object_type, const SelectionSet& set, FieldGroups& groups,
               std::unordered_map<std::string_view, std::size_t>& index,
               std::unordered_map<std::string_view, bool>& visited_fragments) const;
  [[nodiscard]] bool included(NodeList<Directive> directives) const;
  [[nodiscard]] nlohmann::json arguments(const FieldDef* def, const Field& field) const;

  const Schema& schema_;
  const nlohmann::json& variables_;
  std::unordered_map<std::string_view, const FragmentDefinition*> fragments_;
};

/// Executes a whole operation whose root fields are all meta-fields (other root fields
/// come out null) and returns the response `{"data":{...}}`, or `{"errors":[...]}` when
/// the operation cannot be chosen or its variables do not coerce. `document` must be
/// valid; `variables_json` is the request's variables object as JSON text (or empty).
std::string execute_introspection(const Schema& schema, const Document& document,
                                  std::string_view operation_name = {}, std::string_view variables_json = {});

/// graphql-js getIntrospectionQuery() with every option on (descriptions,
/// specifiedByUrl, directiveIsRepeatable, schemaDescription, inputValueDeprecation,
/// oneOf): what clients such as GraphiQL send.
std::string_view standard_introspection_query() noexcept;

}  // namespace fraiseql::graphql
