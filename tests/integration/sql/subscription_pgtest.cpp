// Subscription fields (@notify) compiled for one event: the row the event names, read
// through the type's view with the subscriber's selection and `where`, compared with the
// same question asked of PostgreSQL by hand; and the mapping's checks of @notify fields.

#include <gtest/gtest.h>

#include "blog_db.hpp"
#include "sql_test_util.hpp"

namespace fraiseql::sql::pgtest {
namespace {

using nlohmann::json;

constexpr const char* kSubscriptions = R"(
type Subscription {
  postCreated: Post @notify(channel: "post_created")
  postUpdated(where: PostWhereInput): Post @notify(channel: "post_updated")
}
)";

class SubscriptionPgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { create_blog_db(); }
  static void TearDownTestSuite() { drop_blog_db(); }

  static const FraiseqlSchema& schema() {
    static const FraiseqlSchema kSchema = build_fraiseql_schema(
        fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.graphql")) +
            kSubscriptions,
        "schema.graphql", testing::blog_mapping_options());
    return kSchema;
  }

  static json event(const std::string& query, const std::string& id, const json& variables = json::object()) {
    CompileOptions options;
    options.event_id = id;
    auto r = testing::compile_text(*schema().mapping, query, variables, options);
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().message);
    if (!r.ok()) return nullptr;
    EXPECT_FALSE(r.query->reusable);
    EXPECT_EQ(r.query->intent, Intent::kRead);
    return json::parse(run_compiled(*r.query));
  }
};

TEST_F(SubscriptionPgTest, TheMappingKnowsEachNotifyFieldAndItsChannel) {
  ASSERT_TRUE(schema().errors.empty()) << schema().errors.front();
  const RootField* created = schema().mapping->subscription_root("postCreated");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->channel, "post_created");
  EXPECT_EQ(created->type->view, "v_post");
  EXPECT_EQ(schema().mapping->subscription_root("nothing"), nullptr);
  EXPECT_EQ(schema().mapping->root("postCreated"), nullptr);  // not a Query field
}

TEST_F(SubscriptionPgTest, AnEventReadsItsRowWithTheSubscribersSelection) {
  const std::string id = run_sql("SELECT id::text FROM tb_post ORDER BY id LIMIT 1");
  auto got = event("subscription { postCreated { id title views author { name } __typename } }", id);
  auto want = json::parse(run_sql(
      "SELECT json_build_object('postCreated', json_build_object('id', p.id, 'title', p.title, 'views', "
      "p.views, "
      "'author', json_build_object('name', u.name), '__typename', 'Post')) FROM tb_post p JOIN tb_user u ON "
      "u.id = p.author_id WHERE p.id = '" +
      id + "'"));
  EXPECT_EQ(got, want);
}

TEST_F(SubscriptionPgTest, ARowThatIsGoneOrFilteredOutGivesNull) {
  EXPECT_EQ(event("subscription { postCreated { id } }", "00000000-0000-0000-0000-000000000000"),
            (json{{"postCreated", nullptr}}));
  const std::string id = run_sql("SELECT id::text FROM tb_post WHERE views > 0 ORDER BY id LIMIT 1");
  const std::string q = "subscription($min: Int) { postUpdated(where: {views: {gte: $min}}) { id } }";
  EXPECT_EQ(event(q, id, {{"min", 0}})["postUpdated"]["id"], id);
  EXPECT_EQ(event(q, id, {{"min", 1'000'000'000}}), (json{{"postUpdated", nullptr}}));
}

TEST_F(SubscriptionPgTest, AHostileEventPayloadStaysAValue) {
  // The id is bound as a parameter: a payload that is not a uuid is the server's 22P02,
  // never SQL.
  CompileOptions options;
  options.event_id = "x'; DROP TABLE tb_post; --";
  auto r = testing::compile_text(*schema().mapping, "subscription { postCreated { id } }", json::object(),
                                 options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.query->sql.find("DROP"), std::string::npos);
  EXPECT_THROW(run_compiled(*r.query), pqxx::sql_error);
  EXPECT_EQ(run_sql("SELECT count(*)::text FROM tb_post") != "", true);
}

TEST_F(SubscriptionPgTest, WithoutAnEventASubscriptionIsNotCompiled) {
  auto r = testing::compile_text(*schema().mapping, "subscription { postCreated { id } }");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors.front().message.find("can only be read for an event"), std::string::npos);
}

TEST(SubscriptionMapping, NotifyFieldsAreChecked) {
  auto build = [](const std::string& sub) {
    return build_fraiseql_schema(
        fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.graphql")) + sub,
        "schema.graphql", testing::blog_mapping_options());
  };
  auto no_channel = build("type Subscription { postCreated: Post }");
  ASSERT_FALSE(no_channel.errors.empty());
  EXPECT_NE(no_channel.errors.front().find("Subscription.postCreated: a subscription field needs @notify"),
            std::string::npos)
      << no_channel.errors.front();
  auto list = build(R"(type Subscription { posts: [Post!]! @notify(channel: "p") })");
  ASSERT_FALSE(list.errors.empty());
  EXPECT_NE(list.errors.front().find("returns one object of a type with @view"), std::string::npos);
  auto bad_arg = build(R"(type Subscription { post(nope: Int): Post @notify(channel: "p") })");
  ASSERT_FALSE(bad_arg.errors.empty());
  EXPECT_NE(bad_arg.errors.front().find("argument nope names no scalar field of Post"), std::string::npos);
}

}  // namespace
}  // namespace fraiseql::sql::pgtest
