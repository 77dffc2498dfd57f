// Fuzzes variable coercion (spec §6.1.2 CoerceVariableValues): the input is the request's
// "variables" JSON, coerced against the variable definitions of one fixed operation that
// uses every scalar FraiseQL supports, enums, input objects (nested, recursive, @oneOf),
// lists, non-null wrappers and defaults. The input is also given as the value of every
// variable at once. Beyond "no crash, no leak, no UB" it checks:
//  - a failure reports at least one BAD_USER_INPUT error with the definition's location;
//  - coercion is idempotent: coerced values coerce again to themselves.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/coercion.hpp"
#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/graphql/validation.hpp"

namespace {

namespace gql = fraiseql::graphql;
using nlohmann::json;

constexpr const char* kSchema = R"(
enum Color { RED GREEN BLUE }
input Range { min: Int max: Int = 10 }
input Filter {
  name: String
  color: Color = RED
  tags: [String!]
  range: Range
  and: [Filter!]
  not: Filter
  required: Boolean!
}
input Key @oneOf { id: ID uuid: UUID email: String }
type Query {
  run(
    i: Int, f: Float, s: String, b: Boolean, id: ID, dt: DateTime, d: Date, u: UUID,
    j: JSON, bi: BigInt, dec: Decimal, c: Color, filter: Filter, key: Key,
    ints: [Int], matrix: [[Float!]], colors: [Color!]!, n: Int!, keys: [Key!]
  ): Int
}
)";

constexpr const char* kOperation = R"(
query Q(
  $i: Int, $f: Float, $s: String = "x", $b: Boolean, $id: ID, $dt: DateTime, $d: Date,
  $u: UUID, $j: JSON, $bi: BigInt, $dec: Decimal, $c: Color = GREEN,
  $filter: Filter = {required: true, range: {min: 1}}, $key: Key, $ints: [Int],
  $matrix: [[Float!]], $colors: [Color!]! = [RED], $n: Int!, $keys: [Key!]
) {
  run(i: $i, f: $f, s: $s, b: $b, id: $id, dt: $dt, d: $d, u: $u, j: $j, bi: $bi, dec: $dec,
      c: $c, filter: $filter, key: $key, ints: $ints, matrix: $matrix, colors: $colors, n: $n,
      keys: $keys)
}
)";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s\n%s\n", what, detail.c_str());
  std::abort();
}

std::shared_ptr<const gql::Schema> g_schema;
std::unique_ptr<gql::Document> g_document;
const gql::OperationDefinition* g_operation = nullptr;

void check(const json& variables) {
  const gql::CoercedValues coerced = gql::coerce_variable_values(*g_schema, *g_operation, variables);
  if (!coerced.ok()) {
    for (const gql::GraphQLError& e : coerced.errors) {
      if (e.code != gql::code::kBadUserInput || e.message.empty() || e.locations.empty())
        fail("malformed coercion error:", e.to_json());
    }
    return;
  }
  const gql::CoercedValues again = gql::coerce_variable_values(*g_schema, *g_operation, coerced.values);
  if (!again.ok())
    fail("coerced values do not coerce again:", coerced.values.dump() + "\n" + again.errors[0].to_json());
  if (again.values != coerced.values)
    fail("coercion is not idempotent:", coerced.values.dump() + "\n" + again.values.dump());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  auto built = gql::build_schema(kSchema, "coercion.graphql");
  if (!built.ok()) fail("schema does not build:", built.error_text());
  g_schema = built.schema();
  gql::ParseResult parsed = gql::parse_document(kOperation);
  if (!parsed.ok()) fail("operation does not parse:", gql::format_parse_error(parsed.error()));
  g_document = std::make_unique<gql::Document>(std::move(parsed).document());
  const auto errors = gql::validate(*g_schema, *g_document);
  if (!errors.empty()) fail("operation is not valid:", errors[0].message);
  g_operation = gql::as<gql::OperationDefinition>(g_document->definitions()[0]);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const json input = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  check(input);
  // The same value given to every variable, so that every type sees every JSON shape.
  json all = json::object();
  for (const gql::VariableDefinition* def : g_operation->variable_definitions)
    all[std::string(def->variable->name.value)] = input;
  check(all);
  return 0;
}
