// @auth(roles:) on fields, on the types they return and on root types: each field a
// role may not read gets one FORBIDDEN error with its path; what it may read passes.

#include "fraiseql/exec/access.hpp"

#include <gtest/gtest.h>

#include "fraiseql/graphql/operation.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

namespace fraiseql::exec {
namespace {

using nlohmann::json;

constexpr const char* kSdl = R"(
type User @view(name: "v_user") {
  id: ID!
  name: String!
  email: String! @auth(roles: ["admin", "self"])
  salary: Salary
}
type Salary @auth(roles: "admin") { amount: Int! }
type AuditLog @view(name: "v_audit") { id: ID! }
type Query {
  users: [User!]!
  audit: [AuditLog!]! @auth(roles: ["admin"])
}
type Mutation @auth(roles: ["editor", "admin"]) { touch(id: ID!): User }
)";

const graphql::Schema& schema() {
  static auto built = graphql::build_schema(kSdl, "access_test.graphql");
  if (!built.ok()) throw std::runtime_error(built.error_text());
  static auto s = built.schema();
  return *s;
}

struct Checked {
  std::vector<std::string> paths;  // "a.b" per error
  std::vector<graphql::GraphQLError> errors;
};

Checked check(const std::string& text, const std::string& role, const json& variables = json::object()) {
  auto doc = graphql::parse(text);
  if (!doc.ok()) throw std::runtime_error(doc.error().message);
  std::string problem;
  const auto* op = graphql::get_operation(*doc, "", problem);
  if (op == nullptr) throw std::runtime_error(problem);
  Checked out;
  out.errors = check_access(schema(), *doc, *op, variables, role);
  for (const auto& e : out.errors) {
    std::string p;
    for (const auto& seg : e.path) p += (p.empty() ? "" : ".") + std::get<std::string>(seg);
    out.paths.push_back(p);
  }
  return out;
}

TEST(Access, FieldsWithoutAuthAreOpenToEveryRole) {
  EXPECT_TRUE(check("{ users { id name } }", "anonymous").errors.empty());
}

TEST(Access, AFieldsOwnAuthRefusesOtherRolesWithPathLocationAndCode) {
  auto c = check("{ users { id\n mail: email } }", "anonymous");
  ASSERT_EQ(c.paths, std::vector<std::string>{"users.mail"});
  EXPECT_EQ(c.errors[0].code, "FORBIDDEN");
  EXPECT_EQ(c.errors[0].message, "Not authorized to read User.email.");
  ASSERT_EQ(c.errors[0].locations.size(), 1u);
  EXPECT_EQ(c.errors[0].locations[0].line, 2u);
  EXPECT_TRUE(check("{ users { email } }", "self").errors.empty());
  EXPECT_TRUE(check("{ users { email } }", "admin").errors.empty());
}

TEST(Access, TheReturnedTypesAuthApplies) {
  EXPECT_EQ(check("{ users { salary { amount } } }", "self").paths, std::vector<std::string>{"users.salary"});
  EXPECT_TRUE(check("{ users { salary { amount } } }", "admin").errors.empty());
}

TEST(Access, EveryForbiddenFieldIsReportedAcrossFragmentsAndAliases) {
  auto c = check(R"(
    query { a: audit { id } users { ...U ... on User { e2: email } } }
    fragment U on User { email salary { amount } }
  )",
                 "anonymous");
  EXPECT_EQ(c.paths, (std::vector<std::string>{"a", "users.email", "users.salary", "users.e2"}));
}

TEST(Access, FieldsLeftOutBySkipOrIncludeAreNotChecked) {
  const std::string q = "query($show: Boolean!) { users { id email @include(if: $show) } }";
  EXPECT_TRUE(check(q, "anonymous", {{"show", false}}).errors.empty());
  EXPECT_EQ(check(q, "anonymous", {{"show", true}}).paths, std::vector<std::string>{"users.email"});
  EXPECT_TRUE(check("{ users { email @skip(if: true) } }", "anonymous").errors.empty());
}

TEST(Access, ARootTypesAuthCoversEachOfItsFields) {
  EXPECT_EQ(check("mutation { touch(id: 1) { id } }", "anonymous").paths, std::vector<std::string>{"touch"});
  EXPECT_TRUE(check("mutation { touch(id: 1) { id } }", "editor").errors.empty());
  // Still checked below the root: an editor may not read the email.
  EXPECT_EQ(check("mutation { touch(id: 1) { email } }", "editor").paths,
            std::vector<std::string>{"touch.email"});
}

TEST(Access, MetaFieldsAreAlwaysAllowed) {
  EXPECT_TRUE(check("{ __typename users { __typename } }", "anonymous").errors.empty());
}

TEST(Access, SchemaUsesAuthTellsWhetherTheCheckIsNeeded) {
  EXPECT_TRUE(schema_uses_auth(schema()));
  auto plain = graphql::build_schema("type Query { a: Int }", "plain.graphql");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(schema_uses_auth(*plain.schema()));
}

}  // namespace
}  // namespace fraiseql::exec
