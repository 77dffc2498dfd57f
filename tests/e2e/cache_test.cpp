// The response cache through the real daemon, the fixture's PostgreSQL and Redis.
// Whether a query reached PostgreSQL is asked of PostgreSQL itself: pg_stat_statements
// counts the statements that read each test's own view.
#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Runs a shell command; its standard output, trimmed. Throws when it fails.
std::string shell(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");  // NOLINT(cert-env33-c): test-only, fixed commands
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + cmd);
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  if (pclose(pipe) != 0) throw std::runtime_error("failed: " + cmd + "\n" + out);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())) != 0) out.pop_back();
  return out;
}

std::string psql(const std::string& sql) {
  return shell("psql \"" + testing::service_env("PG_PRIMARY_URL") + "\" -X -q -At -v ON_ERROR_STOP=1 -c \"" +
               sql + "\"");
}

// Runs a SQL script (dollar quotes and all) on the primary.
void psql_file(const std::string& sql, const std::string& name) {
  const std::string path = testing::binary_path("tests/e2e/" + name + ".sql");
  std::ofstream(path) << sql;
  shell("psql \"" + testing::service_env("PG_PRIMARY_URL") + "\" -X -q -v ON_ERROR_STOP=1 -f \"" + path +
        "\"");
}

std::string redis_cli(const std::string& args) {
  return shell("redis-cli -h 127.0.0.1 -p " + testing::service_env("REDIS_PORT") + " " + args);
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 15U]);
    }
  }
  return out;
}

// Each test reads a view of its own, so the statement counts of tests running beside it
// (and of earlier runs) do not mix with its own.
class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    view_ = "v_cache_" + name;
    const std::string table = "tb_cache_" + name;
    // A table behind the view, and a mutation function that renames an item.
    const std::string load_type = "psql \"" + testing::service_env("PG_PRIMARY_URL") +
                                  "\" -X -q -v ON_ERROR_STOP=1 -f \"" +
                                  testing::source_path("sql/mutation_response.sql") + "\" 2>&1";
    try {
      shell(load_type);
    } catch (const std::runtime_error&) {
      shell(load_type);  // a test beside this one created the type at the same instant
    }
    psql_file("DROP VIEW IF EXISTS " + view_ + ";\nDROP TABLE IF EXISTS " + table + ";\nCREATE TABLE " +
                  table + " (id text PRIMARY KEY, name text NOT NULL);\nINSERT INTO " + table +
                  " SELECT n::text, 'item ' || n FROM generate_series(1, 200) AS n;\nCREATE VIEW " + view_ +
                  " AS SELECT id, jsonb_build_object('id', id, 'name', name) AS data FROM " + table +
                  ";\nCREATE OR REPLACE FUNCTION fn_rename_" + name +
                  "(input jsonb) RETURNS mutation_response LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE " + table +
                  " SET name = input->>'name' WHERE id = input->>'id';\n  RETURN ROW('updated', 'renamed', "
                  "input->>'id', 'Item', (SELECT data FROM " +
                  view_ + " WHERE id = input->>'id'), NULL, '[]', NULL)::mutation_response;\nEND\n$$;\n",
              "cache_" + name);
    schema_path_ = testing::binary_path("tests/e2e/cache_" + name + ".graphql");
    std::ofstream(schema_path_) << "type Item @view(name: \"" << view_ << "\") { id: ID! name: String! }\n"
                                << "type Other @view(name: \"" << view_ << "\") { id: ID! name: String! }\n"
                                << "type Query {\n"
                                << "  items: [Item!]! @cached(ttl: 60)\n"
                                << "  item(id: ID!): Item @cached(ttl: 60)\n"
                                << "  others: [Other!]!\n"
                                << "}\n"
                                << "input RenameInput { id: ID! name: String! }\n"
                                << "type RenameSuccess @success { message: String item: Item }\n"
                                << "type RenameError @error { code: String! message: String }\n"
                                << "union RenameResult = RenameSuccess | RenameError\n"
                                << "type Mutation {\n"
                                << "  renameItem(input: RenameInput!): RenameResult!\n"
                                << "    @function(name: \"fn_rename_" << name
                                << "\", invalidates: [\"Item\"])\n"
                                << "}\n";
    // A prefix per run and test: entries of an earlier run are not found in Redis.
    prefix_ = "fraiseql:test:" + name + ":" + std::to_string(Clock::now().time_since_epoch().count()) + ":";
  }

  Env env(bool redis) const {
    Env e = daemon_env();
    e["FRAISEQL_SCHEMA_PATH"] = schema_path_;
    e["FRAISEQL_CACHE_KEY_PREFIX"] = prefix_;
    e.erase("REDIS_URL");
    if (redis) e["REDIS_URL"] = testing::service_env("REDIS_URL");
    return e;
  }

  // Statements PostgreSQL ran that read this test's view.
  [[nodiscard]] long long reads() const {
    return std::stoll(psql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%" +
                           view_ + "%' AND query NOT LIKE '%pg_stat_statements%'"));
  }

  static HttpResponse post(Daemon& d, const json& body) {
    return http_request(d.port(), "POST", "/graphql", {{"Content-Type", "application/json"}}, body.dump());
  }
  static HttpResponse get(Daemon& d, const std::string& query,
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return d.get("/graphql?query=" + url_encode(query), headers);
  }
  static json data(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("data");
  }
  static double metric(Daemon& d, std::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& labels = {}) {
    return metric_value(d.get("/metrics").body, name, labels).value_or(-1);
  }
  // The local hit counter is published once a second: wait until it reaches `at_least`.
  static double wait_metric(Daemon& d, std::string_view name,
                            const std::vector<std::pair<std::string, std::string>>& labels, double at_least) {
    auto until = Clock::now() + 10s;
    double v = metric(d, name, labels);
    while (v < at_least && Clock::now() < until) {
      std::this_thread::sleep_for(50ms);
      v = metric(d, name, labels);
    }
    return v;
  }
  static void stop(Daemon& d) {
    d.signal(SIGTERM);
    ASSERT_EQ(d.wait_exit(20s), 0);
  }

  std::string view_;
  std::string schema_path_;
  std::string prefix_;
};

TEST_F(CacheTest, ASecondIdenticalQueryDoesNotReachPostgres) {
  Daemon d(env(false));
  const long long before = reads();
  auto first = data(post(d, {{"query", "{ items { id name } }"}}));
  ASSERT_EQ(first["items"].size(), 100U);  // graphql.default_limit
  EXPECT_EQ(reads(), before + 1);
  // Spelt differently, same document: same entry.
  auto second = data(post(d, {{"query", "query {\n  items {\n    id\n    name\n  }\n}"}}));
  EXPECT_EQ(second, first);
  EXPECT_EQ(reads(), before + 1);
  // Other variables are another entry.
  const char* q = "query I($id: ID!) { item(id: $id) { name } }";
  EXPECT_EQ(data(post(d, {{"query", q}, {"variables", {{"id", "3"}}}}))["item"]["name"], "item 3");
  EXPECT_EQ(data(post(d, {{"query", q}, {"variables", {{"id", "4"}}}}))["item"]["name"], "item 4");
  EXPECT_EQ(data(post(d, {{"query", q}, {"variables", {{"id", "3"}}}}))["item"]["name"], "item 3");
  EXPECT_EQ(reads(), before + 3);

  // The cache module's metrics are on the daemon's /metrics.
  EXPECT_GE(wait_metric(d, "fraiseql_cache_hits_total", {{"level", "local"}}, 2), 2);
  EXPECT_GE(metric(d, "fraiseql_cache_misses_total"), 3);
  EXPECT_GT(metric(d, "fraiseql_cache_bytes"), 0);
  EXPECT_EQ(metric(d, "fraiseql_cache_hits_total", {{"level", "redis"}}), 0);
  auto [code, output] = testing::promtool_check(d.get("/metrics").body);
  EXPECT_EQ(code, 0) << output;
}

// The name of item "1" in a list of items (an update moves its row: no order to rely on).
std::string name_of_1(const json& items) {
  for (const auto& i : items) {
    if (i.at("id") == "1") return i.at("name").get<std::string>();
  }
  return "(item 1 missing)";
}

constexpr const char* kRename =
    R"(mutation { renameItem(input: {id: "1", name: "renamed"}) { ... on RenameSuccess { item { name } } } })";

TEST_F(CacheTest, AMutationInvalidatesTheTypesItNames) {
  Daemon d(env(false));
  const json items = {{"query", "{ items(limit: 500) { id name } }"}};
  const json item = {{"query", "{ item(id: \"1\") { name } }"}};
  EXPECT_EQ(name_of_1(data(post(d, items))["items"]), "item 1");
  EXPECT_EQ(data(post(d, item))["item"]["name"], "item 1");
  const long long before = reads();
  post(d, items);
  post(d, item);
  EXPECT_EQ(reads(), before);  // both cached

  auto m = post(d, {{"query", kRename}});
  ASSERT_EQ(m.status, 200) << m.body;
  ASSERT_EQ(json::parse(m.body)["data"]["renameItem"]["item"]["name"], "renamed") << m.body;
  // Both entries depend on Item: the next reads go to PostgreSQL and see the write.
  EXPECT_EQ(name_of_1(data(post(d, items))["items"]), "renamed");
  EXPECT_EQ(data(post(d, item))["item"]["name"], "renamed");
  EXPECT_GE(reads(), before + 2);
}

TEST_F(CacheTest, AWriteThroughOneDaemonDropsTheOthersLocalCopy) {
  Daemon a(env(true));
  Daemon b(env(true));
  const json items = {{"query", "{ items(limit: 500) { id name } }"}};
  EXPECT_EQ(name_of_1(data(post(b, items))["items"]), "item 1");
  const long long before = reads();
  EXPECT_EQ(name_of_1(data(post(b, items))["items"]), "item 1");  // b's own copy
  EXPECT_EQ(reads(), before);

  auto m = post(a, {{"query", kRename}});
  ASSERT_EQ(m.status, 200) << m.body;
  // The bump reaches b through Redis pub/sub; until then b may serve its copy.
  auto until = Clock::now() + 10s;
  std::string seen = name_of_1(data(post(b, items))["items"]);
  while (seen != "renamed" && Clock::now() < until) {
    std::this_thread::sleep_for(20ms);
    seen = name_of_1(data(post(b, items))["items"]);
  }
  EXPECT_EQ(seen, "renamed");
}

TEST_F(CacheTest, ConcurrentIdenticalMissesRunOneStatement) {
  Daemon d(env(false));
  const long long before = reads();
  std::vector<std::thread> threads;
  std::vector<int> statuses(8);
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] { statuses[i] = post(d, {{"query", "{ items { id } }"}}).status; });
  }
  for (auto& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  EXPECT_EQ(reads(), before + 1);
}

TEST_F(CacheTest, RedisServesANewProcess) {
  const long long before = reads();
  std::string body;
  {
    Daemon a(env(true));
    auto r = post(a, {{"query", "{ items { id name } }"}});
    ASSERT_EQ(r.status, 200) << r.body;
    body = r.body;
    EXPECT_EQ(reads(), before + 1);
    stop(a);
  }
  EXPECT_NE(redis_cli("--scan --pattern '" + prefix_ + "e:*'"), "");
  Daemon b(env(true));
  auto r = post(b, {{"query", "{ items { id name } }"}});
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(reads(), before + 1);  // from Redis, not PostgreSQL
  EXPECT_EQ(metric(b, "fraiseql_cache_hits_total", {{"level", "redis"}}), 1);
}

TEST_F(CacheTest, TtlFromCachedOrTheDefault) {
  Env e = env(false);
  e["FRAISEQL_CACHE_CACHE_ALL_QUERIES"] = "true";
  e["FRAISEQL_CACHE_DEFAULT_TTL"] = "2m";
  Daemon d(e);
  // A miss is fresh for the whole lifetime: @cached(ttl: 60) on the field...
  auto items = get(d, "{ items { id } }");
  ASSERT_EQ(items.status, 200) << items.body;
  EXPECT_EQ(items.header("Cache-Control").value_or(""), "max-age=60");
  // ... the configured default for a field without it ...
  auto others = get(d, "{ others { id } }");
  ASSERT_EQ(others.status, 200) << others.body;
  EXPECT_EQ(others.header("Cache-Control").value_or(""), "max-age=120");
  // ... and the smallest when both are asked for.
  auto both = get(d, "{ others { id } items { name } }");
  EXPECT_EQ(both.header("Cache-Control").value_or(""), "max-age=60");
  const long long before = reads();
  get(d, "{ others { id } }");
  EXPECT_EQ(reads(), before);
}

TEST_F(CacheTest, NotCachedWithoutCachedOrTheSetting) {
  Daemon d(env(false));
  const long long before = reads();
  auto a = get(d, "{ others { id } }");
  auto b = get(d, "{ others { id } }");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(reads(), before + 2);
  EXPECT_EQ(a.header("Cache-Control").value_or(""), "no-store");
  EXPECT_FALSE(a.header("ETag"));
  // Errors are not to be kept either.
  auto bad = get(d, "{ nope }");
  EXPECT_EQ(bad.header("Cache-Control").value_or(""), "no-store");
}

TEST_F(CacheTest, CacheDisabledRunsEveryQuery) {
  Env e = env(false);
  e["FRAISEQL_CACHE_ENABLED"] = "false";
  Daemon d(e);
  const long long before = reads();
  get(d, "{ items { id } }");
  get(d, "{ items { id } }");
  EXPECT_EQ(reads(), before + 2);
}

TEST_F(CacheTest, EtagAndIfNoneMatchOverGet) {
  Daemon d(env(false));
  auto first = get(d, "{ items { id } }");
  ASSERT_EQ(first.status, 200) << first.body;
  auto etag = first.header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_EQ(etag->size(), 34U);
  EXPECT_EQ(etag->front(), '"');  // strong: no W/
  // A hit carries the same tag.
  auto again = get(d, "{ items { id } }");
  EXPECT_EQ(again.header("ETag"), etag);
  EXPECT_EQ(again.body, first.body);

  auto not_modified = get(d, "{ items { id } }", {{"If-None-Match", *etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.header("ETag"), etag);
  EXPECT_NE(not_modified.header("Cache-Control").value_or("").find("max-age="), std::string::npos);
  // In a list, or weak (If-None-Match compares weakly).
  EXPECT_EQ(get(d, "{ items { id } }", {{"If-None-Match", "\"x\", W/" + *etag}}).status, 304);
  EXPECT_EQ(get(d, "{ items { id } }", {{"If-None-Match", "*"}}).status, 304);
  // Another tag: the whole answer.
  auto changed = get(d, "{ items { id } }", {{"If-None-Match", "\"0123\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, first.body);
  // POST answers are not HTTP-cacheable: no validator.
  auto p = post(d, {{"query", "{ items { id } }"}});
  EXPECT_FALSE(p.header("ETag"));
}

TEST_F(CacheTest, WarmingFillsTheCacheAtStartUp) {
  Env e = env(false);
  e["FRAISEQL_CACHE_WARM"] = R"({"query": "{ items { id name } }"})";
  const long long before = reads();
  Daemon d(e);
  ASSERT_TRUE(d.wait_for_log("cache warming: 1 of 1 operation(s) cached")) << d.log();
  EXPECT_EQ(reads(), before + 1);
  auto r = post(d, {{"query", "{ items { id name } }"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(reads(), before + 1);  // the first request is a hit
}

TEST_F(CacheTest, AFailingWarmOperationIsLoggedAndRetried) {
  Env e = env(false);
  e["FRAISEQL_CACHE_WARM"] = R"({"query": "{ nope }"})";
  e["FRAISEQL_CACHE_WARM_RETRY"] = "200ms";
  Daemon d(e);
  ASSERT_TRUE(d.wait_for_log("cache warming: operation 1 ({ nope }) failed")) << d.log();
  // Retried: a second round comes (and fails again) well before warm_interval.
  auto until = Clock::now() + 10s;
  auto count = [&] {
    std::string log = d.log();
    std::size_t n = 0;
    for (auto pos = log.find("0 of 1 operation(s) cached"); pos != std::string::npos;
         pos = log.find("0 of 1 operation(s) cached", pos + 1))
      ++n;
    return n;
  };
  while (count() < 2 && Clock::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_GE(count(), 2U) << d.log();
  EXPECT_EQ(d.get("/health").status, 200);
}

TEST_F(CacheTest, ABadWarmOperationStopsStartUp) {
  Env e = env(false);
  e["FRAISEQL_CACHE_WARM"] = "{ items { id } }";
  auto exit = run_fraiseql({"serve"}, e);
  EXPECT_EQ(exit.code, 2);
  EXPECT_NE(exit.err.find("cache.warm[0]"), std::string::npos) << exit.err;
  EXPECT_NE(exit.err.find("expected a JSON object"), std::string::npos) << exit.err;
}

// Stops and starts the fixture's Redis (registered to run alone).
class CacheFaultTest : public CacheTest {
 protected:
  static void services(const std::string& command) {
    shell("\"" + testing::service_env("SERVICES_SCRIPT") + "\" " + command + " \"" +
          testing::service_env("SERVICES_DIR") + "\" 2>&1");
  }
};

TEST_F(CacheFaultTest, RedisDownFailsNoQueryAndOnceBackIsUsedAgain) {
  Env e = env(true);
  e["FRAISEQL_CACHE_REDIS_BREAKER_RECOVERY"] = "200ms";
  Daemon a(e);
  const char* q = "query I($id: ID!) { item(id: $id) { name } }";
  auto ask = [&](Daemon& d, int id) {
    auto r = post(d, {{"query", q}, {"variables", {{"id", std::to_string(id)}}}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["data"]["item"]["name"], "item " + std::to_string(id)) << r.body;
  };
  for (int id = 1; id <= 10; ++id) ask(a, id);
  struct Restart {
    ~Restart() {
      try {
        services("redis-start");
      } catch (const std::exception& ex) {
        ADD_FAILURE() << ex.what();
      }
    }
  } restart_even_on_failure;
  services("redis-stop");
  for (int id = 11; id <= 40; ++id) ask(a, id);  // misses with Redis gone
  for (int id = 1; id <= 40; ++id) ask(a, id);   // hits, in process
  EXPECT_GT(metric(a, "fraiseql_cache_redis_errors_total"), 0);
  services("redis-start");

  // Back: new entries reach Redis again once the breaker lets a call through.
  auto until = Clock::now() + 20s;
  int id = 41;
  while (redis_cli("--scan --pattern '" + prefix_ + "e:*'").empty() && Clock::now() < until && id < 200) {
    ask(a, id++);
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(redis_cli("--scan --pattern '" + prefix_ + "e:*'"), "") << "no entry reached Redis again";
  stop(a);
  // A new process finds them there.
  Daemon b(env(true));
  const long long before = reads();
  for (int i = 41; i < id; ++i) ask(b, i);
  EXPECT_GE(metric(b, "fraiseql_cache_hits_total", {{"level", "redis"}}), 1);
  EXPECT_LT(reads(), before + (id - 41));
}

}  // namespace
}  // namespace fraiseql::e2e
