// Plan reuse: a plan whose SQL no variable value shaped is rebound to other values and
// binds exactly what compiling for those values binds.

#include <gtest/gtest.h>

#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using nlohmann::json;

const FraiseqlSchema& blog() {
  static const FraiseqlSchema kSchema = testing::blog_schema();
  return kSchema;
}

json coerced(const std::string& query, const json& variables) {
  auto parsed = graphql::parse_document(query);
  for (const auto* d : parsed.document().definitions()) {
    if (const auto* op = graphql::as<graphql::OperationDefinition>(d)) {
      return graphql::coerce_variable_values(blog().mapping->schema(), *op, variables).values;
    }
  }
  return json::object();
}

struct ReuseCase {
  const char* query;
  json first;
  json second;
  bool reusable;
};

const std::vector<ReuseCase>& reuse_cases() {
  static const std::vector<ReuseCase> kCases = {
      {R"(query($id: ID!) { user(id: $id) { name posts { title } } })", {{"id", "a"}}, {{"id", "b"}}, true},
      {R"(query($n: String, $a: Int, $l: Int, $o: Int) {
       users(where: {name: {eq: $n}, age: {gt: $a}}, limit: $l, offset: $o) { id } })",
       {{"n", "x"}, {"a", 1}, {"l", 5}, {"o", 0}},
       {{"n", "y'z"}, {"a", 99}, {"l", 1000}, {"o", 7}},
       true},
      {R"(query($c: String, $s: String, $e: String, $in: [String!], $j: JSON, $t: [String!], $d: DateTime) {
       users(where: {name: {contains: $c}, email: {startsWith: $s}, bio: {endsWith: $e},
                     createdAt: {lte: $d},
                     OR: [{name: {in: $in}}, {settings: {contains: $j}}, {posts: {tags: {overlaps: $t}}}]}) { id } })",
       {{"c", "a%"},
        {"s", "b_"},
        {"e", "c\\"},
        {"in", {"x"}},
        {"j", {{"k", 1}}},
        {"t", {"t1"}},
        {"d", "2024-01-01T00:00:00Z"}},
       {{"c", "z"},
        {"s", "y"},
        {"e", "w"},
        {"in", {"p", "q"}},
        {"j", {{"k", {1, 2}}}},
        {"t", json::array()},
        {"d", "2025-01-01T00:00:00Z"}},
       true},
      {R"(query($l: Int, $b: String) { users(limit: 3) { comments(limit: $l, where: {body: {icontains: $b}}) { id } } })",
       {{"l", 1}, {"b", "n"}},
       {{"l", 2}, {"b", "m"}},
       true},
      {R"({ users(where: {name: {eq: "x"}}, limit: 2) { id } })", json::object(), json::object(), true},
      {R"(query($s: String, $t: String) {
       postList(where: {title: {search: $s}, author: {name: {searchPhrase: $t}}}, orderBy: [{author: {name: DESC}}]) {
         id } })",
       {{"s", "a -b"}, {"t", "c d"}},
       {{"s", "x' or y"}, {"t", "e"}},
       true},
      // Variables that shape the SQL.
      {R"(query($w: UserWhereInput) { users(where: $w) { id } })",
       {{"w", {{"name", {{"eq", "x"}}}}}},
       {{"w", {{"age", {{"gt", 1}}}}}},
       false},
      {R"(query($x: Boolean!) { users { id name @include(if: $x) } })", {{"x", true}}, {{"x", false}}, false},
      {R"(query($n: Int) { posts(first: $n) { totalCount } })", {{"n", 1}}, {{"n", 2}}, false},
      {R"(query($n: String) { users(where: {name: {eq: $n}}) { id } })",
       {{"n", nullptr}},
       {{"n", "x"}},
       false},
      {R"(query($n: String) { users(where: {name: {eq: $n}}) { id } })", json::object(), {{"n", "x"}}, false},
      {R"(query($b: Boolean) { users(where: {bio: {isNull: $b}}) { id } })",
       {{"b", true}},
       {{"b", false}},
       false},
      {R"(query($a: String!, $b: String!) { users(where: {name: {in: [$a, $b]}}) { id } })",
       {{"a", "x"}, {"b", "y"}},
       {{"a", "z"}, {"b", "w"}},
       false},
      {R"(query($o: OrderDirection!) { users(orderBy: [{name: $o}]) { id } })",
       {{"o", "ASC"}},
       {{"o", "DESC"}},
       false},
  };
  return kCases;
}

class SqlRebind : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SqlRebind, SameSqlAndParamsAsCompilingAgain) {
  const ReuseCase& c = reuse_cases()[GetParam()];
  SCOPED_TRACE(c.query);
  auto first = testing::compile_text(*blog().mapping, c.query, c.first);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.query->reusable, c.reusable);
  if (!c.reusable) {
    EXPECT_FALSE(rebind(*first.query, coerced(c.query, c.second)).has_value());
    return;
  }
  auto second = testing::compile_text(*blog().mapping, c.query, c.second);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.query->sql, first.query->sql);
  auto params = rebind(*first.query, coerced(c.query, c.second));
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(*params, second.query->params);
}

INSTANTIATE_TEST_SUITE_P(Sql, SqlRebind, ::testing::Range<std::size_t>(0, reuse_cases().size()));

TEST(SqlRebindLimits, ValuesThatWouldChangeThePlanAreRefused) {
  const char* q = R"(query($n: String, $l: Int) { users(where: {name: {eq: $n}}, limit: $l) { id } })";
  auto r = testing::compile_text(*blog().mapping, q, {{"n", "x"}, {"l", 5}});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.query->reusable);
  EXPECT_TRUE(rebind(*r.query, coerced(q, {{"n", "y"}, {"l", 6}})).has_value());
  EXPECT_FALSE(rebind(*r.query, coerced(q, {{"n", nullptr}, {"l", 6}}))) << "null changes the SQL";
  EXPECT_FALSE(rebind(*r.query, coerced(q, {{"l", 6}}))) << "a missing variable too";
  EXPECT_FALSE(rebind(*r.query, coerced(q, {{"n", "y"}, {"l", 5000}}))) << "above max_limit";
  EXPECT_FALSE(rebind(*r.query, coerced(q, {{"n", "y"}, {"l", -1}})));
  const auto& p = r.query->params;
  ASSERT_EQ(p.size(), 2U);
  EXPECT_EQ(p[0].variable, "n");
  EXPECT_EQ(p[0].source, ParamSource::kText);
  EXPECT_EQ(p[1].variable, "l");
  EXPECT_EQ(p[1].source, ParamSource::kLimit);
}

}  // namespace
}  // namespace fraiseql::sql
