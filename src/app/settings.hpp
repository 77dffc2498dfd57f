#pragma once
// Every configuration key of the daemon, and the typed settings built from them.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fraiseql/config/config.hpp"
#include "fraiseql/core/result.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/log/log.hpp"
#include "fraiseql/ws/endpoint.hpp"

namespace fraiseql::app {

/// The response cache (cache.*); REDIS_URL (redis.url) adds its shared tier.
struct CacheSettings {
  std::vector<std::string> warm;  // JSON request objects, checked at load
  std::string key_prefix = "fraiseql:cache:";
  std::size_t l1_max_bytes = std::size_t{256} << 20U;
  std::chrono::milliseconds default_ttl{300'000};
  std::chrono::milliseconds redis_timeout{100};
  std::chrono::milliseconds redis_breaker_recovery{60'000};
  std::chrono::milliseconds warm_interval{300'000};
  std::chrono::milliseconds warm_retry{60'000};
  bool enabled = true;
  bool cache_all_queries = false;
};

struct AuthSettings {
  std::vector<std::string> audiences;
  std::vector<std::pair<std::string, std::string>> claim_settings;  // setting, claim path
  std::string jwt_secret;
  std::string public_key_file;
  std::string jwks_file;
  std::string issuer;
  std::string anonymous_role = "anonymous";
  std::string role_claim = "role";
  std::string default_role = "authenticated";
  std::chrono::milliseconds leeway{30'000};

  /// A key is configured: tokens are verified and callers get their role.
  [[nodiscard]] bool enabled() const noexcept {
    return !jwt_secret.empty() || !public_key_file.empty() || !jwks_file.empty();
  }
};

struct Settings {
  // Grouped by size rather than by section, so the struct has no padding holes.
  http::ServerOptions server;
  ws::Options ws;
  log::Options log;
  CacheSettings cache;
  AuthSettings auth;
  std::string database_url;
  std::vector<std::string> replica_urls;
  std::string redis_url;
  std::string schema_path;
  std::string allow_list_path;
  std::string admin_token;
  std::vector<std::string> trusted_proxies;
  std::chrono::milliseconds shutdown_grace{25'000};
  std::chrono::milliseconds health_interval{1000};
  std::chrono::milliseconds health_timeout{2000};
  std::chrono::milliseconds acquire_timeout{30'000};
  std::chrono::milliseconds statement_timeout{30'000};
  std::chrono::milliseconds max_lifetime{3'600'000};
  std::chrono::milliseconds max_replica_lag{5000};
  std::chrono::milliseconds breaker_recovery{60'000};
  std::chrono::milliseconds read_your_writes_window{10'000};
  std::chrono::milliseconds slow_query_threshold{500};
  std::size_t document_cache_entries = 1000;
  std::size_t max_document_bytes = std::size_t{1} << 20;
  std::uint64_t max_complexity = 10'000;
  unsigned web_concurrency = 4;
  unsigned max_db_connections = 100;
  unsigned breaker_failures = 5;
  unsigned per_ip_rate = 0;  // requests per second; 0: off
  unsigned per_ip_burst = 0;
  unsigned per_subject_rate = 0;
  unsigned per_subject_burst = 0;
  std::uint32_t max_tokens = 20'000;
  std::uint32_t max_depth = 15;
  std::uint32_t max_aliases = 30;
  std::uint32_t default_limit = 100;
  std::uint32_t max_limit = 1000;
  bool prepared_statements = true;
  bool reads_on_event_loop = true;
  bool persisted_queries = true;
  bool debug_errors = false;
};

/// The table of known keys (also the source of config/fraiseql.example.yaml's docs).
const std::vector<config::KeySpec>& settings_spec();

/// Loads and checks the settings; the error names the key.
Result<Settings> load_settings(const std::optional<std::string>& file, const config::Environment& env,
                               std::vector<std::string>* warnings = nullptr);

}  // namespace fraiseql::app
