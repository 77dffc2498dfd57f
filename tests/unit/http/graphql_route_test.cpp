#include "fraiseql/http/graphql_route.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fraiseql::http {
namespace {

using nlohmann::json;

Request post(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/graphql";
  r.body = std::move(body);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

Request get(std::string query) {
  Request r;
  r.method = "GET";
  r.path = "/graphql";
  r.query = std::move(query);
  return r;
}

TEST(GraphQLMediaTest, NegotiatesAsTheSpecificationSays) {
  EXPECT_EQ(negotiate_graphql_media(""), GraphQLMedia::kJson);  // absent: legacy
  EXPECT_EQ(negotiate_graphql_media("application/json"), GraphQLMedia::kJson);
  EXPECT_EQ(negotiate_graphql_media("*/*"), GraphQLMedia::kJson);
  EXPECT_EQ(negotiate_graphql_media("application/*"), GraphQLMedia::kJson);
  EXPECT_EQ(negotiate_graphql_media("application/graphql-response+json"), GraphQLMedia::kGraphQLResponseJson);
  EXPECT_EQ(negotiate_graphql_media("application/graphql-response+json, application/json;q=0.9"),
            GraphQLMedia::kGraphQLResponseJson);
  EXPECT_EQ(negotiate_graphql_media("application/json, application/graphql-response+json"),
            GraphQLMedia::kJson);
  EXPECT_EQ(negotiate_graphql_media("application/json;q=0.5, Application/GraphQL-Response+JSON"),
            GraphQLMedia::kGraphQLResponseJson);
  EXPECT_EQ(negotiate_graphql_media("text/html, */*;q=0.8"), GraphQLMedia::kJson);
  EXPECT_EQ(negotiate_graphql_media("text/html"), std::nullopt);
  EXPECT_EQ(negotiate_graphql_media("application/json;q=0"), std::nullopt);
  EXPECT_EQ(negotiate_graphql_media("application/json;q=2"), std::nullopt);  // malformed q is ignored
}

TEST(GraphQLMediaTest, StatusFollowsTheMediaType) {
  using exec::Outcome;
  EXPECT_EQ(graphql_status(Outcome::kExecuted, GraphQLMedia::kJson), 200U);
  EXPECT_EQ(graphql_status(Outcome::kExecuted, GraphQLMedia::kGraphQLResponseJson), 200U);
  EXPECT_EQ(graphql_status(Outcome::kRequestError, GraphQLMedia::kJson), 200U);
  EXPECT_EQ(graphql_status(Outcome::kRequestError, GraphQLMedia::kGraphQLResponseJson), 400U);
  EXPECT_EQ(graphql_status(Outcome::kMethodNotAllowed, GraphQLMedia::kJson), 405U);
  EXPECT_EQ(graphql_status(Outcome::kUnavailable, GraphQLMedia::kGraphQLResponseJson), 503U);
  EXPECT_EQ(graphql_status(Outcome::kUnavailable, GraphQLMedia::kJson), 200U);
  EXPECT_EQ(graphql_status(Outcome::kInternalError, GraphQLMedia::kJson), 500U);
}

TEST(DecodeGraphQLRequestTest, PostCarriesEveryParameter) {
  auto d = decode_graphql_request(post(
      R"({"query":"{ a }","operationName":"Op","variables":{"x":1},"extensions":{"persistedQuery":{"version":1}}})"));
  ASSERT_FALSE(d.error);
  EXPECT_TRUE(d.operation.has_query);
  EXPECT_EQ(d.operation.query, "{ a }");
  EXPECT_EQ(d.operation.operation_name, "Op");
  EXPECT_EQ(d.operation.variables, json({{"x", 1}}));
  EXPECT_EQ(d.operation.extensions["persistedQuery"]["version"], 1);
  EXPECT_FALSE(d.operation.queries_only);
}

TEST(DecodeGraphQLRequestTest, NullsAreAbsentAndCharsetUtf8IsAccepted) {
  auto d = decode_graphql_request(
      post(R"({"query":"{ a }","operationName":null,"variables":null})", "application/json; charset=UTF-8"));
  ASSERT_FALSE(d.error);
  EXPECT_TRUE(d.operation.operation_name.empty());
  EXPECT_TRUE(d.operation.variables.is_null());
}

TEST(DecodeGraphQLRequestTest, MissingQueryIsLeftToTheEngine) {
  // A persisted query may come without its text.
  auto d = decode_graphql_request(post(R"({"extensions":{}})"));
  ASSERT_FALSE(d.error);
  EXPECT_FALSE(d.operation.has_query);
}

struct BadPost {
  const char* body;
  const char* content_type;
  unsigned status;
  const char* message_part;
};

TEST(DecodeGraphQLRequestTest, EachMalformedPostGetsItsStatus) {
  const BadPost cases[] = {
      {R"({"query":)", "application/json", 400, "not valid JSON"},
      {"", "application/json", 400, "not valid JSON"},
      {"[1]", "application/json", 400, "JSON object"},
      {R"("{ a }")", "application/json", 400, "JSON object"},
      {R"({"query":1})", "application/json", 400, "\"query\" must be a string"},
      {R"({"query":{"a":1}})", "application/json", 400, "\"query\" must be a string"},
      {R"({"query":["{ a }"]})", "application/json", 400, "\"query\" must be a string"},
      {R"({"query":"{ a }","operationName":7})", "application/json", 400, "operationName"},
      {R"({"query":"{ a }","variables":"{}"})", "application/json", 400, "variables"},
      {R"({"query":"{ a }","variables":[1]})", "application/json", 400, "variables"},
      {R"({"query":"{ a }","extensions":"x"})", "application/json", 400, "extensions"},
      {R"({"query":"{ a }"})", "", 415, "Content-Type: application/json"},
      {R"({"query":"{ a }"})", "text/plain", 415, "text/plain"},
      {R"({"query":"{ a }"})", "application/x-www-form-urlencoded", 415, "must be application/json"},
      {R"({"query":"{ a }"})", "application/json; charset=latin1", 415, "UTF-8"},
  };
  for (const auto& c : cases) {
    auto d = decode_graphql_request(post(c.body, c.content_type));
    ASSERT_TRUE(d.error) << c.body << " / " << c.content_type;
    EXPECT_EQ(d.error->status, c.status) << c.body << " / " << c.content_type;
    auto body = json::parse(d.error->body);
    EXPECT_NE(body["errors"][0]["message"].get<std::string>().find(c.message_part), std::string::npos)
        << d.error->body;
    EXPECT_EQ(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    EXPECT_FALSE(body.contains("data"));
  }
}

TEST(DecodeGraphQLRequestTest, GetReadsTheQueryStringAndRunsQueriesOnly) {
  auto d = decode_graphql_request(
      get("query=query%20Q(%24n%3A%20Int)%20%7B%20a%20%7D&operationName=Q&variables=%7B%22n%22%3A2%7D"));
  ASSERT_FALSE(d.error);
  EXPECT_EQ(d.operation.query, "query Q($n: Int) { a }");
  EXPECT_EQ(d.operation.operation_name, "Q");
  EXPECT_EQ(d.operation.variables, json({{"n", 2}}));
  EXPECT_TRUE(d.operation.queries_only);

  EXPECT_FALSE(decode_graphql_request(get("operationName=Q")).operation.has_query);

  auto bad = decode_graphql_request(get("query=%7Ba%7D&variables=%5B1%5D"));
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->status, 400U);
  auto bad_json = decode_graphql_request(get("query=%7Ba%7D&variables=%7B"));
  ASSERT_TRUE(bad_json.error);
  EXPECT_EQ(bad_json.error->status, 400U);
}

}  // namespace
}  // namespace fraiseql::http
