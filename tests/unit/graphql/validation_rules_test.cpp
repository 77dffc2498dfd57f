// One test per validation rule of spec §5, built from the specification's own examples
// (graphql-spec September2025, Section 5): every `example` block must not be reported
// by the rule its section describes, every `counter-example` must be. Snippets are
// validated against the section's example schema, so they may trip other rules (a
// fragment-only snippet is unused, some use fields the schema lacks); only the rule of
// the section is asserted here. Exact messages and locations are checked against
// graphql-js 16 in validation_corpus_test.cpp and in the targeted tests below.

#include <gtest/gtest.h>

#include "validation_test_util.hpp"

namespace fraiseql::graphql {
namespace {

using testing::describe;
using testing::has_rule;
using testing::spec_schema;
using testing::validate_text;

// The example schema with the additions the spec makes along the way (Leaf Field
// Selections, Argument Names, Abstract Spreads in Abstract Scope, Variables Are Input
// Types), so that every snippet is read in the context the spec gives it.
constexpr std::string_view kSpecAdditions = R"gql(
extend type Query {
  human: Human
  pet: Pet
  catOrDog: CatOrDog
  arguments: Arguments
  booleanList(booleanListArg: [Boolean!]): Boolean
}

type Arguments {
  multipleRequirements(x: Int!, y: Int!): Int!
  booleanArgField(booleanArg: Boolean): Boolean
  floatArgField(floatArg: Float): Float
  intArgField(intArg: Int): Int
  nonNullBooleanArgField(nonNullBooleanArg: Boolean!): Boolean!
  booleanListArgField(booleanListArg: [Boolean]!): [Boolean]
  optionalNonNullBooleanArgField(optionalBooleanArg: Boolean! = false): Boolean!
  # Used by the All Variable Usages Are Allowed examples without being defined.
  nonNullBooleanListField(nonNullBooleanListArg: [Boolean]!): Boolean
}

interface Node {
  id: ID!
}

interface Resource implements Node {
  id: ID!
  url: String
}
)gql";

const Schema& context_schema() {
  static const std::shared_ptr<const Schema> schema =
      testing::build_test_schema(std::string(testing::kSpecSchema) + std::string(kSpecAdditions));
  return *schema;
}

// The spec's subscription examples assume a Subscription root the example schema lacks.
const Schema& subscription_schema() {
  static const std::shared_ptr<const Schema> schema = testing::build_test_schema(
      std::string(testing::kSpecSchema) + std::string(kSpecAdditions) +
      "type Message { body: String sender: String }\n"
      "type Subscription { newMessage: Message disallowedSecondRootField: Boolean }\n");
  return *schema;
}

// The spec's own verdicts, so its stricter @oneOf variable rule is on.
ValidationOptions spec_verdicts() {
  ValidationOptions o = testing::spec_only();
  o.strict_one_of = true;
  return o;
}

void expect_reported(const Schema& schema, std::string_view rule, std::string text) {
  const auto errors = validate_text(schema, text, spec_verdicts());
  EXPECT_TRUE(has_rule(errors, rule)) << rule << " not reported for:\n"
                                      << text << "errors:\n"
                                      << describe(errors);
}

void expect_not_reported(const Schema& schema, std::string_view rule, std::string text) {
  const auto errors = validate_text(schema, text, spec_verdicts());
  EXPECT_FALSE(has_rule(errors, rule)) << rule << " reported for:\n"
                                       << text << "errors:\n"
                                       << describe(errors);
}

// https://spec.graphql.org/September2025/#sec-Operation-Type-Existence
TEST(ValidationSpecExamples, OperationTypeExistence) {
  // The section's own schema (Section5-003) has a Query root only.
  const auto hello = testing::build_test_schema("type Query {\n  hello: String\n}\n");
  ASSERT_NE(hello, nullptr);
  expect_not_reported(*hello, "KnownOperationTypes", R"gql(query helloQuery {
  hello
}
)gql");  // Section5-004
  const auto errors = validate_text(*hello, R"gql(mutation goodbyeMutation {
  goodbye
}
)gql");  // Section5-005
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "KnownOperationTypes");
  EXPECT_EQ(errors[0].message, "The mutation operation is not supported by the schema.");
  ASSERT_EQ(errors[0].locations.size(), 1u);
  EXPECT_EQ(errors[0].locations[0].line, 1u);
  EXPECT_EQ(errors[0].locations[0].column, 1u);
  expect_reported(*hello, "KnownOperationTypes", "subscription { hello }");
  // With a Mutation root, the same operation is checked field by field instead.
  expect_not_reported(context_schema(), "KnownOperationTypes", "mutation goodbyeMutation { goodbye }");
  expect_reported(context_schema(), "FieldsOnCorrectType", "mutation goodbyeMutation { goodbye }");
}

// https://spec.graphql.org/September2025/#sec-Operation-Name-Uniqueness
TEST(ValidationSpecExamples, OperationNameUniqueness) {
  expect_not_reported(context_schema(), "UniqueOperationNames", R"gql(query getDogName {
  dog {
    name
  }
}

query getOwnerName {
  dog {
    owner {
      name
    }
  }
}
)gql");  // Section5-006
  expect_reported(context_schema(), "UniqueOperationNames", R"gql(query getName {
  dog {
    name
  }
}

query getName {
  dog {
    owner {
      name
    }
  }
}
)gql");  // Section5-007
  expect_reported(context_schema(), "UniqueOperationNames", R"gql(query dogOperation {
  dog {
    name
  }
}

mutation dogOperation {
  mutateDog {
    id
  }
}
)gql");  // Section5-008
}

// https://spec.graphql.org/September2025/#sec-Lone-Anonymous-Operation
TEST(ValidationSpecExamples, LoneAnonymousOperation) {
  expect_not_reported(context_schema(), "LoneAnonymousOperation", R"gql({
  dog {
    name
  }
}
)gql");  // Section5-009
  expect_reported(context_schema(), "LoneAnonymousOperation", R"gql({
  dog {
    name
  }
}

query getName {
  dog {
    owner {
      name
    }
  }
}
)gql");  // Section5-010
}

// https://spec.graphql.org/September2025/#sec-Single-Root-Field
TEST(ValidationSpecExamples, SingleRootField) {
  expect_not_reported(subscription_schema(), "SingleFieldSubscriptions", R"gql(subscription sub {
  newMessage {
    body
    sender
  }
}
)gql");  // Section5-011
  expect_not_reported(subscription_schema(), "SingleFieldSubscriptions", R"gql(subscription sub {
  ...newMessageFields
}

fragment newMessageFields on Subscription {
  newMessage {
    body
    sender
  }
}
)gql");  // Section5-012
  expect_reported(subscription_schema(), "SingleFieldSubscriptions", R"gql(subscription sub {
  newMessage {
    body
    sender
  }
  disallowedSecondRootField
}
)gql");  // Section5-013
  expect_reported(subscription_schema(), "SingleFieldSubscriptions", R"gql(subscription sub {
  ...multipleSubscriptions
}

fragment multipleSubscriptions on Subscription {
  newMessage {
    body
    sender
  }
  disallowedSecondRootField
}
)gql");  // Section5-014
  expect_reported(subscription_schema(), "SingleFieldSubscriptions",
                  R"gql(subscription requiredRuntimeValidation($bool: Boolean!) {
  newMessage @include(if: $bool) {
    body
    sender
  }
  disallowedSecondRootField @skip(if: $bool)
}
)gql");  // Section5-015
  expect_reported(subscription_schema(), "SingleFieldSubscriptions", R"gql(subscription sub {
  __typename
}
)gql");  // Section5-016
}

// https://spec.graphql.org/September2025/#sec-Field-Selections
TEST(ValidationSpecExamples, FieldSelections) {
  expect_reported(context_schema(), "FieldsOnCorrectType", R"gql(fragment fieldNotDefined on Dog {
  meowVolume
}

fragment aliasedLyingFieldTargetNotDefined on Dog {
  barkVolume: kawVolume
}
)gql");  // Section5-017
  expect_not_reported(context_schema(), "FieldsOnCorrectType", R"gql(fragment interfaceFieldSelection on Pet {
  name
}
)gql");  // Section5-018
  expect_reported(context_schema(), "FieldsOnCorrectType",
                  R"gql(fragment definedOnImplementersButNotInterface on Pet {
  nickname
}
)gql");  // Section5-019
  expect_not_reported(context_schema(), "FieldsOnCorrectType",
                      R"gql(fragment inDirectFieldSelectionOnUnion on CatOrDog {
  __typename
  ... on Pet {
    name
  }
  ... on Dog {
    barkVolume
  }
}
)gql");  // Section5-020
  expect_reported(context_schema(), "FieldsOnCorrectType",
                  R"gql(fragment directFieldSelectionOnUnion on CatOrDog {
  name
  barkVolume
}
)gql");  // Section5-021
}

// https://spec.graphql.org/September2025/#sec-Field-Selection-Merging
TEST(ValidationSpecExamples, FieldSelectionMerging) {
  expect_not_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                      R"gql(fragment mergeIdenticalFields on Dog {
  name
  name
}

fragment mergeIdenticalAliasesAndFields on Dog {
  otherName: name
  otherName: name
}
)gql");  // Section5-022
  expect_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                  R"gql(fragment conflictingBecauseAlias on Dog {
  name: nickname
  name
}
)gql");  // Section5-023
  expect_not_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                      R"gql(fragment mergeIdenticalFieldsWithIdenticalArgs on Dog {
  doesKnowCommand(dogCommand: SIT)
  doesKnowCommand(dogCommand: SIT)
}

fragment mergeIdenticalFieldsWithIdenticalValues on Dog {
  doesKnowCommand(dogCommand: $dogCommand)
  doesKnowCommand(dogCommand: $dogCommand)
}
)gql");  // Section5-024
  expect_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                  R"gql(fragment conflictingArgsOnValues on Dog {
  doesKnowCommand(dogCommand: SIT)
  doesKnowCommand(dogCommand: HEEL)
}

fragment conflictingArgsValueAndVar on Dog {
  doesKnowCommand(dogCommand: SIT)
  doesKnowCommand(dogCommand: $dogCommand)
}

fragment conflictingArgsWithVars on Dog {
  doesKnowCommand(dogCommand: $varOne)
  doesKnowCommand(dogCommand: $varTwo)
}

fragment differingArgs on Dog {
  doesKnowCommand(dogCommand: SIT)
  doesKnowCommand
}
)gql");  // Section5-025
  expect_not_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                      R"gql(fragment safeDifferingFields on Pet {
  ... on Dog {
    volume: barkVolume
  }
  ... on Cat {
    volume: meowVolume
  }
}

fragment safeDifferingArgs on Pet {
  ... on Dog {
    doesKnowCommand(dogCommand: SIT)
  }
  ... on Cat {
    doesKnowCommand(catCommand: JUMP)
  }
}
)gql");  // Section5-026
  expect_reported(context_schema(), "OverlappingFieldsCanBeMerged",
                  R"gql(fragment conflictingDifferingResponses on Pet {
  ... on Dog {
    someValue: nickname
  }
  ... on Cat {
    someValue: meowVolume
  }
}
)gql");  // Section5-027
}

// https://spec.graphql.org/September2025/#sec-Leaf-Field-Selections
TEST(ValidationSpecExamples, LeafFieldSelections) {
  expect_not_reported(context_schema(), "ScalarLeafs", R"gql(fragment scalarSelection on Dog {
  barkVolume
}
)gql");  // Section5-028
  expect_reported(context_schema(), "ScalarLeafs", R"gql(fragment scalarSelectionsNotAllowedOnInt on Dog {
  barkVolume {
    sinceWhen
  }
}
)gql");  // Section5-029
  expect_reported(context_schema(), "ScalarLeafs", R"gql(query directQueryOnObjectWithoutSubFields {
  human
}

query directQueryOnInterfaceWithoutSubFields {
  pet
}

query directQueryOnUnionWithoutSubFields {
  catOrDog
}
)gql");  // Section5-031
  expect_not_reported(context_schema(), "ScalarLeafs", R"gql(query directQueryOnObjectWithSubFields {
  human {
    name
  }
}
)gql");  // Section5-032
}

// https://spec.graphql.org/September2025/#sec-Argument-Names
TEST(ValidationSpecExamples, ArgumentNames) {
  expect_not_reported(context_schema(), "KnownArgumentNames", R"gql(fragment argOnRequiredArg on Dog {
  doesKnowCommand(dogCommand: SIT)
}

fragment argOnOptional on Dog {
  isHouseTrained(atOtherHomes: true) @include(if: true)
}
)gql");  // Section5-033
  expect_reported(context_schema(), "KnownArgumentNames", R"gql(fragment invalidArgName on Dog {
  doesKnowCommand(command: CLEAN_UP_HOUSE)
}
)gql");  // Section5-034
  expect_reported(context_schema(), "KnownArgumentNames", R"gql(fragment invalidArgName on Dog {
  isHouseTrained(atOtherHomes: true) @include(unless: false)
}
)gql");  // Section5-035
  expect_not_reported(context_schema(), "KnownArgumentNames", R"gql(fragment multipleArgs on Arguments {
  multipleRequirements(x: 1, y: 2)
}

fragment multipleArgsReverseOrder on Arguments {
  multipleRequirements(y: 2, x: 1)
}
)gql");  // Section5-037
}

// https://spec.graphql.org/September2025/#sec-Argument-Uniqueness (the spec gives no
// example block; graphql-js UniqueArgumentNamesRule wording and locations).
TEST(ValidationSpecExamples, ArgumentUniqueness) {
  expect_not_reported(context_schema(), "UniqueArgumentNames", R"gql({
  arguments {
    multipleRequirements(x: 1, y: 2)
  }
  dog @include(if: true) { name }
}
)gql");
  const auto errors = validate_text(context_schema(), R"gql({
  arguments {
    multipleRequirements(x: 1, y: 2, x: 3, x: 4)
  }
  dog @include(if: true, if: false) { name }
}
)gql");
  ASSERT_EQ(errors.size(), 2u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "UniqueArgumentNames");
  EXPECT_EQ(errors[0].message, "There can be only one argument named \"x\".");
  ASSERT_EQ(errors[0].locations.size(), 3u);
  EXPECT_EQ(errors[0].locations[0].column, 26u);
  EXPECT_EQ(errors[0].locations[1].column, 38u);
  EXPECT_EQ(errors[0].locations[2].column, 44u);
  EXPECT_EQ(errors[1].rule, "UniqueArgumentNames");
  EXPECT_EQ(errors[1].message, "There can be only one argument named \"if\".");
  ASSERT_EQ(errors[1].locations.size(), 2u);
  EXPECT_EQ(errors[1].locations[0].line, 5u);
  EXPECT_EQ(errors[1].locations[0].column, 16u);
  EXPECT_EQ(errors[1].locations[1].column, 26u);
}

// https://spec.graphql.org/September2025/#sec-Required-Arguments
TEST(ValidationSpecExamples, RequiredArguments) {
  expect_not_reported(context_schema(), "ProvidedRequiredArguments",
                      R"gql(fragment goodBooleanArg on Arguments {
  booleanArgField(booleanArg: true)
}

fragment goodNonNullArg on Arguments {
  nonNullBooleanArgField(nonNullBooleanArg: true)
}
)gql");  // Section5-038
  expect_not_reported(context_schema(), "ProvidedRequiredArguments",
                      R"gql(fragment goodBooleanArgDefault on Arguments {
  booleanArgField
}
)gql");  // Section5-039
  expect_reported(context_schema(), "ProvidedRequiredArguments",
                  R"gql(fragment missingRequiredArg on Arguments {
  nonNullBooleanArgField
}
)gql");  // Section5-040
  // An explicit null for a non-null argument: graphql-js reports it as a value error.
  expect_reported(context_schema(), "ValuesOfCorrectType", R"gql(fragment missingRequiredArg on Arguments {
  nonNullBooleanArgField(nonNullBooleanArg: null)
}
)gql");  // Section5-041
}

// https://spec.graphql.org/September2025/#sec-Fragment-Name-Uniqueness
TEST(ValidationSpecExamples, FragmentNameUniqueness) {
  expect_not_reported(context_schema(), "UniqueFragmentNames", R"gql({
  dog {
    ...fragmentOne
    ...fragmentTwo
  }
}

fragment fragmentOne on Dog {
  name
}

fragment fragmentTwo on Dog {
  owner {
    name
  }
}
)gql");  // Section5-042
  expect_reported(context_schema(), "UniqueFragmentNames", R"gql({
  dog {
    ...fragmentOne
  }
}

fragment fragmentOne on Dog {
  name
}

fragment fragmentOne on Dog {
  owner {
    name
  }
}
)gql");  // Section5-043
}

// https://spec.graphql.org/September2025/#sec-Fragment-Spread-Type-Existence
TEST(ValidationSpecExamples, FragmentSpreadTypeExistence) {
  expect_not_reported(context_schema(), "KnownTypeNames", R"gql(fragment correctType on Dog {
  name
}

fragment inlineFragment on Dog {
  ... on Dog {
    name
  }
}

fragment inlineFragment2 on Dog {
  ... @include(if: true) {
    name
  }
}
)gql");  // Section5-044
  expect_reported(context_schema(), "KnownTypeNames", R"gql(fragment notOnExistingType on NotInSchema {
  name
}

fragment inlineNotExistingType on Dog {
  ... on NotInSchema {
    name
  }
}
)gql");  // Section5-045
}

// https://spec.graphql.org/September2025/#sec-Fragments-on-Object-Interface-or-Union-Types
TEST(ValidationSpecExamples, FragmentsOnObjectInterfaceOrUnionTypes) {
  expect_not_reported(context_schema(), "FragmentsOnCompositeTypes", R"gql(fragment fragOnObject on Dog {
  name
}

fragment fragOnInterface on Pet {
  name
}

fragment fragOnUnion on CatOrDog {
  ... on Dog {
    name
  }
}
)gql");  // Section5-046
  expect_reported(context_schema(), "FragmentsOnCompositeTypes", R"gql(fragment fragOnScalar on Int {
  something
}

fragment inlineFragOnScalar on Dog {
  ... on Boolean {
    somethingElse
  }
}
)gql");  // Section5-047
}

// https://spec.graphql.org/September2025/#sec-Fragments-Must-Be-Used
TEST(ValidationSpecExamples, FragmentsMustBeUsed) {
  expect_reported(context_schema(), "NoUnusedFragments", R"gql(fragment nameFragment on Dog { # unused
  name
}

{
  dog {
    name
  }
}
)gql");  // Section5-048
}

// https://spec.graphql.org/September2025/#sec-Fragment-Spread-Target-Defined
TEST(ValidationSpecExamples, FragmentSpreadTargetDefined) {
  expect_reported(context_schema(), "KnownFragmentNames", R"gql({
  dog {
    ...undefinedFragment
  }
}
)gql");  // Section5-049
}

// https://spec.graphql.org/September2025/#sec-Fragment-Spreads-Must-Not-Form-Cycles
TEST(ValidationSpecExamples, FragmentSpreadsMustNotFormCycles) {
  expect_reported(context_schema(), "NoFragmentCycles", R"gql({
  dog {
    ...nameFragment
  }
}

fragment nameFragment on Dog {
  name
  ...barkVolumeFragment
}

fragment barkVolumeFragment on Dog {
  barkVolume
  ...nameFragment
}
)gql");  // Section5-050
  expect_not_reported(context_schema(), "NoFragmentCycles", R"gql({
  dog {
    name
    barkVolume
    name
    barkVolume
    name
    barkVolume
    name
    # forever...
  }
}
)gql");  // Section5-051
  expect_reported(context_schema(), "NoFragmentCycles", R"gql({
  dog {
    ...dogFragment
  }
}

fragment dogFragment on Dog {
  name
  owner {
    ...ownerFragment
  }
}

fragment ownerFragment on Human {
  name
  pets {
    ...dogFragment
  }
}
)gql");  // Section5-052
}

// https://spec.graphql.org/September2025/#sec-Object-Spreads-in-Object-Scope
TEST(ValidationSpecExamples, ObjectSpreadsInObjectScope) {
  expect_not_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment dogFragment on Dog {
  ... on Dog {
    barkVolume
  }
}
)gql");  // Section5-053
  expect_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment catInDogFragmentInvalid on Dog {
  ... on Cat {
    meowVolume
  }
}
)gql");  // Section5-054
}

// https://spec.graphql.org/September2025/#sec-Abstract-Spreads-in-Object-Scope
TEST(ValidationSpecExamples, AbstractSpreadsInObjectScope) {
  expect_not_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment petNameFragment on Pet {
  name
}

fragment interfaceWithinObjectFragment on Dog {
  ...petNameFragment
}
)gql");  // Section5-055
  expect_not_reported(context_schema(), "PossibleFragmentSpreads",
                      R"gql(fragment catOrDogNameFragment on CatOrDog {
  ... on Cat {
    meowVolume
  }
}

fragment unionWithObjectFragment on Dog {
  ...catOrDogNameFragment
}
)gql");  // Section5-056
}

// https://spec.graphql.org/September2025/#sec-Object-Spreads-in-Abstract-Scope
TEST(ValidationSpecExamples, ObjectSpreadsInAbstractScope) {
  expect_not_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment petFragment on Pet {
  name
  ... on Dog {
    barkVolume
  }
}

fragment catOrDogFragment on CatOrDog {
  ... on Cat {
    meowVolume
  }
}
)gql");  // Section5-057
  expect_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment sentientFragment on Sentient {
  ... on Dog {
    barkVolume
  }
}

fragment humanOrAlienFragment on HumanOrAlien {
  ... on Cat {
    meowVolume
  }
}
)gql");  // Section5-058
}

// https://spec.graphql.org/September2025/#sec-Abstract-Spreads-in-Abstract-Scope
TEST(ValidationSpecExamples, AbstractSpreadsInAbstractScope) {
  expect_not_reported(context_schema(), "PossibleFragmentSpreads", R"gql(fragment unionWithInterface on Pet {
  ...dogOrHumanFragment
}

fragment dogOrHumanFragment on DogOrHuman {
  ... on Dog {
    barkVolume
  }
}
)gql");  // Section5-059
  expect_reported(context_schema(), "PossibleFragmentSpreads",
                  R"gql(fragment nonIntersectingInterfaces on Pet {
  ...sentientFragment
}

fragment sentientFragment on Sentient {
  name
}
)gql");  // Section5-060
}

// https://spec.graphql.org/September2025/#sec-Values-of-Correct-Type
TEST(ValidationSpecExamples, ValuesOfCorrectType) {
  expect_not_reported(context_schema(), "ValuesOfCorrectType", R"gql(fragment goodBooleanArg on Arguments {
  booleanArgField(booleanArg: true)
}

fragment coercedIntIntoFloatArg on Arguments {
  # Note: The input coercion rules for Float allow Int literals.
  floatArgField(floatArg: 123)
}

query goodComplexDefaultValue($search: FindDogInput = { name: "Fido" }) {
  findDog(searchBy: $search) {
    name
  }
}

mutation addPet($pet: PetInput! = { cat: { name: "Brontie" } }) {
  addPet(pet: $pet) {
    name
  }
}
)gql");  // Section5-062
  expect_reported(context_schema(), "ValuesOfCorrectType", R"gql(fragment stringIntoInt on Arguments {
  intArgField(intArg: "123")
}

query badComplexValue {
  findDog(searchBy: { name: 123 }) {
    name
  }
}

mutation oneOfWithNoFields {
  addPet(pet: {}) {
    name
  }
}

mutation oneOfWithTwoFields($dog: DogInput) {
  addPet(pet: { cat: { name: "Brontie" }, dog: $dog }) {
    name
  }
}

mutation listOfOneOfWithNullableVariable($dog: DogInput) {
  addPets(pets: [{ dog: $dog }]) {
    name
  }
}
)gql");  // Section5-063
}

// https://spec.graphql.org/September2025/#sec-Input-Object-Field-Names
TEST(ValidationSpecExamples, InputObjectFieldNames) {
  expect_not_reported(context_schema(), "ValuesOfCorrectType", R"gql({
  findDog(searchBy: { name: "Fido" }) {
    name
  }
}
)gql");  // Section5-064
  expect_reported(context_schema(), "ValuesOfCorrectType", R"gql({
  findDog(searchBy: { favoriteCookieFlavor: "Bacon" }) {
    name
  }
}
)gql");  // Section5-065
}

// https://spec.graphql.org/September2025/#sec-Input-Object-Required-Fields (no example
// block in the spec; graphql-js reports it under ValuesOfCorrectType).
TEST(ValidationSpecExamples, InputObjectRequiredFields) {
  expect_not_reported(context_schema(), "ValuesOfCorrectType",
                      "mutation { addPet(pet: {cat: {name: \"Tom\"}}) { name } }");
  auto errors =
      validate_text(context_schema(), "mutation { addPet(pet: {cat: {nickname: \"x\"}}) { name } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "ValuesOfCorrectType");
  EXPECT_EQ(errors[0].message, "Field \"CatInput.name\" of required type \"String!\" was not provided.");
  ASSERT_EQ(errors[0].locations.size(), 1u);
  EXPECT_EQ(errors[0].locations[0].column, 30u);
  errors = validate_text(context_schema(), "mutation { addPet(pet: {cat: {name: null}}) { name } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "ValuesOfCorrectType");
  EXPECT_EQ(errors[0].message, "Expected value of type \"String!\", found null.");
  ASSERT_EQ(errors[0].locations.size(), 1u);
  EXPECT_EQ(errors[0].locations[0].column, 37u);
}

// https://spec.graphql.org/September2025/#sec-Input-Object-Field-Uniqueness
TEST(ValidationSpecExamples, InputObjectFieldUniqueness) {
  expect_reported(context_schema(), "UniqueInputFieldNames", R"gql({
  field(arg: { field: true, field: false })
}
)gql");  // Section5-066
}

// https://spec.graphql.org/September2025/#sec-Directives-Are-in-Valid-Locations
TEST(ValidationSpecExamples, DirectivesAreInValidLocations) {
  expect_reported(context_schema(), "KnownDirectives", R"gql(query @skip(if: $foo) {
  field
}
)gql");  // Section5-067
}

// https://spec.graphql.org/September2025/#sec-Directives-Are-Unique-per-Location
TEST(ValidationSpecExamples, DirectivesAreUniquePerLocation) {
  expect_reported(context_schema(), "UniqueDirectivesPerLocation",
                  R"gql(query ($foo: Boolean = true, $bar: Boolean = false) {
  field @skip(if: $foo) @skip(if: $bar)
}
)gql");  // Section5-068
  expect_not_reported(context_schema(), "UniqueDirectivesPerLocation",
                      R"gql(query ($foo: Boolean = true, $bar: Boolean = false) {
  field @skip(if: $foo) {
    subfieldA
  }
  field @skip(if: $bar) {
    subfieldB
  }
}
)gql");  // Section5-069
}

// https://spec.graphql.org/September2025/#sec-Variable-Uniqueness
TEST(ValidationSpecExamples, VariableUniqueness) {
  expect_reported(context_schema(), "UniqueVariableNames",
                  R"gql(query houseTrainedQuery($atOtherHomes: Boolean, $atOtherHomes: Boolean) {
  dog {
    isHouseTrained(atOtherHomes: $atOtherHomes)
  }
}
)gql");  // Section5-070
  expect_not_reported(context_schema(), "UniqueVariableNames", R"gql(query A($atOtherHomes: Boolean) {
  ...HouseTrainedFragment
}

query B($atOtherHomes: Boolean) {
  ...HouseTrainedFragment
}

fragment HouseTrainedFragment on Query {
  dog {
    isHouseTrained(atOtherHomes: $atOtherHomes)
  }
}
)gql");  // Section5-071
}

// https://spec.graphql.org/September2025/#sec-Variables-Are-Input-Types
TEST(ValidationSpecExamples, VariablesAreInputTypes) {
  expect_not_reported(context_schema(), "VariablesAreInputTypes",
                      R"gql(query takesBoolean($atOtherHomes: Boolean) {
  dog {
    isHouseTrained(atOtherHomes: $atOtherHomes)
  }
}

query takesComplexInput($search: FindDogInput) {
  findDog(searchBy: $search) {
    name
  }
}

query TakesListOfBooleanBang($booleans: [Boolean!]) {
  booleanList(booleanListArg: $booleans)
}
)gql");  // Section5-073
}

// https://spec.graphql.org/September2025/#sec-All-Variable-Uses-Defined
TEST(ValidationSpecExamples, AllVariableUsesDefined) {
  expect_not_reported(context_schema(), "NoUndefinedVariables",
                      R"gql(query variableIsDefined($atOtherHomes: Boolean) {
  dog {
    isHouseTrained(atOtherHomes: $atOtherHomes)
  }
}
)gql");  // Section5-075
  expect_reported(context_schema(), "NoUndefinedVariables", R"gql(query variableIsNotDefined {
  dog {
    isHouseTrained(atOtherHomes: $atOtherHomes)
  }
}
)gql");  // Section5-076
  expect_not_reported(context_schema(), "NoUndefinedVariables",
                      R"gql(query variableIsDefinedUsedInSingleFragment($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-077
  expect_reported(context_schema(), "NoUndefinedVariables",
                  R"gql(query variableIsNotDefinedUsedInSingleFragment {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-078
  expect_reported(context_schema(), "NoUndefinedVariables",
                  R"gql(query variableIsNotDefinedUsedInNestedFragment {
  dog {
    ...outerHouseTrainedFragment
  }
}

fragment outerHouseTrainedFragment on Dog {
  ...isHouseTrainedFragment
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-079
  expect_not_reported(context_schema(), "NoUndefinedVariables",
                      R"gql(query houseTrainedQueryOne($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

query houseTrainedQueryTwo($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-080
  expect_reported(context_schema(), "NoUndefinedVariables",
                  R"gql(query houseTrainedQueryOne($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

query houseTrainedQueryTwoNotDefined {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-081
}

// https://spec.graphql.org/September2025/#sec-All-Variables-Used
TEST(ValidationSpecExamples, AllVariablesUsed) {
  expect_reported(context_schema(), "NoUnusedVariables", R"gql(query variableUnused($atOtherHomes: Boolean) {
  dog {
    isHouseTrained
  }
}
)gql");  // Section5-082
  expect_not_reported(context_schema(), "NoUnusedVariables",
                      R"gql(query variableUsedInFragment($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-083
  expect_reported(context_schema(), "NoUnusedVariables",
                  R"gql(query variableNotUsedWithinFragment($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedWithoutVariableFragment
  }
}

fragment isHouseTrainedWithoutVariableFragment on Dog {
  isHouseTrained
}
)gql");  // Section5-084
  expect_reported(context_schema(), "NoUnusedVariables",
                  R"gql(query queryWithUsedVar($atOtherHomes: Boolean) {
  dog {
    ...isHouseTrainedFragment
  }
}

query queryWithExtraVar($atOtherHomes: Boolean, $extra: Int) {
  dog {
    ...isHouseTrainedFragment
  }
}

fragment isHouseTrainedFragment on Dog {
  isHouseTrained(atOtherHomes: $atOtherHomes)
}
)gql");  // Section5-085
}

// https://spec.graphql.org/September2025/#sec-All-Variable-Usages-Are-Allowed
TEST(ValidationSpecExamples, AllVariableUsagesAreAllowed) {
  expect_reported(context_schema(), "VariablesInAllowedPosition",
                  R"gql(query intCannotGoIntoBoolean($intArg: Int) {
  arguments {
    booleanArgField(booleanArg: $intArg)
  }
}
)gql");  // Section5-086
  expect_reported(context_schema(), "VariablesInAllowedPosition",
                  R"gql(query booleanListCannotGoIntoBoolean($booleanListArg: [Boolean]) {
  arguments {
    booleanArgField(booleanArg: $booleanListArg)
  }
}
)gql");  // Section5-087
  expect_reported(context_schema(), "VariablesInAllowedPosition",
                  R"gql(query booleanArgQuery($booleanArg: Boolean) {
  arguments {
    nonNullBooleanArgField(nonNullBooleanArg: $booleanArg)
  }
}
)gql");  // Section5-088
  expect_not_reported(context_schema(), "VariablesInAllowedPosition",
                      R"gql(query nonNullListToList($nonNullBooleanList: [Boolean]!) {
  arguments {
    booleanListArgField(booleanListArg: $nonNullBooleanList)
  }
}
)gql");  // Section5-089
  expect_reported(context_schema(), "VariablesInAllowedPosition",
                  R"gql(query listToNonNullList($booleanList: [Boolean]) {
  arguments {
    nonNullBooleanListField(nonNullBooleanListArg: $booleanList)
  }
}
)gql");  // Section5-090
  expect_not_reported(context_schema(), "VariablesInAllowedPosition", R"gql(mutation addCat($cat: CatInput!) {
  addPet(pet: { cat: $cat }) {
    name
  }
}

mutation addCatWithDefault($cat: CatInput! = { name: "Brontie" }) {
  addPet(pet: { cat: $cat }) {
    name
  }
}
)gql");  // Section5-091
  expect_reported(context_schema(), "VariablesInAllowedPosition",
                  R"gql(mutation addNullableCat($cat: CatInput) {
  addPet(pet: { cat: $cat }) {
    name
  }
}
)gql");  // Section5-092
  expect_not_reported(context_schema(), "VariablesInAllowedPosition",
                      R"gql(query booleanArgQueryWithDefault($booleanArg: Boolean) {
  arguments {
    optionalNonNullBooleanArgField(optionalBooleanArg: $booleanArg)
  }
}
)gql");  // Section5-093
  expect_not_reported(context_schema(), "VariablesInAllowedPosition",
                      R"gql(query booleanArgQueryWithDefault($booleanArg: Boolean = true) {
  arguments {
    nonNullBooleanArgField(nonNullBooleanArg: $booleanArg)
  }
}
)gql");  // Section5-094
}
// https://spec.graphql.org/September2025/#sec-Executable-Definitions
TEST(ValidationSpecExamples, ExecutableDefinitions) {
  const auto errors = validate_text(spec_schema(), R"gql(query getDogName {
  dog {
    name
    color
  }
}

extend type Dog {
  color: String
}
)gql");
  ASSERT_TRUE(has_rule(errors, "ExecutableDefinitions")) << describe(errors);
  const GraphQLError& e = errors.front();
  EXPECT_EQ(e.rule, "ExecutableDefinitions");
  EXPECT_EQ(e.message, "The \"Dog\" definition is not executable.");
  ASSERT_EQ(e.locations.size(), 1u);
  EXPECT_EQ(e.locations[0].line, 8u);
  EXPECT_EQ(e.locations[0].column, 1u);
  EXPECT_EQ(e.code, "GRAPHQL_VALIDATION_FAILED");
}

// https://spec.graphql.org/September2025/#sec-Directives-Are-Defined
TEST(ValidationSpecExamples, DirectivesAreDefined) {
  const auto errors = validate_text(spec_schema(), "{ dog @unknown { name } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "KnownDirectives");
  EXPECT_EQ(errors[0].message, "Unknown directive \"@unknown\".");
  EXPECT_EQ(errors[0].locations[0].column, 7u);
}

// https://spec.graphql.org/September2025/#sec-Variables-Are-Input-Types
// (the counter-example's elided bodies filled in so that it parses).
TEST(ValidationSpecExamples, VariablesAreInputTypesCounterExample) {
  const auto errors = validate_text(spec_schema(), R"gql(
query takesCat($cat: Cat) { dog { name } }
query takesDogBang($dog: Dog!) { dog { name } }
query takesListOfPet($pets: [Pet]) { dog { name } }
query takesCatOrDog($catOrDog: CatOrDog) { dog { name } }
)gql");
  std::vector<std::string> messages;
  for (const GraphQLError& e : errors) {
    if (e.rule == "VariablesAreInputTypes") messages.push_back(e.message);
  }
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "Variable \"$cat\" cannot be non-input type \"Cat\".",
                          "Variable \"$dog\" cannot be non-input type \"Dog!\".",
                          "Variable \"$pets\" cannot be non-input type \"[Pet]\".",
                          "Variable \"$catOrDog\" cannot be non-input type \"CatOrDog\".",
                      }))
      << describe(errors);
}

// Messages and locations below were taken from graphql-js 16.15 on the same input.

TEST(ValidationMessages, FieldsOnCorrectTypeSuggestsFieldsAndTypes) {
  auto errors = validate_text(spec_schema(), "{ dog { nam } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].message, "Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?");

  errors = validate_text(spec_schema(), "fragment F on Pet { meowVolume } { dog { ...F } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].message,
            "Cannot query field \"meowVolume\" on type \"Pet\". Did you mean to use an inline fragment on "
            "\"Cat\"?");

  ValidationOptions hidden = testing::spec_only();
  hidden.hide_suggestions = true;
  errors = validate_text(spec_schema(), "{ dog { nam } }", hidden);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "Cannot query field \"nam\" on type \"Dog\".");
}

TEST(ValidationMessages, ValuesOfCorrectTypeLiterals) {
  const auto errors = validate_text(spec_schema(), R"gql({
  dog {
    doesKnowCommand(dogCommand: SITT)
    isHouseTrained(atOtherHomes: "yes")
  }
  findDog(searchBy: {name: 1, nam: "x"}) { name }
})gql");
  std::vector<std::string> messages;
  for (const GraphQLError& e : errors) messages.push_back(e.rule + ": " + e.message);
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "ValuesOfCorrectType: Value \"SITT\" does not exist in \"DogCommand\" enum. Did you mean the "
                "enum value \"SIT\"?",
                "ValuesOfCorrectType: Boolean cannot represent a non boolean value: \"yes\"",
                "ValuesOfCorrectType: String cannot represent a non string value: 1",
                "ValuesOfCorrectType: Field \"nam\" is not defined by type \"FindDogInput\". Did you mean "
                "\"name\"?",
            }))
      << describe(errors);
}

TEST(ValidationMessages, OneOfInputObjects) {
  auto errors = validate_text(spec_schema(), R"gql(mutation {
  a: addPet(pet: {cat: {name: "Tom"}, dog: {name: "Rex"}}) { name }
  b: addPet(pet: {cat: null}) { name }
})gql");
  std::vector<std::string> messages;
  for (const GraphQLError& e : errors) messages.push_back(e.rule + ": " + e.message);
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "ValuesOfCorrectType: OneOf Input Object \"PetInput\" must specify exactly one key.",
                "ValuesOfCorrectType: Field \"PetInput.cat\" must be non-null.",
            }))
      << describe(errors);

  // A nullable variable may not fill the one field of a @oneOf object. graphql-js 16
  // only checks it where the position's type is the bare @oneOf type (the default);
  // strict_one_of also checks `PetInput!` positions, as the spec does.
  static const std::shared_ptr<const Schema> schema = testing::build_test_schema(R"gql(
input PetInput @oneOf { cat: String dog: String }
type Query { a: String }
type Mutation { strict(pet: PetInput!): String loose(pet: PetInput): String }
)gql");
  const std::string text = "mutation M($c: String) { strict(pet: {cat: $c}) loose(pet: {cat: $c}) }";
  errors = validate_text(*schema, text);
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "VariablesInAllowedPosition");
  EXPECT_EQ(
      errors[0].message,
      "Variable \"$c\" is of type \"String\" but must be non-nullable to be used for OneOf Input Object "
      "\"PetInput\".");
  ASSERT_EQ(errors[0].locations.size(), 2u);
  EXPECT_EQ(errors[0].locations[1].column, 66u);

  ValidationOptions strict = testing::spec_only();
  strict.strict_one_of = true;
  errors = validate_text(*schema, text, strict);
  ASSERT_EQ(errors.size(), 2u) << describe(errors);
  EXPECT_EQ(errors[0].locations[1].column, 44u);
  EXPECT_EQ(errors[1].locations[1].column, 66u);
}

TEST(ValidationMessages, OverlappingFieldsReportsBothFields) {
  const auto errors = validate_text(spec_schema(), R"gql({
  dog {
    name: nickname
    name
  }
})gql");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "OverlappingFieldsCanBeMerged");
  EXPECT_EQ(errors[0].message,
            "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use different "
            "aliases "
            "on the fields to fetch both if this was intentional.");
  ASSERT_EQ(errors[0].locations.size(), 2u);
  EXPECT_EQ(errors[0].locations[0].line, 3u);
  EXPECT_EQ(errors[0].locations[1].line, 4u);
}

TEST(ValidationMessages, NoFragmentCyclesNamesThePath) {
  const auto errors = validate_text(spec_schema(), R"gql({ dog { ...A } }
fragment A on Dog { ...B }
fragment B on Dog { ...C }
fragment C on Dog { ...A })gql");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].message, "Cannot spread fragment \"A\" within itself via \"B\", \"C\".");
  EXPECT_EQ(errors[0].locations.size(), 3u);
}

TEST(ValidationMessages, MaxIntrospectionDepth) {
  const auto errors = validate_text(spec_schema(), R"gql({
  __schema { types { fields { type { fields { type { fields { name } } } } } } }
})gql");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "MaxIntrospectionDepth");
  EXPECT_EQ(errors[0].message, "Maximum introspection depth exceeded");
}

// https://spec.graphql.org/September2025/#sec-Single-Root-Field: "We do not allow the
// `@skip` and `@include` directives at the root of the subscription operation"
// (graphql-js 17 wording; graphql-js 16 throws on a variable condition).
TEST(ValidationMessages, SubscriptionRootMustNotUseSkipOrInclude) {
  auto errors = validate_text(subscription_schema(), R"gql(subscription s($b: Boolean!) {
  newMessage @include(if: $b) { body }
  disallowedSecondRootField @skip(if: $b)
})gql");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].rule, "SingleFieldSubscriptions");
  EXPECT_EQ(errors[0].message,
            "Subscription \"s\" must not use `@skip` or `@include` directives in the top level selection.");
  ASSERT_EQ(errors[0].locations.size(), 2u);
  EXPECT_EQ(errors[0].locations[0].line, 2u);
  EXPECT_EQ(errors[0].locations[0].column, 14u);
  EXPECT_EQ(errors[0].locations[1].line, 3u);
  EXPECT_EQ(errors[0].locations[1].column, 29u);

  // One root field is not enough: the condition itself is forbidden, even a literal one,
  // and through a fragment at the root.
  errors = validate_text(
      subscription_schema(),
      "subscription { ...F } fragment F on Subscription { newMessage @skip(if: false) { body } }");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(
      errors[0].message,
      "Anonymous Subscription must not use `@skip` or `@include` directives in the top level selection.");
  // Below the root field they are fine.
  errors = validate_text(
      subscription_schema(),
      "subscription s($b: Boolean!) { newMessage { body @skip(if: $b) sender @include(if: true) } }");
  EXPECT_TRUE(errors.empty()) << describe(errors);
}

}  // namespace
}  // namespace fraiseql::graphql
