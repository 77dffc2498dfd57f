#pragma once
// What the response cache needs to know of an operation, read from the schema's
// directives once per document, and the layout of a cached entry.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fraiseql/exec/engine.hpp"
#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/schema.hpp"

namespace fraiseql::exec {

/// A query's lifetime and the types it reads, or a mutation's invalidations.
struct CachePolicy {
  /// Queries: every data root field has a lifetime. Never set for other operations.
  bool cacheable = false;
  std::chrono::seconds ttl{0};
  /// Queries: the @view types the selection reaches (the entry's tags). Mutations: the
  /// types named by the root fields' @function(invalidates:). Sorted, no duplicates.
  std::vector<std::string> tags;
};

/// Works out the policy of `operation` (of a validated `document`) against `schema`.
/// Meta root fields (`__typename`, `__schema`, `__type`) neither give nor limit a
/// lifetime; an operation made only of them is answered in process and never cached.
CachePolicy cache_policy(const graphql::Schema& schema, const graphql::Document& document,
                         const graphql::OperationDefinition& operation,
                         const EngineOptions::ResponseCache& options);

/// A cached entry: a small header (absolute expiry in Unix milliseconds, so every
/// instance serving it from Redis tells clients the same remaining lifetime, and the
/// entity tag, so a hit does not hash the body again), then the body.
std::string encode_entry(std::string_view body, std::int64_t expires_unix_ms, std::string_view etag);

struct EntryView {
  std::int64_t expires_unix_ms = 0;
  std::string_view etag;
  std::string_view body;
};
/// nullopt when `entry` is not in encode_entry's layout.
std::optional<EntryView> decode_entry(std::string_view entry);

/// The cache key of one request: the normalised document, the operation, the coerced
/// variables (nlohmann's objects are ordered, so their dump is canonical) and the scope.
std::string response_cache_key(std::string_view normalized_document_hash, std::string_view operation_name,
                               const nlohmann::json& variables, std::string_view auth_scope);

}  // namespace fraiseql::exec
