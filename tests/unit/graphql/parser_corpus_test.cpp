// The parser against the public corpora in tests/corpus/graphql, with graphql-js 16 as
// the reference for outcomes and error messages.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/graphql/parser.hpp"

#include "parser_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using nlohmann::json;
using testing::corpus;
using testing::parse_ok;

json load_json(const std::string& rel) {
  return json::parse(corpus(rel));
}

std::size_t count_kind(const Document& doc, NodeKind kind) {
  std::size_t n = 0;
  for (const Definition* d : doc.definitions()) n += d->kind == kind ? 1 : 0;
  return n;
}

TEST(ParserCorpus, LibgraphqlparserParseCasesMatchGraphqlJs) {
  json cases = load_json("libgraphqlparser/parse-cases.json")["cases"];
  ASSERT_EQ(cases.size(), 56u);
  int ok = 0;
  int errors = 0;
  for (const json& c : cases) {
    const std::string id = c["id"];
    const std::string text = c["text"];
    const json& js = c["graphqljs"];
    ParseResult r = parse_document(text);
    if (c["expect"] == "parse-ok") {
      ++ok;
      EXPECT_TRUE(r.ok()) << id << ": " << (r.ok() ? "" : format_parse_error(r.error()));
      if (r.ok() && c.contains("documentKind")) {
        EXPECT_EQ(r.document().is_executable(), c["documentKind"] == "executable") << id;
      }
    } else {
      ++errors;
      ASSERT_FALSE(r.ok()) << id << " parsed: " << text;
      // Same message and position as graphql-js.
      EXPECT_EQ(r.error().message, js["message"].get<std::string>()) << id;
      EXPECT_EQ(r.error().loc.line, js["locations"][0]["line"].get<uint32_t>()) << id;
      EXPECT_EQ(r.error().loc.column, js["locations"][0]["column"].get<uint32_t>()) << id;
    }
  }
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(errors, 26);
}

TEST(ParserCorpus, ValidUnicodeEscapeDecodes) {
  Document doc = parse_ok("{ field(arg:\"\\u0009Hello\") }");
  const auto* op = testing::only_definition<OperationDefinition>(doc);
  ASSERT_NE(op, nullptr);
  const auto* field = as<Field>(op->selection_set->selections[0]);
  ASSERT_NE(field, nullptr);
  const auto* s = as<StringValue>(field->arguments[0]->value);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value, "\tHello");
}

TEST(ParserCorpus, GraphqlJsKitchenSinkQuery) {
  Document doc = parse_ok(corpus("graphql-js/kitchen-sink-query.graphql"));
  EXPECT_TRUE(doc.is_executable());
  EXPECT_EQ(doc.operation_count(), 5u);
  EXPECT_EQ(count_kind(doc, NodeKind::kFragmentDefinition), 1u);
}

TEST(ParserCorpus, GraphqlJsBenchmarkKitchenSink) {
  Document doc = parse_ok(corpus("graphql-js/benchmark-kitchen-sink.graphql"));
  EXPECT_TRUE(doc.is_executable());
  EXPECT_GE(doc.definitions().size(), 2u);
}

TEST(ParserCorpus, GraphqlJsKitchenSinkSdl) {
  Document doc = parse_ok(corpus("graphql-js/kitchen-sink-sdl.graphql"));
  EXPECT_FALSE(doc.is_executable());
  EXPECT_EQ(count_kind(doc, NodeKind::kSchemaDefinition), 1u);
  EXPECT_EQ(count_kind(doc, NodeKind::kSchemaExtension), 2u);
  EXPECT_EQ(count_kind(doc, NodeKind::kDirectiveDefinition), 4u);
  EXPECT_EQ(count_kind(doc, NodeKind::kObjectTypeExtension), 2u);
  EXPECT_GE(count_kind(doc, NodeKind::kInputObjectTypeExtension), 2u);
  bool saw_repeatable = false;
  for (const Definition* d : doc.definitions()) {
    if (const auto* dir = as<DirectiveDefinition>(d)) saw_repeatable |= dir->repeatable;
  }
  EXPECT_TRUE(saw_repeatable);
}

TEST(ParserCorpus, LibgraphqlparserKitchenSinks) {
  // The JSON files are libgraphqlparser's AST dumps; compare the definitions' kinds.
  for (const char* name : {"kitchen-sink", "schema-kitchen-sink"}) {
    const std::string base = std::string("libgraphqlparser/") + name;
    Document doc = parse_ok(corpus(base + ".graphql"));
    json ast = load_json(base + ".json");
    const json& defs = ast["definitions"];
    ASSERT_EQ(doc.definitions().size(), defs.size()) << name;
    for (std::size_t i = 0; i < defs.size(); ++i) {
      std::string kind = defs[i]["kind"];
      if (kind == "TypeExtensionDefinition") kind = "ObjectTypeExtension";  // its older name
      EXPECT_EQ(to_string(doc.definitions()[i]->kind), kind) << name << " #" << i;
      // kitchen-sink.json predates a later edit of its .graphql (a longer block string),
      // so only the schema dump's positions still match the text.
      if (std::string(name) == "schema-kitchen-sink") {
        EXPECT_EQ(doc.definitions()[i]->loc.line, defs[i]["loc"]["start"]["line"].get<uint32_t>()) << i;
        EXPECT_EQ(doc.definitions()[i]->loc.column, defs[i]["loc"]["start"]["column"].get<uint32_t>()) << i;
      }
    }
  }
}

TEST(ParserCorpus, GithubSchemaParses) {
  const std::string text = corpus("graphql-js/github-schema.graphql");
  ASSERT_GT(text.size(), 300'000u);
  Document doc = parse_ok(text);
  EXPECT_EQ(doc.definitions().size(), 540u);
  EXPECT_FALSE(doc.is_executable());
  // 19,882 tokens: within the default limit, refused cleanly below it.
  EXPECT_TRUE(parse_document(text).ok());
  ParseOptions tight;
  tight.max_tokens = 19'000;
  ParseResult limited = parse_document(text, tight);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().message,
            "Syntax Error: Document contains more than 19000 tokens. Parsing aborted.");
}

TEST(ParserCorpus, SpecExamplesAgreeWithGraphqlJs) {
  json spec = load_json("graphql-spec/spec-examples-September2025.json");
  int parsed = 0;
  int failed = 0;
  for (const json& ex : spec["examples"]) {
    if (!ex.contains("graphqljs")) continue;
    const std::string id = ex["id"];
    const json& js = ex["graphqljs"];
    ParseResult r = parse_document(ex["text"].get<std::string>());
    if (js["parse"] == "ok") {
      ++parsed;
      EXPECT_TRUE(r.ok()) << id << ": " << (r.ok() ? "" : format_parse_error(r.error()));
      if (r.ok() && js.contains("executable")) {
        EXPECT_EQ(r.document().is_executable(), js["executable"].get<bool>()) << id;
      }
    } else {
      ++failed;
      ASSERT_FALSE(r.ok()) << id;
      EXPECT_EQ(r.error().message, js["message"].get<std::string>()) << id;
      EXPECT_EQ(r.error().loc.line, js["locations"][0]["line"].get<uint32_t>()) << id;
      EXPECT_EQ(r.error().loc.column, js["locations"][0]["column"].get<uint32_t>()) << id;
    }
  }
  EXPECT_EQ(parsed, 199);
  EXPECT_EQ(failed, 4);
}

TEST(ParserCorpus, GraphqlCatsParsingScenarios) {
  json cats = load_json("graphql-cats/scenarios.json");
  int n = 0;
  for (const json& t : cats["tests"]) {
    if (!t["when"].contains("parse")) continue;
    ++n;
    const std::string name = t["name"];
    bool expect_ok = false;
    bool expect_error = false;
    for (const json& then : t["then"]) {
      expect_ok |= then.value("passes", false);
      expect_error |= then.value("syntax-error", false);
    }
    ASSERT_NE(expect_ok, expect_error) << name;
    ParseResult r = parse_document(t["query"].get<std::string>());
    EXPECT_EQ(r.ok(), expect_ok) << name << (r.ok() ? "" : ": " + format_parse_error(r.error()));
  }
  EXPECT_EQ(n, 17);
}

TEST(ParserCorpus, GraphqlCatsValidationDocumentsParse) {
  // Every query and schema the validation scenarios use is syntactically valid, except
  // the pr10 schema written with the pre-2018 `implements A, B` syntax.
  json cats = load_json("graphql-cats/scenarios.json");
  int n = 0;
  for (const json& t : cats["tests"]) {
    if (!t["when"].contains("validate") || !t["query"].is_string()) continue;
    ++n;
    ParseResult q = parse_document(t["query"].get<std::string>());
    EXPECT_TRUE(q.ok()) << t["name"] << (q.ok() ? "" : ": " + format_parse_error(q.error()));
    if (t["origin"] == "master" && t["schema"].is_string()) {
      ParseResult s = parse_document(t["schema"].get<std::string>());
      EXPECT_TRUE(s.ok()) << t["name"];
    }
  }
  EXPECT_GT(n, 100);
  EXPECT_TRUE(parse_document(corpus("graphql-cats/unmerged-pr10/validation.schema.modern.graphql")).ok());
  EXPECT_FALSE(parse_document(corpus("graphql-cats/unmerged-pr10/validation.schema.graphql")).ok());
}

}  // namespace
}  // namespace fraiseql::graphql
