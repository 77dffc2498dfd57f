// The compiled statement's JSON against the same question asked of PostgreSQL directly,
// on examples/blog/schema.sql and a small seed. Each filter case runs twice: with the
// views' real columns known (filters use columns) and with none known (filters read
// `data`), and both must match the hand-written query over the tables.

#include <gtest/gtest.h>

#include "fraiseql/sql/catalog.hpp"

#include "blog_db.hpp"
#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using nlohmann::json;
using pgtest::run_compiled;
using pgtest::run_sql;

class BlogEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { pgtest::create_blog_db(); }
  void TearDown() override { pgtest::drop_blog_db(); }
};
// GoogleTest registers environments through a global initializer.
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new BlogEnvironment);  // NOLINT(cert-err58-cpp)

const FraiseqlSchema& with_columns() {
  static const FraiseqlSchema kSchema = testing::blog_schema();
  return kSchema;
}
const FraiseqlSchema& without_columns() {
  static const FraiseqlSchema kSchema = testing::blog_schema(MappingOptions{});
  return kSchema;
}

/// The compiled answer, parsed; `raw` receives the text when given.
json gql(const FraiseqlSchema& schema, const std::string& query, const json& variables = json::object(),
         const CompileOptions& options = {}, std::string* raw = nullptr,
         const graphql::ValidationOptions& validation = {}) {
  auto r = testing::compile_text(*schema.mapping, query, variables, options, {}, validation);
  for (const auto& e : r.errors) ADD_FAILURE() << "compile: " << e.message;
  if (!r.ok()) return nullptr;
  std::string text = run_compiled(*r.query);
  if (raw != nullptr) *raw = text;
  return json::parse(text);
}
json gql(const std::string& query, const json& variables = json::object(),
         const CompileOptions& options = {}) {
  return gql(with_columns(), query, variables, options);
}

json direct(const std::string& sql) {
  std::string text = run_sql(sql);
  return text.empty() ? json() : json::parse(text);
}

// ---- every operator ------------------------------------------------------------------

struct FilterCase {
  const char* root;       // users or postList
  const char* where;      // GraphQL literal
  const char* condition;  // the same over the table (alias u or p)
  bool expect_rows = true;
};

// Hand-written side: the ids of the matching rows, in id order.
std::string direct_ids(const FilterCase& c) {
  const bool users = std::string_view(c.root) == "users";
  return std::string(
             "SELECT coalesce(json_agg(json_build_object('id', x.id::text) ORDER BY x.id), '[]') FROM ") +
         (users ? "tb_user" : "tb_post") + " x WHERE " + c.condition;
}

const FilterCase kFilterCases[] = {
    // String
    {"users", R"({name: {eq: "Alice"}})", "x.name = 'Alice'"},
    {"users", R"({name: {neq: "Alice"}})", "x.name <> 'Alice'"},
    {"users", R"({name: {in: ["Alice", "Bob", "nobody"]}})", "x.name IN ('Alice', 'Bob')"},
    {"users", R"({name: {nin: ["Alice", "Bob"]}})", "x.name NOT IN ('Alice', 'Bob')"},
    {"users", R"({name: {contains: "a"}})", "strpos(x.name, 'a') > 0"},
    {"users", R"({name: {contains: "%"}})", "strpos(x.name, '%') > 0"},
    {"users", R"({name: {contains: "_"}})", "strpos(x.name, '_') > 0"},
    {"users", R"({name: {contains: "\\"}})", "strpos(x.name, '\\') > 0"},
    {"users", R"({name: {icontains: "AL"}})", "strpos(lower(x.name), 'al') > 0"},
    {"users", R"({name: {startsWith: "A"}})", "left(x.name, 1) = 'A'"},
    {"users", R"({name: {endsWith: "e"}})", "right(x.name, 1) = 'e'"},
    {"users", R"({name: {endsWith: "%"}})", "right(x.name, 1) = '%'"},
    {"users", R"({name: {like: "A%e"}})", "x.name LIKE 'A%e'"},
    {"users", R"({name: {ilike: "a%"}})", "x.name ILIKE 'a%'"},
    {"users", R"({name: {matches: "^[A-C]"}})", "x.name ~ '^[A-C]'"},
    {"users", R"({bio: {isNull: true}})", "x.bio IS NULL"},
    {"users", R"({bio: {isNull: false}})", "x.bio IS NOT NULL"},
    {"users", R"({bio: {eq: null}})", "x.bio IS NULL"},
    {"users", R"({name: {eq: "O'Brien"}})", "x.name = 'O''Brien'"},
    // SQL injection attempts come back as data (or match nothing).
    {"users", R"({name: {eq: "Robert'); DROP TABLE tb_user;--"}})",
     "x.name = 'Robert''); DROP TABLE tb_user;--'"},
    {"users", R"({name: {eq: "' OR '1'='1"}})", "false", false},
    {"users", R"({name: {contains: "' OR 1=1 --"}})", "false", false},
    {"users", R"({name: {in: ["x\"}', '{y", "Bob"]}})", "x.name = 'Bob'"},
    {"users", R"({name: {matches: "'; DROP TABLE tb_post; --"}})", "false", false},
    {"users", R"({email: {like: "%'--"}})", "false", false},
    {"users", R"({settings: {hasKey: "x' OR true --"}})", "false", false},
    // Int
    {"users", R"({age: {eq: 26}})", "x.age = 26"},
    {"users", R"({age: {neq: 26}})", "x.age <> 26"},
    {"users", R"({age: {gt: 35}})", "x.age > 35"},
    {"users", R"({age: {gte: 35}})", "x.age >= 35"},
    {"users", R"({age: {lt: 35}})", "x.age < 35"},
    {"users", R"({age: {lte: 35}})", "x.age <= 35"},
    {"users", R"({age: {in: [23, 26, 99]}})", "x.age IN (23, 26)"},
    {"users", R"({age: {nin: [23, 26]}})", "x.age NOT IN (23, 26)"},
    {"users", R"({age: {isNull: true}})", "x.age IS NULL"},
    {"users", R"({age: {gt: 25, lt: 50}})", "x.age > 25 AND x.age < 50"},
    // Float
    {"postList", R"({rating: {gt: 2.5}})", "x.rating > 2.5"},
    {"postList", R"({rating: {lte: 1}})", "x.rating <= 1"},
    {"postList", R"({rating: {in: [0.25, 1.5]}})", "x.rating IN (0.25, 1.5)"},
    {"postList", R"({rating: {isNull: true}})", "x.rating IS NULL"},
    // DateTime
    {"users", R"({createdAt: {gt: "2024-01-01T05:00:00Z"}})", "x.created_at > '2024-01-01T05:00:00Z'"},
    {"users", R"({createdAt: {lte: "2024-01-01T07:00:00+02:00"}})", "x.created_at <= '2024-01-01T05:00:00Z'"},
    {"users", R"({createdAt: {eq: "2024-01-01T03:00:00Z"}})", "x.created_at = '2024-01-01T03:00:00Z'"},
    {"users", R"({createdAt: {in: ["2024-01-01T03:00:00Z", "2024-01-01T04:00:00Z"]}})",
     "x.created_at IN ('2024-01-01T03:00:00Z', '2024-01-01T04:00:00Z')"},
    // Boolean
    {"users", R"({isActive: {eq: true}})", "x.is_active"},
    {"users", R"({isActive: {neq: true}})", "NOT x.is_active"},
    {"postList", R"({published: {eq: false}})", "NOT x.published"},
    // ID
    {"users", R"({id: {eq: "2b1d4a8c-0a3b-9a1c-8f1d-4a1b2c3d4e5f"}})", "false", false},
    {"users", R"({id: {in: ["f7f5c1a1-2d8e-5a5b-7f1e-3b0c9f0e6e01"]}})", "false", false},
    // JSON
    {"users", R"({settings: {hasKey: "beta"}})", "x.settings ? 'beta'"},
    {"users", R"({settings: {contains: {theme: "dark"}}})", "x.settings @> '{\"theme\": \"dark\"}'"},
    {"users", R"({settings: {containedBy: {theme: "light", beta: false}}})",
     "x.settings <@ '{\"theme\": \"light\", \"beta\": false}'"},
    {"users", R"({settings: {eq: {}}})", "x.settings = '{}'"},
    // AND / OR / NOT
    {"users", R"({AND: [{age: {gt: 25}}, {isActive: {eq: true}}]})", "x.age > 25 AND x.is_active"},
    {"users", R"({OR: [{age: {gt: 50}}, {bio: {isNull: true}}]})", "x.age > 50 OR x.bio IS NULL"},
    {"users", R"({NOT: {age: {gt: 30}}})", "NOT coalesce(x.age > 30, false)"},
    {"users", R"({name: {startsWith: "A"}, OR: [{age: {gt: 30}}, {email: {isNull: true}}]})",
     "left(x.name, 1) = 'A' AND (x.age > 30 OR x.email IS NULL)"},
    {"users", R"({OR: []})", "false", false},
    {"users", R"({AND: []})", "true"},
    // Lists of scalars
    {"postList", R"({tags: {contains: ["t1"]}})", "'t1' = ANY(x.tags)"},
    {"postList", R"({tags: {contains: ["t1", "t2"]}})", "false", false},
    {"postList", R"({tags: {overlaps: ["t0", "t2", "zz"]}})", "x.tags && ARRAY['t0', 't2']"},
    {"postList", R"({tags: {containedBy: ["t0", "t1"]}})", "x.tags <@ ARRAY['t0', 't1']"},
    {"postList", R"({tags: {isEmpty: false}})", "cardinality(x.tags) > 0"},
    {"postList", R"({tags: {overlaps: ["t0'); DROP TABLE tb_post; --"]}})", "false", false},
    // Nested: embedded object, embedded list, joins
    {"postList", R"({metadata: {language: {eq: "en"}}})", "x.language = 'en'"},
    {"postList", R"({metadata: {wordCount: {gt: 110}, language: {isNull: true}}})",
     "x.word_count > 110 AND x.language IS NULL"},
    {"postList", R"({content: {endsWith: "even"}})", "right(x.content, 4) = 'even'"},
    {"postList", R"({author: {name: {in: ["Alice", "Bob"]}}})",
     "x.author_id IN (SELECT id FROM tb_user WHERE name IN ('Alice', 'Bob'))"},
    {"postList", R"({comments: {body: {startsWith: "Nice"}}})",
     "EXISTS (SELECT 1 FROM tb_comment c WHERE c.post_id = x.id AND c.body LIKE 'Nice%')"},
    {"users", R"({posts: {title: {contains: "100%"}}})",
     "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND strpos(p.title, '100%') > 0)"},
    {"users", R"({comments: {post: {metadata: {language: {eq: "fr"}}}}})",
     "EXISTS (SELECT 1 FROM tb_comment c JOIN tb_post p ON p.id = c.post_id "
     "WHERE c.author_id = x.id AND p.language = 'fr')"},
    // Joins from inside embedded data read their keys from the embedded JSON.
    {"users", R"({posts: {comments: {body: {startsWith: "Nice"}}}})",
     "EXISTS (SELECT 1 FROM tb_post p JOIN tb_comment c ON c.post_id = p.id "
     "WHERE p.author_id = x.id AND c.body LIKE 'Nice%')"},
    {"users", R"({posts: {author: {age: {gt: 40}}}})",
     "EXISTS (SELECT 1 FROM tb_post p JOIN tb_user a ON a.id = p.author_id WHERE p.author_id = x.id AND "
     "a.age > 40)"},
    {"users", R"({NOT: {posts: {published: {eq: false}}}})",
     "NOT EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND NOT p.published)"},
};

class SqlPgFilter : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SqlPgFilter, MatchesTheHandWrittenQuery) {
  const FilterCase& c = kFilterCases[GetParam()];
  SCOPED_TRACE(std::string(c.root) + "(where: " + c.where + ")");
  const json expected = direct(direct_ids(c));
  ASSERT_TRUE(expected.is_array());
  if (c.expect_rows) {
    EXPECT_FALSE(expected.empty()) << "the case should select some rows";
  } else {
    EXPECT_TRUE(expected.empty());
  }
  const std::string query =
      std::string("{ r: ") + c.root + "(where: " + c.where + ", orderBy: [{id: ASC}], limit: 1000) { id } }";
  EXPECT_EQ(gql(with_columns(), query)["r"], expected) << "columns";
  EXPECT_EQ(gql(without_columns(), query)["r"], expected) << "data";
}

INSTANTIATE_TEST_SUITE_P(SqlPg, SqlPgFilter, ::testing::Range<std::size_t>(0, std::size(kFilterCases)));

TEST(SqlPgInjection, TablesSurviveAndValuesComeBackAsData) {
  const std::string evil = "Robert'); DROP TABLE tb_user;--";
  json r = gql(R"(query($n: String!) { users(where: {name: {eq: $n}}) { name } })", {{"n", evil}});
  ASSERT_EQ(r["users"].size(), 1U);
  EXPECT_EQ(r["users"][0]["name"], evil);
  EXPECT_EQ(run_sql("SELECT count(*)::text FROM tb_user"), "12");
  EXPECT_EQ(run_sql("SELECT count(*)::text FROM tb_post"), "30");
}

TEST(SqlPgInjection, EveryOperatorRunsThePayloadAsData) {
  const std::string payload = "'; DROP TABLE tb_post; --";
  const json list = json::array({payload});
  struct Case {
    const char* where;
    const char* type;  // of $v
    json value;
  };
  const Case cases[] = {
      {"{name: {eq: $v}}", "String", payload},
      {"{name: {neq: $v}}", "String", payload},
      {"{name: {in: $v}}", "[String!]", list},
      {"{name: {nin: $v}}", "[String!]", list},
      {"{name: {contains: $v}}", "String", payload},
      {"{name: {icontains: $v}}", "String", payload},
      {"{name: {startsWith: $v}}", "String", payload},
      {"{name: {endsWith: $v}}", "String", payload},
      {"{name: {like: $v}}", "String", payload},
      {"{name: {ilike: $v}}", "String", payload},
      {"{name: {matches: $v}}", "String", payload},
      {"{settings: {hasKey: $v}}", "String", payload},
      {"{settings: {eq: $v}}", "JSON", json{{"k", payload}}},
      {"{settings: {contains: $v}}", "JSON", json{{"k", payload}}},
      {"{settings: {containedBy: $v}}", "JSON", json{{"k", payload}}},
      {"{posts: {tags: {contains: $v}}}", "[String!]", list},
      {"{posts: {tags: {containedBy: $v}}}", "[String!]", list},
      {"{posts: {tags: {overlaps: $v}}}", "[String!]", list},
      {"{comments: {body: {eq: $v}}}", "String", payload},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.where);
    for (const FraiseqlSchema* s : {&with_columns(), &without_columns()}) {
      json r = gql(
          *s, std::string("query($v: ") + c.type + ") { users(where: " + c.where + ", limit: 1000) { id } }",
          {{"v", c.value}});
      EXPECT_TRUE(r["users"].is_array());
    }
  }
  EXPECT_EQ(run_sql("SELECT count(*)::text FROM tb_post"), "30");
}

// ---- ordering, limit, offset ---------------------------------------------------------

TEST(SqlPgOrder, SeveralKeysAndNulls) {
  json r = gql(R"({ users(orderBy: [{age: DESC_NULLS_LAST}, {name: ASC}]) { name age } })");
  json expected = direct(
      "SELECT json_agg(json_build_object('name', name, 'age', age) ORDER BY age DESC NULLS LAST, name) FROM "
      "tb_user");
  EXPECT_EQ(r["users"], expected);
  r = gql(R"({ users(orderBy: [{age: ASC_NULLS_FIRST}, {email: DESC}]) { email } })");
  expected = direct(
      "SELECT json_agg(json_build_object('email', email) ORDER BY age ASC NULLS FIRST, email DESC) FROM "
      "tb_user");
  EXPECT_EQ(r["users"], expected);
  r = gql(R"({ users(orderBy: [{createdAt: DESC}]) { createdAt } })");
  expected = direct(
      "SELECT json_agg(json_build_object('createdAt', created_at) ORDER BY created_at DESC) FROM tb_user");
  EXPECT_EQ(r["users"], expected);
}

TEST(SqlPgOrder, DataFieldsAndNestedEmbeddedFields) {
  json r = gql(
      R"({ postList(orderBy: [{metadata: {wordCount: DESC_NULLS_FIRST}}, {content: ASC}]) { content } })");
  json expected = direct(
      "SELECT json_agg(json_build_object('content', content) ORDER BY word_count DESC NULLS FIRST, content) "
      "FROM "
      "tb_post");
  EXPECT_EQ(r["postList"], expected);
  // Without columns the same order is computed from `data`, with the type's cast.
  r = gql(without_columns(), R"({ postList(orderBy: [{views: DESC}, {id: ASC}]) { views } })");
  expected =
      direct("SELECT json_agg(json_build_object('views', views) ORDER BY views DESC, id) FROM tb_post");
  EXPECT_EQ(r["postList"], expected);
}

TEST(SqlPgOrder, JoinedToOneFields) {
  const char* q = R"({ postList(orderBy: [{author: {name: DESC}}, {id: ASC}], limit: 1000) { title } })";
  json expected = direct(
      "SELECT json_agg(json_build_object('title', p.title) ORDER BY u.name DESC, p.id) FROM tb_post p "
      "JOIN tb_user u ON u.id = p.author_id");
  EXPECT_EQ(gql(q)["postList"], expected);
  EXPECT_EQ(gql(without_columns(), q)["postList"], expected);
  // Two joins deep, nulls placed as asked, then a field of the row itself.
  q = R"({ comments(orderBy: [{post: {author: {age: DESC_NULLS_LAST}}}, {post: {title: ASC}}, {createdAt: DESC}],
           limit: 1000) { body } })";
  expected = direct(
      "SELECT json_agg(json_build_object('body', c.body) ORDER BY u.age DESC NULLS LAST, p.title, "
      "c.created_at "
      "DESC) FROM tb_comment c JOIN tb_post p ON p.id = c.post_id JOIN tb_user u ON u.id = p.author_id");
  EXPECT_EQ(gql(q)["comments"], expected);
  EXPECT_EQ(gql(without_columns(), q)["comments"], expected);
}

TEST(SqlPgOrder, JoinedListsTakeWhereOrderByLimitOffset) {
  // A joined list ordered by a field of its own joined object, filtered, paged.
  const char* q = R"({ users(orderBy: [{email: ASC}]) {
      email
      comments(where: {body: {startsWith: "Meh"}}, orderBy: [{post: {views: DESC}}, {id: ASC}], limit: 2, offset: 1) {
        body
      }
    } })";
  const std::string sql = R"(
    SELECT json_agg(json_build_object('email', u.email, 'comments', (
             SELECT coalesce(json_agg(x.j ORDER BY x.views DESC, x.id), '[]') FROM (
               SELECT json_build_object('body', c.body) AS j, p.views, c.id
                 FROM tb_comment c JOIN tb_post p ON p.id = c.post_id
                WHERE c.author_id = u.id AND c.body LIKE 'Meh%'
                ORDER BY p.views DESC, c.id LIMIT 2 OFFSET 1) x)) ORDER BY u.email)
      FROM tb_user u)";
  EXPECT_EQ(gql(q)["users"], direct(sql));
  EXPECT_EQ(gql(without_columns(), q)["users"], direct(sql));
}

TEST(SqlPgPaging, LimitOffsetAndDefaults) {
  json r = gql(R"({ users(orderBy: [{email: ASC}], limit: 3, offset: 2) { email } })");
  json expected = direct(
      "SELECT json_agg(x.j ORDER BY x.email) FROM (SELECT json_build_object('email', email) AS j, email FROM "
      "tb_user "
      "ORDER BY email LIMIT 3 OFFSET 2) x");
  EXPECT_EQ(r["users"], expected);
  CompileOptions small;
  small.default_limit = 4;
  r = gql(R"({ users(orderBy: [{email: ASC}]) { email } })", json::object(), small);
  EXPECT_EQ(r["users"].size(), 4U);
  r = gql(R"({ users(limit: 0) { email } })");
  EXPECT_EQ(r["users"], json::array());
  r = gql(R"({ users(orderBy: [{email: ASC}], offset: 100) { email } })");
  EXPECT_EQ(r["users"], json::array());
}

// ---- nesting -------------------------------------------------------------------------

TEST(SqlPgNesting, EmbeddedListAndObject) {
  const char* q =
      R"({ users(orderBy: [{email: ASC}]) { email posts { title tags metadata { language wordCount } } } })";
  const std::string sql = R"(
    SELECT json_agg(json_build_object('email', u.email, 'posts', (
             SELECT coalesce(json_agg(json_build_object('title', p.title, 'tags', to_json(p.tags),
                      'metadata', json_build_object('language', p.language, 'wordCount', p.word_count))
                    ORDER BY p.created_at, p.id), '[]')
               FROM tb_post p WHERE p.author_id = u.id)) ORDER BY u.email)
      FROM tb_user u)";
  EXPECT_EQ(gql(q)["users"], direct(sql));
  EXPECT_EQ(gql(without_columns(), q)["users"], direct(sql));
}

TEST(SqlPgNesting, JoinsToOneAndToManyWithArguments) {
  const char* q = R"({
    postList(where: {views: {gt: 40}}, orderBy: [{views: DESC}, {id: ASC}]) {
      title
      author { name email }
      comments(orderBy: [{createdAt: DESC}], limit: 2) { body author { name } }
    }
  })";
  const std::string sql = R"(
    SELECT json_agg(json_build_object(
             'title', p.title,
             'author', (SELECT json_build_object('name', u.name, 'email', u.email) FROM tb_user u WHERE u.id = p.author_id),
             'comments', (SELECT coalesce(json_agg(x.j ORDER BY x.created_at DESC), '[]') FROM (
                 SELECT json_build_object('body', c.body, 'author',
                          (SELECT json_build_object('name', a.name) FROM tb_user a WHERE a.id = c.author_id)) AS j,
                        c.created_at
                   FROM tb_comment c WHERE c.post_id = p.id ORDER BY c.created_at DESC LIMIT 2) x))
           ORDER BY p.views DESC, p.id)
      FROM tb_post p WHERE p.views > 40)";
  EXPECT_EQ(gql(q)["postList"], direct(sql));
  EXPECT_EQ(gql(without_columns(), q)["postList"], direct(sql));
}

TEST(SqlPgNesting, JoinFromInsideEmbeddedData) {
  // users.posts is embedded; each embedded post's author is a @join read from its JSON.
  const char* q = R"({ users(where: {name: {eq: "Bob"}}) {
    posts { title author { name } } } })";
  json r = gql(q);
  ASSERT_EQ(r["users"].size(), 1U);
  json expected = direct(
      "SELECT json_agg(json_build_object('title', p.title, 'author', json_build_object('name', u.name)) "
      "ORDER BY "
      "p.created_at, p.id) FROM tb_post p JOIN tb_user u ON u.id = p.author_id WHERE u.name = 'Bob'");
  EXPECT_EQ(r["users"][0]["posts"], expected);
  EXPECT_EQ(gql(without_columns(), q)["users"][0]["posts"], expected);
}

TEST(SqlPgNesting, SingleLookupById) {
  const std::string id = run_sql("SELECT id::text FROM tb_user WHERE name = 'Carol'");
  json r = gql(R"(query($id: ID!) { user(id: $id) { name age comments(orderBy: [{body: ASC}]) { body } } })",
               {{"id", id}});
  json expected = direct(
      "SELECT json_build_object('name', u.name, 'age', u.age, 'comments', (SELECT "
      "coalesce(json_agg(json_build_object("
      "'body', c.body) ORDER BY c.body), '[]') FROM tb_comment c WHERE c.author_id = u.id)) FROM tb_user u "
      "WHERE "
      "u.name = 'Carol'");
  EXPECT_EQ(r["user"], expected);
  r = gql(R"({ user(id: "00000000-0000-0000-0000-000000000000") { name } })");
  EXPECT_TRUE(r.contains("user") && r["user"].is_null());
}

// ---- the GraphQL surface -------------------------------------------------------------

TEST(SqlPgSurface, AliasesKeepOrderAndRepeatFields) {
  std::string raw;
  json r = gql(with_columns(),
               R"({ b: users(where: {name: {eq: "Bob"}}) { mail: email n: name name }
                    a: users(where: {name: {eq: "Alice"}}) { name } })",
               json::object(), {}, &raw);
  EXPECT_EQ(raw.find("{\"b\""), 0U) << raw;
  EXPECT_LT(raw.find("\"mail\""), raw.find("\"n\"")) << raw;
  EXPECT_EQ(r["b"], json::parse(R"([{"mail": "u2@example.com", "n": "Bob", "name": "Bob"}])"));
  EXPECT_EQ(r["a"], json::parse(R"([{"name": "Alice"}])"));
}

TEST(SqlPgSurface, FragmentsNamedInlineAndNested) {
  const char* q = R"(
    query {
      users(where: {name: {eq: "Alice"}}) { ...U ... on User { age } ... { isActive } }
    }
    fragment U on User { name ...E posts { ...P } }
    fragment E on User { email }
    fragment P on Post { title }
  )";
  json expected = direct(
      "SELECT json_agg(json_build_object('name', u.name, 'email', u.email, 'posts', (SELECT "
      "coalesce(json_agg("
      "json_build_object('title', p.title) ORDER BY p.created_at, p.id), '[]') FROM tb_post p WHERE "
      "p.author_id = "
      "u.id), 'age', u.age, 'isActive', u.is_active)) FROM tb_user u WHERE u.name = 'Alice'");
  EXPECT_EQ(gql(q)["users"], expected);
}

TEST(SqlPgSurface, IncludeSkipAndVariables) {
  const char* q = R"(query($withEmail: Boolean!, $noAge: Boolean = true, $w: UserWhereInput, $n: Int) {
    users(where: $w, orderBy: [{name: ASC}], limit: $n) {
      name
      email @include(if: $withEmail)
      age @skip(if: $noAge)
      ... @include(if: $withEmail) { bio }
    }
  })";
  json r = gql(q, {{"withEmail", false}, {"w", {{"age", {{"gte", 30}}}}}, {"n", 2}});
  json expected = direct(
      "SELECT json_agg(x.j ORDER BY x.name) FROM (SELECT json_build_object('name', name) AS j, name FROM "
      "tb_user "
      "WHERE age >= 30 ORDER BY name LIMIT 2) x");
  EXPECT_EQ(r["users"], expected);
  r = gql(q, {{"withEmail", true}, {"noAge", false}, {"n", 1}});
  expected = direct(
      "SELECT json_agg(json_build_object('name', name, 'email', email, 'age', age, 'bio', bio)) FROM (SELECT "
      "* FROM "
      "tb_user ORDER BY name LIMIT 1) u");
  EXPECT_EQ(r["users"], expected);
}

TEST(SqlPgSurface, TypenameAnywhere) {
  json r = gql(R"({ __typename users(where: {name: {eq: "Bob"}}) { __typename posts { __typename }
    comments(limit: 1) { __typename post { __typename metadata { __typename } } } }
    usersAggregate { __typename sum { __typename } } })");
  EXPECT_EQ(r["__typename"], "Query");
  EXPECT_EQ(r["users"][0]["__typename"], "User");
  EXPECT_EQ(r["users"][0]["posts"][0]["__typename"], "Post");
  EXPECT_EQ(r["users"][0]["comments"][0]["__typename"], "Comment");
  EXPECT_EQ(r["users"][0]["comments"][0]["post"]["__typename"], "Post");
  EXPECT_EQ(r["users"][0]["comments"][0]["post"]["metadata"]["__typename"], "PostMetadata");
  EXPECT_EQ(r["usersAggregate"]["__typename"], "UserAggregate");
  EXPECT_EQ(r["usersAggregate"]["sum"]["__typename"], "UserAggregateNumbers");
}

TEST(SqlPgAggregate, CountSumAvgMinMaxWithWhere) {
  const char* q =
      R"({ usersAggregate(where: {isActive: {eq: true}}) { count sum { age } avg { age } min { age }
    max { age } } all: postsAggregate { count max { views rating } } })";
  json r = gql(q);
  json expected = direct(
      "SELECT json_build_object('count', count(*), 'sum', json_build_object('age', sum(age)::float8), 'avg', "
      "json_build_object('age', avg(age)::float8), 'min', json_build_object('age', min(age)::float8), 'max', "
      "json_build_object('age', max(age)::float8)) FROM tb_user WHERE is_active");
  EXPECT_EQ(r["usersAggregate"], expected);
  EXPECT_EQ(gql(without_columns(), q)["usersAggregate"], expected);
  EXPECT_EQ(r["all"], direct("SELECT json_build_object('count', count(*), 'max', json_build_object('views', "
                             "max(views)::float8, 'rating', max(rating)::float8)) FROM tb_post"));
}

TEST(SqlPgSurface, ManyFieldsBeyondJsonBuildObjectArguments) {
  // 60 aliases exceed json_build_object's 100 arguments: the object is assembled as text.
  std::string q = "{ users(where: {name: {eq: \"Bob\"}}) {";
  for (int i = 0; i < 60; ++i) q += " f" + std::to_string(i) + ": name";
  q += " } }";
  graphql::ValidationOptions v;
  v.max_aliases = 100;
  json r = gql(with_columns(), q, json::object(), {}, nullptr, v);
  ASSERT_EQ(r["users"].size(), 1U);
  EXPECT_EQ(r["users"][0].size(), 60U);
  EXPECT_EQ(r["users"][0]["f59"], "Bob");
}

// ---- connections ---------------------------------------------------------------------

struct PagingCase {
  const char* order_by;   // GraphQL orderBy literal
  const char* order_sql;  // the same over tb_post (the id tie-breaker included)
};

const PagingCase kPagingCases[] = {
    {"[]", "id"},
    {"[{views: DESC}]", "views DESC, id"},
    {"[{rating: DESC_NULLS_LAST}]", "rating DESC NULLS LAST, id"},
    {"[{rating: ASC_NULLS_FIRST}]", "rating ASC NULLS FIRST, id"},
    {"[{published: ASC}, {createdAt: DESC}]", "published, created_at DESC, id"},
    {"[{metadata: {language: ASC}}]", "language ASC NULLS LAST, id"},
    {"[{metadata: {wordCount: DESC}}, {title: ASC}]", "word_count DESC NULLS FIRST, title, id"},
    {"[{author: {name: DESC}}]", "(SELECT u.name FROM tb_user u WHERE u.id = tb_post.author_id) DESC, id"},
    {"[{author: {age: ASC_NULLS_FIRST}}, {views: ASC}]",
     "(SELECT u.age FROM tb_user u WHERE u.id = tb_post.author_id) ASC NULLS FIRST, views, id"},
};

class SqlPgConnectionPaging : public ::testing::TestWithParam<std::size_t> {};

/// Walks the whole connection forward with `first`, then backward with `last`, and
/// compares the ids seen with the hand-written order.
TEST_P(SqlPgConnectionPaging, KeysetPagesCoverEveryRowOnceInOrder) {
  const PagingCase& c = kPagingCases[GetParam()];
  SCOPED_TRACE(c.order_by);
  const json expected = direct(std::string("SELECT json_agg(id::text ORDER BY ") + c.order_sql +
                               ") FROM tb_post WHERE views > 10");
  ASSERT_GT(expected.size(), 10U);
  for (const FraiseqlSchema* schema : {&with_columns(), &without_columns()}) {
    json seen = json::array();
    json after = nullptr;
    for (int page = 0; page < 20; ++page) {
      json r =
          gql(*schema,
              std::string("query($after: String) { posts(first: 4, after: $after, where: {views: {gt: 10}}, "
                          "orderBy: ") +
                  c.order_by + ") { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
              {{"after", after}});
      const json& conn = r["posts"];
      for (const json& e : conn["edges"]) seen.push_back(e["node"]["id"]);
      if (!conn["pageInfo"]["hasNextPage"].get<bool>()) break;
      EXPECT_EQ(conn["pageInfo"]["endCursor"], conn["edges"].back()["cursor"]);
      after = conn["pageInfo"]["endCursor"];
    }
    EXPECT_EQ(seen, expected) << "forward";

    json backward = json::array();
    json before = nullptr;
    for (int page = 0; page < 20; ++page) {
      json r = gql(
          *schema,
          std::string("query($before: String) { posts(last: 3, before: $before, where: {views: {gt: 10}}, "
                      "orderBy: ") +
              c.order_by + ") { nodes { id } pageInfo { hasPreviousPage startCursor } } }",
          {{"before", before}});
      const json& conn = r["posts"];
      json ids = json::array();
      for (const json& n : conn["nodes"]) ids.push_back(n["id"]);
      for (auto it = ids.rbegin(); it != ids.rend(); ++it) backward.insert(backward.begin(), *it);
      if (!conn["pageInfo"]["hasPreviousPage"].get<bool>()) break;
      before = conn["pageInfo"]["startCursor"];
    }
    EXPECT_EQ(backward, expected) << "backward";
  }
}

INSTANTIATE_TEST_SUITE_P(SqlPg, SqlPgConnectionPaging,
                         ::testing::Range<std::size_t>(0, std::size(kPagingCases)));

TEST(SqlPgConnection, TotalCountTypenameAndFirstPage) {
  json r = gql(R"({ posts(first: 2, where: {published: {eq: true}}, orderBy: [{views: ASC}]) {
    __typename totalCount edges { __typename node { title views } } pageInfo { hasNextPage hasPreviousPage } } })");
  const json& conn = r["posts"];
  EXPECT_EQ(conn["__typename"], "PostConnection");
  EXPECT_EQ(conn["totalCount"], std::stoi(run_sql("SELECT count(*)::text FROM tb_post WHERE published")));
  json expected = direct(
      "SELECT json_agg(json_build_object('__typename', 'PostEdge', 'node', json_build_object('title', title, "
      "'views', views)) ORDER BY views, id) FROM (SELECT * FROM tb_post WHERE published ORDER BY views, id "
      "LIMIT 2) p");
  EXPECT_EQ(conn["edges"], expected);
  EXPECT_EQ(conn["pageInfo"], json::parse(R"({"hasNextPage": true, "hasPreviousPage": false})"));
  r = gql(R"({ posts(first: 0) { edges { cursor } pageInfo { hasNextPage startCursor } totalCount } })");
  EXPECT_EQ(r["posts"]["edges"], json::array());
  EXPECT_EQ(r["posts"]["totalCount"], 30);
}

TEST(SqlPgConnection, ForeignCursorIsAnError) {
  auto r =
      testing::compile_text(*with_columns().mapping, R"({ posts(after: "not a cursor") { nodes { id } } })");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().code, "BAD_USER_INPUT");
}

// ---- one statement -------------------------------------------------------------------

TEST(SqlPgOneStatement, CountedByTheServer) {
  // pg_stat_statements (preloaded by the fixture) counts what the server executed.
  run_sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  run_sql("SELECT count(*) FROM (SELECT pg_stat_statements_reset()) r");
  json r = gql(R"({
    users(orderBy: [{name: ASC}], limit: 3) { name posts { title author { name } } comments { post { title } } }
    posts(first: 2) { edges { cursor node { title comments { body } } } pageInfo { hasNextPage } totalCount }
    usersAggregate { count }
  })");
  ASSERT_EQ(r["users"].size(), 3U);
  const json executed = direct(
      "SELECT json_agg(json_build_object('query', query, 'calls', calls)) FROM pg_stat_statements WHERE dbid "
      "= "
      "(SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE "
      "'%pg_stat_statements%'");
  ASSERT_TRUE(executed.is_array()) << executed;
  ASSERT_EQ(executed.size(), 1U) << executed.dump(1);
  EXPECT_EQ(executed[0]["calls"], 1);
}

// ---- the catalog ---------------------------------------------------------------------

std::vector<CatalogColumn> read_catalog() {
  pqxx::nontransaction tx(pgtest::blog_conn());
  std::vector<CatalogColumn> rows;
  for (const auto& row : tx.exec(std::string(catalog_columns_query()))) {
    rows.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<std::string>(), row[4].as<bool>()});
  }
  return rows;
}

TEST(SqlPgCatalog, ColumnsReadFromTheDatabaseServeTheSameAnswers) {
  const auto rows = read_catalog();
  MappingOptions o;
  o.view_columns = view_columns_from(rows);
  ASSERT_TRUE(o.view_columns.contains("v_user"));
  EXPECT_EQ(o.view_columns.at("v_user").at("created_at"), "timestamp with time zone");
  const FraiseqlSchema s = testing::blog_schema(o);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(check_mapping(*s.mapping, rows).empty())
      << ::testing::PrintToString(check_mapping(*s.mapping, rows));
  const char* q = R"({ users(where: {createdAt: {in: ["2024-01-01T03:00:00Z", "2024-01-01T04:00:00Z"]},
    age: {nin: [1]}, id: {nin: []}}, orderBy: [{createdAt: DESC}]) { name comments(limit: 1, orderBy: [{body: ASC}]) { body } } })";
  EXPECT_EQ(gql(s, q)["users"], gql(with_columns(), q)["users"]);
  EXPECT_EQ(gql(s, q)["users"].size(), 1U) << "user 4 has no age, and nin does not match null";
}

TEST(SqlPgCatalog, CheckReportsMissingViewsAndColumns) {
  const auto rows = read_catalog();
  auto s = build_fraiseql_schema(R"(
    type Ghost @view(name: "v_ghost") { id: ID! }
    type Post @view(name: "v_post") { id: ID! author: Ghost @join(column: "writer_id") }
    type Query { posts: [Post!]! ghosts: [Ghost!]! })");
  ASSERT_TRUE(s.ok());
  auto errors = check_mapping(*s.mapping, rows);
  ASSERT_EQ(errors.size(), 2U) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("Ghost"), std::string::npos);
  EXPECT_NE(errors[0].find("v_ghost"), std::string::npos);
  EXPECT_NE(errors[1].find("Post.author"), std::string::npos);
  EXPECT_NE(errors[1].find("writer_id"), std::string::npos);
}

}  // namespace
}  // namespace fraiseql::sql
