#include "fraiseql/graphql/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fraiseql::graphql {
namespace {

TEST(GraphQLErrorJson, HasResponseFormatFields) {
  GraphQLError e{.message = "Cannot query field \"x\" on type \"Query\".",
                 .locations = {{.line = 2, .column = 3}},
                 .path = {std::string("users"), 0U, std::string("name")},
                 .code = std::string(code::kValidationFailed),
                 .rule = "FieldsOnCorrectType"};
  const auto j = nlohmann::json::parse(errors_response_json({e}));
  const auto& err = j.at("errors").at(0);
  EXPECT_EQ(err.at("message"), "Cannot query field \"x\" on type \"Query\".");
  EXPECT_EQ(err.at("locations"), nlohmann::json::parse(R"([{"line":2,"column":3}])"));
  EXPECT_EQ(err.at("path"), nlohmann::json::parse(R"(["users",0,"name"])"));
  EXPECT_EQ(err.at("extensions").at("code"), "GRAPHQL_VALIDATION_FAILED");
  EXPECT_EQ(err.at("extensions").at("rule"), "FieldsOnCorrectType");
}

TEST(GraphQLErrorJson, OmitsEmptyParts) {
  GraphQLError e{.message = "m"};
  EXPECT_EQ(e.to_json(), R"({"message":"m"})");
}

}  // namespace
}  // namespace fraiseql::graphql
