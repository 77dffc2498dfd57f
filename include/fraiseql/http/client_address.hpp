#pragma once
/// Which address a request comes from, for per-client limits: the peer, or — when the
/// peer is a trusted proxy (nginx in front) — the right-most `X-Forwarded-For` entry that
/// is not itself a trusted proxy. Entries added by untrusted hops are never believed,
/// so a client cannot pick its own address by sending the header.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fraiseql/core/result.hpp"

namespace fraiseql::http {

class TrustedProxies {
 public:
  /// CIDR blocks or single addresses, IPv4 or IPv6 ("127.0.0.1", "10.0.0.0/8", "::1").
  static Result<TrustedProxies> parse(const std::vector<std::string>& blocks);
  [[nodiscard]] bool contains(std::string_view address) const;
  [[nodiscard]] bool empty() const noexcept { return blocks_.empty(); }

 private:
  struct Block {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    unsigned prefix = 128;
  };
  std::vector<Block> blocks_;
};

/// The client address of a request from `peer` carrying `forwarded_for` (may be empty).
/// Addresses come back in their canonical text form (IPv4-mapped IPv6 as IPv4).
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& trusted);

}  // namespace fraiseql::http
