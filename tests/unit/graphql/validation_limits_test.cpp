// Whole-document behaviour of validate(): every error at once and in graphql-js order,
// the error cap, FraiseQL's cost limits (MaxDepth, MaxAliases, MaxComplexity), and
// pathological documents that must finish (no timing is asserted).

#include <string>

#include <gtest/gtest.h>

#include "validation_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using testing::describe;
using testing::rules_of;
using testing::spec_only;
using testing::spec_schema;
using testing::validate_text;

// A FraiseQL-shaped schema: list fields with limit, a relay connection with first.
constexpr std::string_view kBlogSchema = R"gql(
type Query {
  users(limit: Int, offset: Int): [User!]!
  user(id: ID!): User
  posts(first: Int, after: String): PostConnection!
  node: Node
}
type User { id: ID! name: String! posts(limit: Int): [Post!]! friends: [User!]! }
type Post { id: ID! title: String! author: User comments: [Comment!]! }
type Comment { id: ID! body: String! }
type PostConnection { edges: [PostEdge!]! pageInfo: PageInfo! }
type PostEdge { cursor: String! node: Post! }
type PageInfo { hasNextPage: Boolean! }
type Node { id: ID! child: Node }
)gql";

const Schema& blog_schema() {
  static const std::shared_ptr<const Schema> schema = testing::build_test_schema(kBlogSchema);
  return *schema;
}

std::vector<GraphQLError> validate_defaults(const Schema& schema, std::string text) {
  return validate_text(schema, std::move(text), ValidationOptions{});
}

TEST(ValidationAllAtOnce, EveryErrorInDocumentOrder) {
  const auto errors = validate_text(spec_schema(), R"gql(
query Q($unused: Int, $unused: Int) {
  dog {
    nam
    name(x: 1)
    owner
    ...Missing
    ... on Cat { meowVolume }
  }
}
query Q { dog { name @skip(if: true) @skip(if: false) } }
fragment Unused on Dog { name }
)gql");
  EXPECT_EQ(rules_of(errors), (std::vector<std::string>{
                                  "UniqueVariableNames",
                                  "FieldsOnCorrectType",
                                  "KnownArgumentNames",
                                  "ScalarLeafs",
                                  "KnownFragmentNames",
                                  "PossibleFragmentSpreads",
                                  "NoUnusedVariables",
                                  "NoUnusedVariables",
                                  "UniqueOperationNames",
                                  "UniqueDirectivesPerLocation",
                                  "NoUnusedFragments",
                              }))
      << describe(errors);
  for (const GraphQLError& e : errors) {
    EXPECT_EQ(e.code, "GRAPHQL_VALIDATION_FAILED");
    EXPECT_FALSE(e.locations.empty()) << e.message;
  }
}

TEST(ValidationAllAtOnce, FragmentVariablesAreResolvedAfterTheWholeDocument) {
  // The fragment is defined after the operation; its usage still counts, and an
  // undefined one is reported at the operation, before the fragment's own errors.
  const auto errors = validate_text(spec_schema(), R"gql(
query Q($cmd: DogCommand!) { dog { ...F } }
fragment F on Dog { doesKnowCommand(dogCommand: $cmd) isHouseTrained(atOtherHomes: $home) nope }
)gql");
  EXPECT_EQ(rules_of(errors), (std::vector<std::string>{"NoUndefinedVariables", "FieldsOnCorrectType"}))
      << describe(errors);
  EXPECT_EQ(errors[0].message, "Variable \"$home\" is not defined by operation \"Q\".");
}

TEST(ValidationAllAtOnce, ErrorCapStopsAtMaxErrors) {
  std::string text = "{ dog {";
  for (int i = 0; i < 150; ++i) text += " f" + std::to_string(i);
  text += " } }";
  ValidationOptions options = spec_only();
  options.max_errors = 100;
  const auto errors = validate_text(spec_schema(), text, options);
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors[99].message, "Cannot query field \"f99\" on type \"Dog\".");
  EXPECT_EQ(errors[100].message, "Too many validation errors, error limit reached. Validation aborted.");
  options.max_errors = 0;  // unlimited
  EXPECT_EQ(validate_text(spec_schema(), text, options).size(), 150u);
}

TEST(ValidationLimits, DepthCountsFieldsThroughFragments) {
  const std::string ok = "{ user(id: 1) { friends { friends { name } } } }";  // depth 4
  EXPECT_TRUE(validate_defaults(blog_schema(), ok).empty());
  ValidationOptions options;
  options.max_depth = 3;
  auto errors = validate_text(
      blog_schema(),
      "query Deep { user(id: 1) { ...F } } fragment F on User { friends { friends { name } } }", options);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "MaxDepth");
  EXPECT_EQ(errors[0].code, "QUERY_TOO_COMPLEX");
  EXPECT_EQ(errors[0].message, "Operation \"Deep\" has a selection depth of 4, more than the limit of 3.");
}

TEST(ValidationLimits, AliasesCountOncePerSpread) {
  std::string fragment = "fragment F on User {";
  for (int i = 0; i < 10; ++i) fragment += " a" + std::to_string(i) + ": name";
  fragment += " }";
  // 10 aliases spread 3 times = 30: at the default limit.
  EXPECT_TRUE(validate_defaults(blog_schema(), "{ user(id: 1) { ...F ...F ...F } } " + fragment).empty());
  const auto errors =
      validate_defaults(blog_schema(), "{ user(id: 1) { ...F ...F ...F x: id } } " + fragment);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "MaxAliases");
  EXPECT_EQ(errors[0].message, "The anonymous operation uses 31 aliases, more than the limit of 30.");
}

TEST(ValidationLimits, ComplexityMultipliesListsBySizeArguments) {
  ValidationOptions options;
  options.max_complexity = 1;  // every operation fails: the message carries the cost
  auto cost_of = [&](const std::string& text) {
    const auto errors = validate_text(blog_schema(), text, options);
    for (const GraphQLError& e : errors) {
      if (e.rule == "MaxComplexity") {
        const auto at = e.message.find("cost of ") + 8;
        return std::stoull(e.message.substr(at, e.message.find(',', at) - at));
      }
    }
    ADD_FAILURE() << describe(errors);
    return 0ull;
  };
  // users: 1 + 10 × (posts: 1 + 10 × (comments: 1 + 10 × 1)) = 1111.
  EXPECT_EQ(cost_of("{ users { posts { comments { id } } } }"), 1111u);
  // An explicit limit replaces the default list size.
  EXPECT_EQ(cost_of("{ users(limit: 2) { posts(limit: 3) { id } } }"), 1u + 2u * (1u + 3u * 1u));
  // A connection's edges are paged by `first`, not multiplied again.
  EXPECT_EQ(cost_of("{ posts(first: 5) { edges { node { title } } } }"), 1u + 5u * (1u + 1u * (1u + 1u)));
  // A variable page size counts as the default list size.
  EXPECT_EQ(cost_of("query ($n: Int) { users(limit: $n) { id } }"), 1u + 10u);
  // Oversized literals are capped at max_list_size.
  EXPECT_EQ(cost_of("{ users(limit: 99999999999999999999) { id } }"), 1u + 1000u);
  // Within the default limit of 10,000 a nested query passes.
  EXPECT_TRUE(validate_defaults(blog_schema(), "{ users { posts { comments { id } } } }").empty());
}

TEST(ValidationLimits, IntrospectionQueryPassesWithDefaults) {
  // graphql-js getIntrospectionQuery() (16.15), as GraphiQL and codegen tools send it.
  const auto errors = validate_defaults(blog_schema(), R"gql(

    query IntrospectionQuery {
      __schema {
        
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          
          
          
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      
      
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      
      
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        name
        kind
        ofType {
          name
          kind
          ofType {
            name
            kind
            ofType {
              name
              kind
              ofType {
                name
                kind
                ofType {
                  name
                  kind
                  ofType {
                    name
                    kind
                    ofType {
                      name
                      kind
                      ofType {
                        name
                        kind
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  )gql");
  EXPECT_TRUE(errors.empty()) << describe(errors);
}

TEST(ValidationPathological, DeepNestingWithinParserLimits) {
  std::string text;
  const int depth = 120;
  text += "{ node";
  for (int i = 1; i < depth; ++i) text += " { child";
  text += " { id }";
  for (int i = 1; i < depth; ++i) text += " }";
  text += " }";
  const auto errors = validate_defaults(blog_schema(), text);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "MaxDepth");
  EXPECT_EQ(errors[0].message,
            "The anonymous operation has a selection depth of 121, more than the limit of 15.");
  EXPECT_TRUE(validate_text(blog_schema(), text).empty());  // spec rules alone: valid
}

TEST(ValidationPathological, TenThousandFieldsWithTheSameResponseName) {
  // graphql-js compares every pair of same-named fields and stops once its budget of
  // 500,000 work units is spent; so does FraiseQL, with graphql-js's message.
  std::string same = "{";
  for (int i = 0; i < 10'000; ++i) same += " id";
  same += " }";
  ParseOptions parse_options;
  parse_options.max_tokens = 100'000;
  ParseResult parsed = parse_document("{ user(id: 1) " + same + " }", parse_options);
  ASSERT_TRUE(parsed.ok());
  auto errors = validate(blog_schema(), parsed.document(), spec_only());
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].message, "Validation aborted.");

  // A few hundred differing fields: every pair conflicts and is reported.
  std::string differing = "{ user(id: 1) {";
  for (int i = 0; i < 300; ++i) differing += i % 2 == 0 ? " x: id" : " x: name";
  differing += " } }";
  ValidationOptions unlimited = spec_only();
  unlimited.max_errors = 0;
  errors = validate_text(blog_schema(), differing, unlimited);
  EXPECT_EQ(errors.size(), 150u * 150u) << (errors.empty() ? std::string() : errors[0].message);
  EXPECT_EQ(errors[0].rule, "OverlappingFieldsCanBeMerged");
}

TEST(ValidationPathological, ManyFragmentsSpreadingEachOther) {
  // Each fragment spreads the next twice: expanded, the document is 2^400 fields, but
  // each fragment is walked once and measured once.
  const int n = 400;
  std::string text = "{ user(id: 1) { ...F0 } }\n";
  for (int i = 0; i < n; ++i) {
    text += "fragment F" + std::to_string(i) + " on User { name";
    if (i + 1 < n) text += " ...F" + std::to_string(i + 1) + " ...F" + std::to_string(i + 1);
    text += " }\n";
  }
  auto errors = validate_defaults(blog_schema(), text);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "MaxComplexity");
  EXPECT_NE(errors[0].message.find("over 2^64"), std::string::npos) << errors[0].message;

  // Closing the chain into a cycle: NoFragmentCycles reports it once; comparing the
  // now-cyclic fragments for field merging then exhausts graphql-js's work budget, and
  // validation stops there as graphql-js 16.15 does (same two errors).
  text += "fragment Last on User { ...F0 }\nfragment F" + std::to_string(n) + " on User { ...Last }\n";
  text.replace(text.find("fragment F" + std::to_string(n - 1) + " on User { name"),
               std::string("fragment F" + std::to_string(n - 1) + " on User { name").size(),
               "fragment F" + std::to_string(n - 1) + " on User { name ...F" + std::to_string(n));
  errors = validate_text(blog_schema(), text);
  ASSERT_EQ(errors.size(), 2u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "NoFragmentCycles");
  EXPECT_EQ(errors[0].locations.size(), static_cast<std::size_t>(n + 2));
  EXPECT_EQ(errors[1].message, "Validation aborted.");
}

}  // namespace
}  // namespace fraiseql::graphql
