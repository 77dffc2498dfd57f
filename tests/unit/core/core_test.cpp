#include <set>

#include <gtest/gtest.h>

#include "fraiseql/core/deadline.hpp"
#include "fraiseql/core/json.hpp"
#include "fraiseql/core/request_id.hpp"
#include "fraiseql/core/result.hpp"

namespace fraiseql {
namespace {

TEST(Result, CarriesValueOrError) {
  Result<int> ok = 3;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  Result<int> bad = make_error(ErrorCode::kTimeout, "late");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(bad.error().message, "late");
  Result<void> v;
  EXPECT_TRUE(v.ok());
  Result<void> e = make_error(ErrorCode::kUnavailable, "down");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(to_string(e.error().code), "unavailable");
}

TEST(RequestId, GeneratedIdsAreHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = generate_request_id();
    ASSERT_EQ(id.size(), 32U);
    ASSERT_TRUE(is_acceptable_request_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(RequestId, ClientIdsAreFiltered) {
  EXPECT_TRUE(is_acceptable_request_id("abc-123_x.y:z"));
  EXPECT_FALSE(is_acceptable_request_id(""));
  EXPECT_FALSE(is_acceptable_request_id("a b"));
  EXPECT_FALSE(is_acceptable_request_id("a\nb"));
  EXPECT_FALSE(is_acceptable_request_id(std::string(129, 'a')));
}

TEST(Deadline, ExpiresAndNeverGoesNegative) {
  auto past = Deadline(Deadline::clock::now() - std::chrono::seconds(1));
  EXPECT_TRUE(past.expired());
  EXPECT_EQ(past.remaining(), Deadline::clock::duration::zero());
  auto later = Deadline::after(std::chrono::hours(1));
  EXPECT_FALSE(later.expired());
  EXPECT_GT(later.remaining(), std::chrono::minutes(59));
  EXPECT_FALSE(Deadline::never().expired());
}

}  // namespace
}  // namespace fraiseql

TEST(Json, EscapesControlQuotesAndInvalidUtf8) {
  EXPECT_EQ(fraiseql::json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  // Valid multi-byte UTF-8 passes through; a lone continuation byte and a truncated
  // sequence become U+FFFD.
  EXPECT_EQ(fraiseql::json_string("\xC3\xA9"), "\"\xC3\xA9\"");
  EXPECT_EQ(fraiseql::json_string("x\x80y"), "\"x\xEF\xBF\xBDy\"");
  EXPECT_EQ(fraiseql::json_string("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  // Encoded surrogates are not valid UTF-8.
  EXPECT_EQ(fraiseql::json_string("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}
