// Database errors of the read path, through the engine and exec::SqlDataSource on a real
// server: a row whose `data` holds a value its GraphQL type's cast refuses ("abc" as an
// Int) makes the statement fail with 22P02; the answer keeps the root fields that work
// and carries one error with the failing field's path, location and extensions.code.

#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/db/router.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/exec/sql_data_source.hpp"
#include "fraiseql/sql/schema_generator.hpp"

#include "blog_db.hpp"

namespace fraiseql::sql {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kFixture = R"sql(
CREATE TABLE tb_person (id integer PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tb_person VALUES
  (1, '{"id": 1, "name": "Ann", "age": 30}'),
  (2, '{"id": 2, "name": "Ben", "age": "abc"}'),
  (3, '{"id": 3, "name": "Cy", "age": 2}');
CREATE VIEW v_person AS SELECT id, data FROM tb_person;
)sql";

constexpr const char* kSchema = R"graphql(
type Person @view(name: "v_person") { id: ID! name: String! age: Int }
type Query {
  people: [Person!]!
  maybePeople: [Person!]
  person(id: ID!): Person
}
)graphql";

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    pgtest::create_blog_db();
    pgtest::run_sql(kFixture);
  }
  void TearDown() override { pgtest::drop_blog_db(); }
};
// GoogleTest registers environments through a global initializer.
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new Environment);  // NOLINT(cert-err58-cpp)

/// An engine over the fixture's view, its data source on a router to the test database.
class Served {
 public:
  explicit Served(bool expose) {
    db::RouterOptions ro;
    ro.primary_url = pgtest::blog_url();
    router_ = std::make_unique<db::Router>(ro);
    router_->start();
    schema_ = build_fraiseql_schema(kSchema);
    for (const auto& e : schema_.errors) ADD_FAILURE() << e;
    exec::SqlDataSourceOptions options;
    options.expose_database_errors = expose;
    auto source = std::make_shared<exec::SqlDataSource>(schema_.mapping, *router_, options);
    engine_ = std::make_unique<exec::Engine>(schema_.schema, exec::EngineOptions{}, source);
  }
  ~Served() {
    engine_.reset();
    router_->stop();
  }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  /// The response to `query`, parsed; `outcome` receives how it ended.
  json run(const std::string& query, exec::Outcome* outcome = nullptr) {
    std::promise<exec::OperationResponse> promise;
    auto future = promise.get_future();
    exec::OperationRequest request;
    request.query = query;
    request.request_id = "test";
    engine_->execute(std::move(request), [&](exec::OperationResponse r) { promise.set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer";
      return nullptr;
    }
    exec::OperationResponse r = future.get();
    if (outcome != nullptr) *outcome = r.outcome;
    return json::parse(r.body);
  }

 private:
  std::unique_ptr<db::Router> router_;
  FraiseqlSchema schema_;
  std::unique_ptr<exec::Engine> engine_;
};

TEST(SqlPgDatabaseErrors, FailingFieldIsNullWithItsPathBesideTheFieldsThatWork) {
  Served served(false);
  exec::Outcome outcome{};
  const json r = served.run(
      R"({ bad: maybePeople(where: {age: {gt: 3}}) { name } good: people(where: {name: {eq: "Ann"}}) { name } __typename })",
      &outcome);
  EXPECT_EQ(outcome, exec::Outcome::kExecuted);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r["data"].dump(), R"({"bad":null,"good":[{"name":"Ann"}],"__typename":"Query"})");
  ASSERT_EQ(r["errors"].size(), 1U) << r.dump();
  const json& e = r["errors"][0];
  EXPECT_EQ(e["path"], json::array({"bad"}));
  EXPECT_EQ(e["locations"], json::parse(R"([{"line": 1, "column": 3}])"));
  EXPECT_EQ(e["extensions"]["code"], "INVALID_DATA");
  // Masked: the server's message (which names the value) is only logged.
  EXPECT_EQ(e["message"], "The database refused a value of this request.");
  EXPECT_EQ(e["message"].get<std::string>().find("abc"), std::string::npos);
}

TEST(SqlPgDatabaseErrors, DebugExposesTheServerMessage) {
  Served served(true);
  const json r = served.run(R"({ maybePeople(where: {age: {gt: 3}}) { name } })");
  EXPECT_EQ(r["data"], json::parse(R"({"maybePeople": null})")) << r.dump();
  ASSERT_EQ(r["errors"].size(), 1U);
  const json& e = r["errors"][0];
  EXPECT_EQ(e["path"], json::array({"maybePeople"}));
  EXPECT_EQ(e["extensions"]["code"], "INVALID_DATA");
  const auto message = e["message"].get<std::string>();
  EXPECT_NE(message.find("22P02"), std::string::npos) << message;
  EXPECT_NE(message.find("abc"), std::string::npos) << message;
}

TEST(SqlPgDatabaseErrors, FailedNonNullRootFieldMakesDataNull) {
  Served served(false);
  exec::Outcome outcome{};
  const json r =
      served.run(R"({ people(where: {age: {gt: 3}}) { name } ok: person(id: "1") { name } })", &outcome);
  EXPECT_EQ(outcome, exec::Outcome::kExecuted);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_TRUE(r["data"].is_null()) << r.dump();
  ASSERT_EQ(r["errors"].size(), 1U) << r.dump();
  EXPECT_EQ(r["errors"][0]["path"], json::array({"people"}));
  EXPECT_EQ(r["errors"][0]["extensions"]["code"], "INVALID_DATA");
  // A single non-null root field: data null too.
  const json single = served.run(R"({ people(where: {age: {lt: 100}}) { name } })");
  EXPECT_TRUE(single.contains("data") && single["data"].is_null()) << single.dump();
  EXPECT_EQ(single["errors"][0]["path"], json::array({"people"}));
}

TEST(SqlPgDatabaseErrors, MetaFieldsStayInTheirPlace) {
  Served served(false);
  // Success path: __schema answered by the engine, bound in place.
  json r = served.run(R"({ s: __schema { queryType { name } } p: person(id: "3") { name age } })");
  EXPECT_EQ(r.dump(), R"({"data":{"s":{"queryType":{"name":"Query"}},"p":{"name":"Cy","age":2}}})");
  // Error path: the meta field keeps its value and place.
  r = served.run(R"({ s: __schema { queryType { name } } bad: maybePeople(where: {age: {gte: 0}}) { id } })");
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r["data"].dump(), R"({"s":{"queryType":{"name":"Query"}},"bad":null})");
  EXPECT_EQ(r["errors"][0]["path"], json::array({"bad"}));
}

}  // namespace
}  // namespace fraiseql::sql
