#include "fraiseql/db/balancer.hpp"

#include <map>

#include <gtest/gtest.h>

namespace fraiseql::db {
namespace {

TEST(LeastOutstandingTest, FewestOutstandingFirst) {
  LeastOutstanding b;
  for (int i = 0; i < 5; ++i) {
    auto order = b.order({3, 0, 2});
    EXPECT_EQ(order, (std::vector<std::size_t>{1, 2, 0}));
  }
}

TEST(LeastOutstandingTest, EqualCandidatesTakeTurns) {
  LeastOutstanding b;
  std::map<std::size_t, int> firsts;
  for (int i = 0; i < 30; ++i) ++firsts[b.order({1, 1, 1}).front()];
  EXPECT_EQ(firsts[0], 10);
  EXPECT_EQ(firsts[1], 10);
  EXPECT_EQ(firsts[2], 10);
}

TEST(LeastOutstandingTest, TiesAmongTheLeastLoadedOnly) {
  LeastOutstanding b;
  std::map<std::size_t, int> firsts;
  for (int i = 0; i < 40; ++i) ++firsts[b.order({0, 5, 0, 5}).front()];
  EXPECT_EQ(firsts[0] + firsts[2], 40);
  EXPECT_GT(firsts[0], 0);
  EXPECT_GT(firsts[2], 0);
}

TEST(LeastOutstandingTest, EmptyAndSingle) {
  LeastOutstanding b;
  EXPECT_TRUE(b.order({}).empty());
  EXPECT_EQ(b.order({7}), (std::vector<std::size_t>{0}));
}

}  // namespace
}  // namespace fraiseql::db
