#include <gtest/gtest.h>

#include "fraiseql/db/pool.hpp"

namespace fraiseql::db {
namespace {

TEST(PoolLimitsTest, PrimaryIsConnectionsPerProcessCappedAtTwentyWithEqualOverflow) {
  auto l = primary_pool_limits(100, 4);
  EXPECT_EQ(l.size, 20u);  // min(25, 20)
  EXPECT_EQ(l.max_overflow, 20u);
  l = primary_pool_limits(60, 4);
  EXPECT_EQ(l.size, 15u);
  EXPECT_EQ(l.max_overflow, 15u);
}

TEST(PoolLimitsTest, ReplicaIsHalfThatCappedAtTenWithHalfOverflow) {
  auto l = replica_pool_limits(100, 4);
  EXPECT_EQ(l.size, 10u);  // min(12, 10)
  EXPECT_EQ(l.max_overflow, 5u);
  l = replica_pool_limits(60, 4);
  EXPECT_EQ(l.size, 7u);
  EXPECT_EQ(l.max_overflow, 3u);
}

TEST(PoolLimitsTest, NeverBelowOneConnectionEvenWithZeroInputs) {
  EXPECT_EQ(primary_pool_limits(2, 8).size, 1u);
  EXPECT_EQ(replica_pool_limits(2, 8).size, 1u);
  EXPECT_EQ(replica_pool_limits(2, 8).max_overflow, 0u);
  EXPECT_EQ(primary_pool_limits(100, 0).size, 20u);  // WEB_CONCURRENCY 0 reads as 1
}

TEST(PoolLimitsTest, OperatorDefaults) {
  ConnectionSettings s;
  EXPECT_EQ(s.acquire_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.max_lifetime, std::chrono::seconds(3600));
  EXPECT_EQ(s.statement_timeout, std::chrono::seconds(30));
  EXPECT_FALSE(s.jit);
}

TEST(LeaseTest, DefaultLeaseIsEmptyAndReleasesNothing) {
  Lease lease;
  EXPECT_FALSE(lease);
  Lease moved = std::move(lease);
  EXPECT_FALSE(moved);
  moved.release();
}

TEST(PoolTest, UnreachableHostIsUnavailableNotAHang) {
  // Port 1 on loopback refuses at once.
  Pool pool({.target = "t", .url = "postgresql://nobody@127.0.0.1:1/none", .limits = {1, 0}});
  auto lease = pool.acquire(Deadline::after(std::chrono::seconds(10)));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(lease.error().message.find("cannot connect to database t"), std::string::npos)
      << lease.error().message;
  EXPECT_EQ(pool.stats().open, 0u);
}

}  // namespace
}  // namespace fraiseql::db
