#include "fraiseql/db/statement_log.hpp"

#include <gtest/gtest.h>

namespace fraiseql::db {
namespace {

using namespace std::chrono_literals;

TEST(StatementLogTest, ShortTextIsKeptOnOneLine) {
  EXPECT_EQ(cut_for_log("SELECT 1", 500), "SELECT 1");
  EXPECT_EQ(cut_for_log("  SELECT\n\t a,\r\n  b\n FROM t \n", 500), "SELECT a, b FROM t");
}

TEST(StatementLogTest, LongTextIsCutAndSaysHowMuchIsLeft) {
  std::string sql(1200, 'x');
  auto out = cut_for_log(sql, 500);
  EXPECT_EQ(out, std::string(500, 'x') + "...(700 more)");
}

TEST(StatementLogTest, CutNeverSplitsAUtf8Character) {
  std::string text = std::string(499, 'a') + "\xC3\xA9" + "bbb";  // "é" straddles byte 500
  auto out = cut_for_log(text, 500);
  EXPECT_EQ(out, std::string(499, 'a') + "...(5 more)");
  std::string euro = std::string(498, 'a') + "\xE2\x82\xAC" + "z";  // 3-byte "€" at 498..500
  EXPECT_EQ(cut_for_log(euro, 500), std::string(498, 'a') + "...(4 more)");
  std::string fits = std::string(497, 'a') + "\xE2\x82\xAC" + "z";
  EXPECT_EQ(cut_for_log(fits, 500), std::string(497, 'a') + "\xE2\x82\xAC" + "...(1 more)");
}

TEST(StatementLogTest, SlowQueryMessageCutsStatementAt500AndEachParameterAt200) {
  std::string sql = "SELECT " + std::string(600, 'c');
  std::vector<std::optional<std::string>> params = {std::string(250, 'p'), std::nullopt, "short"};
  auto msg = slow_query_message("replica1", 1234567us, "ok", sql, params);
  EXPECT_EQ(msg.rfind("slow query on replica1: 1234.6 ms, ok; statement: SELECT ", 0), 0u) << msg;
  EXPECT_NE(msg.find("SELECT " + std::string(493, 'c') + "...(107 more); parameters: "), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("[$1='" + std::string(200, 'p') + "...(50 more)', $2=NULL, $3='short']"),
            std::string::npos)
      << msg;
}

}  // namespace
}  // namespace fraiseql::db
