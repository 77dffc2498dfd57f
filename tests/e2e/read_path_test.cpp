// The read path end to end: GraphQL over HTTP to the real daemon serving the blog example
// (examples/blog) from a database of its own, read through the fixture's replica. Every
// answer is compared with the same question asked of PostgreSQL directly, in SQL written
// by hand over the tables tb_user, tb_post and tb_comment.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"
#include "read_path_support.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

using json = nlohmann::ordered_json;
namespace rp = read_path;

constexpr const char* kGraphQLResponse = "application/graphql-response+json";

std::unique_ptr<Daemon>& daemon_ptr() {
  static std::unique_ptr<Daemon> d;
  return d;
}
// Why the daemon did not start, for every test to report.
std::string& startup_error() {
  static std::string e;
  return e;
}

class BlogEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    try {
      rp::create_database();
      daemon_ptr() = std::make_unique<Daemon>(rp::blog_daemon_env());
    } catch (const std::exception& e) {
      startup_error() = e.what();
    }
  }
  void TearDown() override {
    daemon_ptr().reset();
    rp::drop_database();
  }
};
// GoogleTest registers environments through a global initializer.
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new BlogEnvironment);  // NOLINT(cert-err58-cpp)

HttpResponse post(const std::string& query, const json& variables = json::object(),
                  const std::string& accept = kGraphQLResponse) {
  json body = {{"query", query}};
  if (!variables.empty()) body["variables"] = variables;
  return http_request(daemon_ptr()->port(), "POST", "/graphql",
                      {{"Content-Type", "application/json"}, {"Accept", accept}}, body.dump());
}

/// The `data` of a request that must succeed (a test failure naming the query if not).
json data(const std::string& query, const json& variables = json::object()) {
  HttpResponse r = post(query, variables);
  json body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(r.status, 200) << query << "\n" << r.body;
  EXPECT_FALSE(body.contains("errors")) << query << "\n" << r.body;
  return body.is_object() && body.contains("data") ? body["data"] : json();
}

/// The one error of a request that must fail with `status` and `code`.
json error(const std::string& query, const json& variables, int status, const std::string& code) {
  HttpResponse r = post(query, variables);
  json body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(r.status, status) << query << "\n" << r.body;
  EXPECT_FALSE(body.contains("data")) << query << "\n" << r.body;
  if (!body.contains("errors") || !body["errors"].is_array() || body["errors"].size() != 1) {
    ADD_FAILURE() << "not one error: " << query << "\n" << r.body;
    return json();
  }
  EXPECT_EQ(body["errors"][0]["extensions"]["code"], code) << query << "\n" << r.body;
  EXPECT_TRUE(body["errors"][0]["message"].is_string()) << r.body;
  return body["errors"][0];
}

class ReadPathTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_ptr()) << "no daemon: " << startup_error(); }
  void TearDown() override {
    if (HasFailure() && daemon_ptr()) {
      const std::string log = daemon_ptr()->log();
      std::cerr << "---- fraiseql log (last 6000 bytes) ----\n"
                << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "----\n";
    }
  }
};

// ---- every filter operator -------------------------------------------------------------

enum class Expect : uint8_t { kSome, kAll, kNone };

struct FilterCase {
  std::string root;       // users, postList or comments
  std::string where;      // GraphQL literal
  std::string condition;  // the same over the root's table, aliased x
  Expect expect = Expect::kSome;
};

std::string table_of(const std::string& root) {
  if (root == "users") return "tb_user";
  if (root == "postList") return "tb_post";
  return "tb_comment";
}

std::vector<FilterCase> filter_cases() {
  const std::string u1 = "\"" + rp::user_id(1) + "\"";
  const std::string u2 = "\"" + rp::user_id(2) + "\"";
  const std::string u3 = "\"" + rp::user_id(3) + "\"";
  const std::string p5 = "\"" + rp::post_id(5) + "\"";
  return {
      // String, on a column (User.name, User.email, Post.title) and on `data` (Post.content, Comment.body)
      {"users", R"({name: {eq: "Alice"}})", "x.name = 'Alice'"},
      {"users", R"({name: {eq: "O'Brien"}})", "x.name = 'O''Brien'"},
      {"users", R"({name: {eq: "Robert'); DROP TABLE tb_user;--"}})", "x.name LIKE 'Robert''%'"},
      {"users", R"({name: {neq: "Alice"}})", "x.name <> 'Alice'"},
      {"users", R"({name: {in: ["Alice", "Bob", "nobody"]}})", "x.name IN ('Alice', 'Bob')"},
      {"users", R"({name: {nin: ["Alice", "Bob"]}})", "x.name NOT IN ('Alice', 'Bob')"},
      {"users", R"({name: {in: []}})", "false", Expect::kNone},
      {"users", R"({name: {nin: []}})", "true", Expect::kAll},
      {"users", R"({name: {contains: "a"}})", "strpos(x.name, 'a') > 0"},
      {"users", R"({name: {contains: "%"}})", "strpos(x.name, '%') > 0"},
      {"users", R"({name: {contains: "_"}})", "strpos(x.name, '_') > 0"},
      {"users", R"({name: {contains: "\\"}})", "strpos(x.name, chr(92)) > 0"},
      {"users", R"({name: {icontains: "AL"}})", "strpos(lower(x.name), 'al') > 0"},
      {"users", R"({name: {startsWith: "A"}})", "left(x.name, 1) = 'A'"},
      {"users", R"({name: {startsWith: "Eve%"}})", "left(x.name, 4) = 'Eve%'"},
      {"users", R"({name: {startsWith: "E%"}})", "left(x.name, 2) = 'E%'", Expect::kNone},
      {"users", R"({name: {endsWith: "_"}})", "right(x.name, 1) = '_'"},
      {"users", R"({name: {like: "_o%"}})", "substr(x.name, 2, 1) = 'o'"},
      {"users", R"({name: {ilike: "a%"}})", "lower(left(x.name, 1)) = 'a'"},
      {"users", R"({name: {matches: "^[A-C]"}})", "left(x.name, 1) IN ('A', 'B', 'C')"},
      {"users", R"({bio: {isNull: true}})", "x.bio IS NULL"},
      {"users", R"({bio: {isNull: false}})", "x.bio IS NOT NULL"},
      {"users", R"({bio: {eq: null}})", "x.bio IS NULL"},
      {"users", R"({email: {endsWith: "1@example.com"}})", "right(x.email, 13) = '1@example.com'"},
      {"postList", R"({title: {endsWith: " 100%"}})", "right(x.title, 5) = ' 100%'"},
      {"postList", R"({content: {contains: "even"}})", "strpos(x.content, 'even') > 0"},
      {"postList", R"({content: {startsWith: "Body 1"}})", "left(x.content, 6) = 'Body 1'"},
      {"postList", R"({content: {in: ["Body 1 odd", "Body 2 even"]}})",
       "x.content IN ('Body 1 odd', 'Body 2 even')"},
      {"comments", R"({body: {startsWith: "Nice"}})", "left(x.body, 4) = 'Nice'"},
      {"comments", R"({body: {neq: "Meh 1"}})", "x.body <> 'Meh 1'"},
      // Int, on a column (User.age, Post.views) and on `data` (Post.metadata.wordCount)
      {"users", R"({age: {eq: 23}})", "x.age = 23"},
      {"users", R"({age: {neq: 23}})", "x.age <> 23"},
      {"users", R"({age: {gt: 40}})", "x.age > 40"},
      {"users", R"({age: {gte: 41}})", "x.age >= 41"},
      {"users", R"({age: {lt: 30}})", "x.age < 30"},
      {"users", R"({age: {lte: 29}})", "x.age <= 29"},
      {"users", R"({age: {in: [23, 26, 99]}})", "x.age IN (23, 26)"},
      {"users", R"({age: {nin: [23, 26]}})", "x.age NOT IN (23, 26)"},
      {"users", R"({age: {isNull: true}})", "x.age IS NULL"},
      {"postList", R"({views: {gte: 50, lt: 80}})", "x.views BETWEEN 50 AND 79"},
      {"postList", R"({metadata: {wordCount: {gt: 120}}})", "x.word_count > 120"},
      {"postList", R"({metadata: {wordCount: {lte: 105}}})", "x.word_count <= 105"},
      {"postList", R"({metadata: {wordCount: {in: [101, 102, 200]}}})", "x.word_count IN (101, 102)"},
      {"postList", R"({metadata: {wordCount: {isNull: true}}})", "x.word_count IS NULL"},
      // Float (Post.rating)
      {"postList", R"({rating: {eq: 0.5}})", "x.rating = 0.5"},
      {"postList", R"({rating: {neq: 0.5}})", "x.rating <> 0.5"},
      {"postList", R"({rating: {gt: 5}})", "x.rating > 5"},
      {"postList", R"({rating: {gte: 5.25}})", "x.rating >= 5.25"},
      {"postList", R"({rating: {lt: 1.0}})", "x.rating < 1"},
      {"postList", R"({rating: {lte: 1.0}})", "x.rating <= 1"},
      {"postList", R"({rating: {in: [0.25, 0.75, 9.99]}})", "x.rating IN (0.25, 0.75)"},
      {"postList", R"({rating: {nin: [0.25]}})", "x.rating <> 0.25"},
      {"postList", R"({rating: {isNull: true}})", "x.rating IS NULL"},
      // DateTime, on a column and on `data` (the embedded posts' createdAt)
      {"users", R"({createdAt: {eq: "2024-01-01T03:00:00Z"}})", "x.created_at = '2024-01-01 03:00+00'"},
      {"users", R"({createdAt: {neq: "2024-01-01T03:00:00Z"}})", "x.created_at <> '2024-01-01 03:00+00'"},
      {"users", R"({createdAt: {gt: "2024-01-01T06:00:00+00:00"}})", "x.created_at > '2024-01-01 06:00+00'"},
      {"users", R"({createdAt: {gte: "2024-01-01T08:00:00+02:00"}})",
       "x.created_at >= '2024-01-01 06:00+00'"},
      {"users", R"({createdAt: {lt: "2024-01-01T03:00:00Z"}})", "x.created_at < '2024-01-01 03:00+00'"},
      {"users", R"({createdAt: {lte: "2024-01-01T03:00:00Z"}})", "x.created_at <= '2024-01-01 03:00+00'"},
      {"users", R"({createdAt: {in: ["2024-01-01T01:00:00Z", "2024-01-01T05:00:00Z"]}})",
       "extract(hour FROM x.created_at) IN (1, 5)"},
      {"users", R"({createdAt: {nin: ["2024-01-01T01:00:00Z"]}})", "x.created_at <> '2024-01-01 01:00+00'"},
      {"users", R"({createdAt: {isNull: false}})", "true", Expect::kAll},
      {"comments", R"({createdAt: {lt: "2024-02-01T01:00:00Z"}})", "x.created_at < '2024-02-01 01:00+00'"},
      {"users", R"({posts: {createdAt: {gt: "2024-01-01T04:00:00Z"}}})",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND p.created_at > '2024-01-01 04:00+00')"},
      // Boolean, on a column and on `data`
      {"users", R"({isActive: {eq: true}})", "x.is_active"},
      {"users", R"({isActive: {neq: true}})", "NOT x.is_active"},
      {"users", R"({isActive: {isNull: false}})", "true", Expect::kAll},
      {"postList", R"({published: {eq: false}})", "NOT x.published"},
      {"users", R"({posts: {published: {eq: false}}})",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND NOT p.published)"},
      // ID, on a column and on `data`
      {"users", "{id: {eq: " + u3 + "}}", "x.id = md5('u3')::uuid"},
      {"users", "{id: {neq: " + u3 + "}}", "x.id <> md5('u3')::uuid"},
      {"users", "{id: {in: [" + u1 + ", " + u2 + "]}}", "x.id IN (md5('u1')::uuid, md5('u2')::uuid)"},
      {"users", "{id: {nin: [" + u1 + "]}}", "x.id <> md5('u1')::uuid"},
      {"users", R"({id: {isNull: false}})", "true", Expect::kAll},
      {"users", "{posts: {id: {eq: " + p5 + "}}}",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND p.id = md5('p5')::uuid)"},
      // JSON (User.settings)
      {"users", R"({settings: {eq: {theme: "light"}}})",
       "x.settings->>'theme' = 'light' AND x.settings - 'theme' = '{}'"},
      {"users", R"({settings: {hasKey: "beta"}})", "x.settings->'beta' IS NOT NULL"},
      {"users", R"({settings: {contains: {theme: "dark"}}})", "x.settings->>'theme' = 'dark'"},
      {"users", R"({settings: {containedBy: {theme: "light", beta: false}}})",
       "coalesce(x.settings->>'theme', 'light') = 'light' AND x.settings->'beta' IS NULL"},
      {"users", R"({settings: {isNull: false}})", "true", Expect::kAll},
      // Lists of scalars (Post.tags, in `data`)
      {"postList", R"({tags: {contains: ["t1"]}})", "'t1' = ANY (x.tags)"},
      {"postList", R"({tags: {contains: ["t0", "long"]}})", "'t0' = ANY (x.tags) AND 'long' = ANY (x.tags)"},
      {"postList", R"({tags: {containedBy: ["t1", "t2"]}})", "x.tags <@ ARRAY['t1', 't2']"},
      {"postList", R"({tags: {overlaps: ["t0", "long"]}})", "'t0' = ANY (x.tags) OR 'long' = ANY (x.tags)"},
      {"postList", R"({tags: {isEmpty: true}})", "cardinality(x.tags) = 0"},
      {"postList", R"({tags: {isEmpty: false}})", "cardinality(x.tags) > 0"},
      {"postList", R"({tags: {isNull: false}})", "true", Expect::kAll},
      {"postList", R"({tags: {contains: []}})", "true", Expect::kAll},
      {"postList", R"({tags: {containedBy: []}})", "cardinality(x.tags) = 0"},
      {"postList", R"({tags: {overlaps: []}})", "false", Expect::kNone},
      // AND, OR, NOT
      {"users", R"({AND: [{age: {gt: 25}}, {age: {lt: 40}}]})", "x.age > 25 AND x.age < 40"},
      {"users", R"({OR: [{name: {startsWith: "A"}}, {bio: {isNull: true}}]})",
       "left(x.name, 1) = 'A' OR x.bio IS NULL"},
      {"users", R"({NOT: {age: {gt: 30}}})", "x.age IS NULL OR x.age <= 30"},
      {"users", R"({NOT: {OR: [{isActive: {eq: true}}, {name: {eq: "Bob"}}]}})",
       "NOT x.is_active AND x.name <> 'Bob'"},
      {"users", R"({name: {startsWith: "A"}, isActive: {eq: false}})",
       "left(x.name, 1) = 'A' AND NOT x.is_active"},
      {"users", R"({OR: [{AND: [{age: {gte: 30}}, {age: {lte: 40}}]}, {NOT: {bio: {isNull: false}}}]})",
       "x.age BETWEEN 30 AND 40 OR x.bio IS NULL"},
      {"users", R"({AND: []})", "true", Expect::kAll},
      {"users", R"({OR: []})", "false", Expect::kNone},
      // Empty conditions: no condition on the field, but a nested object or list must exist.
      {"postList", R"({title: {}})", "true", Expect::kAll},
      {"postList", R"({title: null})", "true", Expect::kAll},
      {"postList", R"({NOT: {}})", "false", Expect::kNone},
      {"postList", R"({comments: {}})", "EXISTS (SELECT 1 FROM tb_comment c WHERE c.post_id = x.id)",
       Expect::kAll},
      {"users", R"({posts: {}})", "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id)"},
      // Nested embedded fields: a list matches when one of its elements does
      {"users", R"({posts: {title: {endsWith: "100%"}}})",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND right(p.title, 4) = '100%')"},
      {"users", R"({posts: {metadata: {language: {eq: "en"}}, views: {gt: 50}}})",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.author_id = x.id AND p.language = 'en' AND p.views > 50)"},
      {"postList", R"({metadata: {language: {isNull: true}}})", "x.language IS NULL"},
      // Joined fields, to-one and to-many, and a join under an embedded list
      {"postList", R"({author: {name: {eq: "Alice"}}})",
       "EXISTS (SELECT 1 FROM tb_user u WHERE u.id = x.author_id AND u.name = 'Alice')"},
      {"postList", R"({author: {isActive: {eq: true}, age: {lt: 35}}})",
       "EXISTS (SELECT 1 FROM tb_user u WHERE u.id = x.author_id AND u.is_active AND u.age < 35)"},
      {"users", R"({comments: {body: {startsWith: "Nice"}}})",
       "EXISTS (SELECT 1 FROM tb_comment c WHERE c.author_id = x.id AND left(c.body, 4) = 'Nice')"},
      {"postList", R"({comments: {author: {name: {eq: "Bob"}}}})",
       "EXISTS (SELECT 1 FROM tb_comment c JOIN tb_user u ON u.id = c.author_id WHERE c.post_id = x.id AND "
       "u.name = 'Bob')"},
      {"comments", R"({post: {author: {isActive: {eq: true}}}})",
       "EXISTS (SELECT 1 FROM tb_post p JOIN tb_user u ON u.id = p.author_id WHERE p.id = x.post_id AND "
       "u.is_active)"},
      {"comments", R"({post: {published: {eq: false}}, author: {age: {isNull: true}}})",
       "EXISTS (SELECT 1 FROM tb_post p WHERE p.id = x.post_id AND NOT p.published) AND EXISTS (SELECT 1 "
       "FROM tb_user u WHERE u.id = x.author_id AND u.age IS NULL)"},
      {"users", R"({posts: {comments: {body: {endsWith: "0"}}}})",
       "EXISTS (SELECT 1 FROM tb_post p JOIN tb_comment c ON c.post_id = p.id WHERE p.author_id = x.id AND "
       "right(c.body, 1) = '0')"},
  };
}

TEST_F(ReadPathTest, EveryFilterOperatorMatchesTheSameConditionOverTheTables) {
  int checked = 0;
  for (const FilterCase& c : filter_cases()) {
    SCOPED_TRACE(c.root + "(where: " + c.where + ")");
    const std::string table = table_of(c.root);
    const json got = data("{ " + c.root + "(where: " + c.where + ", orderBy: [{id: ASC}], limit: " +
                          std::to_string(rp::kMaxLimit) + ") { id } }")[c.root];
    const json want = rp::sql_json(
        "SELECT coalesce(json_agg(json_build_object('id', x.id::text) ORDER BY x.id), '[]') FROM " + table +
        " x WHERE " + c.condition);
    EXPECT_EQ(got, want);
    const auto total = std::stoul(rp::primary_text("SELECT count(*) FROM " + table));
    // Each case tells rows apart, unless it says it matches all or none.
    switch (c.expect) {
      case Expect::kSome:
        EXPECT_GT(want.size(), 0U) << "the case matches nothing";
        EXPECT_LT(want.size(), total) << "the case matches everything";
        break;
      case Expect::kAll: EXPECT_EQ(want.size(), total); break;
      case Expect::kNone: EXPECT_EQ(want.size(), 0U); break;
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

// ---- ordering --------------------------------------------------------------------------

struct Direction {
  const char* graphql;
  const char* sql;
};
constexpr std::array<Direction, 6> kDirections = {{{"ASC", "ASC"},
                                                   {"DESC", "DESC"},
                                                   {"ASC_NULLS_FIRST", "ASC NULLS FIRST"},
                                                   {"ASC_NULLS_LAST", "ASC NULLS LAST"},
                                                   {"DESC_NULLS_FIRST", "DESC NULLS FIRST"},
                                                   {"DESC_NULLS_LAST", "DESC NULLS LAST"}}};

TEST_F(ReadPathTest, EveryOrderDirectionOnColumnsDataAndJoinedLists) {
  for (const Direction& d : kDirections) {
    SCOPED_TRACE(d.graphql);
    const std::string dir = d.graphql;
    const std::string sql = d.sql;
    // A nullable column (User.age) with a second key for its ties.
    EXPECT_EQ(data("{ users(orderBy: [{age: " + dir + "}, {name: ASC}]) { name age } }")["users"],
              rp::sql_json("SELECT json_agg(json_build_object('name', name, 'age', age) ORDER BY age " + sql +
                           ", name) FROM tb_user"));
    // A nullable field read from `data` (Post.metadata.wordCount), then the id.
    EXPECT_EQ(data("{ postList(orderBy: [{metadata: {wordCount: " + dir +
                   "}}, {id: ASC}], limit: 50) { id } }")["postList"],
              rp::sql_json("SELECT json_agg(json_build_object('id', id::text) ORDER BY word_count " + sql +
                           ", id) FROM tb_post"));
    // Float and DateTime columns, Boolean and text read from `data`.
    EXPECT_EQ(data("{ postList(orderBy: [{rating: " + dir +
                   "}, {createdAt: DESC}], limit: 50) { title } }")["postList"],
              rp::sql_json("SELECT json_agg(json_build_object('title', title) ORDER BY rating " + sql +
                           ", created_at DESC) FROM tb_post"));
    EXPECT_EQ(data("{ postList(orderBy: [{published: " + dir + "}, {content: " + dir +
                   "}], limit: 50) { title } }")["postList"],
              rp::sql_json("SELECT json_agg(json_build_object('title', title) ORDER BY published " + sql +
                           ", content " + sql + ") FROM tb_post"));
    // A joined list, ordered and cut inside each parent.
    EXPECT_EQ(
        data("{ users(orderBy: [{name: ASC}]) { name comments(orderBy: [{createdAt: " + dir +
             "}], limit: 2) { body createdAt } } }")["users"],
        rp::sql_json("SELECT json_agg(json_build_object('name', u.name, 'comments', (SELECT "
                     "coalesce(json_agg(json_build_object('body', c.body, 'createdAt', c.created_at) "
                     "ORDER BY c.created_at " +
                     sql +
                     "), '[]') FROM (SELECT * FROM tb_comment WHERE author_id = u.id ORDER BY created_at " +
                     sql + " LIMIT 2) c)) ORDER BY u.name) FROM tb_user u"));
  }
}

// ---- limit and offset ------------------------------------------------------------------

TEST_F(ReadPathTest, LimitAndOffsetWithTheConfiguredDefaultAndMaximum) {
  auto posts = [](const std::string& cut) {
    return rp::sql_json(
        "SELECT coalesce(json_agg(json_build_object('title', title) ORDER BY created_at), '[]') FROM (SELECT "
        "* "
        "FROM tb_post ORDER BY created_at " +
        cut + ") p");
  };
  // No limit: the configured default (25 of 30 posts, 25 of 40 comments).
  json all = data("{ postList(orderBy: [{createdAt: ASC}]) { title } }")["postList"];
  EXPECT_EQ(all.size(), static_cast<std::size_t>(rp::kDefaultLimit));
  EXPECT_EQ(all, posts("LIMIT 25"));
  EXPECT_EQ(
      data("{ comments(orderBy: [{createdAt: ASC}]) { body } }")["comments"],
      rp::sql_json("SELECT json_agg(json_build_object('body', body) ORDER BY created_at) FROM (SELECT * FROM "
                   "tb_comment ORDER BY created_at LIMIT 25) c"));
  // Up to the maximum.
  EXPECT_EQ(data("{ postList(orderBy: [{createdAt: ASC}], limit: 50) { title } }")["postList"], posts(""));
  EXPECT_EQ(data("{ comments(orderBy: [{createdAt: ASC}], limit: 50) { body } }")["comments"].size(), 40U);
  EXPECT_EQ(data("{ postList(orderBy: [{createdAt: ASC}], limit: 5, offset: 10) { title } }")["postList"],
            posts("LIMIT 5 OFFSET 10"));
  EXPECT_EQ(data("{ postList(orderBy: [{createdAt: ASC}], offset: 28) { title } }")["postList"],
            posts("OFFSET 28"));
  EXPECT_EQ(data("{ postList(orderBy: [{createdAt: ASC}], limit: 0) { title } }")["postList"], json::array());
  EXPECT_EQ(data("{ postList(orderBy: [{createdAt: ASC}], offset: 30) { title } }")["postList"],
            json::array());
  // Limit and offset from variables.
  EXPECT_EQ(
      data("query Q($n: Int, $o: Int) { postList(orderBy: [{createdAt: ASC}], limit: $n, offset: $o) { title "
           "} }",
           {{"n", 3}, {"o", 4}})["postList"],
      posts("LIMIT 3 OFFSET 4"));
  // Over the maximum, and negative: the caller's error, whether literal or variable.
  json e = error("{ postList(limit: 51) { title } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "limit must be at most 50") << e;
  EXPECT_EQ(e["path"], json::parse(R"(["postList"])")) << e;
  EXPECT_EQ(e["locations"], json::parse(R"([{"line": 1, "column": 3}])")) << e;
  e = error("query Q($n: Int) { postList(limit: $n) { title } }", {{"n", 51}}, 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "limit must be at most 50") << e;
  e = error("{ users { name comments(limit: 51) { body } } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "limit must be at most 50") << e;
  e = error("{ postList(limit: -1) { title } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "limit must not be negative") << e;
  e = error("{ postList(offset: -1) { title } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "offset must not be negative") << e;
}

// ---- the relay connection --------------------------------------------------------------

struct Walk {
  std::string order_by;   // GraphQL list literal, or empty
  std::string where;      // GraphQL literal, or empty
  std::string sql_order;  // the same order over tb_post x, the id last
  std::string sql_where;  // the same condition over tb_post x
};

std::string connection_query(const Walk& w, const std::string& page) {
  std::string args = page;
  if (!w.order_by.empty()) args += ", orderBy: " + w.order_by;
  if (!w.where.empty()) args += ", where: " + w.where;
  return "{ posts(" + args +
         ") { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage "
         "startCursor endCursor } } }";
}

/// Checks one page's own consistency; its node ids.
json page_ids(const json& conn, std::size_t total) {
  EXPECT_EQ(conn["totalCount"], total);
  json ids = json::array();
  for (const json& edge : conn["edges"]) ids.push_back(edge["node"]["id"]);
  json nodes = json::array();
  for (const json& n : conn["nodes"]) nodes.push_back(n["id"]);
  EXPECT_EQ(nodes, ids) << "nodes and edges disagree";
  if (!conn["edges"].empty()) {
    EXPECT_EQ(conn["pageInfo"]["startCursor"], conn["edges"].front()["cursor"]);
    EXPECT_EQ(conn["pageInfo"]["endCursor"], conn["edges"].back()["cursor"]);
  }
  return ids;
}

/// Walks the whole connection forward (first/after) and backward (last/before) in pages
/// of 7, checking each page, and compares both walks with PostgreSQL's order.
void check_walk(const Walk& w) {
  constexpr int kPage = 7;
  SCOPED_TRACE("orderBy " + w.order_by + " where " + w.where);
  const json want = rp::sql_json("SELECT coalesce(json_agg(x.id::text ORDER BY " + w.sql_order +
                                 "), '[]') FROM tb_post x WHERE " + w.sql_where);
  const std::size_t total = want.size();
  ASSERT_GT(total, static_cast<std::size_t>(kPage) * 2);

  // Forward: first/after until hasNextPage is false.
  json forward = json::array();
  std::string after;
  for (int i = 0; i < 10; ++i) {
    std::string page = "first: " + std::to_string(kPage);
    if (!after.empty()) page += ", after: \"" + after + "\"";
    const json conn = data(connection_query(w, page))["posts"];
    for (const json& id : page_ids(conn, total)) forward.push_back(id);
    EXPECT_EQ(conn["pageInfo"]["hasPreviousPage"], false);
    EXPECT_EQ(conn["pageInfo"]["hasNextPage"], forward.size() < total);
    if (!conn["pageInfo"]["hasNextPage"].get<bool>()) break;
    after = conn["pageInfo"]["endCursor"].get<std::string>();
  }
  EXPECT_EQ(forward, want);

  // Backward: last/before until hasPreviousPage is false; pages arrive in forward order.
  json backward = json::array();
  std::string before;
  for (int i = 0; i < 10; ++i) {
    std::string page = "last: " + std::to_string(kPage);
    if (!before.empty()) page += ", before: \"" + before + "\"";
    const json conn = data(connection_query(w, page))["posts"];
    json ids = page_ids(conn, total);
    for (const json& id : backward) ids.push_back(id);
    backward = ids;
    EXPECT_EQ(conn["pageInfo"]["hasNextPage"], false);
    EXPECT_EQ(conn["pageInfo"]["hasPreviousPage"], backward.size() < total);
    if (!conn["pageInfo"]["hasPreviousPage"].get<bool>()) break;
    before = conn["pageInfo"]["startCursor"].get<std::string>();
  }
  EXPECT_EQ(backward, want);
}

TEST_F(ReadPathTest, ConnectionPagesWalkedForwardAndBackwardFollowPostgresOrder) {
  const Walk walks[] = {
      {"", "", "x.id", "true"},
      {"[{views: DESC}]", "", "x.views DESC, x.id", "true"},
      {"[{rating: ASC_NULLS_FIRST}]", "", "x.rating ASC NULLS FIRST, x.id", "true"},
      {"[{rating: DESC_NULLS_LAST}, {title: ASC}]", "", "x.rating DESC NULLS LAST, x.title, x.id", "true"},
      {"[{rating: ASC}]", "", "x.rating ASC, x.id", "true"},
      {"[{rating: DESC}]", "", "x.rating DESC, x.id", "true"},
      {"[{metadata: {wordCount: ASC}}, {published: DESC}]", "", "x.word_count, x.published DESC, x.id",
       "true"},
      {"[{createdAt: DESC}]", "{published: {eq: true}}", "x.created_at DESC, x.id", "x.published"},
      {"[{metadata: {language: DESC_NULLS_FIRST}}]", "{views: {lt: 70}}", "x.language DESC NULLS FIRST, x.id",
       "x.views < 70"},
  };
  for (const Walk& w : walks) check_walk(w);
}

TEST_F(ReadPathTest, ConnectionPageSizesCursorsAndTotals) {
  const json ids = rp::sql_json("SELECT json_agg(id::text ORDER BY id) FROM tb_post");
  auto slice = [&](std::size_t from, std::size_t n) {
    json out = json::array();
    for (std::size_t i = from; i < from + n && i < ids.size(); ++i) out.push_back(ids[i]);
    return out;
  };
  auto node_ids = [](const json& conn) {
    json out = json::array();
    for (const json& n : conn["nodes"]) out.push_back(n["id"]);
    return out;
  };
  const std::string sel =
      " { nodes { id } totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
  // No first/last: a page of the configured default.
  json conn = data("{ posts" + sel)["posts"];
  EXPECT_EQ(node_ids(conn), slice(0, rp::kDefaultLimit));
  EXPECT_EQ(conn["pageInfo"]["hasNextPage"], true);
  EXPECT_EQ(conn["totalCount"], 30);
  // The maximum is allowed and returns everything.
  conn = data("{ posts(first: 50)" + sel)["posts"];
  EXPECT_EQ(node_ids(conn), ids);
  EXPECT_EQ(conn["pageInfo"]["hasNextPage"], false);
  conn = data("{ posts(last: 30)" + sel)["posts"];
  EXPECT_EQ(node_ids(conn), ids);
  EXPECT_EQ(conn["pageInfo"]["hasPreviousPage"], false);
  // first: 0 is an empty page with more after it; no cursors.
  conn = data("{ posts(first: 0)" + sel)["posts"];
  EXPECT_EQ(conn["nodes"], json::array());
  EXPECT_EQ(conn["pageInfo"],
            json::parse(R"({"hasNextPage": true, "hasPreviousPage": false, "startCursor": null,
    "endCursor": null})"));
  // totalCount counts what `where` matches, not the page.
  conn = data(
      R"({ posts(first: 2, where: {author: {name: {in: ["Alice", "Bob"]}}}) { totalCount nodes { id } } })")
      ["posts"];
  EXPECT_EQ(conn["totalCount"], 6);
  EXPECT_EQ(conn["nodes"].size(), 2U);
  // A cursor taken from the middle: after it and before it split the order there.
  conn = data("{ posts(first: 10) { edges { cursor } } }")["posts"];
  const std::string cursor = conn["edges"][9]["cursor"].get<std::string>();
  EXPECT_EQ(node_ids(data("{ posts(first: 3, after: \"" + cursor + "\")" + sel)["posts"]), slice(10, 3));
  EXPECT_EQ(node_ids(data("{ posts(last: 3, before: \"" + cursor + "\")" + sel)["posts"]), slice(6, 3));
  EXPECT_EQ(
      node_ids(data("query Q($c: String) { posts(first: 2, after: $c)" + sel, {{"c", cursor}})["posts"]),
      slice(10, 2));
  // Both cursors: the rows between them; first or last counts from that window's ends.
  const std::string third = conn["edges"][2]["cursor"].get<std::string>();
  const std::string between = "after: \"" + third + "\", before: \"" + cursor + "\"";
  EXPECT_EQ(node_ids(data("{ posts(" + between + ")" + sel)["posts"]), slice(3, 6));
  EXPECT_EQ(node_ids(data("{ posts(first: 2, " + between + ")" + sel)["posts"]), slice(3, 2));
  EXPECT_EQ(node_ids(data("{ posts(last: 2, " + between + ")" + sel)["posts"]), slice(7, 2));
  // Refused: over the maximum, both directions, a cursor that is not one.
  json e = error("{ posts(first: 51) { totalCount } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "first must be at most 50") << e;
  e = error("{ posts(last: 51) { totalCount } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "last must be at most 50") << e;
  e = error("{ posts(first: 1, last: 1) { totalCount } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["message"], "give first or last, not both") << e;
  e = error(R"({ posts(after: "bm90IGEgY3Vyc29y") { totalCount } })", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_NE(e["message"].get<std::string>().find("invalid cursor"), std::string::npos) << e;
  // A cursor of one order is refused with another.
  e = error("{ posts(after: \"" + cursor + "\", orderBy: [{views: ASC}]) { totalCount } }", json::object(),
            400, "BAD_USER_INPUT");
  EXPECT_NE(e["message"].get<std::string>().find("invalid cursor"), std::string::npos) << e;
}

// ---- full-text search and ordering by joined objects -----------------------------------

TEST_F(ReadPathTest, FullTextSearchAndOrderingByJoinedObjects) {
  // The search operators of String fields ('simple' configuration: words, lower-cased).
  const std::pair<std::string, std::string> searches[] = {
      {R"({content: {search: "even"}})", "right(x.content, 5) = ' even'"},
      {R"({content: {search: "body -even"}})", "right(x.content, 4) = ' odd'"},
      {R"({content: {search: "\"body 2\" or \"body 3\""}})", "x.content IN ('Body 2 even', 'Body 3 odd')"},
      {R"({content: {searchPlain: "BODY 1"}})", "x.content = 'Body 1 odd'"},
      {R"({content: {searchPhrase: "1 odd"}})", "x.content = 'Body 1 odd'"},
      {R"({title: {search: "100"}})", "right(x.title, 4) = '100%'"},
      {R"({author: {name: {searchPlain: "alice"}}})",
       "EXISTS (SELECT 1 FROM tb_user u WHERE u.id = x.author_id AND u.name = 'Alice')"},
  };
  for (const auto& [where, condition] : searches) {
    SCOPED_TRACE(where);
    const json want = rp::sql_json(
        "SELECT coalesce(json_agg(json_build_object('id', x.id::text) ORDER BY x.id), '[]') FROM tb_post x "
        "WHERE " +
        condition);
    EXPECT_EQ(data("{ postList(where: " + where + ", orderBy: [{id: ASC}], limit: 50) { id } }")["postList"],
              want);
    EXPECT_GT(want.size(), 0U);
    EXPECT_LT(want.size(), 30U);
  }
  EXPECT_EQ(data(R"({ postList(where: {content: {searchPhrase: "odd 1"}}) { id } })")["postList"],
            json::array());

  // Ordering by a field of a joined object, and of a joined object's joined object.
  for (const Direction& d : kDirections) {
    SCOPED_TRACE(d.graphql);
    const std::string dir = d.graphql;
    const std::string sql = d.sql;
    EXPECT_EQ(data("{ postList(orderBy: [{author: {age: " + dir +
                   "}}, {createdAt: ASC}], limit: 50) { title } }")["postList"],
              rp::sql_json("SELECT json_agg(json_build_object('title', p.title) ORDER BY u.age " + sql +
                           ", p.created_at) FROM tb_post p JOIN tb_user u ON u.id = p.author_id"));
    EXPECT_EQ(data("{ comments(orderBy: [{post: {author: {name: " + dir +
                   "}}}, {createdAt: DESC}], limit: 50) { "
                   "body } }")["comments"],
              rp::sql_json(
                  "SELECT json_agg(json_build_object('body', c.body) ORDER BY u.name " + sql +
                  ", c.created_at DESC) FROM tb_comment c JOIN tb_post p ON p.id = c.post_id JOIN tb_user u "
                  "ON u.id = p.author_id"));
  }
  // Pages of a connection ordered by a joined field, walked both ways.
  check_walk({"[{author: {age: DESC_NULLS_LAST}}]", "",
              "(SELECT age FROM tb_user u WHERE u.id = x.author_id) DESC NULLS LAST, x.id", "true"});
  check_walk({"[{author: {name: ASC}}, {views: DESC}]", "{published: {eq: true}}",
              "(SELECT name FROM tb_user u WHERE u.id = x.author_id), x.views DESC, x.id", "x.published"});
}

// ---- network, ltree and range filters ---------------------------------------------------

TEST_F(ReadPathTest, NetworkLtreeAndRangeFiltersOnColumnsAndData) {
  Daemon types(rp::types_daemon_env());
  auto ask = [&](const std::string& query) {
    const HttpResponse r =
        http_request(types.port(), "POST", "/graphql", {{"Content-Type", "application/json"}},
                     json({{"query", query}}).dump());
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(r.status, 200) << query << "\n" << r.body;
    EXPECT_FALSE(body.contains("errors")) << query << "\n" << r.body;
    return body.is_object() && body.contains("data") ? body["data"] : json();
  };
  // Conditions over tb_host x; where the operator's meaning is the point, the seed's
  // matching rows are named.
  const std::pair<std::string, std::string> cases[] = {
      // IpAddress and CIDR
      {R"g({address: {eq: "10.1.2.3"}})g", "x.address = '10.1.2.3'"},
      {R"g({address: {neq: "10.1.2.3"}})g", "x.name IN ('b', 'c', 'd', 'e', 'f', 'g', 'i', 'j')"},
      {R"g({address: {in: ["10.1.2.3", "::1", "1.1.1.1"]}})g", "x.name IN ('a', 'd')"},
      {R"g({address: {nin: ["10.1.2.3", "::1"]}})g", "x.name IN ('b', 'c', 'e', 'f', 'g', 'i', 'j')"},
      {R"g({address: {inSubnet: "10.0.0.0/8"}})g", "x.name = 'a'"},
      {R"g({address: {inSubnet: "192.168.1.0/24"}})g", "x.name = 'b'"},
      {R"g({network: {inSubnet: "192.0.0.0/2"}})g", "x.name IN ('b')"},
      {R"g({network: {containsOrEquals: "8.8.8.8"}})g", "x.name = 'c'"},
      {R"g({network: {containsOrEquals: "172.16.0.0/12"}})g", "x.name = 'g'"},
      {R"g({address: {isIPv4: true}})g", "x.name IN ('a', 'b', 'c', 'f', 'g', 'j')"},
      {R"g({address: {isIPv4: false}})g", "x.name IN ('d', 'e', 'i')"},
      {R"g({address: {isIPv6: true}})g", "x.name IN ('d', 'e', 'i')"},
      {R"g({address: {isPrivate: true}})g", "x.name IN ('a', 'b', 'g', 'i')"},
      {R"g({address: {isPrivate: false}})g", "x.name IN ('c', 'd', 'e', 'f', 'j')"},
      {R"g({address: {isLoopback: true}})g", "x.name IN ('d', 'f')"},
      {R"g({network: {isNull: true}})g", "x.name = 'h'"},
      // LTree
      {R"g({path: {eq: "Top.Science"}})g", "x.name = 'f'"},
      {R"g({path: {neq: "Top.Science"}})g", "x.name IN ('a', 'b', 'c', 'd', 'e', 'g', 'i', 'j')"},
      {R"g({path: {in: ["Top", "Other"]}})g", "x.name IN ('d', 'g')"},
      {R"g({path: {nin: ["Top", "Other"]}})g", "x.name IN ('a', 'b', 'c', 'e', 'f', 'i', 'j')"},
      {R"g({path: {ancestorOf: "Top.Science.Astronomy"}})g", "x.name IN ('a', 'd', 'f')"},
      {R"g({path: {descendantOf: "Top.Science"}})g", "x.name IN ('a', 'b', 'f', 'j')"},
      {R"g({path: {matchesLquery: "*.Astronomy"}})g", "x.name IN ('a', 'e')"},
      {R"g({path: {matchesLquery: "Top.*{1}"}})g", "x.name IN ('f', 'i')"},
      {R"g({path: {matchesLtxtquery: "Astro* & !Pictures"}})g", "x.name IN ('a', 'j')"},
      {R"g({path: {depth: 2}})g", "x.name IN ('f', 'i')"},
      {R"g({path: {isNull: false}})g", "x.name <> 'h'"},
      // Ranges
      {R"g({ports: {eq: "[1,10)"}})g", "x.name = 'a'"},
      {R"g({ports: {eq: "[1,9]"}})g", "x.name = 'a'"},
      {R"g({ports: {neq: "[1,10)"}})g", "x.name IN ('b', 'c', 'd', 'e', 'f', 'g', 'i', 'j')"},
      {R"g({ports: {contains: "[2,5)"}})g", "x.name IN ('a', 'i')"},
      {R"g({ports: {containsValue: 10}})g", "x.name IN ('b', 'e', 'g')"},
      {R"g({ports: {containedBy: "[0,20)"}})g", "x.name IN ('a', 'b', 'd', 'e', 'g', 'i')"},
      {R"g({ports: {overlaps: "[8,12)"}})g", "x.name IN ('a', 'b', 'e', 'g')"},
      {R"g({ports: {adjacent: "[10,20)"}})g", "x.name IN ('a', 'c')"},
      {R"g({ports: {strictlyLeft: "[20,25)"}})g", "x.name IN ('a', 'b', 'e', 'g', 'i')"},
      {R"g({ports: {strictlyRight: "[0,10)"}})g", "x.name IN ('c', 'e', 'f', 'j')"},
      {R"g({ports: {notExtendsLeft: "[10,100)"}})g", "x.name IN ('c', 'e', 'f', 'j')"},
      {R"g({ports: {notExtendsRight: "[0,15)"}})g", "x.name IN ('a', 'b', 'g', 'i')"},
      {R"g({ports: {isEmpty: true}})g", "x.name = 'd'"},
      {R"g({ports: {isEmpty: false}})g", "x.name NOT IN ('d', 'h')"},
      {R"g({ports: {isNull: true}})g", "x.name = 'h'"},
      {R"g({quota: {containsValue: 150}})g", "x.name IN ('a', 'b', 'd', 'g')"},
      {R"g({quota: {overlaps: "[-5,1)"}})g", "x.name IN ('e', 'g')"},
      {R"g({price: {containsValue: 2.5}})g", "x.name IN ('b', 'g')"},
      {R"g({price: {containedBy: "[0,10)"}})g", "x.name IN ('a', 'b', 'c', 'e', 'f', 'i', 'j')"},
      {R"g({days: {containsValue: "2024-01-20"}})g", "x.name IN ('a', 'b')"},
      {R"g({days: {strictlyLeft: "[2024-01-01,2024-01-02)"}})g", "x.name = 'e'"},
      {R"g({period: {containsValue: "2024-01-02T06:00:00Z"}})g", "x.name = 'b'"},
      {R"g({period: {overlaps: "[2024-01-01T00:00:00Z,2024-01-01T06:00:00Z)"}})g", "x.name = 'a'"},
      {R"g({period: {isEmpty: true}})g", "x.name = 'c'"},
      {R"g({OR: [{path: {descendantOf: "Top.Hobbies"}}, {ports: {containsValue: 45}}]})g",
       "x.name IN ('c', 'i', 'j')"},
  };
  for (const char* root : {"hosts", "hostDocs"}) {
    for (const auto& [where, condition] : cases) {
      SCOPED_TRACE(std::string(root) + "(where: " + where + ")");
      const json want = rp::sql_json(
          "SELECT coalesce(json_agg(json_build_object('name', x.name) ORDER BY x.name), '[]') FROM tb_host x "
          "WHERE " +
          condition);
      EXPECT_EQ(
          ask(std::string("{ ") + root + "(where: " + where + ", orderBy: [{name: ASC}]) { name } }")[root],
          want);
      EXPECT_GT(want.size(), 0U);
    }
  }
  // The values come back in PostgreSQL's text form; they order as PostgreSQL orders them.
  for (const char* root : {"hosts", "hostDocs"}) {
    SCOPED_TRACE(root);
    EXPECT_EQ(
        ask(std::string("{ ") + root +
            "(orderBy: [{path: ASC_NULLS_FIRST}, {name: ASC}]) { name address network path ports quota price "
            "days period } }")[root],
        rp::sql_json(
            "SELECT json_agg(json_build_object('name', name, 'address', address, 'network', network, "
            "'path', path, 'ports', ports, 'quota', quota, 'price', price, 'days', days, 'period', "
            "period) ORDER BY path NULLS FIRST, name) FROM tb_host"));
    EXPECT_EQ(
        ask(std::string("{ ") + root + "(orderBy: [{address: DESC}, {ports: ASC}]) { name } }")[root],
        rp::sql_json(
            "SELECT json_agg(json_build_object('name', name) ORDER BY address DESC, ports) FROM tb_host"));
  }
  // A value the type refuses is the field's INVALID_DATA; a value of the wrong JSON kind
  // is the caller's.
  const HttpResponse bad =
      http_request(types.port(), "POST", "/graphql", {{"Content-Type", "application/json"}},
                   R"({"query":"{ hosts(where: {address: {eq: \"10.0.0.300\"}}) { name } }"})");
  EXPECT_EQ(json::parse(bad.body)["errors"][0]["extensions"]["code"], "INVALID_DATA") << bad.body;
  const HttpResponse kind = http_request(types.port(), "POST", "/graphql",
                                         {{"Content-Type", "application/json"}, {"Accept", kGraphQLResponse}},
                                         R"({"query":"{ hosts(where: {ports: {eq: 5}}) { name } }"})");
  EXPECT_EQ(json::parse(kind.body)["errors"][0]["extensions"]["code"], "BAD_USER_INPUT") << kind.body;
}

// ---- aggregates ------------------------------------------------------------------------

TEST_F(ReadPathTest, AggregatesMatchPostgresAggregates) {
  EXPECT_EQ(
      data("{ usersAggregate { count sum { age } avg { age } min { age } max { age } } }")["usersAggregate"],
      rp::sql_json("SELECT json_build_object('count', count(*), 'sum', json_build_object('age', sum(age)), "
                   "'avg', json_build_object('age', avg(age)::float8), 'min', json_build_object('age', "
                   "min(age)), 'max', json_build_object('age', max(age))) FROM tb_user"));
  EXPECT_EQ(
      data(R"({ postsAggregate(where: {published: {eq: true}, author: {isActive: {eq: true}}}) {
        count n: count sum { views rating } avg { rating views } min { rating } max { views } } })")
          ["postsAggregate"],
      rp::sql_json(
          "SELECT json_build_object('count', count(*), 'n', count(*), 'sum', json_build_object('views', "
          "sum(views), 'rating', sum(rating)), 'avg', json_build_object('rating', "
          "avg(rating::numeric)::float8, 'views', avg(views)::float8), 'min', json_build_object('rating', "
          "min(rating)), 'max', json_build_object('views', max(views))) FROM tb_post p JOIN tb_user u ON "
          "u.id = p.author_id WHERE p.published AND u.is_active"));
  // No row: a count of 0 and null functions.
  EXPECT_EQ(data(R"({ usersAggregate(where: {name: {eq: "nobody"}}) { count sum { age } max { age } } })")
                ["usersAggregate"],
            json::parse(R"({"count": 0, "sum": {"age": null}, "max": {"age": null}})"));
}

// ---- nesting ---------------------------------------------------------------------------

TEST_F(ReadPathTest, EmbeddedListsAndObjects) {
  EXPECT_EQ(
      data(R"({ users(orderBy: [{name: ASC}], limit: 4) { id name settings createdAt
                posts { id title rating tags createdAt metadata { wordCount language } } } })")["users"],
      rp::sql_json(
          "SELECT json_agg(json_build_object('id', u.id::text, 'name', u.name, 'settings', u.settings, "
          "'createdAt', u.created_at, 'posts', (SELECT coalesce(json_agg(json_build_object('id', p.id::text, "
          "'title', p.title, 'rating', p.rating, 'tags', p.tags, 'createdAt', p.created_at, 'metadata', "
          "json_build_object('wordCount', p.word_count, 'language', p.language)) ORDER BY p.created_at, "
          "p.id), "
          "'[]') FROM tb_post p WHERE p.author_id = u.id)) ORDER BY u.name) FROM (SELECT * FROM tb_user "
          "ORDER BY "
          "name LIMIT 4) u"));
  // A user without posts has an empty list; a lookup by id; a lookup that finds nothing.
  EXPECT_EQ(data("{ user(id: \"" + rp::user_id(11) + "\") { name posts { title } } }")["user"],
            json::parse(R"({"name": "Anna", "posts": []})"));
  EXPECT_EQ(data("{ user(id: \"" + rp::user_id(2) + "\") { name email bio age isActive } }")["user"],
            rp::sql_json("SELECT json_build_object('name', name, 'email', email, 'bio', bio, 'age', age, "
                         "'isActive', is_active) FROM tb_user WHERE id = md5('u2')::uuid"));
  EXPECT_EQ(data("{ user(id: \"00000000-0000-0000-0000-000000000000\") { name } }")["user"], json());
}

TEST_F(ReadPathTest, JoinedObjectsAndLists) {
  // Post.author (to-one) and Post.comments (to-many) with Comment.author inside.
  EXPECT_EQ(
      data(R"({ postList(orderBy: [{createdAt: ASC}], limit: 6) { title author { name email }
                comments(orderBy: [{createdAt: ASC}]) { body author { name } } } })")["postList"],
      rp::sql_json(
          "SELECT json_agg(json_build_object('title', p.title, 'author', (SELECT json_build_object('name', "
          "u.name, 'email', u.email) FROM tb_user u WHERE u.id = p.author_id), 'comments', (SELECT "
          "coalesce(json_agg(json_build_object('body', c.body, 'author', (SELECT json_build_object('name', "
          "a.name) FROM tb_user a WHERE a.id = c.author_id)) ORDER BY c.created_at), '[]') FROM tb_comment c "
          "WHERE c.post_id = p.id)) ORDER BY p.created_at) FROM (SELECT * FROM tb_post ORDER BY created_at "
          "LIMIT "
          "6) p"));
  // Comment.post.author: joined objects two deep.
  EXPECT_EQ(
      data("{ comments(orderBy: [{createdAt: DESC}], limit: 8) { body post { title author { name } } } }")
          ["comments"],
      rp::sql_json(
          "SELECT json_agg(json_build_object('body', c.body, 'post', json_build_object('title', p.title, "
          "'author', json_build_object('name', u.name))) ORDER BY c.created_at DESC) FROM (SELECT * FROM "
          "tb_comment ORDER BY created_at DESC LIMIT 8) c JOIN tb_post p ON p.id = c.post_id JOIN "
          "tb_user u ON u.id = p.author_id"));
  // Joined lists with their own where, on the root and under a lookup.
  EXPECT_EQ(
      data(R"({ users(orderBy: [{name: DESC}], where: {age: {isNull: false}}) { name
                comments(where: {body: {startsWith: "Meh"}}, orderBy: [{createdAt: DESC}]) { body } } })")
          ["users"],
      rp::sql_json(
          "SELECT json_agg(json_build_object('name', u.name, 'comments', (SELECT "
          "coalesce(json_agg(json_build_object('body', c.body) ORDER BY c.created_at DESC), '[]') FROM "
          "tb_comment c WHERE c.author_id = u.id AND left(c.body, 3) = 'Meh')) ORDER BY u.name DESC) FROM "
          "tb_user u WHERE u.age IS NOT NULL"));
  // One joined list under two aliases with different arguments.
  EXPECT_EQ(
      data(R"({ users(orderBy: [{name: ASC}], limit: 5) { name
                first: comments(orderBy: [{createdAt: ASC}], limit: 1) { body }
                last: comments(orderBy: [{createdAt: DESC}], limit: 1) { body } } })")["users"],
      rp::sql_json(
          "SELECT json_agg(json_build_object('name', u.name, 'first', (SELECT coalesce(json_agg(x), '[]') "
          "FROM (SELECT json_build_object('body', body) x FROM tb_comment WHERE author_id = u.id ORDER BY "
          "created_at LIMIT 1) f), 'last', (SELECT coalesce(json_agg(x), '[]') FROM (SELECT "
          "json_build_object('body', body) x FROM tb_comment WHERE author_id = u.id ORDER BY created_at "
          "DESC LIMIT 1) l)) ORDER BY u.name) FROM (SELECT * FROM tb_user ORDER BY name LIMIT 5) u"));
}

/// Joined lists within joined objects within an embedded list, and back up through joins.
constexpr const char* kDeepQuery = R"({ users(orderBy: [{name: ASC}], limit: 3) { name
    posts { title
      author { name comments(orderBy: [{createdAt: ASC}], limit: 2) { body post { title } } }
      comments(orderBy: [{createdAt: ASC}]) { body author { name } } } } })";

constexpr const char* kDeepSql =
    "SELECT json_agg(json_build_object('name', u.name, 'posts', (SELECT coalesce(json_agg(json_build_object("
    "'title', p.title, "
    "'author', (SELECT json_build_object('name', a.name, 'comments', (SELECT "
    "coalesce(json_agg(json_build_object('body', ac.body, 'post', (SELECT json_build_object('title', "
    "acp.title) "
    "FROM tb_post acp WHERE acp.id = ac.post_id)) ORDER BY ac.created_at), '[]') FROM (SELECT * FROM "
    "tb_comment "
    "WHERE author_id = a.id ORDER BY created_at LIMIT 2) ac)) FROM tb_user a WHERE a.id = p.author_id), "
    "'comments', (SELECT coalesce(json_agg(json_build_object('body', c.body, 'author', (SELECT "
    "json_build_object('name', ca.name) FROM tb_user ca WHERE ca.id = c.author_id)) ORDER BY c.created_at), "
    "'[]') FROM tb_comment c WHERE c.post_id = p.id)) ORDER BY p.created_at, p.id), '[]') FROM tb_post p "
    "WHERE "
    "p.author_id = u.id)) ORDER BY u.name) FROM (SELECT * FROM tb_user ORDER BY name LIMIT 3) u";

TEST_F(ReadPathTest, JoinsUnderEmbeddedListsUnderJoins) {
  const json got = data(kDeepQuery)["users"];
  EXPECT_EQ(got, rp::sql_json(kDeepSql));
  // The answer is not trivially empty: some embedded post has comments and an author with comments.
  EXPECT_NE(got.dump().find("\"post\":{\"title\""), std::string::npos) << got.dump();
}

// ---- documents: aliases, fragments, directives, variables, __typename -------------------

TEST_F(ReadPathTest, AliasesFragmentsDirectivesAndTypenameAtEveryLevel) {
  const std::string q = R"(
query Q($withBio: Boolean!, $skipEmail: Boolean!) {
  __typename
  a: users(orderBy: [{name: ASC}], limit: 2) { ...UserBits bio @include(if: $withBio) email @skip(if: $skipEmail) }
  b: users(orderBy: [{name: DESC}], limit: 1) { __typename ... on User { n: name } ... @include(if: $withBio) { age } }
  c: postList(orderBy: [{createdAt: ASC}], limit: 2) {
    t: title ...on Post { __typename metadata { __typename language } }
    author { __typename ...Named } comments(limit: 1, orderBy: [{createdAt: ASC}]) { __typename post { __typename } } }
  page: posts(first: 1) { __typename totalCount edges { __typename node { __typename title } } pageInfo { __typename hasNextPage } }
  agg: usersAggregate { __typename count max { __typename age } }
}
fragment UserBits on User { __typename name posts @skip(if: $skipEmail) { __typename title } }
fragment Named on User { name })";
  for (const bool with_bio : {false, true}) {
    for (const bool skip_email : {false, true}) {
      SCOPED_TRACE("withBio " + std::to_string(with_bio) + " skipEmail " + std::to_string(skip_email));
      const json got = data(q, {{"withBio", with_bio}, {"skipEmail", skip_email}});
      const std::string user_a =
          std::string("json_build_object('__typename', 'User', 'name', u.name") +
          (skip_email ? ""
                      : ", 'posts', (SELECT coalesce(json_agg(json_build_object('__typename', "
                        "'Post', 'title', p.title) ORDER BY p.created_at, p.id), '[]') FROM "
                        "tb_post p WHERE p.author_id = u.id)") +
          (with_bio ? ", 'bio', u.bio" : "") + (skip_email ? "" : ", 'email', u.email") + ")";
      const std::string user_b = std::string("json_build_object('__typename', 'User', 'n', u.name") +
                                 (with_bio ? ", 'age', u.age" : "") + ")";
      const json want = rp::sql_json(
          "SELECT json_build_object('__typename', 'Query', "
          "'a', (SELECT json_agg(" +
          user_a +
          " ORDER BY u.name) FROM (SELECT * FROM tb_user ORDER BY name LIMIT 2) u), 'b', (SELECT json_agg(" +
          user_b +
          ") FROM (SELECT * FROM tb_user ORDER BY name DESC LIMIT 1) u), "
          "'c', (SELECT json_agg(json_build_object('t', p.title, '__typename', 'Post', 'metadata', "
          "json_build_object('__typename', 'PostMetadata', 'language', p.language), 'author', (SELECT "
          "json_build_object('__typename', 'User', 'name', a.name) FROM tb_user a WHERE a.id = p.author_id), "
          "'comments', (SELECT coalesce(json_agg(json_build_object('__typename', 'Comment', 'post', "
          "json_build_object('__typename', 'Post'))), '[]') FROM (SELECT * FROM tb_comment WHERE post_id = "
          "p.id "
          "ORDER BY created_at LIMIT 1) c)) ORDER BY p.created_at) FROM (SELECT * FROM tb_post ORDER BY "
          "created_at LIMIT 2) p), "
          "'page', (SELECT json_build_object('__typename', 'PostConnection', 'totalCount', (SELECT count(*) "
          "FROM "
          "tb_post), 'edges', json_agg(json_build_object('__typename', 'PostEdge', 'node', "
          "json_build_object('__typename', 'Post', 'title', p.title))), 'pageInfo', "
          "json_build_object('__typename', 'PageInfo', 'hasNextPage', true)) FROM (SELECT * FROM tb_post "
          "ORDER BY "
          "id LIMIT 1) p), "
          "'agg', (SELECT json_build_object('__typename', 'UserAggregate', 'count', count(*), 'max', "
          "json_build_object('__typename', 'UserAggregateNumbers', 'age', max(age))) FROM tb_user))");
      EXPECT_EQ(got, want);
    }
  }
  // Selections of one field spread over fragments merge into one object.
  EXPECT_EQ(data(R"({ users(orderBy: [{name: ASC}], limit: 3) { ...A ...B name } }
fragment A on User { posts { title } comments(orderBy: [{createdAt: ASC}], limit: 1) { body } }
fragment B on User { posts { rating } comments(orderBy: [{createdAt: ASC}], limit: 1) { createdAt } })")
                ["users"],
            rp::sql_json(
                "SELECT json_agg(json_build_object('posts', (SELECT coalesce(json_agg(json_build_object("
                "'title', p.title, 'rating', p.rating) ORDER BY p.created_at, p.id), '[]') FROM tb_post p "
                "WHERE p.author_id = u.id), 'comments', (SELECT coalesce(json_agg(x), '[]') FROM (SELECT "
                "json_build_object('body', body, 'createdAt', created_at) x FROM tb_comment WHERE author_id "
                "= u.id ORDER BY created_at LIMIT 1) c), 'name', u.name) ORDER BY u.name) FROM (SELECT * "
                "FROM tb_user ORDER BY name LIMIT 3) u"));
  // Introspection and data in one operation.
  EXPECT_EQ(
      data(
          R"({ users(orderBy: [{name: ASC}], limit: 1) { name } t: __type(name: "OrderDirection") { kind } })"),
      rp::sql_json(
          "SELECT json_build_object('users', json_agg(json_build_object('name', name)), 't', "
          "json_build_object('kind', 'ENUM')) FROM (SELECT name FROM tb_user ORDER BY name LIMIT 1) u"));
  // operationName picks one operation of several.
  const json request = {
      {"query", "query A { usersAggregate { count } } query B { postsAggregate { count } }"},
      {"operationName", "B"}};
  const HttpResponse r =
      http_request(daemon_ptr()->port(), "POST", "/graphql",
                   {{"Content-Type", "application/json"}, {"Accept", kGraphQLResponse}}, request.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"data": {"postsAggregate": {"count": 30}}})"));
}

TEST_F(ReadPathTest, VariablesOfEveryKind) {
  const std::string q = R"(
query V($name: String!, $names: [String!], $minAge: Int = 30, $rating: Float!, $active: Boolean!, $uid: ID!,
        $since: DateTime!, $theme: JSON, $dir: OrderDirection = DESC, $order: [PostOrderByInput!], $where: PostWhereInput,
        $tags: [String!]!, $limit: Int!, $none: PostWhereInput) {
  byName: users(where: {name: {startsWith: $name}}, orderBy: [{name: $dir}]) { name }
  listed: users(where: {name: {in: $names}, age: {gte: $minAge}}, orderBy: [{age: ASC}]) { name age }
  rated: postList(where: {rating: {lt: $rating}, published: {eq: $active}}, orderBy: $order, limit: $limit) { title }
  one: user(id: $uid) { name }
  since: users(where: {createdAt: {gte: $since}, isActive: {eq: $active}}) { name }
  themed: users(where: {settings: {contains: $theme}}) { name }
  whole: postList(where: $where, orderBy: [{views: ASC}, {id: ASC}], limit: 50) { title }
  tagged: postList(where: {tags: {overlaps: $tags}}, limit: 50, orderBy: [{createdAt: ASC}]) { title }
  everything: postList(where: $none, limit: 50) { id }
})";
  const json vars = {
      {"name", "A"},
      {"names", {"Alice", "Eve%", "Frank_", "O'Brien", "Zoë"}},
      {"rating", 2.5},
      {"active", true},
      {"uid", rp::user_id(7)},
      {"since", "2024-01-01T05:30:00Z"},
      {"theme", {{"theme", "dark"}}},
      {"order", json::parse(R"([{"rating": "DESC_NULLS_LAST"}, {"title": "ASC"}])")},
      {"where", json::parse(R"({"OR": [{"views": {"lt": 20}}, {"author": {"name": {"eq": "Carol"}}}]})")},
      {"tags", {"t2", "long"}},
      {"limit", 4},
      {"none", nullptr}};
  const json got = data(q, vars);
  const json want = rp::sql_json(
      "SELECT json_build_object("
      "'byName', (SELECT json_agg(json_build_object('name', name) ORDER BY name DESC) FROM tb_user WHERE "
      "left(name, 1) = 'A'), "
      "'listed', (SELECT json_agg(json_build_object('name', name, 'age', age) ORDER BY age) FROM tb_user "
      "WHERE name "
      "IN ('Alice', 'Eve%', 'Frank_', 'O''Brien', 'Zoë') AND age >= 30), "
      "'rated', (SELECT json_agg(json_build_object('title', title) ORDER BY rating DESC NULLS LAST, title) "
      "FROM "
      "(SELECT * FROM tb_post WHERE rating < 2.5 AND published ORDER BY rating DESC NULLS LAST, title LIMIT "
      "4) p), "
      "'one', (SELECT json_build_object('name', name) FROM tb_user WHERE id = md5('u7')::uuid), "
      "'since', (SELECT json_agg(json_build_object('name', name) ORDER BY created_at) FROM tb_user WHERE "
      "created_at "
      ">= '2024-01-01 05:30+00' AND is_active), "
      "'themed', (SELECT json_agg(json_build_object('name', name) ORDER BY created_at) FROM tb_user WHERE "
      "settings->>'theme' = 'dark'), "
      "'whole', (SELECT json_agg(json_build_object('title', p.title) ORDER BY p.views, p.id) FROM tb_post p "
      "JOIN "
      "tb_user u ON u.id = p.author_id WHERE p.views < 20 OR u.name = 'Carol'), "
      "'tagged', (SELECT json_agg(json_build_object('title', title) ORDER BY created_at) FROM tb_post WHERE "
      "tags && "
      "ARRAY['t2', 'long']), "
      "'everything', (SELECT json_agg(json_build_object('id', id::text)) FROM tb_post))");
  // Rows without an orderBy come in no promised order: compare those as sets.
  auto sorted = [](const json& list) {
    std::vector<std::string> out;
    for (const json& v : list) out.push_back(v.dump());
    std::sort(out.begin(), out.end());
    return out;
  };
  for (const char* key : {"since", "themed", "everything"}) {
    EXPECT_EQ(sorted(got[key]), sorted(want[key])) << key;
  }
  for (const char* key : {"byName", "listed", "rated", "one", "whole", "tagged"}) {
    EXPECT_EQ(got[key], want[key]) << key;
  }
  EXPECT_EQ(got["everything"].size(), 30U);
  EXPECT_GT(want["rated"].size(), 1U);
  EXPECT_GT(want["listed"].size(), 1U);
  // The defaults apply when the variables are absent: $minAge 30 above, $dir DESC here.
  EXPECT_EQ(data("query D($dir: OrderDirection = ASC) { users(orderBy: [{name: $dir}], limit: 3) { name } }")
                ["users"],
            rp::sql_json(
                "SELECT json_agg(json_build_object('name', name) ORDER BY name) FROM (SELECT * FROM tb_user "
                "ORDER BY name LIMIT 3) u"));
}

// ---- errors ----------------------------------------------------------------------------

TEST_F(ReadPathTest, ErrorsCarryTheirStatusAndCode) {
  // Unknown field: validation, before anything runs. The legacy media type answers 200.
  json e = error("{ users { name nope } }", json::object(), 400, "GRAPHQL_VALIDATION_FAILED");
  EXPECT_NE(e["message"].get<std::string>().find("nope"), std::string::npos) << e;
  EXPECT_EQ(e["locations"], json::parse(R"([{"line": 1, "column": 16}])")) << e;
  HttpResponse legacy = post("{ users { name nope } }", json::object(), "application/json");
  EXPECT_EQ(legacy.status, 200) << legacy.body;
  EXPECT_EQ(json::parse(legacy.body)["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
  // Unknown filter field, unknown operator, wrong literal type, unknown enum value.
  error(R"({ users(where: {nope: {eq: 1}}) { name } })", json::object(), 400, "GRAPHQL_VALIDATION_FAILED");
  error(R"({ users(where: {name: {gt: "A"}}) { name } })", json::object(), 400, "GRAPHQL_VALIDATION_FAILED");
  error(R"({ users(where: {age: {eq: "x"}}) { name } })", json::object(), 400, "GRAPHQL_VALIDATION_FAILED");
  error(R"({ users(orderBy: [{name: UP}]) { name } })", json::object(), 400, "GRAPHQL_VALIDATION_FAILED");
  error(R"({ users { name })", json::object(), 400, "GRAPHQL_PARSE_FAILED");
  error("{ a: users(limit: 1) { name } a: users(limit: 2) { name } }", json::object(), 400,
        "GRAPHQL_VALIDATION_FAILED");
  // Bad variables: wrong type, missing, an input object with an unknown field, a bad enum.
  e = error("query Q($n: Int!) { users(limit: $n) { name } }", {{"n", "x"}}, 400, "BAD_USER_INPUT");
  EXPECT_NE(e["message"].get<std::string>().find("$n"), std::string::npos) << e;
  error("query Q($n: Int!) { users(limit: $n) { name } }", json::object(), 400, "BAD_USER_INPUT");
  error("query Q($w: UserWhereInput) { users(where: $w) { name } }", {{"w", {{"nope", {{"eq", 1}}}}}}, 400,
        "BAD_USER_INPUT");
  error("query Q($d: OrderDirection!) { users(orderBy: [{name: $d}]) { name } }", {{"d", "UP"}}, 400,
        "BAD_USER_INPUT");
  error("query Q($t: DateTime!) { users(where: {createdAt: {gt: $t}}) { name } }", {{"t", 5}}, 400,
        "BAD_USER_INPUT");
  // Over the maximum: the caller's error too, with the path of the field.
  e = error("{ users { name } postList(limit: 1000) { title } }", json::object(), 400, "BAD_USER_INPUT");
  EXPECT_EQ(e["path"], json::parse(R"(["postList"])")) << e;
  // An operator that takes no null.
  error(R"({ users(where: {age: {gt: null}}) { name } })", json::object(), 400, "BAD_USER_INPUT");
  // A scalar GraphQL accepts but PostgreSQL refuses: INVALID_DATA at the field, which
  // is null, and null propagates to the nearest nullable parent (data for a non-null list).
  auto refused = [](const std::string& q, const json& want_data) {
    const HttpResponse r = post(q);
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = json::parse(r.body);
    EXPECT_EQ(body["data"], want_data) << r.body;
    EXPECT_EQ(body["errors"].size(), 1U) << r.body;
    EXPECT_EQ(body["errors"][0]["extensions"]["code"], "INVALID_DATA") << r.body;
    return body["errors"][0];
  };
  e = refused(R"({ users(where: {id: {eq: "not-a-uuid"}}) { name } })", json());
  EXPECT_EQ(e["path"], json::parse(R"(["users"])")) << e;
  e = refused(R"({ user(id: "not-a-uuid") { name } })", json::parse(R"({"user": null})"));
  EXPECT_EQ(e["path"], json::parse(R"(["user"])")) << e;
  // The other root fields still answer.
  e = refused(R"({ n: usersAggregate { count } bad: user(id: "not-a-uuid") { name } one: user(id: ")" +
                  rp::user_id(2) + R"(") { name } })",
              json::parse(R"({"n": {"count": 12}, "bad": null, "one": {"name": "Bob"}})"));
  EXPECT_EQ(e["path"], json::parse(R"(["bad"])")) << e;
  // Values GraphQL itself refuses: a DateTime that is not one, an Int over 32 bits.
  error(R"({ users(where: {createdAt: {eq: "yesterday-ish"}}) { name } })", json::object(), 400,
        "BAD_USER_INPUT");
  error(R"({ postList(where: {views: {eq: 99999999999}}) { id } })", json::object(), 400,
        "GRAPHQL_VALIDATION_FAILED");
  // And the daemon still answers.
  EXPECT_EQ(data("{ usersAggregate { count } }")["usersAggregate"]["count"], 12);
}

TEST_F(ReadPathTest, AStringWithANulCharacterIsRefusedNotCut) {
  // PostgreSQL text cannot hold U+0000: the value must be refused, not shortened.
  error(R"({ users(where: {name: {eq: "Alice\u0000xyz"}}) { name } })", json::object(), 400,
        "BAD_USER_INPUT");
  error("query Q($n: String!) { users(where: {name: {eq: $n}}) { name } }",
        {{"n", std::string("Alice\0xyz", 9)}}, 400, "BAD_USER_INPUT");
  error("{ user(id: \"" + rp::user_id(1) + "\\u0000 or anything\") { name } }", json::object(), 400,
        "BAD_USER_INPUT");
}

// ---- where the statements run ----------------------------------------------------------

TEST_F(ReadPathTest, OneStatementPerRequestOnTheReplicaAndNoneOnThePrimary) {
  // The router sends reads to the replica once its health check has seen it; until then
  // they go to the primary. Wait for the first read on the replica.
  bool on_replica = false;
  for (int i = 0; i < 200 && !on_replica; ++i) {
    rp::reset_statements();
    data("{ usersAggregate { count } }");
    on_replica = !rp::replica_statements().empty();
    if (!on_replica) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(on_replica) << "no read reached the replica";

  const std::pair<std::string, json> requests[] = {
      {kDeepQuery, json::object()},
      {R"({ a: users(limit: 2) { name posts { title } comments(limit: 1) { post { author { comments { body } } } } }
           b: posts(first: 3, orderBy: [{rating: DESC}]) { totalCount edges { cursor node { title author { name } } } }
           c: postsAggregate(where: {author: {isActive: {eq: true}}}) { count avg { views } }
           d: comments(where: {post: {tags: {contains: ["t1"]}}}, limit: 3) { body post { comments { body } } } })",
       json::object()},
      {R"(query S($w: PostWhereInput, $n: Int!) {
           postList(where: $w, limit: $n, orderBy: [{views: DESC}]) { title author { name posts { title } } comments { body } }
           posts(first: $n, where: $w) { totalCount pageInfo { hasNextPage endCursor } } })",
       json::parse(R"({"n": 4, "w": {"OR": [{"tags": {"overlaps": ["t1"]}},
                                           {"author": {"comments": {"body": {"startsWith": "Nice"}}}}]}})")},
  };
  for (const auto& [q, variables] : requests) {
    SCOPED_TRACE(q);
    // Twice: the second request runs the cached plan.
    for (int round = 0; round < 2; ++round) {
      json on_replica_now;
      json on_primary_now;
      for (int attempt = 0; attempt < 20; ++attempt) {
        rp::reset_statements();
        ASSERT_FALSE(data(q, variables).is_null());
        on_replica_now = rp::replica_statements();
        on_primary_now = rp::primary_statements();
        // Exactly one statement answered the request, wherever it ran.
        ASSERT_EQ(on_replica_now.size() + on_primary_now.size(), 1U)
            << "replica: " << on_replica_now.dump(1) << "\nprimary: " << on_primary_now.dump(1);
        if (!on_replica_now.empty()) break;
        // The router sent it to the primary because the replica looked behind at that
        // moment (other tests write to the shared primary): ask again.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ASSERT_EQ(on_replica_now.size(), 1U) << "every read went to the primary";
      EXPECT_EQ(on_replica_now[0]["calls"], 1) << on_replica_now.dump(1);
      EXPECT_EQ(on_replica_now[0]["query"].get<std::string>().rfind("SELECT json_build_object(", 0), 0U)
          << on_replica_now.dump(1);
      EXPECT_EQ(on_primary_now, json::array()) << on_primary_now.dump(1);
    }
  }
}

// ---- PostgreSQL's text, untouched ------------------------------------------------------

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string url_encode(const std::string& s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4U];
      out += kHex[c & 15U];
    }
  }
  return out;
}

/// `fraiseql print-sql` with the daemon's environment; its stdout (empty on failure).
std::string print_sql(const std::string& document, const json& variables) {
  const std::string path =
      testing::binary_path("read_path_print_sql_" + std::to_string(::getpid()) + ".graphql");
  std::ofstream(path) << document;
  std::string cmd = "env -i";
  for (const auto& [k, v] : rp::blog_daemon_env()) cmd += " " + k + "=" + shell_quote(v);
  cmd += " " + shell_quote(daemon_path()) + " print-sql --variables " + shell_quote(variables.dump()) +
         " < " + shell_quote(path);
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    if (::pclose(p) != 0) out.clear();
  }
  std::remove(path.c_str());
  return out;
}

TEST_F(ReadPathTest, TheBodyIsPostgresTextByteForByte) {
  const std::string q = R"(query Q($n: Int!, $w: UserWhereInput) {
  users(where: $w, orderBy: [{name: DESC}], limit: $n) { id name bio settings createdAt posts { title rating tags } }
})";
  // Names with a quote, a backslash, a non-ASCII letter and an injection attempt.
  const json vars = {
      {"n", 5},
      {"w",
       {{"name", {{"in", {"Zoë", "back\\slash", "O'Brien", "Robert'); DROP TABLE tb_user;--", "Bob"}}}}}}};
  const std::string printed = print_sql(q, vars);
  ASSERT_FALSE(printed.empty()) << "fraiseql print-sql failed";
  const json compiled = json::parse(printed);
  std::vector<std::optional<std::string>> params;
  for (const json& p : compiled["params"]) {
    params.push_back(p["value"].is_null() ? std::nullopt
                                          : std::optional<std::string>(p["value"].get<std::string>()));
  }
  const std::string text = rp::replica_exec(compiled["sql"].get<std::string>(), params);
  const HttpResponse r = post(q, vars);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"data\":" + text + "}");
  // PostgreSQL's json spacing is still there: nobody parsed and re-serialised it.
  EXPECT_NE(r.body.find("\"name\" : \"Zo\xC3\xAB\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("back\\slash")"), std::string::npos) << r.body;
  EXPECT_EQ(json::parse(r.body)["data"]["users"].size(), 5U);
  // GET answers with the same bytes.
  std::string target = "/graphql?query=" + url_encode(q) + "&variables=" + url_encode(vars.dump());
  const HttpResponse g = daemon_ptr()->get(target, {{"Accept", kGraphQLResponse}});
  EXPECT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.body, r.body);
}

}  // namespace
}  // namespace fraiseql::e2e
