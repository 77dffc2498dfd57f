// The engine with the response cache (in-process tier only: no services), and a data
// source that counts what reaches it.
#include "response_cache.hpp"

#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/cache/cache.hpp"
#include "fraiseql/exec/cache_warmer.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/graphql/operation.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

namespace fraiseql::exec {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kSdl = R"(
type User @view(name: "v_user") {
  id: ID!
  name: String!
  posts: [Post!]! @join(column: "author_id")
  profile: Profile
}
type Profile { bio: String badge: Badge }
type Badge @view(name: "v_badge") { id: ID! }
type Post @view(name: "v_post") @cached(ttl: 60) { id: ID! title: String! }
type Comment @view(name: "v_comment") { id: ID! }
union Item = Post | Comment
type Query {
  users: [User!]! @cached(ttl: 30)
  user(id: ID!): User @cached(ttl: 10)
  posts: [Post!]!
  items: [Item!]!
  plain: [User!]!
}
type Mutation {
  createPost(title: String!): Post @function(name: "fn_create_post", invalidates: ["Post", "User"])
  createComment(id: ID!): Comment @function(name: "fn_create_comment", invalidates: "Comment")
  touch(id: ID!): User @function(name: "fn_touch")
}
type Subscription { postCreated: Post }
)";

std::shared_ptr<const graphql::Schema> schema() {
  static const auto kSchema = [] {
    auto built = graphql::build_schema(kSdl, "response_cache_test.graphql");
    if (!built.ok()) throw std::runtime_error(built.error_text());
    return built.schema();
  }();
  return kSchema;
}

CachePolicy policy(const std::string& text, bool cache_all = false) {
  auto parsed = graphql::parse_document(text);
  if (!parsed.ok()) throw std::runtime_error(parsed.error().message);
  graphql::Document doc = std::move(parsed).document();
  std::string problem;
  const auto* op = graphql::get_operation(doc, "", problem);
  EngineOptions::ResponseCache options;
  options.default_ttl = seconds(300);
  options.cache_all_queries = cache_all;
  return cache_policy(*schema(), doc, *op, options);
}

using Tags = std::vector<std::string>;

TEST(CachePolicyTest, LifetimeComesFromTheFieldThenTheTypeThenTheDefault) {
  EXPECT_EQ(policy("{ users { id } }").ttl, seconds(30));                        // on the field
  EXPECT_EQ(policy("{ posts { id } }").ttl, seconds(60));                        // on the type
  EXPECT_EQ(policy("{ users { id } u: user(id: 1) { id } }").ttl, seconds(10));  // the smallest
  EXPECT_TRUE(policy("{ users { id } }").cacheable);
  // Neither: not cached, unless every query is.
  EXPECT_FALSE(policy("{ plain { id } }").cacheable);
  EXPECT_FALSE(policy("{ users { id } plain { id } }").cacheable);  // one field is enough
  EXPECT_TRUE(policy("{ plain { id } }", true).cacheable);
  EXPECT_EQ(policy("{ plain { id } }", true).ttl, seconds(300));
  EXPECT_EQ(policy("{ users { id } plain { id } }", true).ttl, seconds(30));
}

TEST(CachePolicyTest, OnlyQueriesWithDataFieldsAreCached) {
  EXPECT_FALSE(policy("{ __typename }", true).cacheable);
  EXPECT_FALSE(policy("{ __schema { queryType { name } } }", true).cacheable);
  EXPECT_TRUE(policy("{ __typename users { id } }").cacheable);  // meta-fields do not limit it
  EXPECT_FALSE(policy("mutation { createPost(title: \"t\") { id } }", true).cacheable);
  EXPECT_FALSE(policy("subscription { postCreated { id } }", true).cacheable);
  EXPECT_TRUE(policy("subscription { postCreated { id } }", true).tags.empty());
}

TEST(CachePolicyTest, TagsAreTheViewTypesTheSelectionReaches) {
  // Through @join (Post) and an embedded type without a view (Profile) to one with (Badge).
  EXPECT_EQ(policy("{ users { posts { id } profile { badge { id } } } }").tags,
            (Tags{"Badge", "Post", "User"}));
  EXPECT_EQ(policy("{ users { id } }").tags, (Tags{"User"}));
  // Fragments, named and inline; a union stands for its members.
  EXPECT_EQ(policy("query { ...F } fragment F on Query { users { ... on User { posts { id } } } }").tags,
            (Tags{"Post", "User"}));
  EXPECT_EQ(policy("{ items { ... on Post { id } } }", true).tags, (Tags{"Comment", "Post"}));
}

TEST(CachePolicyTest, MutationsNameWhatTheyInvalidate) {
  EXPECT_EQ(policy("mutation { createPost(title: \"t\") { id } }").tags, (Tags{"Post", "User"}));
  EXPECT_EQ(policy("mutation { a: createComment(id: 1) { id } b: createPost(title: \"t\") { id } }").tags,
            (Tags{"Comment", "Post", "User"}));
  EXPECT_TRUE(policy("mutation { touch(id: 1) { id } }").tags.empty());
}

TEST(CacheEntryTest, RoundTripsAndRefusesOtherBytes) {
  auto entry = encode_entry(R"({"data":{}})", 1234567890123, "\"abc\"");
  auto view = decode_entry(entry);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->expires_unix_ms, 1234567890123);
  EXPECT_EQ(view->etag, "\"abc\"");
  EXPECT_EQ(view->body, R"({"data":{}})");
  EXPECT_FALSE(decode_entry(R"({"data":{}})"));
  EXPECT_FALSE(decode_entry(entry.substr(0, 10)));
}

TEST(CacheKeyTest, EveryPartCounts) {
  const json vars = {{"id", "1"}};
  const auto base = response_cache_key("h", "Q", vars, "");
  EXPECT_NE(base, response_cache_key("h2", "Q", vars, ""));
  EXPECT_NE(base, response_cache_key("h", "R", vars, ""));
  EXPECT_NE(base, response_cache_key("h", "Q", json{{"id", "2"}}, ""));
  EXPECT_NE(base, response_cache_key("h", "Q", vars, "role:admin"));
  // Variables are canonical: member order does not matter.
  EXPECT_EQ(response_cache_key("h", "Q", json::parse(R"({"a":1,"b":2})"), ""),
            response_cache_key("h", "Q", json::parse(R"({"b":2,"a":1})"), ""));
}

TEST(BodyEtagTest, StrongQuotedAndFollowsTheBody) {
  auto a = body_etag("a");
  EXPECT_EQ(a.size(), 34U);
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
  EXPECT_EQ(a, body_etag("a"));
  EXPECT_NE(a, body_etag("b"));
}

// Counts the operations that reach it; answers at once, or holds them when asked to.
class CountingSource : public DataSource {
 public:
  void execute(ReadyOperation op, Done done) override {
    std::lock_guard lock(mu);
    ++calls;
    std::string body = R"({"data":{"n":)" + std::to_string(calls) + "}}";
    if (hold) {
      held.emplace_back(std::move(body), std::move(done));
      return;
    }
    (void)op;
    if (fail) {
      done({Outcome::kUnavailable, R"({"errors":[{"message":"down"}]})"});
      return;
    }
    done({Outcome::kExecuted, std::move(body)});
  }
  std::mutex mu;
  int calls = 0;
  bool hold = false;
  bool fail = false;
  std::vector<std::pair<std::string, Done>> held;
};

class EngineCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_ = std::make_shared<cache::Cache>(cache::CacheOptions{});
    cache_->start();
    source_ = std::make_shared<CountingSource>();
    EngineOptions options;
    options.response_cache.cache = cache_;
    engine_ = std::make_unique<Engine>(schema(), options, source_);
  }

  OperationResponse run(const std::string& text, json variables = nullptr, const std::string& scope = {}) {
    OperationRequest r;
    r.query = text;
    r.variables = std::move(variables);
    r.auth_scope = scope;
    std::optional<OperationResponse> out;
    engine_->execute(std::move(r), [&](OperationResponse resp) { out = std::move(resp); });
    if (!out) throw std::runtime_error("done was not called");
    return *out;
  }

  std::shared_ptr<cache::Cache> cache_;
  std::shared_ptr<CountingSource> source_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineCacheTest, ASecondIdenticalQueryDoesNotReachTheDataSource) {
  auto first = run("{ users { id } }");
  EXPECT_EQ(first.cache, CacheStatus::kMiss);
  EXPECT_EQ(first.max_age, seconds(30));
  EXPECT_FALSE(first.etag.empty());
  // Another spelling of the same document shares the entry.
  auto second = run("query {\n  users {\n    id\n  }\n}");
  EXPECT_EQ(second.cache, CacheStatus::kHitLocal);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.etag, first.etag);
  EXPECT_LE(second.max_age, seconds(30));
  EXPECT_EQ(source_->calls, 1);
}

TEST_F(EngineCacheTest, VariablesAndScopesNeverShareAnEntry) {
  const char* q = "query U($id: ID!) { user(id: $id) { id } }";
  auto a = run(q, {{"id", "1"}});
  auto b = run(q, {{"id", "2"}});
  EXPECT_NE(a.body, b.body);
  auto admin = run(q, {{"id", "1"}}, "role:admin");
  EXPECT_EQ(admin.cache, CacheStatus::kMiss);
  EXPECT_NE(admin.body, a.body);
  EXPECT_TRUE(admin.private_scope);
  EXPECT_FALSE(a.private_scope);
  EXPECT_EQ(source_->calls, 3);
  EXPECT_EQ(run(q, {{"id", "1"}}, "role:admin").body, admin.body);
  EXPECT_EQ(run(q, {{"id", "1"}}).body, a.body);
  EXPECT_EQ(source_->calls, 3);
}

TEST_F(EngineCacheTest, QueriesWithoutALifetimeAreNotCached) {
  auto a = run("{ plain { id } }");
  auto b = run("{ plain { id } }");
  EXPECT_EQ(a.cache, CacheStatus::kNone);
  EXPECT_EQ(b.cache, CacheStatus::kNone);
  EXPECT_EQ(source_->calls, 2);
}

TEST_F(EngineCacheTest, FailuresAreNotRemembered) {
  source_->fail = true;
  EXPECT_EQ(run("{ users { id } }").outcome, Outcome::kUnavailable);
  source_->fail = false;
  auto r = run("{ users { id } }");
  EXPECT_EQ(r.outcome, Outcome::kExecuted);
  EXPECT_EQ(r.cache, CacheStatus::kMiss);
  EXPECT_EQ(source_->calls, 2);
}

TEST_F(EngineCacheTest, AMutationThatRanInvalidatesTheTypesItNames) {
  run("{ users { id } }");
  run("{ posts { id } }");
  run("query { items { ... on Comment { id } } }");  // not cached (no lifetime)
  EXPECT_EQ(source_->calls, 3);
  EXPECT_EQ(run("mutation { touch(id: 1) { id } }").outcome, Outcome::kExecuted);  // names nothing
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kHitLocal);
  EXPECT_EQ(source_->calls, 4);

  // A mutation refused by the data source changes nothing.
  source_->fail = true;
  run("mutation { createPost(title: \"t\") { id } }");
  source_->fail = false;
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kHitLocal);
  EXPECT_EQ(run("{ posts { id } }").cache, CacheStatus::kHitLocal);

  run("mutation { createPost(title: \"t\") { id } }");  // invalidates Post and User
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kMiss);
  EXPECT_EQ(run("{ posts { id } }").cache, CacheStatus::kMiss);
}

TEST_F(EngineCacheTest, InvalidationIsByTag) {
  run("{ users { id } }");
  run("{ users { posts { id } } }");
  run("mutation { createComment(id: 1) { id } }");  // Comment: neither depends on it
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kHitLocal);
  EXPECT_EQ(run("{ users { posts { id } } }").cache, CacheStatus::kHitLocal);
}

TEST(EngineReplicaLagTest, AMutationInvalidatesAgainOnceReplicasCaughtUp) {
  auto cache = std::make_shared<cache::Cache>(cache::CacheOptions{});
  cache->start();
  auto source = std::make_shared<CountingSource>();
  EngineOptions options;
  options.response_cache.cache = cache;
  options.response_cache.replica_lag = std::chrono::milliseconds(50);
  Engine engine(schema(), options, source);
  auto run = [&engine](const std::string& text) {
    std::optional<OperationResponse> out;
    OperationRequest r;
    r.query = text;
    engine.execute(std::move(r), [&](OperationResponse resp) { out = std::move(resp); });
    return *out;
  };
  run("{ users { id } }");
  run("mutation { createPost(title: \"t\") { id } }");
  // Filled right after the write: maybe from a replica that had not replayed it.
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kMiss);
  EXPECT_EQ(run("{ users { id } }").cache, CacheStatus::kHitLocal);
  // The second bump drops that entry.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (run("{ users { id } }").cache == CacheStatus::kHitLocal &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(source->calls,
            4);  // the first query, the mutation, the fill after it, the one after the second bump
}

TEST_F(EngineCacheTest, IdenticalConcurrentMissesRunOnce) {
  source_->hold = true;
  std::vector<OperationResponse> answers;
  std::mutex mu;
  for (int i = 0; i < 3; ++i) {
    OperationRequest r;
    r.query = "{ users { id } }";
    engine_->execute(std::move(r), [&](OperationResponse resp) {
      std::lock_guard lock(mu);
      answers.push_back(std::move(resp));
    });
  }
  ASSERT_EQ(source_->calls, 1);
  ASSERT_EQ(source_->held.size(), 1U);
  auto [body, done] = std::move(source_->held.front());
  done({Outcome::kExecuted, body});
  std::lock_guard lock(mu);
  ASSERT_EQ(answers.size(), 3U);
  for (const auto& a : answers) EXPECT_EQ(a.body, body);
}

TEST_F(EngineCacheTest, WarmingFillsTheCache) {
  auto op = parse_warm_operation(
      R"({"query":"query U($id: ID!) { user(id: $id) { id } }","variables":{"id":"7"}})");
  ASSERT_TRUE(op) << op.error().message;
  CacheWarmer warmer(*engine_, {*op}, {.interval = std::chrono::hours(1), .retry = std::chrono::hours(1)});
  warmer.start();
  for (int i = 0; i < 1000 && warmer.rounds() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  warmer.stop();
  ASSERT_EQ(warmer.good_rounds(), 1U);
  EXPECT_EQ(source_->calls, 1);
  EXPECT_EQ(run("query U($id: ID!) { user(id: $id) { id } }", {{"id", "7"}}).cache, CacheStatus::kHitLocal);
  EXPECT_EQ(source_->calls, 1);
}

TEST_F(EngineCacheTest, AFailedWarmingRoundIsCountedAsSuch) {
  source_->fail = true;
  auto op = parse_warm_operation(R"({"query":"{ users { id } }"})");
  ASSERT_TRUE(op);
  CacheWarmer warmer(*engine_, {*op}, {.interval = std::chrono::hours(1), .retry = std::chrono::hours(1)});
  warmer.start();
  for (int i = 0; i < 1000 && warmer.rounds() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  warmer.stop();
  EXPECT_EQ(warmer.rounds(), 1U);
  EXPECT_EQ(warmer.good_rounds(), 0U);
}

TEST(WarmOperationTest, BadItemsSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const auto& c : {Case{"{ users { id } }", "expected a JSON object"},
                        Case{R"({"variables":{}})", "\"query\" must be a non-empty string"},
                        Case{R"({"query":"{ a }","variables":[1]})", "\"variables\" must be an object"},
                        Case{R"({"query":"{ a }","operationName":1})", "\"operationName\" must be a string"},
                        Case{R"({"query":"{ a }","extra":1})", "unknown member \"extra\""}}) {
    auto r = parse_warm_operation(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
  }
  auto ok = parse_warm_operation(R"({"query":"query Q { a }","operationName":"Q","variables":{"x":1}})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->operation_name, "Q");
  EXPECT_EQ(ok->variables, json({{"x", 1}}));
}

}  // namespace
}  // namespace fraiseql::exec
