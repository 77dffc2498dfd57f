// Mutations through the daemon (DESIGN §3): the blog example's functions
// (examples/blog/functions.sql) in a database of their own on the fixture's primary,
// with its replica configured, and a few test-only functions that raise, sleep or say
// where they ran. Each test checks the response and what the database holds afterwards.
#include <chrono>
#include <fstream>
#include <future>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "daemon.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string db_name() {
  return "fraiseql_mutation_e2e_" + std::to_string(::getpid());
}

std::string url_for(const std::string& key) {
  std::string url = testing::service_env(key);
  return url.substr(0, url.rfind('/') + 1) + db_name();
}

constexpr const char* kAuthor = "00000000-0000-0000-0000-0000000000a1";
constexpr const char* kMissing = "00000000-0000-0000-0000-00000000beef";

// Test-only functions: one that writes then raises, one that writes then sleeps (so the
// test can kill its connection mid-mutation), one that reports where it runs.
constexpr const char* kTestFunctions = R"sql(
CREATE FUNCTION fn_test_raise(input jsonb) RETURNS mutation_response LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tb_post (id, author_id, title, content) VALUES (gen_random_uuid(), (input->>'author_id')::uuid, 'raised', 'x');
  RAISE EXCEPTION 'the function refused: %', input->>'reason';
END $$;
CREATE FUNCTION fn_test_sleep(input jsonb) RETURNS mutation_response LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tb_post (id, author_id, title, content) VALUES (gen_random_uuid(), (input->>'author_id')::uuid, 'sleepy', 'x');
  PERFORM pg_sleep(60);
  RETURN ROW('created', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::mutation_response;
END $$;
CREATE FUNCTION fn_test_where(input jsonb) RETURNS mutation_response LANGUAGE sql AS $$
  SELECT ROW('success', NULL, NULL, NULL, NULL, NULL, NULL,
             jsonb_build_object('in_recovery', pg_is_in_recovery(),
                                'read_only', current_setting('transaction_read_only')))::mutation_response
$$;
)sql";

constexpr const char* kTestSchema = R"graphql(
type WhereSuccess @success {
  inRecovery: Boolean
  readOnly: String
}
union WhereResult = WhereSuccess | CreatePostError
extend type Mutation {
  raising(input: CreatePostInput!): CreatePostResult @function(name: "fn_test_raise")
  sleepy(input: CreatePostInput!): CreatePostResult @function(name: "fn_test_sleep")
  whereAmI(input: JSON): WhereResult! @function(name: "fn_test_where")
}
)graphql";

class MutationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    {
      pqxx::connection admin(testing::service_env("PG_PRIMARY_URL"));
      pqxx::nontransaction tx(admin);
      tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
      tx.exec("CREATE DATABASE " + db_name());
    }
    pqxx::connection conn(url_for("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(conn);
    for (const char* file :
         {"examples/blog/schema.sql", "sql/mutation_response.sql", "examples/blog/functions.sql"}) {
      tx.exec(testing::read_file(testing::source_path(file)));
    }
    tx.exec(kTestFunctions);
    tx.exec(std::string("INSERT INTO tb_user (id, name, email) VALUES ('") + kAuthor +
            "', 'Ada', 'ada@example.com')");
    std::ofstream(schema_path()) << testing::read_file(testing::source_path("examples/blog/schema.graphql"))
                                 << kTestSchema;
  }
  static void TearDownTestSuite() {
    pqxx::connection admin(testing::service_env("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db_name() + " WITH (FORCE)");
    std::remove(schema_path().c_str());
  }

  static Env env() {
    Env e = daemon_env();
    e["DATABASE_URL"] = url_for("PG_PRIMARY_URL");
    e["DATABASE_REPLICA_URLS"] = url_for("PG_REPLICA_URL");
    e["FRAISEQL_SCHEMA_PATH"] = schema_path();
    return e;
  }

  json post(const std::string& query, const json& variables = json::object()) {
    const json body = {{"query", query}, {"variables", variables}};
    auto r =
        http_request(daemon_.port(), "POST", "/graphql", {{"Content-Type", "application/json"}}, body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  /// The single value of a query on the test database (primary).
  static std::string sql(const std::string& query) {
    pqxx::connection conn(url_for("PG_PRIMARY_URL"));
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(query);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].as<std::string>();
  }
  static int posts_titled(const std::string& title) {
    return std::stoi(sql("SELECT count(*) FROM tb_post WHERE title = '" + title + "'"));
  }

  static json create_input(const std::string& title, const std::string& author = kAuthor) {
    return {{"authorId", author}, {"title", title}, {"content", "some words here"}};
  }

  /// The blog schema with the test-only fields, written by SetUpTestSuite.
  static std::string schema_path() {
    return ::testing::TempDir() + "mutation_schema_" + std::to_string(::getpid()) + ".graphql";
  }

  Daemon daemon_{env()};
};

constexpr const char* kCreate = R"(mutation ($input: CreatePostInput!) {
  createPost(input: $input) {
    __typename
    ... on CreatePostSuccess { message post { id title author { name } } }
    ... on CreatePostError { code message errors { field message code } }
  } })";

TEST_F(MutationTest, CreatePostReturnsTheSuccessMemberWithItsJoinedAuthor) {
  auto r = post(kCreate, {{"input", create_input("e2e created")}});
  ASSERT_FALSE(r.contains("errors")) << r;
  const json& v = r["data"]["createPost"];
  EXPECT_EQ(v["__typename"], "CreatePostSuccess");
  EXPECT_EQ(v["message"], "Post created.");
  EXPECT_EQ(v["post"]["title"], "e2e created");
  EXPECT_EQ(v["post"]["author"], json::parse(R"({"name":"Ada"})"));
  // Committed on the primary, under the id the response gives.
  EXPECT_EQ(sql("SELECT title FROM tb_post WHERE id = '" + v["post"]["id"].get<std::string>() + "'"),
            "e2e created");
  // The same document again runs its kept plan with this request's input.
  auto again = post(kCreate, {{"input", create_input("e2e created again")}});
  EXPECT_EQ(again["data"]["createPost"]["post"]["title"], "e2e created again") << again;
  EXPECT_NE(again["data"]["createPost"]["post"]["id"], v["post"]["id"]);
}

TEST_F(MutationTest, ValidationErrorsAreTheErrorMember) {
  auto r = post(kCreate, {{"input", {{"authorId", "nope"}, {"title", ""}, {"content", "x"}}}});
  ASSERT_FALSE(r.contains("errors")) << r;
  EXPECT_EQ(r["data"]["createPost"], json::parse(R"({"__typename":"CreatePostError","code":"VALIDATION",
      "message":"The post was not created: 2 invalid field(s).",
      "errors":[{"field":"authorId","message":"must be a UUID","code":"invalid"},
                {"field":"title","message":"must not be empty","code":"required"}]})"));
}

TEST_F(MutationTest, NotFoundIsTheErrorMember) {
  auto r = post(R"(mutation { updatePost(input: {id: ")" + std::string(kMissing) +
                R"(", title: "x"}) { ... on UpdatePostError { code message } } })");
  ASSERT_FALSE(r.contains("errors")) << r;
  EXPECT_EQ(r["data"]["updatePost"]["code"], "NOT_FOUND");
}

TEST_F(MutationTest, UpdateAndDeleteRoundTrip) {
  auto created = post(kCreate, {{"input", create_input("to update")}});
  const std::string id = created["data"]["createPost"]["post"]["id"];
  auto updated =
      post(R"(mutation ($id: ID!) { updatePost(input: {id: $id, title: "updated", published: true}) {
      ... on UpdatePostSuccess { updatedFields post { title published } } } })",
           {{"id", id}});
  EXPECT_EQ(updated["data"]["updatePost"], json::parse(R"({"updatedFields":["title","published"],
      "post":{"title":"updated","published":true}})"));
  auto deleted = post(
      R"(mutation ($id: ID!) { deletePost(id: $id) { __typename ... on DeletePostSuccess { post { title } } } })",
      {{"id", id}});
  EXPECT_EQ(deleted["data"]["deletePost"],
            json::parse(R"({"__typename":"DeletePostSuccess","post":{"title":"updated"}})"));
  EXPECT_EQ(sql("SELECT count(*) FROM tb_post WHERE id = '" + id + "'"), "0");
}

TEST_F(MutationTest, CreateCommentOnAPost) {
  auto created = post(kCreate, {{"input", create_input("commented")}});
  const std::string id = created["data"]["createPost"]["post"]["id"];
  auto r = post(R"(mutation ($input: CreateCommentInput!) { createComment(input: $input) {
      ... on CreateCommentSuccess { comment { body post { title } author { name } } } } })",
                {{"input", {{"postId", id}, {"authorId", kAuthor}, {"body", "nice"}}}});
  EXPECT_EQ(
      r["data"]["createComment"],
      json::parse(R"({"comment":{"body":"nice","post":{"title":"commented"},"author":{"name":"Ada"}}})"));
}

TEST_F(MutationTest, AConstraintViolationIsAFieldErrorAndWritesNothing) {
  auto r = post(kCreate, {{"input", create_input("orphan", kMissing)}});
  ASSERT_TRUE(r.contains("errors")) << r;
  EXPECT_TRUE(r["data"].is_null()) << r;  // createPost is non-null
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "CONSTRAINT_VIOLATION");
  EXPECT_EQ(r["errors"][0]["path"], json::parse(R"(["createPost"])"));
  EXPECT_EQ(r["errors"][0]["locations"][0]["line"], 2);
  EXPECT_EQ(posts_titled("orphan"), 0);
}

TEST_F(MutationTest, ARaiseInTheFunctionIsAFieldErrorAndItsWriteIsRolledBack) {
  auto r = post(R"(mutation ($input: CreatePostInput!) { raising(input: $input) { __typename } })",
                {{"input", create_input("raised")}});
  ASSERT_TRUE(r.contains("errors")) << r;
  EXPECT_EQ(r["data"], json::parse(R"({"raising":null})"));  // nullable: data stays
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "DATABASE_ERROR");
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("the function refused"), std::string::npos)
      << r;
  EXPECT_EQ(posts_titled("raised"), 0);
}

TEST_F(MutationTest, FieldsRunInOrderEachInItsOwnTransaction) {
  auto r = post(R"(mutation ($a: CreatePostInput!, $b: CreatePostInput!) {
      first: createPost(input: $a) { __typename }
      second: createPost(input: $b) { __typename } })",
                {{"a", create_input("order 1")}, {"b", create_input("order 2")}});
  EXPECT_EQ(r, json::parse(R"({"data":{"first":{"__typename":"CreatePostSuccess"},
                                       "second":{"__typename":"CreatePostSuccess"}}})"));
  // Two transactions, the first field's first.
  EXPECT_EQ(sql("SELECT (SELECT xmin::text::bigint FROM tb_post WHERE title = 'order 1') < "
                "(SELECT xmin::text::bigint FROM tb_post WHERE title = 'order 2')"),
            "t");
}

TEST_F(MutationTest, WhenTheSecondFieldFailsTheFirstStaysCommitted) {
  auto r = post(R"(mutation ($a: CreatePostInput!, $b: CreatePostInput!) {
      ok: createPost(input: $a) { __typename }
      bad: createPost(input: $b) { __typename } })",
                {{"a", create_input("kept")}, {"b", create_input("lost", kMissing)}});
  // `bad` is non-null, so its error nulls `data`; `ok` was committed before it ran.
  EXPECT_TRUE(r["data"].is_null()) << r;
  ASSERT_EQ(r["errors"].size(), 1U) << r;
  EXPECT_EQ(r["errors"][0]["path"], json::parse(R"(["bad"])"));
  EXPECT_EQ(posts_titled("kept"), 1);
  EXPECT_EQ(posts_titled("lost"), 0);
}

TEST_F(MutationTest, AfterANullableFieldFailsTheNextOneRuns) {
  auto r = post(R"(mutation ($a: CreatePostInput!, $b: CreatePostInput!) {
      r: raising(input: $a) { __typename }
      __typename
      c: createPost(input: $b) { __typename } })",
                {{"a", create_input("raised again")}, {"b", create_input("after the raise")}});
  EXPECT_EQ(r["data"],
            json::parse(R"({"r":null,"__typename":"Mutation","c":{"__typename":"CreatePostSuccess"}})"))
      << r;
  EXPECT_EQ(r["errors"][0]["path"], json::parse(R"(["r"])"));
  EXPECT_EQ(posts_titled("after the raise"), 1);
}

TEST_F(MutationTest, AMutationOverGetIs405) {
  auto r = daemon_.get(
      "/graphql?query=mutation%20%7B%20deletePost(id%3A%20%221%22)%20%7B%20__typename%20%7D%20%7D");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.header("Allow").value_or(""), "POST");
}

TEST_F(MutationTest, TheWriteRunsInATransactionOnThePrimary) {
  auto r = post("mutation { whereAmI { ... on WhereSuccess { inRecovery readOnly } } }");
  EXPECT_EQ(r, json::parse(R"({"data":{"whereAmI":{"inRecovery":false,"readOnly":"off"}}})"));
}

TEST_F(MutationTest, ALostConnectionIsServiceUnavailableAndNothingIsWritten) {
  auto pending = std::async(std::launch::async, [&] {
    return post(R"(mutation ($input: CreatePostInput!) { sleepy(input: $input) { __typename } })",
                {{"input", create_input("sleepy")}});
  });
  // Wait for the function to be sleeping, then end its session as a failover would.
  pqxx::connection conn(url_for("PG_PRIMARY_URL"));
  int terminated = 0;
  for (int i = 0; i < 500 && terminated == 0; ++i) {
    pqxx::nontransaction tx(conn);
    auto res = tx.exec(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%fn_test_sleep%' "
        "AND wait_event = 'PgSleep'");
    terminated = res[0][0].as<int>();
    if (terminated == 0) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(terminated, 1);
  json r = pending.get();
  EXPECT_EQ(r["data"], json::parse(R"({"sleepy":null})")) << r;
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE") << r;
  EXPECT_EQ(r["errors"][0]["path"], json::parse(R"(["sleepy"])"));
  // The function had inserted its row before sleeping: the transaction never committed.
  EXPECT_EQ(posts_titled("sleepy"), 0);
  // The daemon recovers: the next mutation gets a fresh connection.
  auto next = post(kCreate, {{"input", create_input("after the loss")}});
  EXPECT_EQ(next["data"]["createPost"]["__typename"], "CreatePostSuccess") << next;
  EXPECT_EQ(posts_titled("after the loss"), 1);
}

}  // namespace
}  // namespace fraiseql::e2e
