// POST and GET /graphql through the real daemon: media types, status codes and the
// errors each malformed request gets (GraphQL over HTTP).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

class GraphQLHttpTest : public ::testing::Test {
 protected:
  HttpResponse post(const std::string& body, const std::string& accept = {},
                    const std::string& content_type = "application/json") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    if (!accept.empty()) headers.emplace_back("Accept", accept);
    return http_request(daemon_.port(), "POST", "/graphql", headers, body);
  }
  static json body_of(const HttpResponse& r) { return json::parse(r.body); }
  static std::string code_of(const HttpResponse& r) {
    return body_of(r)["errors"][0]["extensions"]["code"].get<std::string>();
  }

  Daemon daemon_{graphql_daemon_env()};
};

constexpr const char* kGraphQLResponse = "application/graphql-response+json";

TEST_F(GraphQLHttpTest, PostAnswersInTheAcceptedMediaType) {
  auto legacy = post(R"({"query":"{ __typename }"})");
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.header("Content-Type").value_or(""), "application/json; charset=utf-8");
  EXPECT_EQ(body_of(legacy), json::parse(R"({"data":{"__typename":"Query"}})"));

  auto modern = post(R"({"query":"{ __typename }"})", kGraphQLResponse);
  EXPECT_EQ(modern.status, 200);
  EXPECT_EQ(modern.header("Content-Type").value_or(""), "application/graphql-response+json; charset=utf-8");
  EXPECT_EQ(body_of(modern), body_of(legacy));
}

TEST_F(GraphQLHttpTest, IntrospectionDescribesTheSchemaFile) {
  auto r = post(R"({"query":"{ __type(name: \"User\") { fields { name } } }"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["data"]["__type"]["fields"], json::parse(R"([{"name":"id"},{"name":"name"}])"));
}

TEST_F(GraphQLHttpTest, RequestErrorsAre400OnlyForTheNewMediaType) {
  for (const char* q : {R"({"query":"{ users { id }"})", R"({"query":"{ nope }"})"}) {
    auto legacy = post(q);
    EXPECT_EQ(legacy.status, 200) << q;
    EXPECT_FALSE(body_of(legacy).contains("data")) << legacy.body;
    auto modern = post(q, kGraphQLResponse);
    EXPECT_EQ(modern.status, 400) << q;
    EXPECT_EQ(body_of(modern), body_of(legacy));
  }
  EXPECT_EQ(code_of(post(R"({"query":"{ users { id }"})")), "GRAPHQL_PARSE_FAILED");
  EXPECT_EQ(code_of(post(R"({"query":"{ nope }"})")), "GRAPHQL_VALIDATION_FAILED");
  EXPECT_EQ(code_of(post(R"({"query":"query Q($id: ID!) { user(id: $id) { id } }","variables":{}})")),
            "BAD_USER_INPUT");
}

TEST_F(GraphQLHttpTest, GetRunsQueriesAndRefusesMutationsWith405) {
  auto r = daemon_.get("/graphql?query=%7B%20__typename%20%7D");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r), json::parse(R"({"data":{"__typename":"Query"}})"));

  auto m = daemon_.get("/graphql?query=mutation%20%7B%20touchUser(id%3A%201)%20%7B%20id%20%7D%20%7D");
  EXPECT_EQ(m.status, 405) << m.body;
  EXPECT_EQ(m.header("Allow").value_or(""), "POST");
  EXPECT_NE(body_of(m)["errors"][0]["message"].get<std::string>().find("POST"), std::string::npos);
}

TEST_F(GraphQLHttpTest, MalformedRequestsGet4xxWithAGraphQLErrorBody) {
  struct Case {
    std::string body;
    std::string content_type;
    int status;
  };
  const Case cases[] = {
      {R"({"query": )", "application/json", 400},             // not JSON
      {R"(["{ __typename }"])", "application/json", 400},     // not an object
      {R"({"operationName":"A"})", "application/json", 200},  // no query: a GraphQL error
      {R"({"query":42})", "application/json", 400},           // query not a string
      {R"({"query":"{ __typename }","variables":"x"})", "application/json", 400},
      {R"({"query":"{ __typename }"})", "text/plain", 415},
      {R"({"query":"{ __typename }"})", "", 415},
  };
  for (const auto& c : cases) {
    auto r = post(c.body, {}, c.content_type);
    EXPECT_EQ(r.status, c.status) << c.body << " as " << c.content_type;
    auto body = body_of(r);
    EXPECT_TRUE(body["errors"].is_array() && !body["errors"].empty()) << r.body;
    EXPECT_FALSE(body.contains("data")) << r.body;
  }
  // The daemon is still there and serving.
  EXPECT_EQ(post(R"({"query":"{ __typename }"})").status, 200);
}

TEST_F(GraphQLHttpTest, UnacceptableAcceptIs406) {
  auto r = post(R"({"query":"{ __typename }"})", "text/html");
  EXPECT_EQ(r.status, 406);
  EXPECT_EQ(code_of(r), "NOT_ACCEPTABLE");
}

TEST_F(GraphQLHttpTest, DataComesFromTheViewThroughOneStatement) {
  auto r = post(R"({"query":"{ users { id name } one: user(id: \"2\") { name } }"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r),
            json::parse(R"({"data":{"users":[{"id":"1","name":"user 1"},{"id":"2","name":"user 2"}],
      "one":{"name":"user 2"}}})"));
}

TEST_F(GraphQLHttpTest, ARepeatedOperationGetsEachRequestsVariables) {
  // The second and third requests reuse the first one's compiled plan.
  const std::string q = R"({"query":"query Q($id: ID!) { user(id: $id) { name } }","variables":{"id":")";
  for (const char* id : {"1", "2", "1"}) {
    auto r = post(q + id + "\"}}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_of(r)["data"]["user"]["name"], std::string("user ") + id) << r.body;
  }
  auto none = post(q + "3\"}}");
  EXPECT_TRUE(body_of(none)["data"]["user"].is_null()) << none.body;
}

TEST(GraphQLLimitsTest, ConfiguredLimitsApply) {
  Env env = graphql_daemon_env();
  env["FRAISEQL_GRAPHQL_MAX_DEPTH"] = "2";
  env["FRAISEQL_GRAPHQL_MAX_TOKENS"] = "40";
  Daemon daemon(env);
  auto post = [&](const std::string& body) {
    return http_request(daemon.port(), "POST", "/graphql", {{"Content-Type", "application/json"}}, body);
  };
  auto deep = post(R"({"query":"{ __schema { queryType { fields { name } } } }"})");
  EXPECT_EQ(json::parse(deep.body)["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX") << deep.body;
  std::string many = "{ ";
  for (int i = 0; i < 50; ++i) many += "a" + std::to_string(i) + ": __typename ";
  many += "}";
  auto tokens = post(json({{"query", many}}).dump());
  EXPECT_EQ(json::parse(tokens.body)["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED")
      << tokens.body;
  EXPECT_EQ(json::parse(post(R"({"query":"{ __typename }"})").body)["data"]["__typename"], "Query");
}

TEST(GraphQLSchemaStartupTest, BrokenSchemaStopsStartupNamingFileLineAndColumn) {
  Env env = daemon_env();
  std::string path = std::string(FRAISEQL_SOURCE_DIR) + "/tests/e2e/broken_schema.graphql";
  env["FRAISEQL_SCHEMA_PATH"] = path;
  auto r = run_fraiseql({"serve"}, env);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ":4:11"), std::string::npos) << r.err;  // Nobody
  EXPECT_NE(r.err.find(path + ":9:3"), std::string::npos) << r.err;   // users twice

  env["FRAISEQL_SCHEMA_PATH"] = "/nonexistent/schema.graphql";
  r = run_fraiseql({"serve"}, env);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("schema.path"), std::string::npos) << r.err;
}

TEST(GraphQLSchemaStartupTest, CheckSchemaComparesTheSchemaWithTheDatabase) {
  Env env = graphql_daemon_env();
  auto ok = run_fraiseql({"check-schema"}, env);
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("schema OK"), std::string::npos) << ok.out;

  env["FRAISEQL_SCHEMA_PATH"] = std::string(FRAISEQL_SOURCE_DIR) + "/tests/e2e/missing_view_schema.graphql";
  auto missing = run_fraiseql({"check-schema"}, env);
  EXPECT_EQ(missing.code, 2) << missing.err;
  EXPECT_NE(missing.err.find("Ghost"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("v_ghost_missing"), std::string::npos) << missing.err;
  // serve refuses it the same way, before listening.
  auto serve = run_fraiseql({"serve"}, env);
  EXPECT_EQ(serve.code, 2) << serve.err;
  EXPECT_NE(serve.err.find("v_ghost_missing"), std::string::npos) << serve.err;
}

}  // namespace
}  // namespace fraiseql::e2e
