#pragma once
/// The schema mapping: what the FraiseQL directives of a built Schema say about the
/// database. Each object type becomes a TypeMapping (its view, and for each field the JSON
/// key in `data`, or the @join column), each root field of Query a RootField (list,
/// single lookup, connection or aggregate). The compiler reads nothing else.

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fraiseql/core/result.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::sql {

/// The real columns of one view: column name -> SQL type ("" when unknown, e.g. for
/// columns declared by hand rather than read from the catalog).
using ViewColumns = std::map<std::string, std::string, std::less<>>;

/// Options of build_mapping() and of the schema generator.
struct MappingOptions {
  /// GraphQL `createdAt` is the JSON key `created_at` (DESIGN §3); false keeps names as is.
  bool snake_case_keys = true;
  /// Known real columns per view name (as written in @view). A filter, order or leaf
  /// projection of a field whose key is one of these uses the column instead of `data`.
  /// A view absent from the map is assumed to have only `id`.
  std::map<std::string, ViewColumns, std::less<>> view_columns;
  /// Text search configuration of the full-text operators (`search`, `searchPlain`,
  /// `searchPhrase`): the first argument of to_tsvector() and of the *_to_tsquery()
  /// functions, e.g. `english`. A `<key>_tsv` tsvector column must be built with the same.
  std::string text_search_config = "simple";
};

enum class FieldKind : uint8_t {
  kLeaf,      ///< scalar or enum (or a list of them) read from `data`
  kEmbedded,  ///< object or list of objects embedded in `data`
  kJoin,      ///< object or list of objects read through @join
};

struct TypeMapping;

/// One field of a mapped object type.
struct FieldMapping {
  const graphql::FieldDef* def = nullptr;
  std::string name;      ///< GraphQL field name
  std::string json_key;  ///< key in `data` (also the column name looked up in ViewColumns)
  FieldKind kind = FieldKind::kLeaf;
  bool list = false;                       ///< the field's type is a list
  const graphql::TypeDef* type = nullptr;  ///< the named (innermost) type
  const TypeMapping* target = nullptr;     ///< kEmbedded / kJoin: the object type's mapping
  std::string join_column;                 ///< kJoin only
};

/// One object type that is served from a view or embedded in one.
struct TypeMapping {
  const graphql::TypeDef* type = nullptr;
  std::string name;
  std::string view;  ///< @view name; empty for a type that only appears embedded
  ViewColumns columns;
  std::map<std::string, FieldMapping, std::less<>> fields;

  [[nodiscard]] const FieldMapping* field(std::string_view field_name) const noexcept;
  /// The column holding this field's value, or nullptr (always nullptr without a view).
  [[nodiscard]] const std::string* column_of(const FieldMapping& f) const noexcept;
};

enum class RootKind : uint8_t {
  kList,        ///< `users: [User!]!`
  kSingle,      ///< `user(id: ID!): User`: each argument named like a field is an equality
  kConnection,  ///< `posts: PostConnection! @connection`
  kAggregate,   ///< `usersAggregate: UserAggregate!`
};

/// A root field of Query served by SQL, or of Subscription driven by @notify.
struct RootField {
  const graphql::FieldDef* def = nullptr;
  RootKind kind = RootKind::kList;
  const TypeMapping* type = nullptr;  ///< the @view type returned (the node type of a connection)
  std::string channel;                ///< Subscription fields: the @notify channel
};

/// The mapping of a whole schema. Holds the schema it points into. Move-only: fields
/// point at other types' mappings, which a copy would not carry over.
class SchemaMapping {
 public:
  SchemaMapping() = default;
  SchemaMapping(const SchemaMapping&) = delete;
  SchemaMapping& operator=(const SchemaMapping&) = delete;
  SchemaMapping(SchemaMapping&&) noexcept = default;
  SchemaMapping& operator=(SchemaMapping&&) noexcept = default;
  ~SchemaMapping() = default;

  [[nodiscard]] const graphql::Schema& schema() const noexcept { return *schema_; }
  [[nodiscard]] const std::shared_ptr<const graphql::Schema>& schema_ptr() const noexcept { return schema_; }
  /// The mapping of object type `name`, or nullptr.
  [[nodiscard]] const TypeMapping* type(std::string_view name) const noexcept;
  /// The root Query field `name` served by SQL, or nullptr.
  [[nodiscard]] const RootField* root(std::string_view name) const noexcept;
  /// The Subscription field `name` (@notify, one object of a @view type), or nullptr.
  [[nodiscard]] const RootField* subscription_root(std::string_view name) const noexcept;
  /// Every Subscription field, by name.
  [[nodiscard]] const std::map<std::string, RootField, std::less<>>& subscription_roots() const noexcept {
    return subscription_roots_;
  }
  [[nodiscard]] const std::map<std::string, TypeMapping, std::less<>>& types() const noexcept {
    return types_;
  }
  [[nodiscard]] const MappingOptions& options() const noexcept { return options_; }

 private:
  friend Result<SchemaMapping> build_mapping(std::shared_ptr<const graphql::Schema> schema,
                                             const MappingOptions& options);
  std::shared_ptr<const graphql::Schema> schema_;
  MappingOptions options_;
  std::map<std::string, TypeMapping, std::less<>> types_;
  std::map<std::string, RootField, std::less<>> roots_;
  std::map<std::string, RootField, std::less<>> subscription_roots_;
};

/// Reads the directives of `schema` (normally built by build_fraiseql_schema(), so the
/// generated inputs exist). Errors name the type and field: a @join on a scalar, a list
/// root field of a type without @view, a connection type that is not `<T>Connection`.
Result<SchemaMapping> build_mapping(std::shared_ptr<const graphql::Schema> schema,
                                    const MappingOptions& options = {});

/// `createdAt` -> `created_at`, `userID` -> `user_id`, `HTTPServer` -> `http_server`.
std::string to_snake_case(std::string_view name);

}  // namespace fraiseql::sql
