#include "serve.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <prometheus/counter.h>
#include <spdlog/spdlog.h>

#include "fraiseql/auth/jwt.hpp"
#include "fraiseql/cache/cache.hpp"
#include "fraiseql/core/version.hpp"
#include "fraiseql/db/host_checker.hpp"
#include "fraiseql/db/router.hpp"
#include "fraiseql/exec/authenticator.hpp"
#include "fraiseql/exec/cache_warmer.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/exec/sql_data_source.hpp"
#include "fraiseql/http/graphql_route.hpp"
#include "fraiseql/http/probes.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/metrics/registry.hpp"
#include "fraiseql/ws/endpoint.hpp"

#include "schema_setup.hpp"

namespace fraiseql::app {
namespace {

// Blocks the shutdown signals in every thread, so that only wait_for_signal() sees them.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);  // reloads the JWT keys
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // NOLINT: a closed peer must not kill the process
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The keys bearer tokens are verified with, from the secret and the key files; the
// error names the setting.
Result<std::shared_ptr<const auth::KeySet>> load_keys(const AuthSettings& a) {
  auto keys = std::make_shared<auth::KeySet>();
  auto fail = [](const std::string& key, const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "config: " + key + ": " + why);
  };
  if (!a.jwt_secret.empty()) {
    if (auto r = keys->add_secret(a.jwt_secret); !r) return fail("auth.jwt_secret", r.error().message);
  }
  if (!a.public_key_file.empty()) {
    auto pem = read_text(a.public_key_file);
    if (!pem) return fail("auth.public_key_file", "cannot read " + a.public_key_file);
    if (auto r = keys->add_pem(*pem); !r) return fail("auth.public_key_file", r.error().message);
  }
  if (!a.jwks_file.empty()) {
    auto jwks = read_text(a.jwks_file);
    if (!jwks) return fail("auth.jwks_file", "cannot read " + a.jwks_file);
    if (auto r = keys->add_jwks(*jwks); !r) return fail("auth.jwks_file", r.error().message);
  }
  if (a.enabled() && keys->size() == 0) return fail("auth", "no usable key in the configured files");
  return std::shared_ptr<const auth::KeySet>(std::move(keys));
}

}  // namespace

int serve(const Settings& settings, const std::vector<std::string>& warnings) {
  sigset_t signals = block_signals();
  log::init(settings.log);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  spdlog::info("fraiseql {} starting", version());

  metrics::Registry registry;
  auto& build_info = prometheus::BuildGauge()
                         .Name("fraiseql_build_info")
                         .Help("Always 1; the version is a label.")
                         .Register(registry.prom())
                         .Add({{"version", std::string(version())}});
  build_info.Set(1);

  db::RouterOptions db_options;
  db_options.primary_url = settings.database_url;
  db_options.replica_urls = settings.replica_urls;
  db_options.primary_limits = db::primary_pool_limits(settings.max_db_connections, settings.web_concurrency);
  db_options.replica_limits = db::replica_pool_limits(settings.max_db_connections, settings.web_concurrency);
  db_options.health_interval = settings.health_interval;
  db_options.health_timeout = settings.health_timeout;
  db_options.connection.acquire_timeout = settings.acquire_timeout;
  db_options.connection.statement_timeout = settings.statement_timeout;
  db_options.connection.max_lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(settings.max_lifetime);
  db_options.max_replica_lag = settings.max_replica_lag;
  db_options.breaker_failure_threshold = settings.breaker_failures;
  db_options.breaker_recovery_timeout = settings.breaker_recovery;
  db_options.connection.prepared_statements = settings.prepared_statements;
  db_options.read_your_writes_window = settings.read_your_writes_window;
  db_options.slow_query_threshold = settings.slow_query_threshold;
  db::Router db(db_options, &registry);
  db.start();

  // Response cache: in process, plus Redis when REDIS_URL is set (DESIGN §4).
  std::shared_ptr<cache::Cache> response_cache;
  if (settings.cache.enabled && !settings.schema_path.empty()) {
    cache::CacheOptions cache_options;
    cache_options.max_bytes = settings.cache.l1_max_bytes;
    cache_options.redis_url = settings.redis_url;
    cache_options.key_prefix = settings.cache.key_prefix;
    cache_options.redis_timeout = settings.cache.redis_timeout;
    cache_options.breaker_recovery = settings.cache.redis_breaker_recovery;
    response_cache = std::make_shared<cache::Cache>(cache_options, &registry);
    response_cache->start();
    spdlog::info("response cache: {} MiB in process{}", settings.cache.l1_max_bytes >> 20U,
                 settings.redis_url.empty() ? " (no REDIS_URL: no shared tier)" : ", shared through Redis");
  }

  std::shared_ptr<exec::Engine> engine;
  std::shared_ptr<exec::Authenticator> authenticator;
  auto* rate_limited = &prometheus::BuildCounter()
                            .Name("fraiseql_rate_limited_total")
                            .Help("GraphQL requests refused with 429, by what was limited (ip, subject).")
                            .Register(registry.prom());
  if (!settings.schema_path.empty()) {
    auto loaded = load_schema(settings.schema_path, db, settings.health_timeout * 5);
    if (!loaded.mapping) {
      db.stop();
      log::shutdown();
      return loaded.exit_code;
    }
    exec::SqlDataSourceOptions sql_options;
    sql_options.compile.default_limit = settings.default_limit;
    sql_options.compile.max_limit = settings.max_limit;
    sql_options.deadline = settings.acquire_timeout + settings.statement_timeout;
    sql_options.expose_database_errors = settings.debug_errors;
    exec::EngineOptions engine_options;
    engine_options.document_cache_entries = settings.document_cache_entries;
    engine_options.parse.max_document_bytes = settings.max_document_bytes;
    engine_options.parse.max_tokens = settings.max_tokens;
    engine_options.validation.max_depth = settings.max_depth;
    engine_options.validation.max_aliases = settings.max_aliases;
    engine_options.validation.max_complexity = settings.max_complexity;
    engine_options.validation.max_list_size = std::max<std::uint32_t>(settings.max_limit, 1);
    if (!settings.persisted_queries) engine_options.persisted_query_entries = 0;
    if (!settings.allow_list_path.empty()) {
      auto list = exec::AllowList::load(settings.allow_list_path);
      if (!list) {
        spdlog::critical("graphql.allow_list: {}", list.error().message);
        db.stop();
        log::shutdown();
        return 2;
      }
      spdlog::info("allow-list: {} operation(s); other documents are refused", list->size());
      engine_options.allow_list = std::make_shared<const exec::AllowList>(std::move(*list));
    }
    engine_options.response_cache.cache = response_cache;
    engine_options.response_cache.default_ttl =
        std::chrono::duration_cast<std::chrono::seconds>(settings.cache.default_ttl);
    engine_options.response_cache.cache_all_queries = settings.cache.cache_all_queries;
    if (!settings.replica_urls.empty()) engine_options.response_cache.replica_lag = settings.max_replica_lag;
    exec::AuthenticatorOptions auth_options;
    if (settings.auth.enabled()) {
      auto keys = load_keys(settings.auth);
      if (!keys) {
        spdlog::critical("{}", keys.error().message);
        db.stop();
        log::shutdown();
        return 2;
      }
      auth_options.keys = std::move(*keys);
      spdlog::info("bearer tokens verified with {} key(s)", auth_options.keys->size());
    }
    auth_options.verify.issuer = settings.auth.issuer;
    auth_options.verify.audiences = settings.auth.audiences;
    auth_options.verify.leeway = std::chrono::duration_cast<std::chrono::seconds>(settings.auth.leeway);
    auth_options.anonymous_role = settings.auth.anonymous_role;
    auth_options.role_claim = settings.auth.role_claim;
    auth_options.default_role = settings.auth.default_role;
    auth_options.claim_settings = settings.auth.claim_settings;
    authenticator = std::make_shared<exec::Authenticator>(std::move(auth_options));
    engine_options.authenticator = authenticator;
    if (settings.per_subject_rate > 0) {
      engine_options.subject_limiter = std::make_shared<resilience::RateLimiter>(resilience::RateLimit{
          .rate = static_cast<double>(settings.per_subject_rate),
          .burst = static_cast<double>(std::max(settings.per_subject_burst, settings.per_subject_rate))});
      engine_options.subject_limited = &rate_limited->Add({{"key", "subject"}});
    }
    auto source = std::make_shared<exec::SqlDataSource>(loaded.mapping, db, sql_options);
    engine = std::make_shared<exec::Engine>(loaded.mapping->schema_ptr(), engine_options, source, &registry);
  } else {
    spdlog::warn("no schema.path (FRAISEQL_SCHEMA_PATH) configured: /graphql is not served");
  }

  std::atomic<bool> shutting_down{false};
  http::Router router;
  router.add(http::health_route());
  router.add(http::ready_route([&] {
    http::Readiness r;
    r.shutting_down = shutting_down.load();
    // The router's view: reachable at the last check and its breaker not open.
    auto ready = db.primary_ready();
    auto p = db.primary();
    r.checks.push_back({.name = "primary",
                        .up = static_cast<bool>(ready),
                        .detail = ready ? std::string() : ready.error().message,
                        .rtt_ms = static_cast<double>(p.health.rtt.count()) / 1000.0});
    return r;
  }));
  router.add(http::metrics_route(registry));
  if (engine) {
    http::GraphQLRouteOptions route_options;
    if (settings.per_ip_rate > 0) {
      route_options.ip_limiter = std::make_shared<resilience::RateLimiter>(resilience::RateLimit{
          .rate = static_cast<double>(settings.per_ip_rate),
          .burst = static_cast<double>(std::max(settings.per_ip_burst, settings.per_ip_rate))});
      route_options.ip_limited = &rate_limited->Add({{"key", "ip"}});
    }
    auto proxies = http::TrustedProxies::parse(settings.trusted_proxies);
    if (!proxies) {
      spdlog::critical("config: server.trusted_proxies: {}", proxies.error().message);
      db.stop();
      log::shutdown();
      return 2;
    }
    route_options.trusted_proxies = std::make_shared<const http::TrustedProxies>(std::move(*proxies));
    router.add(http::graphql_route(*engine, "/graphql", std::move(route_options)));
  }

  http::ServerOptions server_options = settings.server;
  // Reads run on the I/O thread that received the request (docs/adr/0007).
  if (settings.reads_on_event_loop) {
    server_options.on_loop_start = [&db](boost::asio::io_context& loop, unsigned loops) {
      db.bind_loop(loop, loops);
    };
    server_options.on_loop_stop = [&db](boost::asio::io_context& /*loop*/) { db.unbind_loop(); };
  }
  http::Server server(server_options, std::move(router), registry);
  if (engine) server.upgrade("/graphql", std::make_shared<ws::Endpoint>(*engine, settings.ws, registry));
  if (auto started = server.start(); !started) {
    spdlog::critical("{}", started.error().message);
    db.stop();
    log::shutdown();
    return 1;
  }
  spdlog::info("listening on {}:{} (database {})", settings.server.host, server.port(),
               db::redact(settings.database_url));

  // Cache warming: through the engine, so the answers land in the cache.
  std::unique_ptr<exec::CacheWarmer> warmer;
  if (engine && response_cache && !settings.cache.warm.empty()) {
    std::vector<exec::OperationRequest> warm;
    for (const auto& item : settings.cache.warm) {
      if (auto op = exec::parse_warm_operation(item)) warm.push_back(std::move(*op));
    }
    exec::CacheWarmerOptions warm_options{.interval = settings.cache.warm_interval,
                                          .retry = settings.cache.warm_retry};
    warmer = std::make_unique<exec::CacheWarmer>(*engine, std::move(warm), warm_options);
    warmer->start();
  }

  int sig = wait_for_signal(signals);
  while (sig == SIGHUP) {
    // Key rotation: the files are read again; on any error the old keys stay.
    if (authenticator && settings.auth.enabled()) {
      if (auto keys = load_keys(settings.auth)) {
        authenticator->set_keys(std::move(*keys));
        spdlog::info("SIGHUP: JWT keys reloaded");
      } else {
        spdlog::error("SIGHUP: keeping the current JWT keys: {}", keys.error().message);
      }
    }
    sig = wait_for_signal(signals);
  }
  spdlog::info("received {}, draining (grace {} ms)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
               settings.shutdown_grace.count());
  shutting_down = true;
  server.stop_accepting();
  bool drained = server.drain(settings.shutdown_grace);
  if (!drained) {
    spdlog::warn("grace period over with {} request(s) in flight; stopping anyway", server.in_flight());
  }
  server.stop();
  if (warmer) warmer->stop();
  db.stop();
  spdlog::info("stopped");
  log::shutdown();
  return 0;
}

}  // namespace fraiseql::app
