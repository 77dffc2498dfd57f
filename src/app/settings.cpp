#include "settings.hpp"

#include "fraiseql/exec/cache_warmer.hpp"

namespace fraiseql::app {

using config::KeySpec;
using config::Type;

const std::vector<KeySpec>& settings_spec() {
  static const std::vector<KeySpec> kSpec = [] {
    std::vector<KeySpec> s;
    auto add = [&s](KeySpec k) { s.push_back(std::move(k)); };
    add({.path = "server.host",
         .type = Type::kString,
         .default_value = "0.0.0.0",
         .doc = "Address to listen on."});
    add({.path = "server.port",
         .type = Type::kInt,
         .default_value = "8000",
         .env = {"PORT"},
         .doc = "TCP port to listen on.",
         .min = 0,
         .max = 65535});
    add({.path = "server.io_threads",
         .type = Type::kInt,
         .default_value = "0",
         .doc = "Event-loop threads; 0 means one per core.",
         .min = 0,
         .max = 1024});
    add({.path = "server.web_concurrency",
         .type = Type::kInt,
         .default_value = "4",
         .env = {"WEB_CONCURRENCY"},
         .doc = "Daemon processes sharing database.max_connections (sizes the pools).",
         .min = 1,
         .max = 1024});
    add({.path = "server.max_body_bytes",
         .type = Type::kBytes,
         .default_value = "1MiB",
         .doc = "Largest request body; larger ones get 413.",
         .min = 1024,
         .max = 1LL << 30});
    add({.path = "server.max_header_bytes",
         .type = Type::kBytes,
         .default_value = "16KiB",
         .doc = "Largest request header block; larger ones get 431.",
         .min = 1024,
         .max = 1 << 20});
    add({.path = "server.header_timeout",
         .type = Type::kDuration,
         .default_value = "10s",
         .doc = "A request's header must arrive within this, or the connection is cut.",
         .min = 100,
         .max = 3'600'000});
    add({.path = "server.body_timeout",
         .type = Type::kDuration,
         .default_value = "30s",
         .doc = "A request's body must arrive within this.",
         .min = 100,
         .max = 3'600'000});
    add({.path = "server.idle_timeout",
         .type = Type::kDuration,
         .default_value = "60s",
         .doc = "How long a keep-alive connection may wait for its next request.",
         .min = 100,
         .max = 3'600'000});
    add({.path = "server.write_timeout",
         .type = Type::kDuration,
         .default_value = "30s",
         .doc = "An answer must be taken by the client within this.",
         .min = 100,
         .max = 3'600'000});
    add({.path = "server.shutdown_grace",
         .type = Type::kDuration,
         .default_value = "25s",
         .doc = "On SIGTERM, how long requests in flight may take to finish.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "database.url",
         .type = Type::kString,
         .env = {"DATABASE_URL"},
         .doc = "libpq URL of the primary (writes, and reads when no replica is healthy).",
         .required = true,
         .secret = true});
    add({.path = "database.replica_urls",
         .type = Type::kList,
         .env = {"DATABASE_REPLICA_URLS"},
         .doc = "libpq URLs of read replicas (comma-separated in the environment).",
         .secret = true});
    add({.path = "database.max_connections",
         .type = Type::kInt,
         .default_value = "100",
         .env = {"MAX_DB_CONNECTIONS"},
         .doc = "Connections the database allows all daemons together.",
         .min = 1,
         .max = 100'000});
    add({.path = "database.health_interval",
         .type = Type::kDuration,
         .default_value = "1s",
         .doc = "How often each database host is checked.",
         .min = 50,
         .max = 3'600'000});
    add({.path = "database.health_timeout",
         .type = Type::kDuration,
         .default_value = "2s",
         .doc = "Deadline of one health check (connect plus SELECT).",
         .min = 50,
         .max = 3'600'000});
    add({.path = "database.acquire_timeout",
         .type = Type::kDuration,
         .default_value = "30s",
         .doc = "Longest wait for a pooled connection; then the request fails with TIMEOUT.",
         .min = 1,
         .max = 3'600'000});
    add({.path = "database.statement_timeout",
         .type = Type::kDuration,
         .default_value = "30s",
         .doc = "PostgreSQL statement_timeout of every session.",
         .min = 1,
         .max = 3'600'000});
    add({.path = "database.max_lifetime",
         .type = Type::kDuration,
         .default_value = "1h",
         .doc = "Connections older than this are closed and replaced.",
         .min = 1000,
         .max = 86'400'000});
    add({.path = "database.max_replica_lag",
         .type = Type::kDuration,
         .default_value = "5s",
         .doc = "A replica further behind than this gets no reads.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "database.breaker_failures",
         .type = Type::kInt,
         .default_value = "5",
         .doc = "Consecutive failures that open a host's circuit breaker.",
         .min = 1,
         .max = 1000});
    add({.path = "database.breaker_recovery",
         .type = Type::kDuration,
         .default_value = "60s",
         .doc = "How long an open breaker waits before letting one probe through.",
         .min = 10,
         .max = 3'600'000});
    add({.path = "database.prepared_statements",
         .type = Type::kBool,
         .default_value = "true",
         .doc = "Server-side prepared statements; false behind PgBouncer in transaction pooling mode."});
    add({.path = "database.read_your_writes_window",
         .type = Type::kDuration,
         .default_value = "10s",
         .doc = "After a write, how long the writer's reads go where the write is visible; 0 = off.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "database.reads_on_event_loop",
         .type = Type::kBool,
         .default_value = "true",
         .doc =
             "Run reads on the I/O thread that received the request with non-blocking libpq (docs/adr/0007); "
             "false sends them to the db threads like writes."});
    add({.path = "database.slow_query_threshold",
         .type = Type::kDuration,
         .default_value = "500ms",
         .doc = "Statements at least this slow are logged at WARN; 0 = off.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "redis.url",
         .type = Type::kString,
         .env = {"REDIS_URL"},
         .doc = "redis://host:port/db of the shared cache tier; empty runs the in-process tier alone.",
         .secret = true});
    add({.path = "cache.enabled",
         .type = Type::kBool,
         .default_value = "true",
         .doc = "The response cache; false runs every query on the database."});
    add({.path = "cache.l1_max_bytes",
         .type = Type::kBytes,
         .default_value = "256MiB",
         .doc = "Bytes of responses kept in process (least recently used go first).",
         .min = 1 << 20,
         .max = 1LL << 40});
    add({.path = "cache.default_ttl",
         .type = Type::kDuration,
         .default_value = "5m",
         .doc = "Lifetime of queries without @cached when cache.cache_all_queries is on.",
         .min = 1000,
         .max = 86'400'000});
    add({.path = "cache.cache_all_queries",
         .type = Type::kBool,
         .default_value = "false",
         .doc = "Cache queries without @cached too, for cache.default_ttl."});
    add({.path = "cache.redis_timeout",
         .type = Type::kDuration,
         .default_value = "100ms",
         .doc = "Deadline of every Redis call of the cache; a late answer counts as a miss.",
         .min = 1,
         .max = 60'000});
    add({.path = "cache.redis_breaker_recovery",
         .type = Type::kDuration,
         .default_value = "60s",
         .doc = "After 5 failed Redis calls the cache stops asking Redis for this long, then tries again.",
         .min = 10,
         .max = 3'600'000});
    add({.path = "cache.key_prefix",
         .type = Type::kString,
         .default_value = "fraiseql:cache:",
         .doc = "Prefix of the cache's Redis keys and channel; daemons sharing entries use the same."});
    add({.path = "cache.warm",
         .type = Type::kList,
         .doc = "Operations run at start-up and every cache.warm_interval to fill the cache, each a JSON "
                "object like a POST body: {\"query\": ..., \"variables\": ..., \"operationName\": ...}."});
    add({.path = "cache.warm_interval",
         .type = Type::kDuration,
         .default_value = "5m",
         .doc = "How often the cache.warm operations run again.",
         .min = 1000,
         .max = 86'400'000});
    add({.path = "cache.warm_retry",
         .type = Type::kDuration,
         .default_value = "1m",
         .doc = "After a warming round with a failure, the next one comes this soon.",
         .min = 100,
         .max = 86'400'000});
    add({.path = "schema.path",
         .type = Type::kString,
         .doc = "The GraphQL schema (SDL with FraiseQL directives)."});
    add({.path = "graphql.persisted_queries",
         .type = Type::kBool,
         .default_value = "true",
         .doc = "Automatic persisted queries (Apollo protocol: extensions.persistedQuery.sha256Hash)."});
    add({.path = "graphql.allow_list",
         .type = Type::kString,
         .doc = "A persisted-query manifest; when set, only its documents run."});
    add({.path = "graphql.document_cache_entries",
         .type = Type::kInt,
         .default_value = "1000",
         .doc = "Documents kept parsed and validated; 0 turns the cache off.",
         .min = 0,
         .max = 10'000'000});
    add({.path = "graphql.max_document_bytes",
         .type = Type::kBytes,
         .default_value = "1MiB",
         .doc = "Largest GraphQL document parsed.",
         .min = 64,
         .max = 1LL << 30});
    add({.path = "graphql.max_tokens",
         .type = Type::kInt,
         .default_value = "20000",
         .doc = "Most tokens lexed in one document.",
         .min = 16,
         .max = 100'000'000});
    add({.path = "graphql.max_depth",
         .type = Type::kInt,
         .default_value = "15",
         .doc = "Deepest nesting of fields in an operation, fragments expanded; 0 = no limit.",
         .min = 0,
         .max = 10'000});
    add({.path = "graphql.max_aliases",
         .type = Type::kInt,
         .default_value = "30",
         .doc = "Most aliased fields in an operation; 0 = no limit.",
         .min = 0,
         .max = 100'000});
    add({.path = "graphql.max_complexity",
         .type = Type::kInt,
         .default_value = "10000",
         .doc = "Highest estimated number of values an operation resolves; 0 = no limit.",
         .min = 0,
         .max = 1'000'000'000});
    add({.path = "graphql.default_limit",
         .type = Type::kInt,
         .default_value = "100",
         .doc = "Rows a list field returns when the query gives no limit; 0 = all.",
         .min = 0,
         .max = 1'000'000});
    add({.path = "graphql.max_limit",
         .type = Type::kInt,
         .default_value = "1000",
         .doc = "Largest limit (or first/last) a query may ask for; 0 = no maximum.",
         .min = 0,
         .max = 1'000'000});
    add({.path = "graphql.debug_errors",
         .type = Type::kBool,
         .default_value = "false",
         .doc = "Show database error messages to clients (never in production)."});
    add({.path = "ws.init_timeout",
         .type = Type::kDuration,
         .default_value = "3s",
         .doc = "A WebSocket client must send connection_init within this (else 4408).",
         .min = 10,
         .max = 3'600'000});
    add({.path = "ws.ping_interval",
         .type = Type::kDuration,
         .default_value = "0s",
         .doc = "Server pings on graphql-transport-ws connections; 0 = none.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "ws.keep_alive",
         .type = Type::kDuration,
         .default_value = "12s",
         .doc = "`ka` messages on legacy graphql-ws connections; 0 = none.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "ws.close_timeout",
         .type = Type::kDuration,
         .default_value = "5s",
         .doc = "A closing WebSocket peer must finish the close handshake within this.",
         .min = 10,
         .max = 3'600'000});
    add({.path = "ws.max_connections",
         .type = Type::kInt,
         .default_value = "10000",
         .doc = "WebSocket connections per process; more are refused with 503.",
         .min = 1,
         .max = 10'000'000});
    add({.path = "ws.max_operations",
         .type = Type::kInt,
         .default_value = "100",
         .doc = "Operations in flight per WebSocket connection.",
         .min = 1,
         .max = 1'000'000});
    add({.path = "ws.max_message_bytes",
         .type = Type::kBytes,
         .default_value = "1MiB",
         .doc = "Largest incoming WebSocket message; larger ones close with 1009.",
         .min = 1024,
         .max = 1LL << 30});
    add({.path = "ws.max_queued_messages",
         .type = Type::kInt,
         .default_value = "1024",
         .doc = "Unsent messages per connection before a slow consumer is closed with 1013.",
         .min = 1,
         .max = 10'000'000});
    add({.path = "ws.max_queued_bytes",
         .type = Type::kBytes,
         .default_value = "4MiB",
         .doc = "Unsent bytes per connection before a slow consumer is closed with 1013.",
         .min = 1024,
         .max = 1LL << 32});
    add({.path = "server.cors_origins",
         .type = Type::kList,
         .doc = "Origins whose browser pages may read answers (CORS), e.g. https://app.example.com; \"*\" "
                "for any; "
                "empty sends no CORS headers."});
    add({.path = "server.cors_credentials",
         .type = Type::kBool,
         .default_value = "false",
         .doc = "Let browsers send cookies and Authorization cross-origin (never with \"*\")."});
    add({.path = "server.trusted_proxies",
         .type = Type::kList,
         .doc = "Addresses or CIDR blocks of proxies (nginx) whose X-Forwarded-For names the client, e.g. "
                "127.0.0.1, 10.0.0.0/8; empty: the peer is the client."});
    add({.path = "limits.per_ip_rate",
         .type = Type::kInt,
         .default_value = "0",
         .doc = "GraphQL requests per second allowed per client address on average; 0 = no limit.",
         .min = 0,
         .max = 1'000'000});
    add({.path = "limits.per_ip_burst",
         .type = Type::kInt,
         .default_value = "0",
         .doc = "Requests a client address may send at once above its rate; 0 = the rate.",
         .min = 0,
         .max = 10'000'000});
    add({.path = "limits.per_subject_rate",
         .type = Type::kInt,
         .default_value = "0",
         .doc = "GraphQL requests per second allowed per token subject (`sub`) on average; 0 = no limit.",
         .min = 0,
         .max = 1'000'000});
    add({.path = "limits.per_subject_burst",
         .type = Type::kInt,
         .default_value = "0",
         .doc = "Requests a subject may send at once above its rate; 0 = the rate.",
         .min = 0,
         .max = 10'000'000});
    add({.path = "auth.jwt_secret",
         .type = Type::kString,
         .env = {"FRAISEQL_JWT_SECRET"},
         .doc = "HS256 shared secret (at least 32 bytes) that bearer tokens are signed with.",
         .secret = true});
    add({.path = "auth.public_key_file",
         .type = Type::kString,
         .doc = "PEM public key (RSA for RS256, P-256 EC for ES256) that bearer tokens are signed with."});
    add({.path = "auth.jwks_file",
         .type = Type::kString,
         .doc = "JWKS document with the keys tokens are signed with; read again on SIGHUP."});
    add({.path = "auth.issuer",
         .type = Type::kString,
         .doc = "Required `iss` of tokens; empty: not checked."});
    add({.path = "auth.audiences",
         .type = Type::kList,
         .doc = "Accepted `aud` values; a token must name one. Empty: not checked."});
    add({.path = "auth.leeway",
         .type = Type::kDuration,
         .default_value = "30s",
         .doc = "Clock skew allowed when checking `exp` and `nbf`.",
         .min = 0,
         .max = 3'600'000});
    add({.path = "auth.anonymous_role",
         .type = Type::kString,
         .default_value = "anonymous",
         .doc = "Role of requests without a token; empty refuses them (401)."});
    add({.path = "auth.role_claim",
         .type = Type::kString,
         .default_value = "role",
         .doc = "Dotted path of the role in the token's claims, e.g. app_metadata.role."});
    add({.path = "auth.default_role",
         .type = Type::kString,
         .default_value = "authenticated",
         .doc = "Role of a verified token without the role claim."});
    add({.path = "auth.claim_settings",
         .type = Type::kList,
         .doc =
             "Database settings taken from claims, each setting=claim.path, e.g. app.user_id=sub; set with "
             "set_config(..., true) in every transaction, beside request.jwt.claims."});
    add({.path = "admin.token",
         .type = Type::kString,
         .doc = "Bearer token for /admin/*; empty disables them.",
         .secret = true});
    add({.path = "log.level",
         .type = Type::kEnum,
         .default_value = "info",
         .doc = "Least severe level logged.",
         .choices = {"trace", "debug", "info", "warn", "error", "critical", "off"}});
    add({.path = "log.format",
         .type = Type::kEnum,
         .default_value = "text",
         .doc = "text, or json for one JSON object per line.",
         .choices = {"text", "json"}});
    add({.path = "log.access",
         .type = Type::kBool,
         .default_value = "true",
         .doc = "One log line per request."});
    return s;
  }();
  return kSpec;
}

Result<Settings> load_settings(const std::optional<std::string>& file, const config::Environment& env,
                               std::vector<std::string>* warnings) {
  auto loaded = config::load(settings_spec(), file, env);
  if (!loaded) return loaded.error();
  const config::Values& v = *loaded;
  if (warnings != nullptr) *warnings = v.warnings();

  Settings s;
  s.server.host = v.string("server.host");
  s.server.port = static_cast<std::uint16_t>(v.integer("server.port"));
  s.server.io_threads = static_cast<unsigned>(v.integer("server.io_threads"));
  s.server.max_body_bytes = v.bytes("server.max_body_bytes");
  s.server.max_header_bytes = static_cast<std::uint32_t>(v.bytes("server.max_header_bytes"));
  s.server.header_timeout = v.duration("server.header_timeout");
  s.server.body_timeout = v.duration("server.body_timeout");
  s.server.idle_timeout = v.duration("server.idle_timeout");
  s.server.write_timeout = v.duration("server.write_timeout");
  s.server.access_log = v.boolean("log.access");
  s.shutdown_grace = v.duration("server.shutdown_grace");
  s.web_concurrency = static_cast<unsigned>(v.integer("server.web_concurrency"));
  s.database_url = v.string("database.url");
  s.replica_urls = v.list("database.replica_urls");
  s.max_db_connections = static_cast<unsigned>(v.integer("database.max_connections"));
  s.health_interval = v.duration("database.health_interval");
  s.health_timeout = v.duration("database.health_timeout");
  s.acquire_timeout = v.duration("database.acquire_timeout");
  s.statement_timeout = v.duration("database.statement_timeout");
  s.max_lifetime = v.duration("database.max_lifetime");
  s.max_replica_lag = v.duration("database.max_replica_lag");
  s.breaker_failures = static_cast<unsigned>(v.integer("database.breaker_failures"));
  s.breaker_recovery = v.duration("database.breaker_recovery");
  s.prepared_statements = v.boolean("database.prepared_statements");
  s.read_your_writes_window = v.duration("database.read_your_writes_window");
  s.slow_query_threshold = v.duration("database.slow_query_threshold");
  s.redis_url = v.string("redis.url");
  if (!s.redis_url.empty() && s.redis_url.rfind("redis://", 0) != 0 && s.redis_url.rfind("unix://", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument, "config: redis.url (from " + v.origin("redis.url") +
                                                       "): expected a redis:// or unix:// URL");
  }
  const std::string& db = s.database_url;
  if (db.find("://") != std::string::npos && db.rfind("postgresql://", 0) != 0 &&
      db.rfind("postgres://", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "config: database.url (from " + v.origin("database.url") +
                          "): expected a postgresql:// URL or a libpq key=value string");
  }
  s.reads_on_event_loop = v.boolean("database.reads_on_event_loop");
  s.cache.enabled = v.boolean("cache.enabled");
  s.cache.l1_max_bytes = static_cast<std::size_t>(v.bytes("cache.l1_max_bytes"));
  s.cache.default_ttl = v.duration("cache.default_ttl");
  s.cache.cache_all_queries = v.boolean("cache.cache_all_queries");
  s.cache.redis_timeout = v.duration("cache.redis_timeout");
  s.cache.redis_breaker_recovery = v.duration("cache.redis_breaker_recovery");
  s.cache.key_prefix = v.string("cache.key_prefix");
  s.cache.warm = v.list("cache.warm");
  s.cache.warm_interval = v.duration("cache.warm_interval");
  s.cache.warm_retry = v.duration("cache.warm_retry");
  for (std::size_t i = 0; i < s.cache.warm.size(); ++i) {
    // Checked here so that a typo stops start-up rather than warming nothing.
    if (auto op = exec::parse_warm_operation(s.cache.warm[i]); !op) {
      return make_error(ErrorCode::kInvalidArgument, "config: cache.warm[" + std::to_string(i) + "] (from " +
                                                         v.origin("cache.warm") + "): " + op.error().message);
    }
  }
  s.schema_path = v.string("schema.path");
  s.persisted_queries = v.boolean("graphql.persisted_queries");
  s.allow_list_path = v.string("graphql.allow_list");
  s.document_cache_entries = static_cast<std::size_t>(v.integer("graphql.document_cache_entries"));
  s.max_document_bytes = static_cast<std::size_t>(v.bytes("graphql.max_document_bytes"));
  s.max_tokens = static_cast<std::uint32_t>(v.integer("graphql.max_tokens"));
  s.max_depth = static_cast<std::uint32_t>(v.integer("graphql.max_depth"));
  s.max_aliases = static_cast<std::uint32_t>(v.integer("graphql.max_aliases"));
  s.max_complexity = static_cast<std::uint64_t>(v.integer("graphql.max_complexity"));
  s.default_limit = static_cast<std::uint32_t>(v.integer("graphql.default_limit"));
  s.max_limit = static_cast<std::uint32_t>(v.integer("graphql.max_limit"));
  s.debug_errors = v.boolean("graphql.debug_errors");
  s.ws.init_timeout = v.duration("ws.init_timeout");
  s.ws.ping_interval = v.duration("ws.ping_interval");
  s.ws.keep_alive = v.duration("ws.keep_alive");
  s.ws.close_timeout = v.duration("ws.close_timeout");
  s.ws.max_connections = static_cast<std::size_t>(v.integer("ws.max_connections"));
  s.ws.max_operations = static_cast<std::size_t>(v.integer("ws.max_operations"));
  s.ws.max_message_bytes = static_cast<std::size_t>(v.bytes("ws.max_message_bytes"));
  s.ws.max_queued_messages = static_cast<std::size_t>(v.integer("ws.max_queued_messages"));
  s.ws.max_queued_bytes = static_cast<std::size_t>(v.bytes("ws.max_queued_bytes"));
  s.admin_token = v.string("admin.token");
  for (const auto& origin : v.list("server.cors_origins")) s.server.cors.allowed_origins.push_back(origin);
  s.server.cors.allow_credentials = v.boolean("server.cors_credentials");
  s.trusted_proxies = v.list("server.trusted_proxies");
  s.per_ip_rate = static_cast<unsigned>(v.integer("limits.per_ip_rate"));
  s.per_ip_burst = static_cast<unsigned>(v.integer("limits.per_ip_burst"));
  s.per_subject_rate = static_cast<unsigned>(v.integer("limits.per_subject_rate"));
  s.per_subject_burst = static_cast<unsigned>(v.integer("limits.per_subject_burst"));
  s.auth.jwt_secret = v.string("auth.jwt_secret");
  s.auth.public_key_file = v.string("auth.public_key_file");
  s.auth.jwks_file = v.string("auth.jwks_file");
  s.auth.issuer = v.string("auth.issuer");
  s.auth.audiences = v.list("auth.audiences");
  s.auth.leeway = v.duration("auth.leeway");
  s.auth.anonymous_role = v.string("auth.anonymous_role");
  s.auth.role_claim = v.string("auth.role_claim");
  s.auth.default_role = v.string("auth.default_role");
  for (const auto& item : v.list("auth.claim_settings")) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return make_error(ErrorCode::kInvalidArgument, "config: auth.claim_settings (from " +
                                                         v.origin("auth.claim_settings") + "): \"" + item +
                                                         "\" is not setting=claim.path");
    }
    s.auth.claim_settings.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  s.log.level = v.string("log.level");
  s.log.format = v.string("log.format") == "json" ? log::Format::kJson : log::Format::kText;
  return s;
}

}  // namespace fraiseql::app
