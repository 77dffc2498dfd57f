// Compiled mutation fields run against PostgreSQL: examples/blog/schema.sql,
// sql/mutation_response.sql and examples/blog/functions.sql in a database of their own.
// Each test checks the JSON PostgreSQL built for the field, and what was written.

#include <gtest/gtest.h>

#include "fraiseql/graphql/introspection.hpp"
#include "fraiseql/sql/catalog.hpp"
#include "fraiseql/sql/mutation.hpp"

#include "blog_db.hpp"
#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using nlohmann::json;
using pgtest::blog_conn;
using pgtest::run_sql;

class BlogEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { pgtest::create_blog_db(); }
  void TearDown() override { pgtest::drop_blog_db(); }
};
// GoogleTest registers environments through a global initializer.
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new BlogEnvironment);  // NOLINT(cert-err58-cpp)

const FraiseqlSchema& blog() {
  static const FraiseqlSchema kSchema = testing::blog_schema();
  return kSchema;
}

// Seeded ids (blog_db.cpp): users md5('u' || 1..12), posts md5('p' || 1..30).
std::string user_id(int n) {
  return run_sql("SELECT md5('u" + std::to_string(n) + "')::uuid::text");
}
std::string post_id(int n) {
  return run_sql("SELECT md5('p" + std::to_string(n) + "')::uuid::text");
}
const char* const kMissingId = "00000000-0000-0000-0000-00000000beef";

/// What one mutation field gave: the compile errors, or the status and value PostgreSQL
/// returned, or the SQL error it raised.
struct Outcome {
  std::vector<graphql::GraphQLError> errors;
  std::string status;
  json value;
  std::string sql_error;  // SQLSTATE
};

/// Parses and validates `document` (failing the test on errors), coerces `variables`,
/// and compiles and runs each root field of the mutation in a transaction of its own.
std::vector<Outcome> run_mutation(const std::string& document, const json& variables = json::object()) {
  std::vector<Outcome> out;
  auto parsed = graphql::parse_document(document);
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.error().message;
    return out;
  }
  const graphql::Document& doc = parsed.document();
  const SchemaMapping& mapping = *blog().mapping;
  for (const auto& e : graphql::validate(mapping.schema(), doc)) ADD_FAILURE() << "validation: " << e.message;
  const graphql::OperationDefinition* op = nullptr;
  for (const auto* d : doc.definitions()) {
    if (const auto* o = graphql::as<graphql::OperationDefinition>(d)) op = o;
  }
  auto coerced = graphql::coerce_variable_values(mapping.schema(), *op, variables);
  if (!coerced.ok()) {
    Outcome o;
    o.errors = coerced.errors;
    out.push_back(std::move(o));
    return out;
  }
  graphql::Introspection collector(mapping.schema(), doc, coerced.values);
  const graphql::SelectionSet* sets[] = {op->selection_set};
  for (const auto& [key, fields] : collector.collect_fields(*mapping.schema().mutation_type(), sets)) {
    Outcome o;
    auto compiled = compile_mutation(mapping, doc, std::string(key), fields, coerced.values);
    if (!compiled.ok()) {
      o.errors = compiled.errors;
      out.push_back(std::move(o));
      continue;
    }
    std::vector<const char*> values;
    for (const auto& p : compiled.mutation->params) values.push_back(p.value ? p.value->c_str() : nullptr);
    try {
      pqxx::work tx(blog_conn());
      pqxx::result r = tx.exec_params(compiled.mutation->sql, pqxx::prepare::make_dynamic_params(values));
      tx.commit();
      EXPECT_EQ(r.size(), 1U);
      EXPECT_EQ(r.columns(), 2);
      o.status = r[0][0].is_null() ? "" : r[0][0].as<std::string>();
      o.value = r[0][1].is_null() ? json() : json::parse(r[0][1].as<std::string>());
    } catch (const pqxx::sql_error& e) {
      o.sql_error = e.sqlstate();
    }
    out.push_back(std::move(o));
  }
  return out;
}

Outcome run_one(const std::string& document, const json& variables = json::object()) {
  auto all = run_mutation(document, variables);
  if (all.size() != 1) {
    ADD_FAILURE() << "expected one field, got " << all.size();
    return {};
  }
  return all.front();
}

int count(const std::string& sql) {
  return std::stoi(run_sql(sql));
}

TEST(MutationPg, CreatePostReturnsTheEntityWithItsJoinedAuthor) {
  const std::string author = user_id(3);
  auto o = run_one(
      R"(mutation ($input: CreatePostInput!) {
      createPost(input: $input) {
        __typename
        ... on CreatePostSuccess { message post { title content published tags metadata { wordCount }
                                                  author { id name } comments { body } } }
        ... on CreatePostError { code }
      } })",
      {{"input",
        {{"authorId", author}, {"title", "Hello"}, {"content", "one two three"}, {"tags", {"a", "b"}}}}});
  ASSERT_TRUE(o.errors.empty()) << o.errors.front().message;
  EXPECT_EQ(o.status, "created");
  EXPECT_EQ(o.value, json::parse(R"({"__typename":"CreatePostSuccess","message":"Post created.",
      "post":{"title":"Hello","content":"one two three","published":false,"tags":["a","b"],
              "metadata":{"wordCount":3},"author":{"id":")" +
                                 author + R"(","name":"Carol"},"comments":[]}})"));
  EXPECT_EQ(count("SELECT count(*) FROM tb_post WHERE title = 'Hello' AND author_id = '" + author + "'"), 1);
}

TEST(MutationPg, LiteralInputAndNamedFragmentsOnTheUnion) {
  const std::string author = user_id(4);
  auto o = run_one(R"(mutation {
      createPost(input: {authorId: ")" +
                   author + R"(", title: "Literal", content: "x", published: true}) {
        ...Result
      } }
    fragment Result on CreatePostResult { __typename ...Ok }
    fragment Ok on CreatePostSuccess { post { title published author { name } } })");
  ASSERT_TRUE(o.errors.empty());
  EXPECT_EQ(o.value, json::parse(R"({"__typename":"CreatePostSuccess",
      "post":{"title":"Literal","published":true,"author":{"name":"dave"}}})"));
}

TEST(MutationPg, ValidationSelectsTheErrorMemberAndWritesNothing) {
  const int before = count("SELECT count(*) FROM tb_post");
  auto o = run_one(R"(mutation {
      createPost(input: {authorId: "not-a-uuid", title: "  ", content: "x"}) {
        __typename
        ... on CreatePostError { code message errors { field code } }
        ... on CreatePostSuccess { post { id } }
      } })");
  EXPECT_EQ(o.status, "validation:invalid_input");
  EXPECT_EQ(o.value, json::parse(R"({"__typename":"CreatePostError","code":"VALIDATION",
      "message":"The post was not created: 2 invalid field(s).",
      "errors":[{"field":"authorId","code":"invalid"},{"field":"title","code":"required"}]})"));
  EXPECT_EQ(count("SELECT count(*) FROM tb_post"), before);
}

TEST(MutationPg, NotFoundHasItsCode) {
  auto o = run_one(R"(mutation ($id: ID!) {
      deletePost(id: $id) { __typename ... on DeletePostError { code message errors { field } } } })",
                   {{"id", kMissingId}});
  EXPECT_EQ(o.status, "not_found:post");
  EXPECT_EQ(o.value, json::parse(R"({"__typename":"DeletePostError","code":"NOT_FOUND",
      "message":"No post has id )" +
                                 std::string(kMissingId) + R"(.","errors":[]})"));
}

TEST(MutationPg, UpdateReportsItsChangedFieldsThenNoop) {
  const std::string id = post_id(5);
  const std::string q = R"(mutation ($input: UpdatePostInput!) {
      updatePost(input: $input) {
        ... on UpdatePostSuccess { __typename message updatedFields post { id title author { name } } }
        ... on UpdatePostError { code }
      } })";
  auto first = run_one(q, {{"input", {{"id", id}, {"title", "Renamed"}}}});
  EXPECT_EQ(first.status, "updated");
  EXPECT_EQ(first.value["updatedFields"], json::parse(R"(["title"])"));
  EXPECT_EQ(first.value["post"]["title"], "Renamed");
  EXPECT_EQ(first.value["post"]["id"], id);
  EXPECT_EQ(first.value["post"]["author"]["name"], "Eve%");
  auto again = run_one(q, {{"input", {{"id", id}, {"title", "Renamed"}}}});
  EXPECT_EQ(again.status, "noop:unchanged");
  EXPECT_EQ(again.value["__typename"], "UpdatePostSuccess");
  EXPECT_EQ(again.value["updatedFields"], json::array());
}

TEST(MutationPg, ArgumentsOtherThanInputAreTheInputObject) {
  const std::string id = post_id(7);
  auto o = run_one(
      R"(mutation ($id: ID!) { deletePost(id: $id) { ... on DeletePostSuccess { post { id title } } } })",
      {{"id", id}});
  EXPECT_EQ(o.status, "deleted");
  EXPECT_EQ(o.value, json::parse(R"({"post":{"id":")" + id + R"(","title":"Post 7"}})"));
  EXPECT_EQ(count("SELECT count(*) FROM tb_post WHERE id = '" + id + "'"), 0);
}

TEST(MutationPg, CreateCommentJoinsItsPostAndAuthor) {
  const std::string post = post_id(2);
  auto o = run_one(R"(mutation ($input: CreateCommentInput!) {
      createComment(input: $input) { ... on CreateCommentSuccess { comment { body post { title } author { name } } } } })",
                   {{"input", {{"postId", post}, {"authorId", user_id(1)}, {"body", "First!"}}}});
  EXPECT_EQ(o.status, "created");
  EXPECT_EQ(
      o.value,
      json::parse(R"({"comment":{"body":"First!","post":{"title":"Post 2"},"author":{"name":"Alice"}}})"));

  auto missing = run_one(R"(mutation ($input: CreateCommentInput!) {
      createComment(input: $input) { ... on CreateCommentError { code } } })",
                         {{"input", {{"postId", kMissingId}, {"authorId", user_id(1)}, {"body", "x"}}}});
  EXPECT_EQ(missing.value, json::parse(R"({"code":"NOT_FOUND"})"));
}

TEST(MutationPg, AForeignKeyViolationRaisesAndWritesNothing) {
  const int before = count("SELECT count(*) FROM tb_post");
  auto o = run_one(R"(mutation { createPost(input: {authorId: ")" + std::string(kMissingId) +
                   R"(", title: "Orphan", content: "x"}) { __typename } })");
  EXPECT_EQ(o.sql_error, "23503");
  EXPECT_EQ(count("SELECT count(*) FROM tb_post"), before);
}

TEST(MutationPg, InputsAreCoercedBeforeAnySql) {
  // A variable of the wrong type never reaches the compiler...
  auto o = run_one(R"(mutation ($input: CreatePostInput!) { createPost(input: $input) { __typename } })",
                   {{"input", {{"authorId", user_id(1)}, {"title", 5}, {"content", "x"}}}});
  ASSERT_EQ(o.errors.size(), 1U);
  EXPECT_EQ(o.errors[0].code, "BAD_USER_INPUT");
  EXPECT_TRUE(o.sql_error.empty());
  // ...and the compiler itself coerces what it is given: a missing non-null variable.
  auto parsed = graphql::parse_document(R"(mutation ($id: ID!) { deletePost(id: $id) { __typename } })");
  ASSERT_TRUE(parsed.ok());
  const graphql::Document& doc = parsed.document();
  const auto* op = graphql::as<graphql::OperationDefinition>(doc.definitions()[0]);
  const auto* field = graphql::as<graphql::Field>(op->selection_set->selections[0]);
  auto r = compile_mutation(*blog().mapping, doc, "deletePost", {field}, json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].code, "BAD_USER_INPUT");
  EXPECT_EQ(r.errors[0].path, std::vector<graphql::PathSegment>{std::string("deletePost")});
}

TEST(MutationPg, FunctionInputUsesSnakeCaseKeysButKeepsJsonValues) {
  const graphql::FieldDef* create = blog().mapping->schema().mutation_type()->field("createPost");
  const json input = function_input(*create, {{"input", {{"authorId", "a"}, {"tags", {"x"}}}}}, true);
  EXPECT_EQ(input, json::parse(R"({"author_id":"a","tags":["x"]})"));
  const graphql::FieldDef* del = blog().mapping->schema().mutation_type()->field("deletePost");
  EXPECT_EQ(function_input(*del, {{"id", "7"}}, true), json::parse(R"({"id":"7"})"));
}

TEST(MutationPg, StatusesSelectMembers) {
  for (const char* s : {"success", "created", "updated", "deleted", "noop:unchanged"}) {
    EXPECT_EQ(status_kind(s), StatusKind::kSuccess) << s;
  }
  for (const char* s :
       {"validation:title", "not_found:post", "conflict:slug", "unauthorized:role", "failed:x"}) {
    EXPECT_EQ(status_kind(s), StatusKind::kError) << s;
  }
  for (const char* s : {"", "ok", "Created", "notfound:x"})
    EXPECT_EQ(status_kind(s), StatusKind::kUnknown) << s;
  EXPECT_EQ(status_code("not_found:post"), "NOT_FOUND");
  EXPECT_EQ(status_code("validation"), "VALIDATION");
}

TEST(MutationPg, AStatusOfNoMemberGivesNoValueButStillRuns) {
  run_sql(
      "CREATE OR REPLACE FUNCTION fn_odd_status(input jsonb) RETURNS mutation_response LANGUAGE sql AS "
      "$$ SELECT ROW('weird', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::mutation_response $$");
  auto built = build_fraiseql_schema(
      fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.graphql")) +
          "\nextend type Mutation { odd(input: JSON): CreatePostResult! @function(name: \"fn_odd_status\") "
          "}\n",
      "schema.graphql", testing::blog_mapping_options());
  ASSERT_TRUE(built.ok());
  auto parsed = graphql::parse_document("mutation { odd(input: {a: 1}) { __typename } }");
  ASSERT_TRUE(parsed.ok());
  const graphql::Document& doc = parsed.document();
  const auto* op = graphql::as<graphql::OperationDefinition>(doc.definitions()[0]);
  const auto* field = graphql::as<graphql::Field>(op->selection_set->selections[0]);
  auto r = compile_mutation(*built.mapping, doc, "odd", {field}, json::object());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.mutation->params[0].value, R"({"a":1})");  // a JSON value keeps its keys
  pqxx::work tx(blog_conn());
  pqxx::result row = tx.exec_params(r.mutation->sql, *r.mutation->params[0].value);
  EXPECT_EQ(row[0][0].as<std::string>(), "weird");
  EXPECT_TRUE(row[0][1].is_null());
}

TEST(MutationPg, APlanWithoutVariablesInItsSelectionIsRebound) {
  auto parsed = graphql::parse_document(R"(mutation ($input: CreatePostInput!, $n: Int, $all: Boolean!) {
      a: createPost(input: $input) { ... on CreatePostSuccess { post { title author { name } } } }
      b: createPost(input: $input) { ... on CreatePostSuccess { post { comments(limit: $n) { body } } } }
      c: createPost(input: $input) { __typename ... on CreatePostSuccess @include(if: $all) { message } }
      d: createPost(input: $input) @include(if: $all) { __typename } })");
  ASSERT_TRUE(parsed.ok());
  const graphql::Document& doc = parsed.document();
  const auto* op = graphql::as<graphql::OperationDefinition>(doc.definitions()[0]);
  auto node = [&](std::size_t i) { return graphql::as<graphql::Field>(op->selection_set->selections[i]); };
  const json first = {
      {"input", {{"authorId", user_id(6)}, {"title", "Plan 1"}, {"content", "x"}}}, {"n", 1}, {"all", true}};
  const json second = {
      {"input", {{"authorId", user_id(7)}, {"title", "Plan 2"}, {"content", "y"}}}, {"n", 1}, {"all", true}};
  auto a = compile_mutation(*blog().mapping, doc, "a", {node(0)}, first);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.mutation->reusable);
  for (std::size_t i = 1; i < 4; ++i) {
    auto other = compile_mutation(*blog().mapping, doc, "x", {node(i)}, first);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other.mutation->reusable) << "field " << i;
  }
  auto rebound = rebind_mutation(*blog().mapping, *a.mutation, "a", *node(0), second);
  ASSERT_TRUE(rebound.ok());
  EXPECT_EQ(rebound.mutation->sql, a.mutation->sql);
  ASSERT_EQ(rebound.mutation->params.size(), a.mutation->params.size());
  pqxx::work tx(blog_conn());
  std::vector<const char*> values;
  for (const auto& p : rebound.mutation->params) values.push_back(p.value ? p.value->c_str() : nullptr);
  pqxx::result r = tx.exec_params(rebound.mutation->sql, pqxx::prepare::make_dynamic_params(values));
  tx.commit();
  EXPECT_EQ(json::parse(r[0][1].as<std::string>()),
            json::parse(R"({"post":{"title":"Plan 2","author":{"name":"O'Brien"}}})"));
  // The arguments are coerced again: a missing non-null variable is refused, not bound.
  auto bad = rebind_mutation(*blog().mapping, *a.mutation, "a", *node(0), json::object());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors[0].code, "BAD_USER_INPUT");
}

TEST(MutationPg, WithSeveralObjectFieldsEntityTypeSaysWhichGetsTheEntity) {
  run_sql(
      "CREATE OR REPLACE FUNCTION fn_comment_entity(input jsonb) RETURNS mutation_response LANGUAGE sql AS "
      "$$ SELECT ROW('created', 'ok', id::text, 'Comment', data, NULL, NULL, '{\"extra\": "
      "7}')::mutation_response "
      "FROM v_comment ORDER BY id LIMIT 1 $$");
  auto built = build_fraiseql_schema(
      fraiseql::testing::read_file(fraiseql::testing::source_path("examples/blog/schema.graphql")) + R"(
        type EitherSuccess @success { post: Post comment: Comment entityType: String extra: Int }
        union EitherResult = EitherSuccess | CreatePostError
        extend type Mutation { either(input: JSON): EitherResult! @function(name: "fn_comment_entity") })",
      "schema.graphql", testing::blog_mapping_options());
  ASSERT_TRUE(built.ok());
  auto parsed = graphql::parse_document(
      "mutation { either { ... on EitherSuccess { post { id } comment { body } entityType extra } } }");
  ASSERT_TRUE(parsed.ok());
  const graphql::Document& doc = parsed.document();
  const auto* op = graphql::as<graphql::OperationDefinition>(doc.definitions()[0]);
  const auto* field = graphql::as<graphql::Field>(op->selection_set->selections[0]);
  auto r = compile_mutation(*built.mapping, doc, "either", {field}, json::object());
  ASSERT_TRUE(r.ok());
  const std::string body = run_sql("SELECT data->>'body' FROM v_comment ORDER BY id LIMIT 1");
  pqxx::work tx(blog_conn());
  pqxx::result row = tx.exec_params(r.mutation->sql, *r.mutation->params[0].value);
  EXPECT_EQ(
      json::parse(row[0][1].as<std::string>()),
      (json{{"post", nullptr}, {"comment", {{"body", body}}}, {"entityType", "Comment"}, {"extra", 7}}));
}

// ---- the start-up check --------------------------------------------------------------

std::vector<CatalogFunction> catalog_functions() {
  pqxx::nontransaction tx(blog_conn());
  std::vector<CatalogFunction> out;
  for (const auto& row : tx.exec(std::string(catalog_functions_query()))) {
    std::vector<std::optional<std::string>> cells;
    for (const auto& f : row)
      cells.push_back(f.is_null() ? std::nullopt : std::optional(f.as<std::string>()));
    auto parsed = catalog_function_from(cells);
    EXPECT_TRUE(parsed.has_value());
    if (parsed) out.push_back(std::move(*parsed));
  }
  return out;
}

TEST(MutationPg, TheBlogFunctionsPassTheStartUpCheck) {
  const auto functions = catalog_functions();
  EXPECT_EQ(check_mutations(*blog().mapping, functions), std::vector<std::string>{});
}

TEST(MutationPg, TheStartUpCheckNamesTheFieldAndTheFunction) {
  run_sql(
      "CREATE OR REPLACE FUNCTION fn_takes_int(n integer) RETURNS mutation_response LANGUAGE sql AS "
      "$$ SELECT NULL::mutation_response $$");
  run_sql(
      "CREATE OR REPLACE FUNCTION fn_returns_text(input jsonb) RETURNS text LANGUAGE sql AS $$ SELECT '' $$");
  auto built = build_fraiseql_schema(R"(
      type Post @view(name: "v_post") { id: ID! title: String! }
      type Ok @success { post: Post }
      type Bad @error { code: String! }
      union R = Ok | Bad
      type Query { post(id: ID!): Post }
      type Mutation {
        a(input: JSON): R! @function(name: "fn_missing")
        b(input: JSON): R! @function(name: "fn_takes_int")
        c(input: JSON): R! @function(name: "fn_returns_text")
        d(input: JSON): Ok @function(name: "fn_create_post")
        f(input: JSON): Ok
        e(input: JSON): R! @function(name: "public.fn_create_post")
      })",
                                     "s.graphql", testing::blog_mapping_options());
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(
      check_mutations(*built.mapping, catalog_functions()),
      (std::vector<std::string>{
          "Mutation field a: @function \"fn_missing\" does not exist (or is not on the search path)",
          "Mutation field b: @function \"fn_takes_int\" must take one argument of type jsonb; it takes "
          "(integer)",
          "Mutation field c: @function \"fn_returns_text\" returns text, not mutation_response "
          "(sql/mutation_response.sql)",
          "Mutation field d: returns Ok; a @function field returns a union of a @success and an @error type",
      }));
}

}  // namespace
}  // namespace fraiseql::sql
