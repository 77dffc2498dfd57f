#include "fraiseql/db/write_tracker.hpp"

#include <gtest/gtest.h>

namespace fraiseql::db {
namespace {

using namespace std::chrono_literals;
using clock = WriteTracker::clock;

TEST(WriteTrackerTest, SubjectFollowsItsWriteForTheWindowOnly) {
  WriteTracker t(5000ms);
  auto t0 = clock::time_point{} + 1h;
  EXPECT_EQ(t.required("alice", t0), 0u);
  t.record("alice", 100, t0);
  EXPECT_EQ(t.required("alice", t0), 100u);
  EXPECT_EQ(t.required("alice", t0 + 4999ms), 100u);
  EXPECT_EQ(t.required("alice", t0 + 5000ms), 0u) << "the window has passed";
  EXPECT_EQ(t.required("bob", t0), 0u) << "another subject is not affected";
}

TEST(WriteTrackerTest, KeepsTheHighestPositionAndRestartsTheWindow) {
  WriteTracker t(1000ms);
  auto t0 = clock::time_point{} + 1h;
  t.record("alice", 200, t0);
  t.record("alice", 150, t0 + 800ms);  // finished later on another connection
  EXPECT_EQ(t.required("alice", t0 + 1500ms), 200u);
  EXPECT_EQ(t.required("alice", t0 + 1800ms), 0u);
}

TEST(WriteTrackerTest, AnonymousCallersAndAZeroWindowTrackNothing) {
  WriteTracker on(1000ms);
  on.record("", 100);
  EXPECT_EQ(on.required(""), 0u);
  EXPECT_EQ(on.size(), 0u);
  WriteTracker off(0ms);
  off.record("alice", 100);
  EXPECT_EQ(off.required("alice"), 0u);
}

TEST(WriteTrackerTest, ExpiredSubjectsAreSweptAway) {
  WriteTracker t(10ms);
  auto t0 = clock::time_point{} + 1h;
  for (int i = 0; i < 5000; ++i) t.record("s" + std::to_string(i), 1, t0 + std::chrono::milliseconds(i));
  // Only subjects written within the last window (and the batch since the last sweep) remain.
  EXPECT_LT(t.size(), 2100u);
  EXPECT_EQ(t.required("s4999", t0 + 4999ms), 1u);
}

}  // namespace
}  // namespace fraiseql::db
