#pragma once
// Helpers shared by the validation tests: the spec's example schema, validate-a-string,
// and rule-name checks.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fraiseql/graphql/parser.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/graphql/validation.hpp"

#include "test_env.hpp"

namespace fraiseql::graphql::testing {

/// The type system used by every example of spec §5 (graphql-spec September2025,
/// "The examples in this section will use the following types").
inline constexpr std::string_view kSpecSchema = R"(
type Query {
  dog: Dog
  findDog(searchBy: FindDogInput): Dog
}

type Mutation {
  addPet(pet: PetInput!): Pet
  addPets(pets: [PetInput!]!): [Pet]
}

enum DogCommand {
  SIT
  DOWN
  HEEL
}

type Dog implements Pet {
  name: String!
  nickname: String
  barkVolume: Int
  doesKnowCommand(dogCommand: DogCommand!): Boolean!
  isHouseTrained(atOtherHomes: Boolean): Boolean!
  owner: Human
}

interface Sentient {
  name: String!
}

interface Pet {
  name: String!
}

type Alien implements Sentient {
  name: String!
  homePlanet: String
}

type Human implements Sentient {
  name: String!
  pets: [Pet!]
}

enum CatCommand {
  JUMP
}

type Cat implements Pet {
  name: String!
  nickname: String
  doesKnowCommand(catCommand: CatCommand!): Boolean!
  meowVolume: Int
}

union CatOrDog = Cat | Dog
union DogOrHuman = Dog | Human
union HumanOrAlien = Human | Alien

input FindDogInput {
  name: String
  owner: String
}

input CatInput {
  name: String!
  nickname: String
  meowVolume: Int
}

input DogInput {
  name: String!
  nickname: String
  barkVolume: Int
}

input PetInput @oneOf {
  cat: CatInput
  dog: DogInput
}
)";

/// Builds a schema without the FraiseQL prelude (graphql-js sees the same types);
/// fails the test and returns nullptr when it does not build.
inline std::shared_ptr<const Schema> build_test_schema(std::string_view sdl) {
  SchemaBuildOptions options;
  options.fraiseql_prelude = false;
  SchemaBuildResult r = build_schema(std::string(sdl), "test.graphql", options);
  if (!r.ok()) {
    ADD_FAILURE() << "schema does not build:\n" << r.error_text();
    return nullptr;
  }
  return r.schema();
}

inline const Schema& spec_schema() {
  static const std::shared_ptr<const Schema> schema = build_test_schema(kSpecSchema);
  return *schema;
}

/// Options that run the spec rules only (no cost limits).
inline ValidationOptions spec_only() {
  ValidationOptions o;
  o.max_depth = 0;
  o.max_aliases = 0;
  o.max_complexity = 0;
  return o;
}

/// Parses `source` (failing the test when it does not parse) and validates it.
inline std::vector<GraphQLError> validate_text(const Schema& schema, std::string source,
                                               const ValidationOptions& options = spec_only()) {
  ParseResult r = parse_document(std::move(source));
  if (!r.ok()) {
    ADD_FAILURE() << "unexpected parse error: " << format_parse_error(r.error());
    return {};
  }
  return validate(schema, r.document(), options);
}

/// Rule names of the errors, in order.
inline std::vector<std::string> rules_of(const std::vector<GraphQLError>& errors) {
  std::vector<std::string> out;
  for (const GraphQLError& e : errors) out.push_back(e.rule);
  return out;
}

inline bool has_rule(const std::vector<GraphQLError>& errors, std::string_view rule) {
  return std::any_of(errors.begin(), errors.end(), [&](const GraphQLError& e) { return e.rule == rule; });
}

/// Every message, one per line, for failure output.
inline std::string describe(const std::vector<GraphQLError>& errors) {
  std::string out;
  for (const GraphQLError& e : errors) {
    out += "  [" + e.rule + "] " + e.message;
    for (const Location& l : e.locations)
      out += " (" + std::to_string(l.line) + ":" + std::to_string(l.column) + ")";
    out += "\n";
  }
  return out;
}

}  // namespace fraiseql::graphql::testing
