#include "blog_db.hpp"

#include <unistd.h>

#include "test_env.hpp"

namespace fraiseql::sql::pgtest {

namespace {

std::string& db_name() {
  static std::string name = "fraiseql_sql_" + std::to_string(::getpid());
  return name;
}

std::string url_for(const std::string& db) {
  std::string url = fraiseql::testing::service_env("PG_PRIMARY_URL");
  return url.substr(0, url.rfind('/') + 1) + db;
}

std::unique_ptr<pqxx::connection>& conn_ptr() {
  static std::unique_ptr<pqxx::connection> conn;
  return conn;
}

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
       ARRAY['t' || g % 3],
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

}  // namespace

void create_blog_db() {
  {
    pqxx::connection admin(fraiseql::testing::service_env("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + db_name());
  }
  conn_ptr() = std::make_unique<pqxx::connection>(url_for(db_name()));
  pqxx::nontransaction tx(*conn_ptr());
  tx.exec(fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.sql")));
  // The mutation functions return the shipped mutation_response type.
  tx.exec(fraiseql::testing::read_file(fraiseql::testing::source_path("sql/mutation_response.sql")));
  tx.exec(fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/functions.sql")));
  tx.exec(kSeed);
  // Timestamps render the same whatever the server's default zone.
  tx.exec("SET TIME ZONE 'UTC'");
}

void drop_blog_db() {
  conn_ptr().reset();
  pqxx::connection admin(fraiseql::testing::service_env("PG_PRIMARY_URL"));
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
}

std::string blog_url() {
  return url_for(db_name());
}

pqxx::connection& blog_conn() {
  return *conn_ptr();
}

std::string run_compiled(const CompiledQuery& q) {
  std::vector<const char*> values;
  for (const auto& p : q.params) values.push_back(p.value ? p.value->c_str() : nullptr);
  pqxx::nontransaction tx(blog_conn());
  // exec_params uses the extended protocol, which refuses more than one statement.
  pqxx::result r = tx.exec_params(q.sql, pqxx::prepare::make_dynamic_params(values));
  if (r.size() != 1 || r.columns() != 1 || r[0][0].is_null()) throw std::runtime_error("not one JSON cell");
  return r[0][0].as<std::string>();
}

std::string run_sql(const std::string& sql) {
  pqxx::nontransaction tx(blog_conn());
  pqxx::result r = tx.exec(sql);
  return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
}

}  // namespace fraiseql::sql::pgtest
