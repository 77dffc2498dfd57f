#include "fraiseql/exec/engine.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/schema_builder.hpp"

namespace fraiseql::exec {
namespace {

using nlohmann::json;

constexpr const char* kSdl = R"(
type User @view(name: "v_user") { id: ID! name: String! }
type Query { users: [User!]! user(id: ID!): User }
type Mutation { touch(id: ID!): User }
)";

std::shared_ptr<const graphql::Schema> blog_schema() {
  auto built = graphql::build_schema(kSdl, "engine_test.graphql");
  if (!built.ok()) throw std::runtime_error(built.error_text());
  return built.schema();
}

// Records what the engine hands over, and answers with a body built from it.
class RecordingSource : public DataSource {
 public:
  void execute(ReadyOperation op, Done done) override {
    calls.push_back(std::move(op));
    done({Outcome::kExecuted, R"({"data":{"users":[]}})"});
  }
  std::vector<ReadyOperation> calls;
};

OperationResponse run(Engine& engine, OperationRequest request) {
  std::optional<OperationResponse> out;
  engine.execute(std::move(request), [&](OperationResponse r) { out = std::move(r); });
  if (!out) throw std::runtime_error("done was not called");
  return *out;
}

OperationRequest query(std::string text, json variables = nullptr, std::string name = {}) {
  OperationRequest r;
  r.query = std::move(text);
  r.variables = std::move(variables);
  r.operation_name = std::move(name);
  return r;
}

std::string first_code(const OperationResponse& r) {
  return json::parse(r.body)["errors"][0]["extensions"]["code"].get<std::string>();
}

TEST(EngineTest, MetaFieldsAreAnsweredWithoutTheDatabase) {
  Engine engine(blog_schema(), {});
  auto r = run(engine, query("{ __typename t: __type(name: \"User\") { name fields { name } } }"));
  EXPECT_EQ(r.outcome, Outcome::kExecuted);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"data":{"__typename":"Query",
      "t":{"name":"User","fields":[{"name":"id"},{"name":"name"}]}}})"));
}

TEST(EngineTest, ParseErrorsAreRequestErrorsWithTheirLocation) {
  Engine engine(blog_schema(), {});
  auto r = run(engine, query("{ users { id }"));
  EXPECT_EQ(r.outcome, Outcome::kRequestError);
  auto body = json::parse(r.body);
  EXPECT_FALSE(body.contains("data"));
  EXPECT_EQ(body["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
  EXPECT_EQ(body["errors"][0]["locations"][0]["line"], 1);
  EXPECT_EQ(body["errors"][0]["locations"][0]["column"], 15);
}

TEST(EngineTest, EveryValidationErrorIsReported) {
  Engine engine(blog_schema(), {});
  auto r = run(engine, query("{ users { nope } user { id } }"));
  EXPECT_EQ(r.outcome, Outcome::kRequestError);
  auto errors = json::parse(r.body)["errors"];
  ASSERT_EQ(errors.size(), 2U) << r.body;  // unknown field, missing required argument
  for (const auto& e : errors) EXPECT_EQ(e["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
}

TEST(EngineTest, OperationChoice) {
  Engine engine(blog_schema(), {});
  const char* two = "query A { __typename } query B { __typename }";
  EXPECT_EQ(first_code(run(engine, query(two))), "OPERATION_RESOLUTION_FAILURE");
  EXPECT_EQ(first_code(run(engine, query(two, nullptr, "C"))), "OPERATION_RESOLUTION_FAILURE");
  EXPECT_EQ(run(engine, query(two, nullptr, "B")).outcome, Outcome::kExecuted);
  auto no_query = query("");
  no_query.has_query = false;
  auto r = run(engine, no_query);
  EXPECT_EQ(r.outcome, Outcome::kRequestError);
  EXPECT_EQ(first_code(r), "BAD_USER_INPUT");
}

TEST(EngineTest, MutationOverAQueriesOnlyTransportIsRefused) {
  auto source = std::make_shared<RecordingSource>();
  Engine engine(blog_schema(), {}, source);
  auto request = query("mutation { touch(id: 1) { id } }");
  request.queries_only = true;
  auto r = run(engine, request);
  EXPECT_EQ(r.outcome, Outcome::kMethodNotAllowed);
  EXPECT_NE(r.body.find("POST"), std::string::npos);
  EXPECT_TRUE(source->calls.empty());  // nothing ran
}

TEST(EngineTest, BadVariablesNeverReachTheDataSource) {
  auto source = std::make_shared<RecordingSource>();
  Engine engine(blog_schema(), {}, source);
  const char* q = "query Q($id: ID!) { user(id: $id) { name } }";
  auto missing = run(engine, query(q, json::object()));
  EXPECT_EQ(missing.outcome, Outcome::kRequestError);
  EXPECT_EQ(first_code(missing), "BAD_USER_INPUT");
  auto wrong = run(engine, query(q, json({{"id", json::array()}})));
  EXPECT_EQ(first_code(wrong), "BAD_USER_INPUT");
  auto not_object = run(engine, query(q, json::array()));
  EXPECT_EQ(first_code(not_object), "BAD_USER_INPUT");
  EXPECT_TRUE(source->calls.empty());
}

TEST(EngineTest, DataFieldsGoToTheSourceWithCoercedVariablesAndRenderedMetaFields) {
  auto source = std::make_shared<RecordingSource>();
  Engine engine(blog_schema(), {}, source);
  auto r =
      run(engine, query("query Q($id: ID!) { kind: __typename user(id: $id) { name } }", json({{"id", 7}})));
  EXPECT_EQ(r.outcome, Outcome::kExecuted);
  ASSERT_EQ(source->calls.size(), 1U);
  const auto& call = source->calls[0];
  EXPECT_EQ(call.variables, json({{"id", "7"}}));  // ID coerces an Int to its string
  ASSERT_EQ(call.meta_fields.size(), 1U);
  EXPECT_EQ(call.meta_fields[0].first, "kind");
  EXPECT_EQ(call.meta_fields[0].second, "\"Query\"");
  ASSERT_NE(call.operation, nullptr);
  EXPECT_EQ(call.operation->name.value, "Q");
}

TEST(EngineTest, WithoutADataSourceDataFieldsAreAnInternalError) {
  Engine engine(blog_schema(), {});
  auto r = run(engine, query("{ users { id } }"));
  EXPECT_EQ(r.outcome, Outcome::kInternalError);
  EXPECT_EQ(first_code(r), "INTERNAL_SERVER_ERROR");
}

TEST(EngineTest, DocumentsArePreparedOnceAndTheCacheIsBounded) {
  EngineOptions options;
  options.document_cache_entries = 2;
  Engine engine(blog_schema(), options);
  auto a1 = engine.prepare("{ __typename }");
  auto a2 = engine.prepare("{ __typename }");
  EXPECT_EQ(a1.get(), a2.get());
  EXPECT_EQ(engine.cache_stats().hits, 1U);
  (void)engine.prepare("{ a: __typename }");
  (void)engine.prepare("{ b: __typename }");  // evicts the least recently used: "{ __typename }"
  EXPECT_EQ(engine.cache_stats().entries, 2U);
  EXPECT_NE(engine.prepare("{ __typename }").get(), a1.get());
  // Invalid documents are cached with their errors too.
  auto bad1 = engine.prepare("{ nope }");
  EXPECT_FALSE(bad1->errors.empty());
  EXPECT_EQ(engine.prepare("{ nope }").get(), bad1.get());
}

TEST(EngineTest, OversizedDocumentsAreNotCached) {
  EngineOptions options;
  options.document_cache_max_bytes = 16;
  Engine engine(blog_schema(), options);
  auto a = engine.prepare("{ __typename __typename }");
  auto b = engine.prepare("{ __typename __typename }");
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(engine.cache_stats().entries, 0U);
}

}  // namespace
}  // namespace fraiseql::exec

namespace fraiseql::exec {
namespace {

OperationRequest persisted(const std::string& hash, std::optional<std::string> text = std::nullopt) {
  OperationRequest r;
  r.has_query = text.has_value();
  if (text) r.query = *text;
  r.extensions = {{"persistedQuery", {{"version", 1}, {"sha256Hash", hash}}}};
  return r;
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PersistedQueryTest, AutomaticProtocolRegistersThenRunsByHash) {
  Engine engine(blog_schema(), {});
  const std::string doc = "{ __typename }";
  const std::string hash = sha256_hex(doc);
  // First the client tries the hash alone.
  auto miss = run(engine, persisted(hash));
  EXPECT_EQ(miss.outcome, Outcome::kRequestError);
  EXPECT_EQ(first_code(miss), "PERSISTED_QUERY_NOT_FOUND");
  EXPECT_EQ(json::parse(miss.body)["errors"][0]["message"], "PersistedQueryNotFound");
  // Then hash and document: it runs and is registered.
  auto reg = run(engine, persisted(hash, doc));
  EXPECT_EQ(reg.outcome, Outcome::kExecuted);
  // Now the hash alone is enough.
  auto hit = run(engine, persisted(hash));
  EXPECT_EQ(hit.outcome, Outcome::kExecuted);
  EXPECT_EQ(json::parse(hit.body), json::parse(R"({"data":{"__typename":"Query"}})"));
}

TEST(PersistedQueryTest, MalformedExtensionsAreBadRequests) {
  Engine engine(blog_schema(), {});
  const std::string doc = "{ __typename }";
  auto mismatch = run(engine, persisted(sha256_hex("{ other }"), doc));
  EXPECT_EQ(mismatch.outcome, Outcome::kBadRequest);
  EXPECT_EQ(json::parse(mismatch.body)["errors"][0]["message"], "provided sha does not match query");
  EXPECT_EQ(run(engine, persisted("not-a-hash")).outcome, Outcome::kBadRequest);
  EXPECT_EQ(run(engine, persisted(std::string(64, 'A'))).outcome, Outcome::kBadRequest);  // upper case
  auto v2 = persisted(sha256_hex(doc), doc);
  v2.extensions["persistedQuery"]["version"] = 2;
  EXPECT_EQ(run(engine, v2).outcome, Outcome::kBadRequest);
  // Nothing of that was registered.
  EXPECT_EQ(first_code(run(engine, persisted(sha256_hex("{ other }")))), "PERSISTED_QUERY_NOT_FOUND");
}

TEST(PersistedQueryTest, TurnedOffItSaysNotSupported) {
  EngineOptions options;
  options.persisted_query_entries = 0;
  Engine engine(blog_schema(), options);
  auto r = run(engine, persisted(sha256_hex("{ __typename }")));
  EXPECT_EQ(first_code(r), "PERSISTED_QUERY_NOT_SUPPORTED");
  // Plain requests still run.
  EXPECT_EQ(run(engine, query("{ __typename }")).outcome, Outcome::kExecuted);
}

TEST(AllowListTest, OnlyListedDocumentsRunByTextOrHash) {
  const std::string listed = "query Listed { __typename }";
  json manifest = {{"format", "apollo-persisted-query-manifest"},
                   {"version", 1},
                   {"operations", {{{"id", "x"}, {"name", "Listed"}, {"type", "query"}, {"body", listed}}}}};
  auto list = AllowList::parse(manifest.dump());
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), 1U);
  EngineOptions options;
  options.allow_list = std::make_shared<const AllowList>(std::move(*list));
  Engine engine(blog_schema(), options);

  EXPECT_EQ(run(engine, query(listed)).outcome, Outcome::kExecuted);
  EXPECT_EQ(run(engine, persisted(sha256_hex(listed))).outcome, Outcome::kExecuted);
  auto other = run(engine, query("{ __typename }"));
  EXPECT_EQ(other.outcome, Outcome::kForbidden);
  EXPECT_EQ(first_code(other), "PERSISTED_QUERY_NOT_ALLOWED");
  // Registering through the automatic protocol does not get a document in.
  const std::string sneaky = "{ __typename }";
  EXPECT_EQ(run(engine, persisted(sha256_hex(sneaky), sneaky)).outcome, Outcome::kForbidden);
  EXPECT_EQ(first_code(run(engine, persisted(sha256_hex(sneaky)))), "PERSISTED_QUERY_NOT_FOUND");
}

TEST(AllowListTest, ManifestErrorsNameTheProblem) {
  auto bad_hash = AllowList::parse(
      R"({"0000000000000000000000000000000000000000000000000000000000000000":"{ a }"})", "m.json");
  ASSERT_FALSE(bad_hash);
  EXPECT_NE(bad_hash.error().message.find("does not match"), std::string::npos) << bad_hash.error().message;
  EXPECT_NE(bad_hash.error().message.find("m.json"), std::string::npos);
  EXPECT_FALSE(AllowList::parse("[1]"));
  EXPECT_FALSE(AllowList::parse(R"({"operations":[{"name":"x"}]})"));
  EXPECT_FALSE(AllowList::load("/nonexistent/allow.json"));
  auto plain = AllowList::parse(json({{sha256_hex("{ a }"), "{ a }"}}).dump());
  ASSERT_TRUE(plain);
  EXPECT_NE(plain->find(sha256_hex("{ a }")), nullptr);
}

}  // namespace
}  // namespace fraiseql::exec
