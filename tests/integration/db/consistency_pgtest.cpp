// Consistency tokens: what a write returns and what a malformed one gets.

#include <gtest/gtest.h>

#include "fraiseql/db/lsn.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

TEST(ConsistencyPgTest, AWriteReturnsAPositionPastItsCommit) {
  Router router(router_options(unique_name("ct")));
  router.start();
  std::string table = unique_name("t_ct");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int)").ok());
  auto before = parse_lsn(scalar(primary_url(), "SELECT pg_current_wal_insert_lsn()::text"));
  auto w = write(router, "INSERT INTO " + table + " VALUES (1)");
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto token = parse_lsn(w->consistency_token);
  ASSERT_TRUE(token.has_value()) << w->consistency_token;
  auto after = parse_lsn(scalar(primary_url(), "SELECT pg_current_wal_insert_lsn()::text"));
  ASSERT_TRUE(before && after);
  EXPECT_GT(*token, *before) << "the insert and its commit record lie before the token";
  EXPECT_LE(*token, *after);
  // A standby can reach it: the primary flushes (and so can send) WAL up to the token.
  EXPECT_TRUE(eventually([&] {
    return scalar(primary_url(),
                  "SELECT pg_current_wal_flush_lsn() >= '" + w->consistency_token + "'::pg_lsn") == "t";
  }));
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

TEST(ConsistencyPgTest, WithoutReplicasWritesReturnNoToken) {
  Router router(router_options(unique_name("cn"), false));
  router.start();
  auto w = write(router, "SELECT 1");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->consistency_token, "") << "no replica to be behind: nothing to track";
}

TEST(ConsistencyPgTest, AMalformedTokenIsRejected) {
  Router router(router_options(unique_name("cm")));
  router.start();
  auto r = call(router, Intent::kRead, "SELECT 1", {}, {.token = "not-a-position"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("malformed consistency token"), std::string::npos) << r.error().message;
  auto ok = call(router, Intent::kRead, "SELECT 1", {}, {.token = "0/1"});
  EXPECT_TRUE(ok.ok()) << "a position every host has passed reads as usual";
}

}  // namespace
}  // namespace fraiseql::db::pgtest
