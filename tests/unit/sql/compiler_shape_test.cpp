// The SQL the compiler emits, without a database: one statement, every value a
// parameter, columns where the view has them, errors for what cannot be honoured.

#include <algorithm>

#include <gtest/gtest.h>

#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using nlohmann::json;
using testing::compile_text;

const FraiseqlSchema& blog() {
  static const FraiseqlSchema kSchema = testing::blog_schema();
  return kSchema;
}
const FraiseqlSchema& blog_without_columns() {
  static const FraiseqlSchema kSchema = testing::blog_schema(MappingOptions{});
  return kSchema;
}

CompiledQuery compiled(const std::string& query, const json& variables = json::object(),
                       const CompileOptions& options = {}, const FraiseqlSchema& schema = blog()) {
  auto r = compile_text(*schema.mapping, query, variables, options);
  for (const auto& e : r.errors) ADD_FAILURE() << e.message;
  return r.ok() ? *r.query : CompiledQuery{};
}

bool has_param(const CompiledQuery& q, const std::string& value) {
  return std::any_of(q.params.begin(), q.params.end(), [&](const Param& p) { return p.value == value; });
}

/// One statement: a single SELECT and no statement separator outside string literals.
void expect_one_statement(const std::string& sql) {
  EXPECT_EQ(sql.rfind("SELECT ", 0), 0U) << sql;
  bool in_literal = false;
  for (char c : sql) {
    if (c == '\'') in_literal = !in_literal;
    EXPECT_FALSE(!in_literal && c == ';') << sql;
  }
}

TEST(SqlCompilerShape, WholeOperationIsOneSelect) {
  auto q = compiled(R"({
    users(limit: 2) { id posts { title author { name } } comments { post { title } } }
    user(id: "a") { name }
    posts(first: 2) { edges { cursor node { title } } totalCount }
    usersAggregate { count }
    __typename
  })");
  expect_one_statement(q.sql);
  EXPECT_EQ(q.intent, Intent::kRead);
  EXPECT_NE(q.sql.find("LEFT JOIN LATERAL"), std::string::npos) << "joins are lateral subqueries";
  EXPECT_NE(q.sql.find("::text"), std::string::npos);
}

struct OperatorCase {
  const char* where;  // with the marker value
  const char* marker;
};

// Every operator with a value that would break out of a literal if it were inlined.
const OperatorCase kOperators[] = {
    {R"({name: {eq: "M'; DROP TABLE x;--"}})", "M'; DROP TABLE x;--"},
    {R"({name: {neq: "M'; DROP TABLE x;--"}})", "M'; DROP TABLE x;--"},
    {R"({name: {like: "M'%"}})", "M'%"},
    {R"({name: {ilike: "M'%"}})", "M'%"},
    {R"({name: {matches: "M'.*"}})", "M'.*"},
    {R"({name: {contains: "M'x"}})", "%M'x%"},
    {R"({name: {icontains: "M'x"}})", "%M'x%"},
    {R"({name: {startsWith: "M'x"}})", "M'x%"},
    {R"({name: {endsWith: "M'x"}})", "%M'x"},
    {R"({name: {contains: "50%_off\\"}})", "%50\\%\\_off\\\\%"},
    {R"({name: {in: ["M'x", "a\"b"]}})", R"({"M'x","a\"b"})"},
    {R"({name: {nin: ["M'x"]}})", R"({"M'x"})"},
    {R"({age: {eq: 424242}})", "424242"},
    {R"({age: {neq: 424242}})", "424242"},
    {R"({age: {gt: 424242}})", "424242"},
    {R"({age: {gte: 424242}})", "424242"},
    {R"({age: {lt: 424242}})", "424242"},
    {R"({age: {lte: 424242}})", "424242"},
    {R"({age: {in: [424242, 7]}})", R"({"424242","7"})"},
    {R"({createdAt: {gt: "2031-02-03T04:05:06Z"}})", "2031-02-03T04:05:06Z"},
    {R"({isActive: {eq: false}})", "false"},
    {R"({id: {eq: "M'x"}})", "M'x"},
    {R"({settings: {hasKey: "M'x"}})", "M'x"},
    {R"({settings: {contains: {k: "M'x"}}})", R"({"k":"M'x"})"},
    {R"({settings: {containedBy: {k: "M'x"}}})", R"({"k":"M'x"})"},
    {R"({settings: {eq: {k: "M'x"}}})", R"({"k":"M'x"})"},
    {R"({posts: {title: {eq: "M'x"}}})", "M'x"},
    {R"({posts: {tags: {contains: ["M'x"]}}})", R"(["M'x"])"},
    {R"({posts: {tags: {overlaps: ["M'x"]}}})", R"(["M'x"])"},
    {R"({posts: {tags: {containedBy: ["M'x"]}}})", R"(["M'x"])"},
    {R"({comments: {body: {eq: "M'x"}}})", "M'x"},
    {R"({NOT: {OR: [{name: {eq: "M'x"}}, {email: {eq: "M'y"}}]}})", "M'x"},
};

class SqlOperatorShape : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SqlOperatorShape, ValueIsBoundNeverInlined) {
  const OperatorCase& c = kOperators[GetParam()];
  SCOPED_TRACE(c.where);
  for (const FraiseqlSchema* schema : {&blog(), &blog_without_columns()}) {
    auto q = compiled(std::string("{ users(where: ") + c.where + ") { id } }", json::object(), {}, *schema);
    expect_one_statement(q.sql);
    EXPECT_TRUE(has_param(q, c.marker)) << q.sql;
    EXPECT_EQ(q.sql.find("M'"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("424242"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("2031"), std::string::npos) << q.sql;
  }
}

INSTANTIATE_TEST_SUITE_P(Sql, SqlOperatorShape, ::testing::Range<std::size_t>(0, std::size(kOperators)));

TEST(SqlCompilerShape, VariablesAreBoundLikeLiterals) {
  auto q = compiled(R"(query($n: String, $a: Int) { users(where: {name: {eq: $n}, age: {gt: $a}}) { id } })",
                    {{"n", "x'); --"}, {"a", 77}});
  EXPECT_TRUE(has_param(q, "x'); --"));
  EXPECT_TRUE(has_param(q, "77"));
  EXPECT_EQ(q.sql.find("x')"), std::string::npos);
}

TEST(SqlCompilerShape, ColumnsWhenKnownDataOtherwise) {
  auto with =
      compiled(R"({ users(where: {name: {eq: "a"}, createdAt: {gt: "2024-01-01T00:00:00Z"}}) { name } })");
  EXPECT_NE(with.sql.find(R"(."name" = $)"), std::string::npos) << with.sql;
  EXPECT_NE(with.sql.find(R"(."created_at" > $)"), std::string::npos) << with.sql;
  EXPECT_EQ(with.sql.find("data"), std::string::npos)
      << "a columns-only query never reads data: " << with.sql;
  auto without =
      compiled(R"({ users(where: {name: {eq: "a"}, createdAt: {gt: "2024-01-01T00:00:00Z"}}) { name } })",
               json::object(), {}, blog_without_columns());
  EXPECT_NE(without.sql.find("->>'name') = $"), std::string::npos) << without.sql;
  EXPECT_NE(without.sql.find("->>'created_at')::timestamptz > $"), std::string::npos) << without.sql;
  EXPECT_NE(without.sql.find("::timestamptz"), std::string::npos);
  // Fields only `data` has are read from it, once per row.
  auto content = compiled(R"({ postList { content metadata { language } } })");
  EXPECT_NE(content.sql.find("OFFSET 0"), std::string::npos) << content.sql;
}

TEST(SqlCompilerShape, LimitDefaultAndMaximum) {
  auto q = compiled("{ users { id } }");
  EXPECT_TRUE(has_param(q, "100")) << "default limit";
  CompileOptions none;
  none.default_limit = 0;
  q = compiled("{ users { id } }", json::object(), none);
  EXPECT_EQ(q.sql.find("LIMIT"), std::string::npos) << q.sql;
  auto too_big = compile_text(*blog().mapping, "{ users(limit: 1001) { id } }");
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.errors.front().code, "BAD_USER_INPUT");
  EXPECT_EQ(too_big.errors.front().path.size(), 1U);
  EXPECT_EQ(std::get<std::string>(too_big.errors.front().path[0]), "users");
  auto negative = compile_text(*blog().mapping, "{ users { comments(offset: -1) { id } } }");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.errors.front().path.size(), 2U);
  auto both = compile_text(*blog().mapping, "{ posts(first: 1, last: 1) { totalCount } }");
  ASSERT_FALSE(both.ok());
  auto big_page = compile_text(*blog().mapping, "{ posts(first: 5000) { totalCount } }");
  ASSERT_FALSE(big_page.ok());
}

TEST(SqlCompilerShape, CursorsAreCheckedAndTheirValuesBound) {
  // ["x'; --"]: one key (the id) as the default order has.
  auto ok = compiled(R"({ posts(first: 2, after: "WyJ4JzsgLS0iXQ==") { nodes { id } } })");
  EXPECT_TRUE(has_param(ok, "x'; --"));
  EXPECT_EQ(ok.sql.find("x'"), std::string::npos);
  for (const char* bad : {"W3siYSI6MX1d" /* [{"a":1}] */, "WyJ4IiwieSIsInoiXQ==" /* three keys */, "%%%"}) {
    auto r = compile_text(*blog().mapping, std::string("{ posts(after: \"") + bad + "\") { totalCount } }");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.errors.front().code, "BAD_USER_INPUT");
    ASSERT_EQ(r.errors.front().locations.size(), 1U);
    EXPECT_EQ(r.errors.front().locations[0].line, 1U);
  }
}

TEST(SqlCompilerShape, FilterErrorsPointAtTheField) {
  auto r = compile_text(*blog().mapping,
                        "{\n  users {\n    comments(where: {createdAt: {gt: null}}) { id }\n  }\n}");
  ASSERT_FALSE(r.ok());
  const auto& e = r.errors.front();
  EXPECT_EQ(e.code, "BAD_USER_INPUT");
  EXPECT_NE(e.message.find("Comment.createdAt"), std::string::npos) << e.message;
  ASSERT_EQ(e.locations.size(), 1U);
  EXPECT_EQ(e.locations[0].line, 3U);
  EXPECT_EQ(e.locations[0].column, 5U);
  ASSERT_EQ(e.path.size(), 2U);
  EXPECT_EQ(std::get<std::string>(e.path[1]), "comments");
}

TEST(SqlCompilerShape, AliasesIncludeSkipAndTypename) {
  auto q = compiled(R"(query($yes: Boolean!) { people: users { who: name email @include(if: $yes)
    age @skip(if: true) __typename } })",
                    {{"yes", false}});
  EXPECT_NE(q.sql.find("'people'"), std::string::npos);
  EXPECT_NE(q.sql.find("'who'"), std::string::npos);
  EXPECT_EQ(q.sql.find("'email'"), std::string::npos);
  EXPECT_EQ(q.sql.find("'age'"), std::string::npos);
  EXPECT_NE(q.sql.find("'__typename', 'User'::text"), std::string::npos) << q.sql;
}

TEST(SqlCompilerShape, OperationSelection) {
  const char* doc = "query A { users { id } } query B { user(id: \"x\") { id } }";
  auto a = compile_text(*blog().mapping, doc, json::object(), {}, "A");
  ASSERT_TRUE(a.ok());
  EXPECT_NE(a.query->sql.find("'users'"), std::string::npos);
  auto b = compile_text(*blog().mapping, doc, json::object(), {}, "B");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b.query->sql.find("'user'"), std::string::npos);
  auto parsed = graphql::parse_document(doc);
  auto none = compile(*blog().mapping, parsed.document(), "", json::object());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.errors.front().code, "OPERATION_RESOLUTION_FAILURE");
  auto unknown = compile(*blog().mapping, parsed.document(), "C", json::object());
  ASSERT_FALSE(unknown.ok());
}

TEST(SqlCompilerShape, FieldsNotServedByViewsAreErrors) {
  auto s = build_fraiseql_schema(R"(
    type A @view(name: "v_a") { id: ID! }
    type Query { as: [A!]! version: String })");
  ASSERT_TRUE(s.ok());
  auto r = compile_text(*s.mapping, "{ version }");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors.front().message.find("Query.version"), std::string::npos);
  auto intro = compile_text(*s.mapping, "{ __schema { queryType { name } } }");
  ASSERT_FALSE(intro.ok());
}

TEST(SqlCompilerShape, WideObjectsAvoidTheArgumentLimit) {
  graphql::ValidationOptions v;
  v.max_aliases = 200;
  std::string q = "{ users {";
  for (int i = 0; i < 60; ++i) q += " f" + std::to_string(i) + ": name";
  q += " } }";
  auto r = compile_text(*blog().mapping, q, json::object(), {}, {}, v);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.query->sql.find("\"f59\":'"), std::string::npos) << r.query->sql;
}

TEST(SqlCompilerShape, QuotingHelpers) {
  EXPECT_EQ(quote_ident("user"), "\"user\"");
  EXPECT_EQ(quote_ident("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
}

}  // namespace
}  // namespace fraiseql::sql
