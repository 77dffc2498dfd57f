#include "fraiseql/db/lsn.hpp"

#include <gtest/gtest.h>

namespace fraiseql::db {
namespace {

TEST(LsnTest, ParsesPostgresTextForm) {
  EXPECT_EQ(parse_lsn("0/0"), 0u);
  EXPECT_EQ(parse_lsn("0/16B3748"), 0x16B3748u);
  EXPECT_EQ(parse_lsn("16/B374D848"), (0x16ULL << 32U) | 0xB374D848ULL);
  EXPECT_EQ(parse_lsn("ffffffff/ffffffff"), 0xFFFFFFFFFFFFFFFFULL);
}

TEST(LsnTest, OrdersAcrossTheHighHalf) {
  // Text order would put "9/..." after "10/...": the numbers must not.
  EXPECT_LT(*parse_lsn("9/FFFFFFFF"), *parse_lsn("A/0"));
  EXPECT_LT(*parse_lsn("0/FFFFFF"), *parse_lsn("0/1000000"));
}

TEST(LsnTest, RejectsMalformedTokens) {
  for (const char* bad :
       {"", "/", "0/", "/0", "0", "0/0/0", "g/0", "0/-1", " 0/1", "0/1 ", "123456789/0", "0/1x"}) {
    EXPECT_FALSE(parse_lsn(bad).has_value()) << bad;
  }
}

TEST(LsnTest, FormatsAsPostgresDoes) {
  EXPECT_EQ(format_lsn(0), "0/0");
  EXPECT_EQ(format_lsn(0x16B3748), "0/16B3748");
  auto v = (0x16ULL << 32U) | 0xB374D848ULL;
  EXPECT_EQ(format_lsn(v), "16/B374D848");
  EXPECT_EQ(parse_lsn(format_lsn(v)), v);
}

}  // namespace
}  // namespace fraiseql::db
