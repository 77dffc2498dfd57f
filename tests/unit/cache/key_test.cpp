#include "fraiseql/cache/key.hpp"

#include <gtest/gtest.h>

namespace fraiseql::cache {
namespace {

TEST(CacheKeyTest, PartsAreLengthPrefixedSoBoundariesMatter) {
  EXPECT_NE(make_key({"ab", "c"}), make_key({"a", "bc"}));
  EXPECT_NE(make_key({"doc", "op", "{}", "role:admin"}), make_key({"doc", "op", "{}", "role:user"}));
  EXPECT_EQ(make_key({"doc", "op"}), make_key({"doc", "op"}));
  EXPECT_EQ(make_key({"", "x"}), "0:1:x");
}

TEST(CacheKeyTest, HashIsHexSha256) {
  EXPECT_EQ(hash_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hash_key(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hash_key(std::string(100000, 'v')).size(), 64U);
}

}  // namespace
}  // namespace fraiseql::cache
