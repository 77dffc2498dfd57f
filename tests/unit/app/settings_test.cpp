#include "settings.hpp"

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace fraiseql::app {
namespace {

const std::string kExample = "config/fraiseql.example.yaml";

// The example file is the operator's reference: it must set every key, so no key is
// left undocumented there.
TEST(ExampleConfig, DocumentsEveryKey) {
  const auto values = config::load(settings_spec(), testing::source_path(kExample), {});
  ASSERT_TRUE(values) << values.error().message;
  for (const auto& key : settings_spec()) {
    EXPECT_NE(values->origin(key.path).find("fraiseql.example.yaml"), std::string::npos)
        << key.path << " is not in " << kExample << " (origin: " << values->origin(key.path) << ")";
  }
}

TEST(ExampleConfig, LoadsWithDefaultsUnchanged) {
  const auto s = load_settings(testing::source_path(kExample), {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->server.host, "0.0.0.0");
  EXPECT_EQ(s->server.port, 8000);
  EXPECT_EQ(s->server.io_threads, 0U);
  EXPECT_EQ(s->server.max_body_bytes, 1U << 20);
  EXPECT_EQ(s->shutdown_grace, std::chrono::seconds(25));
}

TEST(Settings, WellKnownEnvironmentOverridesTheFile) {
  const auto s =
      load_settings(testing::source_path(kExample),
                    {{"PORT", "9000"},
                     {"DATABASE_URL", "postgresql://u@127.0.0.1:1/d"},
                     {"DATABASE_REPLICA_URLS", "postgresql://a@127.0.0.1:2/d,postgresql://b@127.0.0.1:3/d"},
                     {"MAX_DB_CONNECTIONS", "40"},
                     {"WEB_CONCURRENCY", "2"},
                     {"REDIS_URL", "redis://127.0.0.1:6379/0"}});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->server.port, 9000);
  EXPECT_EQ(s->database_url, "postgresql://u@127.0.0.1:1/d");
  ASSERT_EQ(s->replica_urls.size(), 2U);
  EXPECT_EQ(s->replica_urls[1], "postgresql://b@127.0.0.1:3/d");
  EXPECT_EQ(s->max_db_connections, 40U);
  EXPECT_EQ(s->web_concurrency, 2U);
  EXPECT_EQ(s->redis_url, "redis://127.0.0.1:6379/0");
}

TEST(Settings, MissingDatabaseUrlNamesTheKey) {
  const auto s = load_settings(std::nullopt, {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("database.url"), std::string::npos) << s.error().message;
}

TEST(Settings, BadUrlsNameTheKey) {
  auto s = load_settings(std::nullopt, {{"DATABASE_URL", "mysql://x"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("database.url"), std::string::npos) << s.error().message;
  s = load_settings(std::nullopt, {{"DATABASE_URL", "dbname=x"}, {"REDIS_URL", "http://x"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("redis.url"), std::string::npos) << s.error().message;
}

TEST(Settings, PortOutOfRangeNamesTheKey) {
  const auto s = load_settings(std::nullopt, {{"DATABASE_URL", "dbname=x"}, {"PORT", "70000"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("server.port"), std::string::npos) << s.error().message;
}

TEST(Settings, CacheDefaultsFollowTheScalingGuide) {
  const auto s = load_settings(testing::source_path(kExample), {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->cache.enabled);
  EXPECT_EQ(s->cache.default_ttl, std::chrono::seconds(300));
  EXPECT_FALSE(s->cache.cache_all_queries);
  EXPECT_EQ(s->cache.redis_timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(s->cache.warm_interval, std::chrono::seconds(300));
  EXPECT_EQ(s->cache.warm_retry, std::chrono::seconds(60));
  EXPECT_EQ(s->cache.l1_max_bytes, std::size_t{256} << 20U);
  EXPECT_TRUE(s->cache.warm.empty());
  EXPECT_TRUE(s->redis_url.empty());  // the in-process tier alone
}

TEST(Settings, CacheKeysFromTheEnvironment) {
  const auto s = load_settings(std::nullopt, {{"DATABASE_URL", "dbname=x"},
                                              {"FRAISEQL_CACHE_ENABLED", "false"},
                                              {"FRAISEQL_CACHE_DEFAULT_TTL", "2m"},
                                              {"FRAISEQL_CACHE_CACHE_ALL_QUERIES", "true"},
                                              {"FRAISEQL_CACHE_WARM", R"({"query":"{ users { id } }"})"}});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->cache.enabled);
  EXPECT_EQ(s->cache.default_ttl, std::chrono::seconds(120));
  EXPECT_TRUE(s->cache.cache_all_queries);
  ASSERT_EQ(s->cache.warm.size(), 1U);
}

TEST(Settings, ABadWarmOperationNamesTheKeyAndItsIndex) {
  const auto s = load_settings(std::nullopt,
                               {{"DATABASE_URL", "dbname=x"}, {"FRAISEQL_CACHE_WARM", "{ users { id } }"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("cache.warm[0]"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("expected a JSON object"), std::string::npos) << s.error().message;
}

TEST(Settings, ACacheTtlOutOfRangeNamesTheKey) {
  const auto s =
      load_settings(std::nullopt, {{"DATABASE_URL", "dbname=x"}, {"FRAISEQL_CACHE_DEFAULT_TTL", "0s"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("cache.default_ttl"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace fraiseql::app
