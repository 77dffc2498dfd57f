#include "settings.hpp"

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
    add({.path = "redis.url",
         .type = Type::kString,
         .env = {"REDIS_URL"},
         .doc = "redis://host:port/db of the shared cache tier; empty runs the in-process tier alone.",
         .secret = true});
    add({.path = "schema.path",
         .type = Type::kString,
         .doc = "The GraphQL schema (SDL with FraiseQL directives)."});
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
  s.schema_path = v.string("schema.path");
  s.admin_token = v.string("admin.token");
  s.log.level = v.string("log.level");
  s.log.format = v.string("log.format") == "json" ? log::Format::kJson : log::Format::kText;
  return s;
}

}  // namespace fraiseql::app
