#include "fraiseql/config/config.hpp"

#include <gtest/gtest.h>

namespace fraiseql::config {
namespace {

std::vector<KeySpec> spec() {
  return {
      {.path = "server.port",
       .type = Type::kInt,
       .default_value = "8000",
       .env = {"PORT"},
       .min = 0,
       .max = 65535},
      {.path = "server.timeout", .type = Type::kDuration, .default_value = "30s"},
      {.path = "server.body", .type = Type::kBytes, .default_value = "1MiB"},
      {.path = "server.debug", .type = Type::kBool, .default_value = "false"},
      {.path = "database.url", .type = Type::kString, .env = {"DATABASE_URL"}, .required = true},
      {.path = "database.replicas", .type = Type::kList, .env = {"DATABASE_REPLICA_URLS"}},
      {.path = "log.format", .type = Type::kEnum, .default_value = "text", .choices = {"text", "json"}},
  };
}

const Environment kDb = {{"DATABASE_URL", "postgresql://db/x"}};

TEST(Config, DefaultsApplyWhenNothingIsSet) {
  auto v = load_text(spec(), "", "f.yaml", kDb);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->integer("server.port"), 8000);
  EXPECT_EQ(v->duration("server.timeout"), std::chrono::seconds(30));
  EXPECT_EQ(v->bytes("server.body"), 1024U * 1024U);
  EXPECT_FALSE(v->boolean("server.debug"));
  EXPECT_EQ(v->string("log.format"), "text");
  EXPECT_EQ(v->origin("server.port"), "default");
  EXPECT_TRUE(v->list("database.replicas").empty());
}

TEST(Config, FileValuesAndOrigins) {
  auto v = load_text(spec(),
                     "server:\n  port: 9000\n  timeout: 250ms\n  body: 2KiB\n  debug: yes\n"
                     "database:\n  replicas: [a, b]\n",
                     "f.yaml", kDb);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->integer("server.port"), 9000);
  EXPECT_EQ(v->origin("server.port"), "f.yaml:2:9");
  EXPECT_EQ(v->duration("server.timeout"), std::chrono::milliseconds(250));
  EXPECT_EQ(v->bytes("server.body"), 2048U);
  EXPECT_TRUE(v->boolean("server.debug"));
  EXPECT_EQ(v->list("database.replicas"), (std::vector<std::string>{"a", "b"}));
}

TEST(Config, EnvironmentOverridesFileAndPrefixedNameWins) {
  Environment env = kDb;
  env["PORT"] = "7000";
  auto v = load_text(spec(), "server:\n  port: 9000\n", "f.yaml", env);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->integer("server.port"), 7000);
  EXPECT_EQ(v->origin("server.port"), "env PORT");
  env["FRAISEQL_SERVER_PORT"] = "7001";
  v = load_text(spec(), "server:\n  port: 9000\n", "f.yaml", env);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->integer("server.port"), 7001);
}

TEST(Config, CommaSeparatedListFromEnvironment) {
  Environment env = kDb;
  env["DATABASE_REPLICA_URLS"] = "postgresql://r1/x, postgresql://r2/x,";
  auto v = load_text(spec(), "", "f.yaml", env);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->list("database.replicas"),
            (std::vector<std::string>{"postgresql://r1/x", "postgresql://r2/x"}));
}

struct BadCase {
  std::string yaml;
  Environment env;
  std::string expect_in_message;
};

TEST(Config, BadInputNamesTheKey) {
  const std::vector<BadCase> cases = {
      {"server:\n  prot: 1\n", kDb, "unknown key 'server.prot' at f.yaml:2:3"},
      {"serverx: {}\n", kDb, "unknown key 'serverx'"},
      {"server:\n  port: abc\n", kDb, "server.port (from f.yaml:2:9): expected an integer"},
      {"server:\n  port: 70000\n", kDb,
       "server.port (from f.yaml:2:9): expected an integer between 0 and 65535"},
      {"server:\n  timeout: 30\n", kDb, "server.timeout (from f.yaml:2:12): expected a duration"},
      {"server:\n  body: 1 lightyear\n", kDb, "server.body"},
      {"server:\n  debug: maybe\n", kDb, "server.debug"},
      {"log:\n  format: xml\n", kDb, "log.format (from f.yaml:2:11): expected one of text json"},
      {"server: 3\n", kDb, "server (from f.yaml:1:9): expected a section"},
      {"server:\n  port: [1]\n", kDb, "server.port"},
      {"- a\n- b\n", kDb, "the top level must be a mapping"},
      {"server: {port: 1\n", kDb, "not valid YAML"},
      {"", {}, "database.url is required"},
      {"", {{"DATABASE_URL", "x"}, {"PORT", "-1"}}, "server.port (from env PORT)"},
  };
  for (const auto& c : cases) {
    auto v = load_text(spec(), c.yaml, "f.yaml", c.env);
    ASSERT_FALSE(v.ok()) << c.yaml;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find(c.expect_in_message), std::string::npos)
        << "message: " << v.error().message << "\nexpected to contain: " << c.expect_in_message;
  }
}

TEST(Config, UnknownPrefixedEnvironmentOnlyWarns) {
  Environment env = kDb;
  env["FRAISEQL_SERVICE_HOST"] = "10.0.0.1";  // what Kubernetes injects for a Service named fraiseql
  auto v = load_text(spec(), "", "f.yaml", env);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->warnings().size(), 1U);
  EXPECT_NE(v->warnings()[0].find("FRAISEQL_SERVICE_HOST"), std::string::npos);
}

TEST(Config, MissingFileIsAnError) {
  auto v = load(spec(), std::string("/nonexistent/fraiseql.yaml"), kDb);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("/nonexistent/fraiseql.yaml"), std::string::npos);
}

TEST(Config, DescribeMasksSecrets) {
  auto s = spec();
  s[4].secret = true;
  auto v = load_text(s, "", "f.yaml", {{"DATABASE_URL", "postgresql://u:pw@h/x"}});
  ASSERT_TRUE(v.ok());
  auto text = describe(s, *v);
  EXPECT_EQ(text.find("pw@h"), std::string::npos);
  EXPECT_NE(text.find("database.url = ********"), std::string::npos);
}

TEST(Config, EnvNameIsDerivedFromPath) {
  EXPECT_EQ(env_name("schema.path"), "FRAISEQL_SCHEMA_PATH");
  EXPECT_EQ(env_name("server.io_threads"), "FRAISEQL_SERVER_IO_THREADS");
}

}  // namespace
}  // namespace fraiseql::config
