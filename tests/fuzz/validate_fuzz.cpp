// Fuzzes parse + validate against the differential test's blog schema
// (tests/differential/blog.graphql, read once at start-up). Beyond "no crash, no leak,
// no UB" it checks two properties of validate():
//  - every error is well formed (message, code, rule of a spec error, 1-based locations);
//  - the verdict does not depend on layout: the printed document gets the same errors
//    (rule and message; locations move).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/printer.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/graphql/validation.hpp"

#ifndef FRAISEQL_FUZZ_BLOG_SCHEMA
#error "FRAISEQL_FUZZ_BLOG_SCHEMA must name tests/differential/blog.graphql"
#endif

namespace {

namespace gql = fraiseql::graphql;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s\n%s\n", what, detail.c_str());
  std::abort();
}

std::shared_ptr<const gql::Schema> g_schema;

std::vector<std::pair<std::string, std::string>> verdict(const std::vector<gql::GraphQLError>& errors) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(errors.size());
  for (const gql::GraphQLError& e : errors) out.emplace_back(e.rule, e.message);
  std::sort(out.begin(), out.end());
  return out;
}

std::string describe(const std::vector<gql::GraphQLError>& errors) {
  std::string out;
  for (const gql::GraphQLError& e : errors) out += "[" + e.rule + "] " + e.message + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  std::ifstream in(FRAISEQL_FUZZ_BLOG_SCHEMA, std::ios::binary);
  std::stringstream sdl;
  sdl << in.rdbuf();
  auto built = gql::build_schema(sdl.str(), "blog.graphql");
  if (!built.ok()) fail("blog schema does not build:", built.error_text());
  g_schema = built.schema();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  gql::ParseOptions parse_options;
  parse_options.max_document_bytes = 64 * 1024;
  gql::ParseResult parsed =
      gql::parse_document(std::string(reinterpret_cast<const char*>(data), size), parse_options);
  if (!parsed.ok()) return 0;

  // Small limits so the cost rules fire too; max_errors low enough to hit the cap.
  gql::ValidationOptions options;
  options.max_errors = 50;
  options.max_depth = 8;
  options.max_aliases = 10;
  options.max_complexity = 2'000;
  const std::vector<gql::GraphQLError> errors = gql::validate(*g_schema, parsed.document(), options);
  for (const gql::GraphQLError& e : errors) {
    if (e.message.empty() || e.code.empty()) fail("error without message or code:", describe(errors));
    if (e.code == gql::code::kValidationFailed && e.rule.empty() &&
        e.message.find("Validation aborted.") == std::string::npos) {
      fail("spec error without a rule:", describe(errors));
    }
    for (const gql::Location& l : e.locations) {
      if (l.line == 0 || l.column == 0) fail("location not 1-based:", describe(errors));
    }
  }

  // A valid operation's variables coerce from an empty object without crashing.
  if (errors.empty()) {
    for (const gql::Definition* def : parsed.document().definitions()) {
      if (const auto* op = gql::as<gql::OperationDefinition>(def)) {
        (void)gql::coerce_variable_values(*g_schema, *op, nlohmann::json::object());
      }
    }
  }

  const std::string printed = gql::print(parsed.document());
  gql::ParseOptions relaxed = parse_options;
  relaxed.max_document_bytes = printed.size() + 1;
  gql::ParseResult reparsed = gql::parse_document(printed, relaxed);
  if (!reparsed.ok()) fail("printed document does not parse:", gql::format_parse_error(reparsed.error()));
  const std::vector<gql::GraphQLError> again = gql::validate(*g_schema, reparsed.document(), options);
  if (verdict(errors) != verdict(again)) {
    fail("printing changed the verdict:",
         "original:\n" + describe(errors) + "printed:\n" + describe(again) + "document:\n" + printed);
  }
  return 0;
}
