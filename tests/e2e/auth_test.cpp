// Authentication and the per-request database context through the daemon: JWTs verified
// (401 for every bad one), the claims set in each transaction so PostgreSQL's row-level
// security decides what a caller sees, on the replica and on the primary, @auth roles
// (403), cached answers never crossing scopes, and WebSocket connection_init tokens
// (4403). The daemon connects as a role without BYPASSRLS, as in production.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pqxx/pqxx>

#include "fraiseql/auth/jwt.hpp"

#include "daemon.hpp"
#include "test_env.hpp"
#include "ws_client.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kSecret = "auth-e2e-secret-of-at-least-thirty-two-bytes";
const std::string kRole = "fraiseql_rls_app";

std::string db_name() {
  static const std::string kName = "auth_e2e_" + std::to_string(::getpid());
  return kName;
}

// The fixture's URL with another user and database.
std::string url_as(const std::string& base, const std::string& user, const std::string& db) {
  auto scheme = base.find("://") + 3;
  auto at = base.find('@', scheme);
  auto host = at == std::string::npos ? scheme : at + 1;
  auto slash = base.find('/', host);
  return base.substr(0, scheme) + user + "@" + base.substr(host, slash - host) + "/" + db;
}

constexpr const char* kSchemaSql = R"(
CREATE TABLE tb_note (id uuid PRIMARY KEY, tenant_id int NOT NULL, body text NOT NULL);
ALTER TABLE tb_note ENABLE ROW LEVEL SECURITY;
ALTER TABLE tb_note FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_notes ON tb_note
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::int);
-- security_invoker: the policy sees the caller's settings, not the view owner's rights.
CREATE VIEW v_note WITH (security_invoker = true) AS
  SELECT id, tenant_id,
         jsonb_build_object('id', id, 'body', body, 'tenant_id', tenant_id,
                            'port', inet_server_port(),
                            'claims_sub', nullif(current_setting('request.jwt.claims', true), '')::jsonb->>'sub')
           AS data
  FROM tb_note;
INSERT INTO tb_note VALUES
  ('00000000-0000-0000-0000-000000000001', 1, 'one-a'),
  ('00000000-0000-0000-0000-000000000002', 1, 'one-b'),
  ('00000000-0000-0000-0000-000000000003', 2, 'two-a');
)";

constexpr const char* kSchemaGraphql = R"(
type Note @view(name: "v_note") {
  id: ID!
  body: String!
  tenantId: Int!
  port: Int!
  claimsSub: String
  secret: String @auth(roles: ["admin"])
}
type Query {
  notes: [Note!]! @cached(ttl: 60)
  allNotes: [Note!]!
}
)";

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string primary = testing::service_env("PG_PRIMARY_URL");
    std::string lsn;
    {
      pqxx::connection admin(primary);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
      for (int attempt = 0;; ++attempt) {
        try {
          tx.exec("CREATE DATABASE " + db_name());
          break;
        } catch (const pqxx::sql_error&) {
          if (attempt == 20) throw;
          std::this_thread::sleep_for(100ms);
        }
      }
      // Roles are cluster-wide and other test processes may create it at the same time.
      try {
        tx.exec("CREATE ROLE " + kRole + " LOGIN NOSUPERUSER NOBYPASSRLS");
      } catch (const pqxx::sql_error&) {
      }
    }
    {
      pqxx::connection conn(url_as(primary, "fraiseql", db_name()));
      pqxx::nontransaction tx(conn);
      tx.exec(kSchemaSql);
      tx.exec("GRANT SELECT ON tb_note, v_note TO " + kRole);
      lsn = tx.exec("SELECT pg_current_wal_lsn()::text")[0][0].as<std::string>();
    }
    pqxx::connection replica(testing::service_env("PG_REPLICA_URL"));
    const auto until = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      pqxx::nontransaction tx(replica);
      if (tx.exec("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")[0][0].as<bool>()) break;
      ASSERT_LT(std::chrono::steady_clock::now(), until) << "the replica did not replay the test database";
      std::this_thread::sleep_for(20ms);
    }
    // And the daemon's role must find the view there (a new database on a standby).
    for (int attempt = 0;; ++attempt) {
      try {
        pqxx::connection app(url_as(testing::service_env("PG_REPLICA_URL"), kRole, db_name()));
        pqxx::nontransaction tx(app);
        tx.exec("SELECT 1 FROM v_note LIMIT 0");
        break;
      } catch (const std::exception& e) {
        ASSERT_LT(attempt, 200) << e.what();
        std::this_thread::sleep_for(50ms);
      }
    }
    schema_path() = testing::binary_path("auth_e2e_" + std::to_string(::getpid()) + ".graphql");
    std::ofstream(schema_path()) << kSchemaGraphql;
  }

  static void TearDownTestSuite() {
    pqxx::connection admin(testing::service_env("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
  }

  static std::string& schema_path() {
    static std::string path;
    return path;
  }

  static Env env(bool with_replica) {
    Env e = daemon_env();
    e["DATABASE_URL"] = url_as(testing::service_env("PG_PRIMARY_URL"), kRole, db_name());
    if (with_replica)
      e["DATABASE_REPLICA_URLS"] = url_as(testing::service_env("PG_REPLICA_URL"), kRole, db_name());
    e["FRAISEQL_SCHEMA_PATH"] = schema_path();
    e["FRAISEQL_JWT_SECRET"] = kSecret;
    e["FRAISEQL_AUTH_ISSUER"] = "https://issuer.test";
    e["FRAISEQL_AUTH_CLAIM_SETTINGS"] = "app.tenant_id=tenant_id";
    return e;
  }

  static std::string token(const json& claims, const std::string& secret = kSecret,
                           const std::string& alg = "HS256") {
    auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    json payload = {{"iss", "https://issuer.test"}, {"exp", now + 600}};
    payload.update(claims);
    auto input =
        auth::base64url_encode(json{{"alg", alg}}.dump()) + "." + auth::base64url_encode(payload.dump());
    if (alg == "none") return input + ".";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return input + "." + auth::base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
  }

  static HttpResponse query(Daemon& d, const std::string& q, const std::string& bearer = {}) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
    return http_request(d.port(), "POST", "/graphql", headers, json{{"query", q}}.dump());
  }

  static std::vector<std::string> bodies(const HttpResponse& r) {
    std::vector<std::string> out;
    auto j = json::parse(r.body);
    for (const auto& n : j["data"]["notes"]) out.push_back(n["body"]);
    std::sort(out.begin(), out.end());
    return out;
  }

  static int port_of(const HttpResponse& r) {
    auto j = json::parse(r.body);
    return j["data"]["notes"].empty() ? 0 : j["data"]["notes"][0]["port"].get<int>();
  }

  // Reads go to the primary until the router has checked the replica healthy: ask (an
  // uncached field) until the replica answers.
  static HttpResponse on_replica(Daemon& d, const std::string& bearer) {
    const int replica = std::stoi(testing::service_env("PG_REPLICA_PORT"));
    const auto until = std::chrono::steady_clock::now() + 15s;
    HttpResponse r;
    do {
      r = query(d, "{ notes: allNotes { body port claimsSub } }", bearer);
      if (r.status != 200 || port_of(r) == replica) break;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < until);
    return r;
  }
};

using Bodies = std::vector<std::string>;

TEST_F(AuthTest, EachTokenSeesItsTenantsRowsOnTheReplica) {
  Daemon d(env(true));
  auto one = on_replica(d, token({{"sub", "u1"}, {"tenant_id", 1}}));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(bodies(one), (Bodies{"one-a", "one-b"}));
  EXPECT_EQ(port_of(one), std::stoi(testing::service_env("PG_REPLICA_PORT")));
  EXPECT_EQ(json::parse(one.body)["data"]["notes"][0]["claimsSub"],
            "u1");  // request.jwt.claims reached the view
  auto two = on_replica(d, token({{"sub", "u2"}, {"tenant_id", 2}}));
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(bodies(two), (Bodies{"two-a"}));
  EXPECT_EQ(port_of(two), std::stoi(testing::service_env("PG_REPLICA_PORT")));
  // No token: the anonymous role, no tenant, no rows.
  auto anonymous = query(d, "{ notes: allNotes { body } }");
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_EQ(bodies(anonymous), Bodies{});
}

TEST_F(AuthTest, EachTokenSeesItsTenantsRowsOnThePrimary) {
  Daemon d(env(false));
  auto one = query(d, "{ notes: allNotes { body port } }", token({{"tenant_id", 1}}));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(bodies(one), (Bodies{"one-a", "one-b"}));
  EXPECT_EQ(port_of(one), std::stoi(testing::service_env("PG_PRIMARY_PORT")));
  auto two = query(d, "{ notes: allNotes { body port } }", token({{"tenant_id", 2}}));
  EXPECT_EQ(bodies(two), (Bodies{"two-a"}));
}

TEST_F(AuthTest, ACachedAnswerIsNeverServedToAnotherScope) {
  Daemon d(env(true));
  const std::string q = "{ notes { body } }";
  // The same document three times for tenant 1 (cached after the first), then tenant 2.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(bodies(query(d, q, token({{"tenant_id", 1}}))), (Bodies{"one-a", "one-b"}));
  EXPECT_EQ(bodies(query(d, q, token({{"tenant_id", 2}}))), (Bodies{"two-a"}));
  EXPECT_EQ(bodies(query(d, q)), Bodies{});
  // Hits are folded into the counter about once a second.
  double hits = 0;
  for (int i = 0; i < 40 && hits < 2; ++i) {
    hits =
        metric_value(d.get("/metrics").body, "fraiseql_cache_hits_total", {{"level", "local"}}).value_or(0);
    if (hits < 2) std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(hits, 2.0);
}

TEST_F(AuthTest, EveryBadTokenIs401WithAGraphQLErrorAndNothingRuns) {
  Daemon d(env(true));
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  struct Case {
    std::string name;
    std::string bearer;
    std::string message;
  };
  std::vector<Case> cases = {
      {"wrong secret", token({{"tenant_id", 1}}, kSecret + "-other"),
       "the token's signature does not verify"},
      {"alg none", token({{"tenant_id", 1}}, kSecret, "none"),
       "the token's algorithm \"none\" is not accepted"},
      {"expired", token({{"tenant_id", 1}, {"exp", now - 3600}}), "the token has expired"},
      {"wrong issuer", token({{"iss", "https://evil.test"}}), "the token's issuer is not accepted"},
      {"malformed", "not-a-token", "malformed token: expected header.payload.signature"},
  };
  for (const auto& c : cases) {
    auto r = query(d, "{ notes { body } }", c.bearer);
    EXPECT_EQ(r.status, 401) << c.name << ": " << r.body;
    EXPECT_EQ(r.header("WWW-Authenticate").value_or(""), R"(Bearer error="invalid_token")") << c.name;
    auto j = json::parse(r.body);
    EXPECT_FALSE(j.contains("data")) << c.name;
    EXPECT_EQ(j["errors"][0]["extensions"]["code"], "UNAUTHENTICATED") << c.name;
    EXPECT_EQ(j["errors"][0]["message"], c.message) << c.name;
  }
  auto basic = http_request(d.port(), "POST", "/graphql",
                            {{"Content-Type", "application/json"}, {"Authorization", "Basic dXNlcjpwYXNz"}},
                            R"({"query":"{ notes { body } }"})");
  EXPECT_EQ(basic.status, 401) << basic.body;
}

TEST_F(AuthTest, AFieldUnderAuthIsRefusedToOtherRolesOnEveryPath) {
  Daemon d(env(true));
  const std::string q = "{ notes { body secret } }";
  for (int i = 0; i < 2; ++i) {  // the second time the document and plan are cached
    auto r = query(d, q, token({{"tenant_id", 1}, {"role", "editor"}}));
    ASSERT_EQ(r.status, 403) << r.body;
    auto j = json::parse(r.body);
    EXPECT_FALSE(j.contains("data"));
    EXPECT_EQ(j["errors"][0]["extensions"]["code"], "FORBIDDEN");
    EXPECT_EQ(j["errors"][0]["path"], json::array({"notes", "secret"}));
  }
  auto admin = query(d, q, token({{"tenant_id", 1}, {"role", "admin"}}));
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(bodies(admin), (Bodies{"one-a", "one-b"}));
  // An admin's cached answer is not a way around it either.
  EXPECT_EQ(query(d, q, token({{"tenant_id", 1}, {"role", "editor"}})).status, 403);
}

TEST_F(AuthTest, WebSocketTokensComeFromConnectionInit) {
  Daemon d(env(true));
  {
    WsClient bad(d.port(), "graphql-transport-ws");
    ASSERT_TRUE(bad.upgraded());
    bad.send_json({{"type", "connection_init"}, {"payload", {{"Authorization", "Bearer nope"}}}});
    bad.read_until_closed();
    EXPECT_EQ(bad.close_code(), 4403);
  }
  WsClient good(d.port(), "graphql-transport-ws");
  ASSERT_TRUE(good.upgraded());
  good.send_json({{"type", "connection_init"}, {"payload", {{"authToken", token({{"tenant_id", 2}})}}}});
  EXPECT_EQ(good.read_json()["type"], "connection_ack");
  good.send_json({{"type", "subscribe"}, {"id", "1"}, {"payload", {{"query", "{ notes { body } }"}}}});
  auto next = good.read_json();
  ASSERT_EQ(next["type"], "next") << next;
  EXPECT_EQ(next["payload"]["data"]["notes"], json::parse(R"([{"body":"two-a"}])"));
}

TEST_F(AuthTest, AWebSocketClosesWhenItsTokenExpires) {
  Daemon d(env(true));
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  WsClient c(d.port(), "graphql-transport-ws");
  ASSERT_TRUE(c.upgraded());
  // Accepted (it has not expired), then the socket ends when the token does.
  c.send_json(
      {{"type", "connection_init"}, {"payload", {{"Authorization", "Bearer " + token({{"exp", now + 2}})}}}});
  EXPECT_EQ(c.read_json()["type"], "connection_ack");
  c.read_until_closed(std::chrono::seconds(15));
  EXPECT_EQ(c.close_code(), 4403);
}

HttpResponse query_from(Daemon& d, const std::string& forwarded_for, const std::string& bearer = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return http_request(d.port(), "POST", "/graphql", headers, R"({"query":"{ __typename }"})");
}

TEST_F(AuthTest, ClientAddressesAreRateLimitedWith429AndRetryAfter) {
  Env e = env(true);
  e["FRAISEQL_LIMITS_PER_IP_RATE"] = "1";
  e["FRAISEQL_LIMITS_PER_IP_BURST"] = "3";
  e["FRAISEQL_SERVER_TRUSTED_PROXIES"] = "127.0.0.1";
  Daemon d(e);
  // Behind the trusted proxy each client has its own bucket.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(query_from(d, "198.51.100.1").status, 200) << i;
  auto refused = query_from(d, "198.51.100.1");
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.header("Retry-After").value_or(""), "1");
  EXPECT_EQ(json::parse(refused.body)["errors"][0]["extensions"]["code"], "RATE_LIMITED");
  EXPECT_EQ(query_from(d, "198.51.100.2").status, 200);
  // A client cannot pick another address: the hop the proxy appended decides.
  EXPECT_EQ(query_from(d, "203.0.113.50, 198.51.100.1").status, 429);
  EXPECT_EQ(d.get("/health").status, 200);  // probes are never limited
  EXPECT_GE(metric_value(d.get("/metrics").body, "fraiseql_rate_limited_total", {{"key", "ip"}}).value_or(0),
            2.0);
}

TEST_F(AuthTest, WithoutTrustedProxiesForwardedForIsIgnored) {
  Env e = env(true);
  e["FRAISEQL_LIMITS_PER_IP_RATE"] = "1";
  e["FRAISEQL_LIMITS_PER_IP_BURST"] = "2";
  Daemon d(e);
  EXPECT_EQ(query_from(d, "198.51.100.1").status, 200);
  EXPECT_EQ(query_from(d, "198.51.100.2").status, 200);
  EXPECT_EQ(query_from(d, "198.51.100.3").status, 429);  // all the same peer, 127.0.0.1
}

TEST_F(AuthTest, TokenSubjectsAreRateLimitedSeparately) {
  Env e = env(true);
  e["FRAISEQL_LIMITS_PER_SUBJECT_RATE"] = "1";
  e["FRAISEQL_LIMITS_PER_SUBJECT_BURST"] = "2";
  Daemon d(e);
  const auto u1 = token({{"sub", "u1"}});
  const auto u2 = token({{"sub", "u2"}});
  EXPECT_EQ(query_from(d, {}, u1).status, 200);
  EXPECT_EQ(query_from(d, {}, u1).status, 200);
  auto refused = query_from(d, {}, u1);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.header("Retry-After").value_or(""), "1");
  EXPECT_EQ(query_from(d, {}, u2).status, 200);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(query_from(d, {}).status, 200) << i;  // anonymous: no subject
}

}  // namespace
}  // namespace fraiseql::e2e
