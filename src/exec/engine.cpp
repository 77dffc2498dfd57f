#include "fraiseql/exec/engine.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "fraiseql/cache/cache.hpp"
#include "fraiseql/core/json.hpp"
#include "fraiseql/exec/access.hpp"
#include "fraiseql/exec/authenticator.hpp"
#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/introspection.hpp"
#include "fraiseql/graphql/operation.hpp"
#include "fraiseql/graphql/printer.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "response_cache.hpp"

namespace fraiseql::exec {

using graphql::GraphQLError;
using nlohmann::json;

std::string error_response(std::string message, std::string_view code) {
  GraphQLError e;
  e.message = std::move(message);
  e.code = std::string(code);
  return graphql::errors_response_json({e});
}

std::string body_etag(std::string_view body) {
  // 128 bits of SHA-256: a strong validator, short enough for a header.
  std::string tag = "\"";
  tag.append(sha256_hex(body), 0, 32);
  tag.push_back('"');
  return tag;
}

// Least-recently-used map from document text to its prepared form. One lock: a lookup
// is a hash and a list splice, far below the cost of the parse it saves.
class Engine::DocumentCache {
 public:
  explicit DocumentCache(std::size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const PreparedDocument> find(std::string_view text) {
    std::lock_guard lock(mu_);
    auto it = index_.find(text);
    if (it == index_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return *it->second;
  }

  void insert(const std::shared_ptr<const PreparedDocument>& doc) {
    std::lock_guard lock(mu_);
    if (index_.contains(doc->text)) return;  // another thread prepared it meanwhile
    lru_.push_front(doc);
    index_.emplace(std::string_view(doc->text), lru_.begin());
    while (lru_.size() > capacity_) {
      index_.erase(std::string_view(lru_.back()->text));
      lru_.pop_back();
    }
  }

  CacheStats stats() const {
    std::lock_guard lock(mu_);
    return {hits_, misses_, lru_.size()};
  }

 private:
  using List = std::list<std::shared_ptr<const PreparedDocument>>;
  mutable std::mutex mu_;
  std::size_t capacity_;
  List lru_;
  std::unordered_map<std::string_view, List::iterator> index_;  // keys point into the entries
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

// Invalidates a mutation's types a second time once replicas must have replayed it: a
// query that missed meanwhile may have read a replica still behind the write and
// stored what it saw. The delay is constant, so the queue stays in time order.
class Engine::DelayedInvalidations {
 public:
  DelayedInvalidations(std::shared_ptr<cache::Cache> cache, std::chrono::milliseconds delay)
      : cache_(std::move(cache)), delay_(delay), thread_([this] { run(); }) {}
  ~DelayedInvalidations() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  DelayedInvalidations(const DelayedInvalidations&) = delete;
  DelayedInvalidations& operator=(const DelayedInvalidations&) = delete;

  void schedule(std::vector<std::string> tags) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back(std::chrono::steady_clock::now() + delay_, std::move(tags));
    }
    cv_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      if (cv_.wait_until(lock, queue_.front().first, [this] { return stopping_; })) return;
      if (queue_.front().first > std::chrono::steady_clock::now()) continue;
      auto tags = std::move(queue_.front().second);
      queue_.pop_front();
      lock.unlock();
      cache_->invalidate(tags);
      lock.lock();
    }
  }

  std::shared_ptr<cache::Cache> cache_;
  std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::vector<std::string>>> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is built
};

struct Engine::Metrics {
  explicit Metrics(metrics::Registry& registry) {
    auto& ops = prometheus::BuildCounter()
                    .Name("fraiseql_graphql_operations_total")
                    .Help("GraphQL operations answered, by outcome.")
                    .Register(registry.prom());
    for (auto [outcome, name] :
         {std::pair{Outcome::kExecuted, "executed"}, std::pair{Outcome::kRequestError, "request_error"},
          std::pair{Outcome::kBadRequest, "bad_request"}, std::pair{Outcome::kForbidden, "forbidden"},
          std::pair{Outcome::kUnauthenticated, "unauthenticated"},
          std::pair{Outcome::kRateLimited, "rate_limited"},
          std::pair{Outcome::kMethodNotAllowed, "method_not_allowed"},
          std::pair{Outcome::kUnavailable, "unavailable"},
          std::pair{Outcome::kInternalError, "internal_error"}}) {
      by_outcome[static_cast<std::size_t>(outcome)] = &ops.Add({{"outcome", name}});
    }
    duration = &prometheus::BuildHistogram()
                    .Name("fraiseql_graphql_operation_duration_seconds")
                    .Help("Time from receiving an operation to having its whole response.")
                    .Register(registry.prom())
                    .Add({}, metrics::latency_buckets());
    auto& cache = prometheus::BuildCounter()
                      .Name("fraiseql_graphql_document_cache_total")
                      .Help("Document cache lookups: a hit skips parse and validate.")
                      .Register(registry.prom());
    hits = &cache.Add({{"result", "hit"}});
    misses = &cache.Add({{"result", "miss"}});
  }
  std::array<prometheus::Counter*, 9> by_outcome{};
  prometheus::Histogram* duration = nullptr;
  prometheus::Counter* hits = nullptr;
  prometheus::Counter* misses = nullptr;
};

Engine::Engine(std::shared_ptr<const graphql::Schema> schema, EngineOptions options,
               std::shared_ptr<DataSource> data, metrics::Registry* registry)
    : schema_(std::move(schema)),
      options_(std::move(options)),
      data_(std::move(data)),
      cache_(std::make_unique<DocumentCache>(options_.document_cache_entries)),
      persisted_(options_.persisted_query_entries),
      metrics_(registry != nullptr ? std::make_unique<Metrics>(*registry) : nullptr),
      auth_rules_(schema_uses_auth(*schema_)) {
  if (options_.response_cache.cache && options_.response_cache.replica_lag.count() > 0) {
    reinvalidate_ = std::make_unique<DelayedInvalidations>(options_.response_cache.cache,
                                                           options_.response_cache.replica_lag);
  }
}

Engine::~Engine() = default;

Result<Caller> Engine::authenticate(std::string_view authorization) const {
  if (!options_.authenticator) {
    Caller anonymous;
    anonymous.role = "anonymous";
    return anonymous;
  }
  return options_.authenticator->from_header(authorization);
}

Engine::CacheStats Engine::cache_stats() const {
  return cache_->stats();
}

std::shared_ptr<const PreparedDocument> Engine::prepare(std::string text) {
  const bool cacheable =
      options_.document_cache_entries > 0 && text.size() <= options_.document_cache_max_bytes;
  if (cacheable) {
    if (auto hit = cache_->find(text)) {
      if (metrics_) metrics_->hits->Increment();
      return hit;
    }
  }
  if (metrics_) metrics_->misses->Increment();
  auto doc = std::make_shared<PreparedDocument>();
  doc->text = text;
  auto parsed = graphql::parse_document(std::move(text), options_.parse);
  if (!parsed.ok()) {
    GraphQLError e;
    e.message = parsed.error().message;
    e.locations.push_back(parsed.error().loc);
    e.code = std::string(graphql::code::kParseFailed);
    doc->errors.push_back(std::move(e));
  } else {
    doc->document.emplace(std::move(parsed).document());
    doc->errors = graphql::validate(*schema_, *doc->document, options_.validation);
    if (options_.response_cache.cache && doc->errors.empty()) {
      doc->normalized_hash = sha256_hex(graphql::print(*doc->document));
    }
  }
  std::shared_ptr<const PreparedDocument> shared = std::move(doc);
  if (cacheable) cache_->insert(shared);
  return shared;
}

namespace {

OperationResponse request_error(std::string message, std::string_view code) {
  return {Outcome::kRequestError, error_response(std::move(message), code)};
}

constexpr std::string_view kBadRequestCode = "BAD_REQUEST";

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The response cache's view of an operation, worked out once per document.
std::shared_ptr<const CachePolicy> policy_of(const graphql::Schema& schema, const PreparedDocument& doc,
                                             const graphql::OperationDefinition& operation,
                                             const EngineOptions::ResponseCache& options) {
  const std::string name(operation.name.value);
  {
    std::lock_guard lock(doc.plans_mu);
    if (auto it = doc.cache_policies.find(name); it != doc.cache_policies.end()) {
      return std::static_pointer_cast<const CachePolicy>(it->second);
    }
  }
  auto policy = std::make_shared<const CachePolicy>(cache_policy(schema, *doc.document, operation, options));
  std::lock_guard lock(doc.plans_mu);
  doc.cache_policies.emplace(name, policy);
  return policy;
}

// A response served from a cache entry.
OperationResponse from_entry(const EntryView& entry, cache::Level level, bool scoped) {
  OperationResponse r{Outcome::kExecuted, std::string(entry.body)};
  r.cache = level == cache::Level::kLocal ? CacheStatus::kHitLocal : CacheStatus::kHitRedis;
  r.max_age = std::chrono::seconds(std::max<std::int64_t>(0, (entry.expires_unix_ms - unix_ms()) / 1000));
  r.etag = std::string(entry.etag);
  r.private_scope = scoped;
  return r;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<OperationResponse> Engine::resolve_document(OperationRequest& request) {
  const json* pq = nullptr;
  if (request.extensions.is_object()) {
    auto it = request.extensions.find("persistedQuery");
    if (it != request.extensions.end() && !it->is_null()) pq = &*it;
  }
  const AllowList* allow = options_.allow_list.get();
  std::string hash;
  if (pq != nullptr) {
    const bool automatic = options_.persisted_query_entries > 0;
    if (!automatic && allow == nullptr) {
      return request_error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED");
    }
    if (!pq->is_object() || pq->value("version", json()) != json(1)) {
      return OperationResponse{Outcome::kBadRequest,
                               error_response("Unsupported persisted query version.", kBadRequestCode)};
    }
    auto h = pq->find("sha256Hash");
    if (h == pq->end() || !h->is_string() || !is_sha256_hex(h->get_ref<const std::string&>())) {
      return OperationResponse{
          Outcome::kBadRequest,
          error_response("persistedQuery.sha256Hash must be 64 lower-case hexadecimal digits.",
                         kBadRequestCode)};
    }
    hash = h->get<std::string>();
    if (request.has_query) {
      if (sha256_hex(request.query) != hash) {
        return OperationResponse{Outcome::kBadRequest,
                                 error_response("provided sha does not match query", kBadRequestCode)};
      }
      if (automatic && allow == nullptr) persisted_.put(hash, request.query);
    } else if (const std::string* listed = allow != nullptr ? allow->find(hash) : nullptr) {
      request.query = *listed;
      request.has_query = true;
    } else if (auto stored = automatic && allow == nullptr ? persisted_.find(hash) : std::nullopt) {
      request.query = std::move(*stored);
      request.has_query = true;
    } else {
      // Apollo clients react to this message by sending the document with its hash.
      return request_error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND");
    }
  }
  if (allow != nullptr && request.has_query) {
    if (hash.empty()) hash = sha256_hex(request.query);
    if (allow->find(hash) == nullptr) {
      return OperationResponse{Outcome::kForbidden,
                               error_response("This server only runs the operations of its allow-list.",
                                              "PERSISTED_QUERY_NOT_ALLOWED")};
    }
  }
  return std::nullopt;
}

void Engine::execute(OperationRequest request, Done done) {
  if (metrics_) {
    // Count and time every answer, wherever it comes from.
    done = [m = metrics_.get(), t0 = std::chrono::steady_clock::now(),
            inner = std::move(done)](OperationResponse r) {
      m->duration->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      m->by_outcome[static_cast<std::size_t>(r.outcome)]->Increment();
      inner(std::move(r));
    };
  }
  // Who is asking comes first: a request that cannot say is refused before any work.
  auto verified = authenticate(request.authorization);
  if (!verified) {
    done({Outcome::kUnauthenticated, error_response(verified.error().message, "UNAUTHENTICATED")});
    return;
  }
  Caller caller = std::move(*verified);
  // Anonymous callers share one public scope; so do their cached answers.
  if (options_.authenticator) request.auth_scope = caller.anonymous ? std::string() : caller.scope;
  if (options_.subject_limiter && !caller.subject.empty()) {
    if (auto d = options_.subject_limiter->acquire(caller.subject); !d.allowed) {
      if (options_.subject_limited != nullptr) options_.subject_limited->Increment();
      OperationResponse r{
          Outcome::kRateLimited,
          error_response("Too many requests; retry in " + std::to_string(d.retry_after.count()) + " s.",
                         "RATE_LIMITED")};
      r.retry_after = d.retry_after;
      done(std::move(r));
      return;
    }
  }
  if (auto refused = resolve_document(request)) {
    done(std::move(*refused));
    return;
  }
  if (!request.has_query) {
    done(request_error("Must provide a query string.", graphql::code::kBadUserInput));
    return;
  }
  auto prepared = prepare(std::move(request.query));
  if (!prepared->errors.empty()) {
    done({Outcome::kRequestError, graphql::errors_response_json(prepared->errors)});
    return;
  }
  const graphql::Document& document = *prepared->document;
  std::string problem;
  const auto* operation = graphql::get_operation(document, request.operation_name, problem);
  if (operation == nullptr) {
    done(request_error(std::move(problem), graphql::code::kOperationResolutionFailure));
    return;
  }
  if (request.queries_only && operation->operation != graphql::OperationType::kQuery) {
    done({Outcome::kMethodNotAllowed,
          error_response(operation->operation == graphql::OperationType::kMutation
                             ? "Can only perform a mutation operation from a POST request."
                             : "Subscriptions are served over WebSocket, not over GET.",
                         graphql::code::kOperationResolutionFailure)});
    return;
  }
  const graphql::TypeDef* root = schema_->root_type(operation->operation);
  if (root == nullptr) {
    done(request_error("Schema is not configured to execute " +
                           std::string(graphql::to_string(operation->operation)) + " operation.",
                       graphql::code::kOperationResolutionFailure));
    return;
  }
  if (!request.variables.is_null() && !request.variables.is_object()) {
    done(request_error("Variables must be provided as a JSON object.", graphql::code::kBadUserInput));
    return;
  }
  auto coerced = graphql::coerce_variable_values(*schema_, *operation, request.variables);
  if (!coerced.ok()) {
    done({Outcome::kRequestError, graphql::errors_response_json(coerced.errors)});
    return;
  }

  // @auth holds before any answer, cached or not: it depends only on the document,
  // the variables (@skip/@include) and the role.
  if (auth_rules_) {
    auto denied = check_access(*schema_, document, *operation, coerced.values, caller.role);
    if (!denied.empty()) {
      done({Outcome::kForbidden, graphql::errors_response_json(denied)});
      return;
    }
  }

  ReadyOperation ready;
  ready.prepared = prepared;
  ready.operation = operation;
  ready.variables = std::move(coerced.values);
  ready.request_id = std::move(request.request_id);
  if (options_.authenticator && options_.authenticator->enabled())
    ready.db_settings = std::move(caller.db_settings);
  ready.subject = std::move(caller.subject);

  // Meta root fields are answered from the schema; the rest needs the data source.
  graphql::Introspection introspection(*schema_, document, ready.variables);
  const graphql::SelectionSet* sets[] = {operation->selection_set};
  bool needs_data = false;
  for (const auto& [key, fields] : introspection.collect_fields(*root, sets)) {
    if (graphql::Introspection::is_meta_field(fields.front()->name.value)) {
      std::string value;
      introspection.append_field(*root, fields, value);
      ready.meta_fields.emplace_back(std::string(key), std::move(value));
    } else {
      needs_data = true;
    }
  }
  if (needs_data) {
    if (!data_) {
      done(
          {Outcome::kInternalError, error_response("This server has no data source for the requested fields.",
                                                   graphql::code::kInternalServerError)});
      return;
    }
    execute_data(std::move(ready), request.auth_scope, std::move(done));
    return;
  }
  std::string body = "{\"data\":{";
  bool first = true;
  for (const auto& [key, value] : ready.meta_fields) {
    if (!first) body.push_back(',');
    first = false;
    append_json_string(body, key);
    body.push_back(':');
    body += value;
  }
  body += "}}";
  done({Outcome::kExecuted, std::move(body)});
}

void Engine::execute_data(ReadyOperation ready, const std::string& auth_scope, Done done) {
  const auto& options = options_.response_cache;
  if (!options.cache || ready.operation->operation == graphql::OperationType::kSubscription) {
    data_->execute(std::move(ready), std::move(done));
    return;
  }
  auto policy = policy_of(*schema_, *ready.prepared, *ready.operation, options);
  if (ready.operation->operation == graphql::OperationType::kMutation) {
    if (policy->tags.empty()) {
      data_->execute(std::move(ready), std::move(done));
      return;
    }
    data_->execute(std::move(ready), [cache = options.cache, again = reinvalidate_.get(), policy,
                                      done = std::move(done)](OperationResponse r) {
      // Before answering: this instance's next read of these types misses (the local
      // bump is immediate; Redis and the other instances follow).
      if (r.outcome == Outcome::kExecuted) {
        cache->invalidate(policy->tags);
        if (again != nullptr) again->schedule(policy->tags);
      }
      done(std::move(r));
    });
    return;
  }
  if (!policy->cacheable) {
    data_->execute(std::move(ready), std::move(done));
    return;
  }
  const bool scoped = !auth_scope.empty();
  std::string key = response_cache_key(ready.prepared->normalized_hash, ready.operation->name.value,
                                       ready.variables, auth_scope);
  struct Pending {
    ReadyOperation ready;
    Done done;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(ready), std::move(done)});
  // The answer may come on the cache's thread: everything below only hands work on.
  options.cache->lookup(
      key, policy->tags, Deadline::after(options.flight_wait),
      [pending, policy, scoped, data = data_](cache::Lookup found) {
        if (found.hit()) {
          if (auto entry = decode_entry(*found.body)) {
            pending->done(from_entry(*entry, found.level, scoped));
            return;
          }
        }
        auto fill = std::make_shared<cache::Fill>(std::move(found.fill));
        data->execute(std::move(pending->ready),
                      [fill, policy, scoped, done = std::move(pending->done)](OperationResponse r) {
                        // Only a whole answer is kept: errors (a timeout, a refused argument) are not
                        // remembered. Dropping the fill releases identical requests waiting on it.
                        if (r.outcome == Outcome::kExecuted && r.body.starts_with("{\"data\":")) {
                          r.cache = CacheStatus::kMiss;
                          r.max_age = policy->ttl;
                          r.etag = body_etag(r.body);
                          r.private_scope = scoped;
                          if (*fill) {
                            fill->put(encode_entry(r.body, unix_ms() + policy->ttl.count() * 1000, r.etag),
                                      std::chrono::duration_cast<std::chrono::milliseconds>(policy->ttl));
                          }
                        }
                        done(std::move(r));
                      });
      });
}

}  // namespace fraiseql::exec
