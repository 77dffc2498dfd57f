#include "read_path_support.hpp"

#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include <pqxx/pqxx>

#include "test_env.hpp"

namespace fraiseql::e2e::read_path {

using nlohmann::json;

namespace {

// Every statement the test sends carries this, so the statement counts can leave it out.
constexpr const char* kTag = "/* read_path_test */ ";

std::string db_name() {
  return "fraiseql_read_path_" + std::to_string(::getpid());
}

std::string with_database(const std::string& url, const std::string& db) {
  return url.substr(0, url.rfind('/') + 1) + db;
}

std::unique_ptr<pqxx::connection>& primary_conn() {
  static std::unique_ptr<pqxx::connection> conn;
  return conn;
}
std::unique_ptr<pqxx::connection>& replica_conn() {
  static std::unique_ptr<pqxx::connection> conn;
  return conn;
}

// The seed of tests/integration/sql/blog_db.cpp, with empty and two-element tag lists:
// awkward values (LIKE metacharacters, quotes, an SQL injection attempt, a backslash,
// nulls) in every filterable column.
constexpr const char* kSeed = R"sql(
INSERT INTO tb_user (id, name, email, bio, age, is_active, settings, created_at)
SELECT md5('u' || g)::uuid,
       (ARRAY['Alice', 'Bob', 'Carol', 'dave', 'Eve%', 'Frank_', 'O''Brien', 'Zoë',
              'Robert''); DROP TABLE tb_user;--', 'back\slash', 'Anna', 'alex'])[g],
       'u' || g || '@example.com',
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'bio ' || g END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 20 + g * 3 END,
       g % 2 = 0,
       (CASE g % 3 WHEN 0 THEN '{"theme": "dark", "beta": true}' WHEN 1 THEN '{"theme": "light"}' ELSE '{}' END)::jsonb,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
  FROM generate_series(1, 12) AS g;

INSERT INTO tb_post (id, author_id, title, content, published, views, rating, tags, word_count, language, created_at)
SELECT md5('p' || g)::uuid,
       md5('u' || ((g - 1) % 10 + 1))::uuid,
       'Post ' || g || CASE WHEN g % 5 = 0 THEN ' 100%' ELSE '' END,
       'Body ' || g || CASE WHEN g % 2 = 0 THEN ' even' ELSE ' odd' END,
       g % 3 <> 0,
       (g * 37) % 100,
       CASE WHEN g % 4 = 0 THEN NULL ELSE g / 4.0 END,
       CASE WHEN g % 7 = 0 THEN ARRAY[]::text[] WHEN g % 5 = 0 THEN ARRAY['t' || g % 3, 'long'] ELSE ARRAY['t' || g % 3] END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE 100 + g END,
       CASE g % 3 WHEN 0 THEN 'en' WHEN 1 THEN 'fr' END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '10 minutes'
  FROM generate_series(1, 30) AS g;

INSERT INTO tb_comment (id, post_id, author_id, body, created_at)
SELECT md5('c' || g)::uuid,
       md5('p' || ((g * 7) % 30 + 1))::uuid,
       md5('u' || (g % 12 + 1))::uuid,
       CASE WHEN g % 4 = 0 THEN 'Nice ' ELSE 'Meh ' END || g,
       timestamptz '2024-02-01 00:00:00+00' + g * interval '5 minutes'
  FROM generate_series(1, 40) AS g;
)sql";

// Network, ltree and range values for tests/e2e/read_path_types.graphql; row h is all null.
constexpr const char* kTypes = R"sql(
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE TABLE tb_host (
  id integer PRIMARY KEY, name text NOT NULL, address inet, network cidr, path ltree, ports int4range,
  quota int8range, price numrange, days daterange, period tstzrange);
INSERT INTO tb_host VALUES
  (1, 'a', '10.1.2.3', '10.0.0.0/8', 'Top.Science.Astronomy', '[1,10)', '[100,200)', '[1.5,2.5)',
   '[2024-01-01,2024-02-01)', '[2024-01-01 00:00+00,2024-01-02 00:00+00)'),
  (2, 'b', '192.168.1.20', '192.168.0.0/16', 'Top.Science.Physics', '[5,15)', '[150,300)', '[2.5,3.5)',
   '[2024-01-15,2024-03-01)', '[2024-01-01 12:00+00,2024-01-03 00:00+00)'),
  (3, 'c', '8.8.8.8', '8.8.8.0/24', 'Top.Hobbies.Amateurs_Astronomy', '[20,30)', '[1,2)', '(0,1]',
   '[2024-03-01,2024-04-01)', 'empty'),
  (4, 'd', '::1', '::1/128', 'Top', 'empty', '[5,)', '[10,20)', '[2024-02-01,2024-02-15)', '[2024-02-01 00:00+00,)'),
  (5, 'e', '2001:db8::5', '2001:db8::/32', 'Top.Collections.Pictures.Astronomy', '[10,20)', '(,0)', '[3,4)',
   '[2023-12-01,2024-01-01)', '[2023-12-01 00:00+00,2023-12-31 00:00+00)'),
  (6, 'f', '127.0.0.1', '127.0.0.0/8', 'Top.Science', '[30,40)', '[7,8)', '[5,6)', '[2024-05-01,2024-06-01)',
   '[2024-05-01 00:00+00,2024-05-02 00:00+00)'),
  (7, 'g', '172.16.5.4', '172.16.0.0/12', 'Other', '[9,11)', '[0,1000)', '[0,100)', '[2024-01-10,2024-01-20)',
   '[2024-01-10 00:00+00,2024-01-10 01:00+00)'),
  (8, 'h', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (9, 'i', 'fd00::9', 'fd00::/8', 'Top.Hobbies', '[0,5)', '[20,30)', '[7,8)', '[2024-06-01,2024-07-01)',
   '[2024-06-01 00:00+00,2024-06-02 00:00+00)'),
  (10, 'j', '100.64.0.1', '100.64.0.0/10', 'Top.Science.Astronomy.Stars', '[40,50)', '[40,50)', '[8,9)',
   '[2024-07-01,2024-08-01)', '[2024-07-01 00:00+00,2024-07-02 00:00+00)');
CREATE VIEW v_host AS
SELECT id, name, address, network, path, ports, quota, price, days, period,
       jsonb_build_object('id', id, 'name', name, 'address', address, 'network', network, 'path', path,
                          'ports', ports, 'quota', quota, 'price', price, 'days', days, 'period', period) AS data
  FROM tb_host;
CREATE VIEW v_host_doc AS SELECT id, data FROM v_host;
)sql";

std::string cell(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(kTag + sql);
  return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
}

// Housekeeping the daemon does on any connection, whatever the requests: the health
// checker's probe, the pool's pre-ping and the session settings of a new connection.
constexpr const char* kStatementsQuery =
    "SELECT coalesce(json_agg(json_build_object('query', query, 'calls', calls) ORDER BY query), '[]') "
    "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND query NOT LIKE '%read_path_test%' AND query NOT LIKE '%pg_is_in_recovery()%' "
    "AND query NOT LIKE 'SET %' AND query <> 'SELECT $1'";

}  // namespace

std::string primary_url() {
  return with_database(testing::service_env("PG_PRIMARY_URL"), db_name());
}

std::string replica_url() {
  return with_database(testing::service_env("PG_REPLICA_URL"), db_name());
}

void create_database() {
  std::string lsn;
  {
    pqxx::connection admin(testing::service_env("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
    // CREATE DATABASE fails while another session is connected to the template: retry.
    for (int attempt = 0;; ++attempt) {
      try {
        tx.exec("CREATE DATABASE " + db_name());
        break;
      } catch (const pqxx::sql_error&) {
        if (attempt == 20) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    // Timestamps render the same in the daemon's sessions and in ours.
    tx.exec("ALTER DATABASE " + db_name() + " SET timezone TO 'UTC'");
  }
  primary_conn() = std::make_unique<pqxx::connection>(primary_url());
  {
    pqxx::nontransaction tx(*primary_conn());
    tx.exec(testing::read_file(testing::source_path("examples/blog/schema.sql")));
    // The mutation functions, which the daemon checks at start-up, when the tree has them.
    for (const char* rel : {"sql/mutation_response.sql", "examples/blog/functions.sql"}) {
      const std::string path = testing::source_path(rel);
      if (std::ifstream(path).good()) tx.exec(testing::read_file(path));
    }
    tx.exec(kSeed);
    tx.exec(kTypes);
    // Preloaded by the fixture; the view is per database.
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    lsn = tx.exec("SELECT pg_current_wal_lsn()::text")[0][0].as<std::string>();
  }
  // The replica must hold the database before the daemon reads from it.
  pqxx::connection replica_admin(testing::service_env("PG_REPLICA_URL"));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    pqxx::nontransaction tx(replica_admin);
    if (tx.exec("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")[0][0].as<bool>()) break;
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("the replica did not replay " + lsn);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  replica_conn() = std::make_unique<pqxx::connection>(replica_url());
}

void drop_database() {
  primary_conn().reset();
  replica_conn().reset();
  pqxx::connection admin(testing::service_env("PG_PRIMARY_URL"));
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
}

Env blog_daemon_env() {
  Env env = daemon_env();
  env["DATABASE_URL"] = primary_url();
  env["DATABASE_REPLICA_URLS"] = replica_url();
  env["FRAISEQL_SCHEMA_PATH"] = testing::source_path("examples/blog/schema.graphql");
  env["FRAISEQL_GRAPHQL_DEFAULT_LIMIT"] = std::to_string(kDefaultLimit);
  env["FRAISEQL_GRAPHQL_MAX_LIMIT"] = std::to_string(kMaxLimit);
  return env;
}

Env types_daemon_env() {
  Env env = blog_daemon_env();
  env["FRAISEQL_SCHEMA_PATH"] = testing::source_path("tests/e2e/read_path_types.graphql");
  return env;
}

nlohmann::ordered_json sql_json(const std::string& sql) {
  std::string text = cell(*primary_conn(), sql);
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(text);
}

std::string primary_text(const std::string& sql) {
  return cell(*primary_conn(), sql);
}

std::string replica_text(const std::string& sql) {
  return cell(*replica_conn(), sql);
}

std::string user_id(int g) {
  return primary_text("SELECT md5('u' || " + std::to_string(g) + ")::uuid::text");
}

std::string post_id(int g) {
  return primary_text("SELECT md5('p' || " + std::to_string(g) + ")::uuid::text");
}

json replica_statements() {
  return json::parse(replica_text(kStatementsQuery));
}

json primary_statements() {
  return json::parse(primary_text(kStatementsQuery));
}

std::string replica_exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  pqxx::nontransaction tx(*replica_conn());
  pqxx::result r = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
  if (r.size() != 1 || r.columns() != 1 || r[0][0].is_null())
    throw std::runtime_error("not one cell: " + sql);
  return r[0][0].as<std::string>();
}

void reset_statements() {
  const std::string reset =
      "SELECT count(*) FROM (SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = "
      "current_database()), 0)) r";
  primary_text(reset);
  replica_text(reset);
}

}  // namespace fraiseql::e2e::read_path
