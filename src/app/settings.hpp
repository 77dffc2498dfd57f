#pragma once
// Every configuration key of the daemon, and the typed settings built from them.

#include <string>
#include <vector>

#include "fraiseql/config/config.hpp"
#include "fraiseql/core/result.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/log/log.hpp"

namespace fraiseql::app {

struct Settings {
  http::ServerOptions server;
  std::chrono::milliseconds shutdown_grace{25'000};
  unsigned web_concurrency = 4;
  std::string database_url;
  std::vector<std::string> replica_urls;
  unsigned max_db_connections = 100;
  std::chrono::milliseconds health_interval{1000};
  std::chrono::milliseconds health_timeout{2000};
  std::string redis_url;
  std::string schema_path;
  std::string admin_token;
  log::Options log;
};

/// The table of known keys (also the source of config/fraiseql.example.yaml's docs).
const std::vector<config::KeySpec>& settings_spec();

/// Loads and checks the settings; the error names the key.
Result<Settings> load_settings(const std::optional<std::string>& file, const config::Environment& env,
                               std::vector<std::string>* warnings = nullptr);

}  // namespace fraiseql::app
