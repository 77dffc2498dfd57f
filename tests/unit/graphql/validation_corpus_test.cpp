// Every validation case of the corpora in tests/corpus/graphql (see its README):
//  - the executable blocks of spec §5 (graphql-spec September2025), whose graphql-js
//    16.15 errors are recorded per rule: same rules, messages and locations expected;
//  - the graphql-cats validation scenarios (master and the unmerged PR #10), which run one
//    rule each: same verdict, error count and locations expected, except for the
//    scenarios the corpus README lists as out of date.

#include <iostream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "validation_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using nlohmann::json;
using testing::describe;

json load_corpus(const std::string& rel) {
  return json::parse(fraiseql::testing::read_file(fraiseql::testing::corpus_path("graphql/" + rel)));
}

TEST(ValidationCorpus, SpecExamplesMatchGraphqlJs) {
  const json examples = load_corpus("graphql-spec/spec-examples-September2025.json")["examples"];
  std::string schema_sdl;
  for (const json& e : examples) {
    if (e["id"] == "Section5-001") schema_sdl = e["text"];
  }
  ASSERT_FALSE(schema_sdl.empty());
  const auto schema = testing::build_test_schema(schema_sdl);
  ASSERT_NE(schema, nullptr);

  int total = 0;
  int passed = 0;
  int unsupported_operations = 0;
  for (const json& e : examples) {
    const json& js = e["graphqljs"];
    if (!js.contains("rulesViolated")) continue;
    ++total;
    const std::string id = e["id"];
    const auto errors = testing::validate_text(*schema, e["text"].get<std::string>());
    // Group ours by rule, as the corpus does. KnownOperationTypes is not among graphql-js
    // 16's rules: it fires on the spec's subscription snippets (the example schema has no
    // Subscription type) and is counted apart.
    std::map<std::string, std::vector<const GraphQLError*>> ours;
    for (const GraphQLError& err : errors) {
      if (err.rule == "KnownOperationTypes") {
        EXPECT_EQ(err.message, "The subscription operation is not supported by the schema.") << id;
        ++unsupported_operations;
        continue;
      }
      ours[err.rule].push_back(&err);
    }
    bool same = ours.size() == js["rulesViolated"].size();
    for (const auto& [rule, expected] : js["rulesViolated"].items()) {
      auto it = ours.find(rule);
      if (it == ours.end() || it->second.size() != expected.size()) {
        same = false;
        continue;
      }
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const GraphQLError& got = *it->second[i];
        EXPECT_EQ(got.message, expected[i]["message"].get<std::string>()) << id;
        const json& locations = expected[i]["locations"];
        if (got.locations.size() != locations.size()) {
          same = false;
          continue;
        }
        for (std::size_t k = 0; k < locations.size(); ++k) {
          same = same && got.locations[k].line == locations[k]["line"].get<uint32_t>() &&
                 got.locations[k].column == locations[k]["column"].get<uint32_t>();
        }
        same = same && got.message == expected[i]["message"].get<std::string>();
      }
    }
    EXPECT_TRUE(same) << id << ": graphql-js reported " << js["rulesViolated"].dump() << "\nours:\n"
                      << describe(errors);
    passed += same ? 1 : 0;
  }
  std::cout << "[ corpus   ] spec §5 examples: " << passed << "/" << total << " match graphql-js\n";
  EXPECT_EQ(total, 86);
  EXPECT_EQ(passed, total);
  EXPECT_EQ(unsupported_operations, 6);  // Section5-011 to -016
}

// The cats schemas use resolver directives of the cats harness; declare them.
constexpr std::string_view kCatsDirectives = R"(
directive @enumInt(value: Int) on ENUM_VALUE
directive @argumentsJson on FIELD_DEFINITION
directive @resolveEmptyObject on FIELD_DEFINITION
directive @resolveString(value: String!) on FIELD_DEFINITION
directive @resolvePromiseRejectList(values: [String]) on FIELD_DEFINITION
directive @resolveErrorList(values: [String]) on FIELD_DEFINITION
directive @resolvePromise on FIELD_DEFINITION
directive @resolvePromiseString(value: String!) on FIELD_DEFINITION
directive @resolveError(message: String) on FIELD_DEFINITION
directive @resolvePromiseReject(message: String) on FIELD_DEFINITION
)";

// PR #10's schema takes output types as arguments (invalid): those two fields are dropped.
std::string cats_schema(const std::string& sdl) {
  std::string out;
  std::size_t start = 0;
  while (start < sdl.size()) {
    std::size_t end = sdl.find('\n', start);
    if (end == std::string::npos) end = sdl.size();
    const std::string line = sdl.substr(start, end - start);
    if (line.find("unionField(") == std::string::npos && line.find("interfaceField(") == std::string::npos) {
      out += line + "\n";
    }
    start = end + 1;
  }
  return out + std::string(kCatsDirectives);
}

// 2016 rule names used by PR #10.
std::string current_rule_name(const std::string& name) {
  if (name == "ArgumentsOfCorrectType" || name == "DefaultValuesOfCorrectType") return "ValuesOfCorrectType";
  if (name == "ProvidedNonNullArguments") return "ProvidedRequiredArguments";
  return name;
}

TEST(ValidationCorpus, GraphqlCatsScenarios) {
  const json tests = load_corpus("graphql-cats/scenarios.json")["tests"];
  // Out of date upstream (corpus README): non-null variables may have defaults since
  // 2018, and graphql-js reports every anonymous operation.
  const std::set<std::string> outdated = {
      "no required variables with default values",
      "multiple anonymous operations",
  };
  // These select the argument fields dropped from PR #10's invalid schema.
  const std::set<std::string> need_invalid_schema = {
      "member is subtype of union",
      "implementation is subtype of interface",
      "not part of the union",
      "doesn't implement the interface",
  };
  int total = 0;
  int passed = 0;
  std::vector<std::string> failed;
  for (const json& t : tests) {
    if (!t["when"].contains("validate") || t["query"].is_null() || t["schema"].is_null()) continue;
    const std::string name = t["name"];
    if (need_invalid_schema.contains(name)) continue;
    ++total;
    // PR #10 recorded 2016 positions (README): only master's locations are compared.
    const bool compare_locations = t["origin"] == "master";
    const auto schema = testing::build_test_schema(cats_schema(t["schema"]));
    if (schema == nullptr) {
      failed.push_back(name + " (schema)");
      continue;
    }
    std::set<std::string> rules;
    for (const json& r : t["when"]["validate"]) rules.insert(current_rule_name(r));
    std::vector<GraphQLError> errors;
    for (GraphQLError& e : testing::validate_text(*schema, t["query"].get<std::string>())) {
      if (rules.contains(e.rule)) errors.push_back(std::move(e));
    }
    bool ok = true;
    for (const json& expectation : t["then"]) {
      if (expectation.contains("passes")) ok = ok && errors.empty();
      if (expectation.contains("error-count"))
        ok = ok && errors.size() == expectation["error-count"].get<std::size_t>();
      if (expectation.contains("loc") && compare_locations) {
        // Lenient, as the README advises: the location must be among the errors'.
        const uint32_t line = expectation["loc"]["line"];
        const uint32_t column = expectation["loc"]["column"];
        bool found = false;
        for (const GraphQLError& e : errors) {
          for (const Location& l : e.locations) found = found || (l.line == line && l.column == column);
        }
        // graphql-js 16 (and FraiseQL) put ScalarLeafs errors at the selection set, on
        // the field's line; cats expects the field's column.
        for (const GraphQLError& e : errors) {
          for (const Location& l : e.locations) found = found || (e.rule == "ScalarLeafs" && l.line == line);
        }
        ok = ok && found;
      }
    }
    if (ok) {
      ++passed;
      EXPECT_FALSE(outdated.contains(name)) << name << " now agrees; drop it from the outdated list";
    } else if (!outdated.contains(name)) {
      failed.push_back(name);
      ADD_FAILURE() << "cats: " << name << "\nexpected " << t["then"].dump() << "\nours:\n"
                    << describe(errors);
    }
  }
  std::cout << "[ corpus   ] graphql-cats validation scenarios: " << passed << "/" << total << " agree ("
            << outdated.size() << " out of date upstream, " << need_invalid_schema.size()
            << " not run: they need an invalid schema)\n";
  EXPECT_EQ(total, 100);
  EXPECT_EQ(passed + static_cast<int>(outdated.size()), total);
}

// The two graphql-cats "validation" scenarios that have a schema and no query: the
// duplicate is in the SDL itself, so it is the schema builder that must reject it, once,
// at the second name (the position the scenario gives).
TEST(ValidationCorpus, GraphqlCatsSchemaOnlyScenarios) {
  const json tests = load_corpus("graphql-cats/scenarios.json")["tests"];
  int n = 0;
  for (const json& t : tests) {
    if (!t["when"].contains("validate") || !t["query"].is_null() || !t["schema"].is_string()) continue;
    ++n;
    const std::string name = t["name"];
    SchemaBuildOptions options;
    options.fraiseql_prelude = false;
    options.require_query_type = false;  // the snippets define no Query type
    const SchemaBuildResult r = build_schema(t["schema"].get<std::string>(), "cats.graphql", options);
    ASSERT_FALSE(r.ok()) << name;
    for (const json& expectation : t["then"]) {
      if (expectation.contains("error-count")) {
        EXPECT_EQ(r.errors().size(), expectation["error-count"].get<std::size_t>()) << name << "\n"
                                                                                    << r.error_text();
      }
      if (expectation.contains("loc")) {
        ASSERT_FALSE(r.errors().empty()) << name;
        EXPECT_EQ(r.errors()[0].loc.line, expectation["loc"]["line"].get<uint32_t>()) << name;
        EXPECT_EQ(r.errors()[0].loc.column, expectation["loc"]["column"].get<uint32_t>()) << name;
      }
    }
  }
  EXPECT_EQ(n, 2);  // duplicate argument names; duplicate input field names
}

}  // namespace
}  // namespace fraiseql::graphql
