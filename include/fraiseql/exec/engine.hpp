#pragma once
/// One GraphQL operation end to end, whatever the transport: parse and validate (both
/// cached per document text), choose the operation, coerce its variables, answer the
/// meta-fields (`__schema`, `__type`, `__typename`) in process and hand every other root
/// field to a DataSource, which turns the operation into SQL.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/exec/authenticator.hpp"
#include "fraiseql/exec/persisted_queries.hpp"
#include "fraiseql/graphql/ast.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema.hpp"
#include "fraiseql/graphql/validation.hpp"
#include "fraiseql/resilience/rate_limiter.hpp"

namespace prometheus {
class Counter;
class Histogram;
}  // namespace prometheus

namespace fraiseql::metrics {
class Registry;
}  // namespace fraiseql::metrics

namespace fraiseql::cache {
class Cache;
}  // namespace fraiseql::cache

namespace fraiseql::exec {

/// What a transport received: the GraphQL-over-HTTP request parameters.
struct OperationRequest {
  std::string query;
  bool has_query = true;
  std::string operation_name;          // empty when absent
  nlohmann::json variables = nullptr;  // an object, or null when absent
  nlohmann::json extensions = nullptr;
  /// Set for GET: only queries run, a mutation is refused (kMethodNotAllowed).
  bool queries_only = false;
  std::string request_id;
  /// Who is asking, as far as authorisation is concerned (roles, tenant...): part of the
  /// response-cache key, so two scopes never share an entry. Empty is anonymous. Set by
  /// the engine from `authorization` when an authenticator is configured.
  std::string auth_scope;
  /// The `Authorization` header ("Bearer <jwt>"), or the token a WebSocket client gave
  /// in connection_init as "Bearer <jwt>"; empty when none.
  std::string authorization;
};

/// How an operation ended; transports map it to a status (GraphQL over HTTP §7).
enum class Outcome : std::uint8_t {
  kExecuted,          // the response has `data` (perhaps with field errors)
  kRequestError,      // parse, validation, operation choice or variables: no `data`
  kBadRequest,        // malformed request parameters (a bad persisted-query extension)
  kForbidden,         // refused by policy (allow-list, @auth roles)
  kUnauthenticated,   // a bearer token that does not verify, or none where one is required
  kRateLimited,       // the caller's rate limit is used up; retry_after says for how long
  kMethodNotAllowed,  // a mutation asked for over a transport that only runs queries
  kUnavailable,       // a dependency is down; no `data`
  kInternalError,     // a defect; no `data`
};

/// Where a response came from, as far as the response cache is concerned.
enum class CacheStatus : std::uint8_t {
  kNone,      // not cacheable (a mutation, no @cached, the cache off, an error...)
  kMiss,      // cacheable, computed now and stored
  kHitLocal,  // served by the in-process tier
  kHitRedis,  // served by Redis
};

struct OperationResponse {
  Outcome outcome = Outcome::kExecuted;
  std::string body;  // the whole GraphQL response, JSON text
  CacheStatus cache = CacheStatus::kNone;
  /// For a cacheable response (cache != kNone): how long it stays fresh, in seconds (a
  /// cached entry's remaining lifetime), and a strong entity tag of the body, quoted.
  std::chrono::seconds max_age{0};
  std::string etag;
  /// The response depends on the caller's auth_scope: shared HTTP caches must not keep it.
  bool private_scope = false;
  /// kRateLimited: when a request may succeed again (Retry-After).
  std::chrono::seconds retry_after{0};
};

using Done = std::function<void(OperationResponse)>;

/// A parsed and validated document, shared by every request with the same text.
struct PreparedDocument {
  std::string text;
  std::optional<graphql::Document> document;  // empty when parsing failed
  std::vector<graphql::GraphQLError> errors;  // parse or validation errors

  /// What a data source compiled for an operation of this document, by operation name,
  /// kept with the document so a repeated request skips compilation too. Opaque here.
  mutable std::mutex plans_mu;
  mutable std::unordered_map<std::string, std::shared_ptr<const void>> plans;
  /// The response cache's view of each operation (lifetime, tags), by operation name;
  /// opaque here, worked out once per document (response_cache.cpp).
  mutable std::unordered_map<std::string, std::shared_ptr<const void>> cache_policies;
  /// SHA-256 of the printed document: texts that differ only in ignored tokens share it.
  std::string normalized_hash;
};

/// One operation ready to run: its document, definition, coerced variables, and the
/// rendered JSON of its meta root fields, in response-key order.
struct ReadyOperation {
  std::shared_ptr<const PreparedDocument> prepared;
  const graphql::OperationDefinition* operation = nullptr;
  nlohmann::json variables;  // coerced, an object
  /// Response key → JSON value text, for the root fields answered here.
  std::vector<std::pair<std::string, std::string>> meta_fields;
  std::string request_id;
  /// The caller's database context: set_config(name, value, true) in every transaction
  /// of the operation (RLS), and the token's subject (read-your-writes).
  std::vector<std::pair<std::string, std::string>> db_settings;
  std::string subject;
};

/// Runs the root fields that read or write data (SQL on the database). Calls `done`
/// exactly once, from any thread.
class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual void execute(ReadyOperation operation, Done done) = 0;
};

struct EngineOptions {
  graphql::ParseOptions parse;
  graphql::ValidationOptions validation;
  /// Documents kept parsed and validated (least recently used go first); 0 disables.
  std::size_t document_cache_entries = 1000;
  /// Longest document text kept in the cache; longer ones are prepared every time.
  std::size_t document_cache_max_bytes = 64 * 1024;
  /// Apollo's automatic persisted queries: documents registered by hash, at most this
  /// many kept; 0 turns the protocol off.
  std::size_t persisted_query_entries = 10'000;
  /// When set, only the documents it holds run (by hash or by text).
  std::shared_ptr<const AllowList> allow_list;
  /// Verifies `OperationRequest::authorization`; null: every caller is anonymous (and
  /// fields under @auth are refused to everyone).
  std::shared_ptr<const Authenticator> authenticator;
  /// Requests per token subject (authenticated callers only); null: unlimited.
  std::shared_ptr<resilience::RateLimiter> subject_limiter;
  /// Counts requests refused by subject_limiter; may be null.
  prometheus::Counter* subject_limited = nullptr;

  /// The response cache. Only queries are cached: a
  /// query whose root fields all carry a lifetime (`@cached(ttl:)` on the field or on the
  /// type it returns, else default_ttl when cache_all_queries) keeps its response for the
  /// smallest of them. A mutation that returns invalidates the types its root fields name
  /// in `@function(invalidates:)`.
  struct ResponseCache {
    std::shared_ptr<cache::Cache> cache;  // null: nothing is cached
    std::chrono::seconds default_ttl{300};
    /// Cache queries with no @cached too, for default_ttl.
    bool cache_all_queries = false;
    /// How long a request waits for an identical one already computing its response
    /// before it computes its own.
    std::chrono::milliseconds flight_wait{30'000};
    /// With read replicas: their lag bound. A mutation's types are invalidated again
    /// after it, dropping whatever was filled meanwhile from a replica that had not yet
    /// replayed the write. Zero: once only.
    std::chrono::milliseconds replica_lag{0};
  } response_cache;
};

class Engine {
 public:
  /// `data` may be null: then only meta-fields are answered and a data field is an error.
  /// With a registry, exports fraiseql_graphql_operations_total{outcome},
  /// fraiseql_graphql_operation_duration_seconds and
  /// fraiseql_graphql_document_cache_total{result}.
  Engine(std::shared_ptr<const graphql::Schema> schema, EngineOptions options,
         std::shared_ptr<DataSource> data = nullptr, metrics::Registry* registry = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// The caller an `Authorization` value stands for (anonymous without an authenticator),
  /// or kUnauthenticated. Transports that keep a connection check it once up front.
  [[nodiscard]] Result<Caller> authenticate(std::string_view authorization) const;

  /// Runs `request`; `done` is called exactly once, maybe before this returns.
  void execute(OperationRequest request, Done done);

  /// The parsed and validated document for `text`, from the cache or prepared now.
  [[nodiscard]] std::shared_ptr<const PreparedDocument> prepare(std::string text);

  [[nodiscard]] const graphql::Schema& schema() const noexcept { return *schema_; }

  /// The response cache, or null.
  [[nodiscard]] const std::shared_ptr<cache::Cache>& response_cache() const noexcept {
    return options_.response_cache.cache;
  }

  struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
  };
  [[nodiscard]] CacheStats cache_stats() const;

 private:
  class DocumentCache;
  // Replaces a persisted query's hash by its document and applies the allow-list;
  // an answer when the request stops here.
  std::optional<OperationResponse> resolve_document(OperationRequest& request);
  // Runs a data operation through the response cache: a query looks it up (and fills it
  // on a miss), a mutation invalidates what it names once it has run.
  void execute_data(ReadyOperation ready, const std::string& auth_scope, Done done);
  std::shared_ptr<const graphql::Schema> schema_;
  EngineOptions options_;
  std::shared_ptr<DataSource> data_;
  std::unique_ptr<DocumentCache> cache_;
  PersistedQueryStore persisted_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;  // null without a registry
  bool auth_rules_ = false;           // the schema applies @auth somewhere
  class DelayedInvalidations;
  std::unique_ptr<DelayedInvalidations> reinvalidate_;  // null without replica_lag
};

/// `{"errors":[...]}` for one error with `code`.
std::string error_response(std::string message, std::string_view code);

/// A strong HTTP entity tag of a response body, quoted: `"` + 32 hex digits + `"`.
std::string body_etag(std::string_view body);

}  // namespace fraiseql::exec
