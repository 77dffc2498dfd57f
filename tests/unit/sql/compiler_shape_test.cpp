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

TEST(SqlCompilerShape, OnlyRootsAndRootValues) {
  const char* q =
      R"({ a: users { id } s: __schema { queryType { name } } b: user(id: "x") { name } __typename })";
  CompileOptions only;
  only.only_roots = {"b"};
  auto one = compiled(q, json::object(), only);
  EXPECT_EQ(one.sql.find("'a'"), std::string::npos) << one.sql;
  EXPECT_NE(one.sql.find("'b'"), std::string::npos) << one.sql;
  EXPECT_EQ(one.sql.find("'__typename'"), std::string::npos) << one.sql;
  // Meta-fields given as values are bound in place; such a plan is not reused.
  CompileOptions meta;
  meta.root_values = {{"s", R"({"queryType":{"name":"Query"}})"}, {"__typename", R"("Query")"}};
  auto all = compiled(q, json::object(), meta);
  EXPECT_TRUE(has_param(all, R"({"queryType":{"name":"Query"}})")) << all.sql;
  EXPECT_FALSE(has_param(all, R"("Query")")) << "__typename stays in the statement";
  EXPECT_LT(all.sql.find("'a'"), all.sql.find("'s'"));
  EXPECT_LT(all.sql.find("'s'"), all.sql.find("'b'"));
  EXPECT_FALSE(all.reusable);
  EXPECT_TRUE(compiled(R"({ users { id } __typename })").reusable);
}

TEST(SqlCompilerShape, RootSelectionsInResponseOrder) {
  auto parsed = graphql::parse_document(
      R"(query($skip: Boolean!) { a: users { id } __typename x: user(id: "1") { id } y: users @skip(if: $skip) { id } })");
  ASSERT_TRUE(parsed.ok());
  auto roots = root_selections(*blog().mapping, parsed.document(), "", json{{"skip", true}});
  ASSERT_EQ(roots.size(), 3U);
  EXPECT_EQ(roots[0].key, "a");
  EXPECT_TRUE(roots[0].non_null);
  EXPECT_FALSE(roots[0].meta);
  EXPECT_EQ(roots[0].location.line, 1U);
  EXPECT_EQ(roots[0].location.column, 26U);
  EXPECT_EQ(roots[1].key, "__typename");
  EXPECT_TRUE(roots[1].meta);
  EXPECT_EQ(roots[2].key, "x");
  EXPECT_FALSE(roots[2].non_null);
  EXPECT_TRUE(root_selections(*blog().mapping, parsed.document(), "Nope", json::object()).empty());
}

TEST(SqlCompilerShape, OrderByJoinedFieldsIsASubqueryOnTheJoinedView) {
  auto q = compiled(R"({ postList(orderBy: [{author: {name: ASC}}, {id: DESC}]) { id } })");
  EXPECT_NE(q.sql.find(R"((SELECT t2."name" FROM "v_user" t2 WHERE t2."id" = t1."author_id" LIMIT 1))"),
            std::string::npos)
      << q.sql;
  auto nested = compiled(R"({ comments(orderBy: [{post: {author: {age: DESC}}}]) { id } })", json::object(),
                         {}, blog_without_columns());
  EXPECT_NE(nested.sql.find(R"((SELECT (SELECT (t3.data->>'age')::integer FROM "v_user" t3)"),
            std::string::npos)
      << nested.sql;
}

const FraiseqlSchema& gadgets() {
  static const FraiseqlSchema kSchema = [] {
    MappingOptions o;
    o.text_search_config = "english";
    o.view_columns["v_gadget"] = {
        {"id", "integer"}, {"ip", "inet"}, {"description_tsv", "tsvector"}, {"codes", "text[]"}};
    auto s = build_fraiseql_schema(R"(
      type Gadget @view(name: "v_gadget") {
        id: ID! name: String! description: String ip: IpAddress network: CIDR path: LTree
        sizes: IntRange days: DateRange period: DateTimeRange codes: [String!] tags: [String!]
      }
      type Query { gadgets: [Gadget!]! })",
                                   "gadgets.graphql", o);
    for (const auto& e : s.errors) ADD_FAILURE() << e;
    return s;
  }();
  return kSchema;
}

const OperatorCase kFamilyOperators[] = {
    {R"({ip: {eq: "M'x"}})", "M'x"},
    {R"({ip: {in: ["M'x"]}})", R"({"M'x"})"},
    {R"({ip: {inSubnet: "M'x"}})", "M'x"},
    {R"({network: {containsOrEquals: "M'x"}})", "M'x"},
    {R"({path: {ancestorOf: "M'x"}})", "M'x"},
    {R"({path: {descendantOf: "M'x"}})", "M'x"},
    {R"({path: {matchesLquery: "M'x"}})", "M'x"},
    {R"({path: {matchesLtxtquery: "M'x"}})", "M'x"},
    {R"({path: {depth: 424242}})", "424242"},
    {R"({sizes: {contains: "M'x"}})", "M'x"},
    {R"({sizes: {containsValue: 424242}})", "424242"},
    {R"({sizes: {containedBy: "M'x"}})", "M'x"},
    {R"({days: {overlaps: "M'x"}})", "M'x"},
    {R"({days: {adjacent: "M'x"}})", "M'x"},
    {R"({period: {strictlyLeft: "M'x"}})", "M'x"},
    {R"({period: {strictlyRight: "M'x"}})", "M'x"},
    {R"({period: {notExtendsLeft: "M'x"}})", "M'x"},
    {R"({period: {notExtendsRight: "M'x"}})", "M'x"},
    {R"({description: {search: "M'x"}})", "M'x"},
    {R"({description: {searchPlain: "M'x"}})", "M'x"},
    {R"({name: {searchPhrase: "M'x"}})", "M'x"},
};

class SqlFamilyOperatorShape : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SqlFamilyOperatorShape, ValueIsBoundNeverInlined) {
  const OperatorCase& c = kFamilyOperators[GetParam()];
  SCOPED_TRACE(c.where);
  auto q = compiled(std::string("{ gadgets(where: ") + c.where + ") { id } }", json::object(), {}, gadgets());
  expect_one_statement(q.sql);
  EXPECT_TRUE(has_param(q, c.marker)) << q.sql;
  EXPECT_EQ(q.sql.find("M'"), std::string::npos) << q.sql;
  EXPECT_EQ(q.sql.find("424242"), std::string::npos) << q.sql;
}

INSTANTIATE_TEST_SUITE_P(Sql, SqlFamilyOperatorShape,
                         ::testing::Range<std::size_t>(0, std::size(kFamilyOperators)));

TEST(SqlCompilerShape, FamilyOperatorsCastsAndColumns) {
  auto q = compiled(R"({ gadgets(where: {ip: {inSubnet: "10.0.0.0/8"}, sizes: {containsValue: 3},
                       description: {search: "cat"}, name: {searchPlain: "dog"}}) { id } })",
                    json::object(), {}, gadgets());
  // Conditions come in field name order.
  EXPECT_NE(q.sql.find(R"(t1."ip" <<= $2::cidr)"), std::string::npos) << q.sql;
  EXPECT_NE(q.sql.find(R"((t1.data->>'sizes')::int4range @> $4::integer)"), std::string::npos) << q.sql;
  // The tsvector column when the view has one, else to_tsvector over the data key.
  EXPECT_NE(q.sql.find(R"(t1."description_tsv" @@ websearch_to_tsquery('english'::regconfig, $1::text))"),
            std::string::npos)
      << q.sql;
  EXPECT_NE(q.sql.find(R"(to_tsvector('english'::regconfig, (t1.data->>'name')) @@ plainto_tsquery()"),
            std::string::npos)
      << q.sql;
}

TEST(SqlCompilerShape, ListFiltersUseAnArrayColumnWhenThereIsOne) {
  auto q = compiled(R"({ gadgets(where: {codes: {overlaps: ["a"]}, tags: {overlaps: ["b"]}}) { id } })",
                    json::object(), {}, gadgets());
  EXPECT_NE(q.sql.find(R"(t1."codes" && $1::text[])"), std::string::npos) << q.sql;
  EXPECT_NE(q.sql.find(R"(jsonb_array_elements(CASE WHEN jsonb_typeof(t1.data->'tags'))"), std::string::npos)
      << q.sql;
  EXPECT_TRUE(has_param(q, R"({"a"})"));
  EXPECT_TRUE(has_param(q, R"(["b"])"));
}

TEST(SqlCompilerShape, TextFormScalarsMustBeStrings) {
  auto r = compile_text(*gadgets().mapping, R"({ gadgets(where: {ip: {eq: 42}}) { id } })");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().code, "BAD_USER_INPUT");
  EXPECT_NE(r.errors.front().message.find("IpAddress values as strings"), std::string::npos)
      << r.errors.front().message;
  r = compile_text(*gadgets().mapping, R"({ gadgets(where: {sizes: {overlaps: {lower: 1}}}) { id } })");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.front().code, "BAD_USER_INPUT");
}

TEST(SqlCompilerShape, QuotingHelpers) {
  EXPECT_EQ(quote_ident("user"), "\"user\"");
  EXPECT_EQ(quote_ident("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
}

}  // namespace
}  // namespace fraiseql::sql
