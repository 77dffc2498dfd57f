// The client address behind trusted proxies: X-Forwarded-For believed only from them,
// read right to left, never letting a client choose its own address.

#include "fraiseql/http/client_address.hpp"

#include <gtest/gtest.h>

namespace fraiseql::http {
namespace {

TrustedProxies proxies(const std::vector<std::string>& blocks) {
  auto p = TrustedProxies::parse(blocks);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(*p) : TrustedProxies{};
}

TEST(TrustedProxies, MatchesAddressesAndBlocksOfBothFamilies) {
  auto t = proxies({"127.0.0.1", "10.0.0.0/8", "192.168.1.128/25", "fd00::/8", "::1"});
  EXPECT_TRUE(t.contains("127.0.0.1"));
  EXPECT_FALSE(t.contains("127.0.0.2"));
  EXPECT_TRUE(t.contains("10.200.3.4"));
  EXPECT_TRUE(t.contains("192.168.1.200"));
  EXPECT_FALSE(t.contains("192.168.1.100"));
  EXPECT_TRUE(t.contains("fd12::1"));
  EXPECT_TRUE(t.contains("::1"));
  EXPECT_TRUE(t.contains("::ffff:10.1.1.1"));  // an IPv4 peer on an IPv6 socket
  EXPECT_TRUE(t.contains("[::1]"));
  EXPECT_FALSE(t.contains("not an address"));
}

TEST(TrustedProxies, RejectsMalformedBlocks) {
  for (std::string bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "300.1.1.1", "example.com"}) {
    auto p = TrustedProxies::parse({bad});
    EXPECT_FALSE(p.ok()) << bad;
  }
}

TEST(ClientAddress, ThePeerWhenNoProxyIsTrusted) {
  TrustedProxies none;
  EXPECT_EQ(client_address("203.0.113.9", "1.2.3.4", none), "203.0.113.9");
  EXPECT_EQ(client_address("::ffff:203.0.113.9", "", none), "203.0.113.9");
}

TEST(ClientAddress, TheRightmostUntrustedHopBehindTrustedProxies) {
  auto t = proxies({"127.0.0.1", "10.0.0.0/8"});
  // client → 10.0.0.5 (inner proxy) → nginx on 127.0.0.1 → us
  EXPECT_EQ(client_address("127.0.0.1", "198.51.100.7, 10.0.0.5", t), "198.51.100.7");
  // A client that sends its own header cannot choose: the hop nginx appended wins.
  EXPECT_EQ(client_address("127.0.0.1", "1.1.1.1, 198.51.100.7", t), "198.51.100.7");
  // Every hop trusted: the left-most is the client.
  EXPECT_EQ(client_address("127.0.0.1", "10.1.1.1, 10.0.0.5", t), "10.1.1.1");
  // Garbage in the header: the last address that could be trusted.
  EXPECT_EQ(client_address("127.0.0.1", "evil, 10.0.0.5", t), "10.0.0.5");
  EXPECT_EQ(client_address("127.0.0.1", "[2001:db8::1]", t), "2001:db8::1");
}

TEST(ClientAddress, AnUntrustedPeersHeaderIsIgnored) {
  auto t = proxies({"10.0.0.0/8"});
  EXPECT_EQ(client_address("198.51.100.7", "10.0.0.1", t), "198.51.100.7");
}

}  // namespace
}  // namespace fraiseql::http
